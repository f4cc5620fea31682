"""Entity resolution: which source records describe the same real person, company or asset.

The orchestrator is small on purpose; the parts live beside it: :mod:`ingest.normalise`
(cleaning), :mod:`ingest.scoring` (pure versioned scorers), :mod:`ingest.blocking` (which
pairs to score), :mod:`ingest.pair_scoring` (the veto and scorers over those pairs),
:mod:`ingest.judgement` (decisions under analyst judgements) and :mod:`ingest.review` (what a
reviewer sees and records; its functions are re-exported here). This module reads records
through the Store, writes reversible ``SAME_AS`` relations (never touching a source record),
keeps the review queue, and remembers which records it has seen so a new file is resolved
against the store without re-scoring every old pair.

State kept in the store's meta table:

``resolution:review``  the review queue: pairs scored between the two thresholds, not yet judged.
``resolution:seen``    ``{record_id: content_hash}`` of records already resolved.
``resolution:last``    the last run's report, with the settings it ran with.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.canonical import CanonicalView, linked_records
from graph.errors import InvalidRecord
from graph.model import AuditEvent, Entity, Judgement, Provenance, Relation, utc_now
from graph.settings import Settings
from graph.store import Store
from ingest.blocking import BlockingStats
from ingest.judgement import Candidate, Decisions, current_judgements, decide, pair_key
from ingest.pair_scoring import gc_paused, score_candidates
from ingest.review import REVIEW_KEY, entities, judge, retract, review_queue  # the review functions live there
from ingest.scoring import SCORERS, prepare, score_pair

__all__ = [
    "RESOLVABLE",
    "ResolveReport",
    "resolve",
    "resolve_after_load",
    "review_queue",
    "judge",
    "retract",
    "entities",
    "same_as_id",
]

RESOLVABLE: tuple[str, ...] = tuple(SCORERS)
SEEN_KEY = "resolution:seen"
LAST_KEY = "resolution:last"
DATASET = "resolution"


@dataclass
class ResolveReport:
    """What one run did; saved as ``resolution:last`` and printed by ``assetgraph resolve``.

    ``entities``, ``merged`` (SAME_AS links) and ``review`` describe the whole store after the
    run. On an incremental run ``auto``, ``analyst``, ``refused`` and the links added and removed
    describe the scope it decided (the entities a new file could change); the rest of the store
    was left as it was.
    """

    records: int = 0
    new_records: int = 0
    pairs_scored: int = 0
    merged: int = 0
    auto: int = 0
    analyst: int = 0
    review: int = 0
    refused: int = 0
    rejected: int = 0
    vetoed: int = 0
    links_added: int = 0
    links_removed: int = 0
    entities: int = 0
    seconds: float = 0.0
    only_new: bool = False
    blocking: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def same_as_id(a: str, b: str) -> str:
    """The deterministic id of the SAME_AS link between two records.

    >>> same_as_id("OP/P2", "OP/P1")
    'same:OP/P1|OP/P2'
    """
    left, right = pair_key(a, b)
    return f"same:{left}|{right}"


def _relation(c: Candidate, judgement: str, now: str) -> Relation:
    left, right = pair_key(c.left, c.right)
    props = {"score": round(c.score, 4), "scorer": c.scorer, "explanation": dict(c.explanation),
             "judgement": judgement}
    prov = Provenance(DATASET, source=c.scorer, source_ref=f"{left}|{right}", ingested_at=now)
    return Relation(same_as_id(left, right), "SAME_AS", left, right, props, (prov,),
                    source_id=f"{left}|{right}", dataset=DATASET)


def _carried(existing: list[Relation], queue: list[dict[str, Any]], new_ids: set[str],
             live: set[str]) -> list[Candidate]:
    """Old decisions kept without re-scoring on an incremental run: auto links and queued pairs."""
    out: list[Candidate] = []
    for rel in existing:
        if rel.props.get("judgement") != "auto" or rel.source in new_ids or rel.target in new_ids:
            continue
        if rel.source in live and rel.target in live:
            out.append(Candidate(rel.source, rel.target, "", float(rel.props.get("score") or 0.0),
                                 str(rel.props.get("scorer") or ""), rel.props.get("explanation") or {}))
    for item in queue:
        a, b = item["left"], item["right"]
        if a in new_ids or b in new_ids or a not in live or b not in live:
            continue
        out.append(Candidate(a, b, item.get("kind", ""), float(item["score"]), item.get("scorer", ""),
                             item.get("explanation") or {}))
    return out


def _scope(store: Store, seeds: set[str], queue: list[dict[str, Any]],
           judged: dict[tuple[str, str], Judgement]) -> tuple[set[str], list[Relation]]:
    """The records an incremental run can change, and the SAME_AS links among them.

    Starting from the new records and their scored partners, add every record linked to one
    already in (SAME_AS), queued for review with one, or judged against one, until nothing is
    added: whole entities, so deciding inside the scope is deciding as a full run would, while
    the rest of the store is neither read nor rewritten.
    """
    beside: dict[str, set[str]] = {}
    for a, b in [(i["left"], i["right"]) for i in queue] + list(judged):
        beside.setdefault(a, set()).add(b)
        beside.setdefault(b, set()).add(a)
    scope, links = linked_records(store, seeds, beside)
    return scope, list(links.values())


def resolve(
    store: Store,
    settings: Settings | None = None,
    *,
    only_new: bool = False,
    kinds: Sequence[str] = RESOLVABLE,
    user: str = "resolver",
    max_block: int = 24,
    touch: Sequence[str] = (),
    workers: int = 1,
) -> ResolveReport:
    """Resolve the records in ``store``; write SAME_AS links and the review queue.

    Parameters
    ----------
    store : the store; read through ``iter_entities``, written through relations and meta.
    settings : ``match_upper`` / ``match_lower`` thresholds (defaults when None).
    only_new : score only pairs touching records not seen (or changed) since the last run;
        earlier automatic links and queued pairs are kept as they were.
    kinds : entity kinds to resolve.
    touch : record ids to treat as new on an incremental run (a judgement or retraction on
        them re-scores their pairs, so a merge refused earlier can be reconsidered).
    workers : processes scoring pairs (forked; keep 1 inside a threaded app).

    Returns
    -------
    ResolveReport : counts, timings and the settings used.

    Analyst judgements always win: they are re-applied on every run, and a link no longer
    supported (an undo, a negative judgement) is deleted, so both records stand alone again.
    """
    settings = settings or Settings()
    if not 0 <= settings.match_lower <= settings.match_upper <= 1:
        raise InvalidRecord("resolution thresholds must satisfy 0 <= match_lower <= match_upper <= 1")
    with gc_paused():
        return _resolve(store, settings, only_new, kinds, user, max_block, touch, workers)


def _resolve(store: Store, settings: Settings, only_new: bool, kinds: Sequence[str], user: str, max_block: int,
             touch: Sequence[str], workers: int) -> ResolveReport:
    started = time.perf_counter()
    records: list[Entity] = list(store.iter_entities(list(kinds)))
    feats = [prepare(e) for e in records]
    seen: dict[str, str] = store.get_meta(SEEN_KEY) or {}
    touched = set(touch)
    new_pos = [i for i, e in enumerate(records) if seen.get(e.id) != e.content_hash or e.id in touched]
    new_ids = {records[i].id for i in new_pos}
    live = {e.id for e in records}
    stats = BlockingStats()
    scored = score_candidates(feats, only=new_pos if only_new else None, max_block=max_block, stats=stats,
                              floor=settings.match_lower, workers=workers)
    candidates = scored.candidates
    judged = {k: j for k, j in current_judgements(store.judgements()).items() if k[0] in live and k[1] in live}
    queue: list[dict[str, Any]] = store.get_meta(REVIEW_KEY) or []
    kind_of = {e.id: e.kind for e in records}
    last = store.get_meta(LAST_KEY) or {}
    incremental = only_new and last.get("settings", {}).get("kinds") == list(kinds)
    if incremental:
        scope, existing = _scope(store, new_ids | {x for c in candidates for x in (c.left, c.right)}, queue, judged)
        candidates.extend(_carried(existing, [i for i in queue if i["left"] in scope], new_ids, live))
        standing = {k: j for k, j in judged.items() if k[0] in scope}
        kept = [i for i in queue if i["left"] not in scope]
        # Entities outside the scope are as the last run left them; records never seen were singletons.
        unseen = sum(e.id not in seen for e in records)
        counted = [x for x in scope if x in live]
        outside = last["entities"] + unseen - len({CanonicalView(existing).cluster_of(x) for x in counted})
    else:
        existing, standing, kept, counted, outside = list(store.iter_relations(["SAME_AS"])), judged, [], list(live), 0
    _score_judged(standing, candidates, feats)
    decisions = decide(candidates, standing, settings.match_upper, settings.match_lower, kind_of)
    report = _write(store, decisions, existing, counted)
    report.entities += outside
    report.rejected += scored.vetoed + scored.below_floor
    report.vetoed = scored.vetoed
    report.review = len(kept) + len(decisions.review)
    if incremental:  # links outside the scope stand as the last run left them
        report.merged = last.get("merged", 0) + report.links_added - report.links_removed
    store.set_meta(REVIEW_KEY, kept + decisions.review)
    store.set_meta(SEEN_KEY, {**seen, **{e.id: e.content_hash for e in records}})
    report.records, report.new_records, report.pairs_scored = len(records), len(new_pos), stats.pairs
    report.only_new, report.blocking = only_new, asdict(stats)
    report.settings = {"match_upper": settings.match_upper, "match_lower": settings.match_lower,
                       "max_block": max_block, "kinds": list(kinds)}
    report.seconds = round(time.perf_counter() - started, 3)
    store.set_meta(LAST_KEY, report.to_dict())
    store.log(AuditEvent(user, "resolve", {k: v for k, v in report.to_dict().items() if k != "blocking"}))
    return report


def _score_judged(standing: dict[tuple[str, str], Judgement], candidates: list[Candidate],
                  feats: list[Any]) -> None:
    """Give analyst-judged pairs that blocking never paired a score, for the link's explanation."""
    have = {pair_key(c.left, c.right) for c in candidates}
    by_id = {f.id: f for f in feats}
    for key, j in standing.items():
        if j.verdict == "positive" and key not in have and key[0] in by_id and key[1] in by_id:
            s = score_pair(by_id[key[0]], by_id[key[1]])
            candidates.append(Candidate(key[0], key[1], by_id[key[0]].kind, s.score, s.scorer, s.features))


def _write(store: Store, decisions: Decisions, existing: list[Relation], counted: list[str]) -> ResolveReport:
    """Replace the ``existing`` links with the decided ones; ``entities`` counts clusters among ``counted``."""
    now = utc_now()
    wanted = {}
    for m in decisions.merges:
        rel = _relation(m.candidate, m.judgement, now)
        wanted[rel.id] = rel
    stale = [r.id for r in existing if r.id not in wanted]
    if stale:
        store.delete_relations(stale)
    old = {r.id: r for r in existing}
    fresh = [r for r in wanted.values() if r.id not in old or dict(old[r.id].props) != dict(r.props)]
    if fresh:
        store.upsert_relations(fresh)
    view = CanonicalView(wanted.values())
    report = ResolveReport(
        merged=len(wanted), auto=sum(m.judgement == "auto" for m in decisions.merges),
        analyst=sum(m.judgement == "analyst" for m in decisions.merges), review=len(decisions.review),
        refused=len(decisions.refused), rejected=decisions.rejected,
        links_added=sum(r.id not in old for r in wanted.values()), links_removed=len(stale),
        entities=len({view.cluster_of(r) for r in counted}))
    return report


def resolve_after_load(store: Store, settings: Settings | None = None) -> dict[str, Any]:
    """The incremental run ``assetgraph load`` makes after each file (``--no-resolve`` skips it)."""
    return resolve(store, settings, only_new=True).to_dict()
