"""Review: what an analyst sees of a pair, the verdicts they record, and the machine's merges undone.

A review pair is two records, but a verdict acts on two whole entities. :func:`pair_view` shows
both: every record each side already merges with, every conflict across their union
(:mod:`ingest.conflicts`), and whether a side is already a case subject. A positive verdict whose
union holds a hard conflict is refused (:class:`MergeRefused`) unless it is an override with a
written reason, which is stored on the judgement and audited; the front ends let only a
supervisor override. :func:`auto_merges` lists the links the resolver made by itself, and
:func:`split` undoes one with a negative judgement between its two records.

Every verdict is re-applied at once by an incremental :func:`~ingest.resolve.resolve` over the
pair's entities; ``ingest.resolve`` re-exports the functions here, so it is imported late.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graph.canonical import CanonicalView, linked_records
from graph.errors import InvalidRecord, NotAllowed
from graph.model import AuditEvent, Entity, Judgement, Relation, make_id, utc_now
from graph.settings import Settings
from graph.store import Store
from ingest.conflicts import Conflict, blocking, conflicts, record_conflicts
from ingest.judgement import pair_key

if TYPE_CHECKING:
    from ingest.resolve import ResolveReport

__all__ = ["REVIEW_KEY", "MergeRefused", "Subject", "Side", "PairView", "Split", "review_queue", "entity_records",
           "pair_view", "judge", "split", "retract", "entities", "case_subjects", "auto_merges"]

REVIEW_KEY = "resolution:review"


class MergeRefused(NotAllowed):
    """A positive verdict refused: the union of the two entities holds hard conflicts."""

    def __init__(self, left: str, right: str, found: Sequence[Conflict], reason_missing: bool = False) -> None:
        self.left, self.right, self.conflicts = left, right, list(found)
        why = ("a supervisor override needs a written reason" if reason_missing else
               "only a supervisor can override, with a written reason")
        lines = "\n".join(f"  - {c.text()}" for c in self.conflicts)
        super().__init__(f"accepting {left} / {right} is refused: the union holds {len(self.conflicts)} "
                         f"hard conflict(s) ({why}):\n{lines}")


@dataclass(frozen=True)
class Subject:
    """A record that is a subject of a case (it has a SUBJECT_OF link to the case record)."""

    case_id: str
    record: str
    name: str


@dataclass
class Side:
    """One side of a pair as a whole entity: the record asked about and every record merged with it."""

    record: str
    members: list[Entity]
    subjects: list[Subject] = field(default_factory=list)

    @property
    def entity(self) -> str:
        """The canonical id (the smallest member id, as :class:`~graph.canonical.CanonicalView` names it)."""
        return min(m.id for m in self.members)

    @property
    def name(self) -> str:
        return next((m.name for m in self.members if m.id == self.record), self.record)

    def rows(self) -> list[dict[str, str]]:
        """The members with their key fields and sources, one row each."""
        return [{"record": m.id, "name": m.name, "dob": _dob_text(m), "identifiers": "; ".join(m.identifiers()),
                 "postcode": str(m.props.get("postcode") or ""),
                 "sources": "; ".join(p.citation() for p in m.provenance)} for m in self.members]


@dataclass
class PairView:
    """Both whole entities of a review pair and every conflict across their union."""

    left: Side
    right: Side
    conflicts: list[Conflict]

    @property
    def same_entity(self) -> bool:
        return self.left.entity == self.right.entity

    @property
    def blocking(self) -> list[Conflict]:
        """The conflicts that refuse accepting the pair (hard, between the two sides)."""
        return blocking(self.conflicts)

    def warnings(self) -> list[str]:
        """What accepting would do to a case: join one side to the other side's subject."""
        if self.same_entity:
            return []
        out = []
        for side, other in ((self.left, self.right), (self.right, self.left)):
            theirs = {s.record for s in other.subjects}
            more = len(other.members) - 1
            extra = f" and the {more} other record(s) it merges with" if more else ""
            out += [f"Accepting joins {other.record} ({other.name}){extra} to SUBJECT {s.record} ({s.name}) of case "
                    f"{s.case_id}." for s in side.subjects if s.record not in theirs]
        return out

    def to_dict(self) -> dict[str, Any]:
        side = lambda s: {"record": s.record, "entity": s.entity, "members": s.rows(),  # noqa: E731
                          "subjects": [vars(x) for x in s.subjects]}
        return {"left": side(self.left), "right": side(self.right), "same_entity": self.same_entity,
                "conflicts": [c.to_dict() for c in self.conflicts],
                "blocking": [c.text() for c in self.blocking], "warnings": self.warnings()}


@dataclass
class Split:
    """What :func:`split` did: the resolution run, and the two entities the records now belong to."""

    report: ResolveReport
    left: list[str]
    right: list[str]


def _dob_text(e: Entity) -> str:
    if e.props.get("dob"):
        return str(e.props["dob"])
    return f"{e.props['dob_raw']} (unreadable)" if e.props.get("dob_raw") else ""


def review_queue(store: Store, include_unsure: bool = True) -> list[dict[str, Any]]:
    """The pairs waiting for an analyst, best score first."""
    items = [i for i in store.get_meta(REVIEW_KEY) or [] if include_unsure or i.get("status") != "unsure"]
    return sorted(items, key=lambda i: (-float(i["score"]), i["left"], i["right"]))


def entity_records(store: Store, record_id: str) -> list[Entity]:
    """Every record of the entity ``record_id`` belongs to (itself included), ordered by id."""
    members, _ = linked_records(store, [record_id])
    return store.get_entities(sorted(members))


def _subjects(store: Store, members: Sequence[Entity]) -> list[Subject]:
    links = store.relations_of([m.id for m in members], ["SUBJECT_OF"], direction="out")
    cases = {c.id: c for c in store.get_entities(sorted({r.target for r in links}))}
    names = {m.id: m.name for m in members}
    return sorted({Subject(str(cases[r.target].props.get("case_id") or cases[r.target].source_id), r.source,
                           names.get(r.source, r.source)) for r in links if r.target in cases},
                  key=lambda s: (s.case_id, s.record))


def pair_view(store: Store, left: str, right: str) -> PairView:
    """Both whole entities of the pair ``left`` / ``right``, their case subjects and every conflict.

    Raises
    ------
    InvalidRecord : a record is not in the store.
    """
    sides = []
    for record in (left, right):
        members = entity_records(store, record)
        if not any(m.id == record for m in members):
            raise InvalidRecord(f"no such record: {record}")
        sides.append(Side(record, members, _subjects(store, members)))
    return PairView(sides[0], sides[1], conflicts(sides[0].members, sides[1].members))


def _now_precise() -> str:
    """UTC time to the microsecond, so two verdicts on one pair in one second stay ordered."""
    return datetime.now(UTC).isoformat()


def _reapply(store: Store, settings: Settings | None, user: str, pair: tuple[str, str]) -> ResolveReport:
    from ingest.resolve import resolve  # ingest.resolve re-exports this module: import it when called

    return resolve(store, settings, only_new=True, user=user, touch=pair)


def judge(store: Store, left: str, right: str, verdict: str, user: str, settings: Settings | None = None, *,
          reason: str | None = None, override: bool = False) -> ResolveReport:
    """Record an analyst's verdict on a pair and re-apply decisions (no re-scoring of old pairs).

    ``negative`` on a merged pair is the undo: the link goes and both records stand alone. A
    ``positive`` verdict is checked against the union of the two entities first.

    Parameters
    ----------
    reason : a written reason, stored on the judgement (``explanation["reason"]``) and audited.
    override : accept despite hard conflicts. Needs ``reason``; the judgement keeps the conflicts
        it overrode (``explanation["override"]``) and an ``override`` audit event names them. The
        caller checks the role: the app and the command line let only a supervisor set it.

    Raises
    ------
    InvalidRecord : the same record twice, or a record not in the store.
    MergeRefused : ``positive`` across a hard conflict without an override and its reason.
    """
    if left == right:
        raise InvalidRecord("a judgement needs two different records")
    missing = [x for x in (left, right) if store.get_entity(x) is None]
    if missing:
        raise InvalidRecord(f"no such record: {', '.join(missing)}")
    reason = (reason or "").strip() or None
    item = next((i for i in store.get_meta(REVIEW_KEY) or [] if pair_key(i["left"], i["right"]) ==
                 pair_key(left, right)), None)
    explanation: dict[str, Any] = dict(item.get("explanation") or {}) if item else {}
    detail: dict[str, Any] = {"left": left, "right": right, "verdict": verdict}
    overridden: list[Conflict] = []
    if verdict == "positive":
        overridden = pair_view(store, left, right).blocking
        if overridden and not (override and reason):
            raise MergeRefused(left, right, overridden, reason_missing=override)
    if reason:
        explanation["reason"] = detail["reason"] = reason
    if overridden:
        explanation["override"] = {"by": user, "conflicts": [c.to_dict() for c in overridden]}
        detail["override"] = [c.text() for c in overridden]
    store.add_judgement(Judgement(left, right, verdict, user, created_at=_now_precise(),
                                  score=item["score"] if item else None, explanation=explanation))
    store.log(AuditEvent(user, "judgement", detail))
    if overridden:
        store.log(AuditEvent(user, "override", detail))
    return _reapply(store, settings, user, (left, right))


def split(store: Store, left: str, right: str, user: str, reason: str, settings: Settings | None = None) -> Split:
    """Undo one merge: a negative judgement between the two records of a SAME_AS link, with a reason.

    The resolver re-applies its decisions with the pair forbidden, so the records end in two
    entities (a third record scored with both goes with the stronger link). The judgement keeps
    the link's scorer, score and features; a ``split`` audit event names them and the reason.

    Raises
    ------
    InvalidRecord : no SAME_AS link joins the two records, or no reason is given.
    """
    from ingest.resolve import same_as_id

    reason = (reason or "").strip()
    if not reason:
        raise InvalidRecord("a split needs a written reason")
    found = store.get_relations([same_as_id(left, right)])
    if not found:
        raise InvalidRecord(f"no merge links {left} and {right} (assetgraph review merges lists them)")
    props = found[0].props
    link = {"judgement": props.get("judgement"), "scorer": props.get("scorer"), "score": props.get("score"),
            "features": dict(props.get("explanation") or {})}
    store.add_judgement(Judgement(left, right, "negative", user, created_at=_now_precise(), score=props.get("score"),
                                  explanation={"split": link, "reason": reason}))
    store.log(AuditEvent(user, "split", {"left": left, "right": right, "reason": reason,
                                         **{k: v for k, v in link.items() if k != "features"}}))
    report = _reapply(store, settings, user, (left, right))
    return Split(report, [m.id for m in entity_records(store, left)], [m.id for m in entity_records(store, right)])


def retract(store: Store, left: str, right: str, user: str, settings: Settings | None = None) -> int:
    """Soft-delete the standing judgements on a pair (the machine's view applies again)."""
    key = pair_key(left, right)
    now = utc_now()
    gone = [j for j in store.judgements() if pair_key(j.left, j.right) == key and not j.deleted_at]
    for j in gone:
        store.delete_judgement(j.id, now)
    store.log(AuditEvent(user, "retract", {"left": key[0], "right": key[1], "count": len(gone)}))
    _reapply(store, settings, user, key)
    return len(gone)


def entities(store: Store, kind: str | None = None) -> Iterator[dict[str, Any]]:
    """Resolved entities as plain dicts: ``entity_id``, ``kind``, ``name``, ``records``.

    The name is the longest caption among the members (usually the fullest form).
    """
    view = CanonicalView.from_store(store)
    groups: dict[str, list[Entity]] = {}
    for e in store.iter_entities([kind] if kind else None):
        groups.setdefault(view.cluster_of(e.id), []).append(e)
    for cid in sorted(groups):
        members = groups[cid]
        name = max((m.name for m in members), key=lambda n: (len(n), n))
        yield {"entity_id": cid, "kind": members[0].kind, "name": name, "records": sorted(m.id for m in members)}


def case_subjects(store: Store, case_id: str) -> list[str]:
    """The subject records of a case (the sources of SUBJECT_OF links to its case record).

    Raises
    ------
    InvalidRecord : no case ``case_id`` in the store.
    """
    case = store.get_entity(make_id(case_id, "case")) or next(
        (e for e in store.iter_entities(["Case"]) if e.props.get("case_id") == case_id), None)
    if case is None or case.kind != "Case":
        raise InvalidRecord(f"no case {case_id!r} in the store")
    return sorted(r.source for r in store.relations_of([case.id], ["SUBJECT_OF"], direction="in"))


def auto_merges(store: Store, case_id: str | None = None) -> list[dict[str, Any]]:
    """The merges the resolver made by itself, weakest first: in a case's subjects' entities, or all.

    Each row: ``left``, ``right`` and their names, ``kind``, ``scorer``, ``score``, ``features``
    (the weight each feature added), ``conflicts`` between the two records (a shared NI number
    can outweigh a different date of birth), and for a case the ``subject`` whose entity it is in.
    """
    subject_of: dict[str, str] = {}
    if case_id is None:
        links: Iterable[Relation] = store.iter_relations(["SAME_AS"])
    else:
        found: dict[str, Relation] = {}
        for subject in case_subjects(store, case_id):
            members, near = linked_records(store, [subject])
            found.update(near)
            subject_of.update(dict.fromkeys(members - subject_of.keys(), subject))
        links = found.values()
    auto = [r for r in links if r.props.get("judgement") == "auto"]
    records = {e.id: e for e in store.get_entities(sorted({x for r in auto for x in (r.source, r.target)}))}
    rows = []
    for r in auto:
        a, b = records.get(r.source), records.get(r.target)
        rows.append({
            "left": r.source, "right": r.target, "left_name": a.name if a else "", "right_name": b.name if b else "",
            "kind": a.kind if a else "", "scorer": r.props.get("scorer", ""), "score": r.props.get("score"),
            "features": dict(r.props.get("explanation") or {}),
            "conflicts": [c.text() for c in record_conflicts(a, b)] if a and b else [],
            **({"case_id": case_id, "subject": subject_of.get(r.source, "")} if case_id else {})})
    return sorted(rows, key=lambda row: (float(row["score"] or 0), row["left"], row["right"]))
