"""One transfer seen in two statements becomes one TRANSFER with two sources.

A payment from account A to account B appears twice when both statements are held: as money
out of A (its counterparty parsed from A's description) and as money in to B. Counting both
would double the flow, so they are matched and merged, the idea of Splink's transaction-linking
demo: the amount agrees (exactly, or within a fee/FX tolerance), the dates differ by a small
lag, and the references/descriptions look alike (rapidfuzz).

Matching is blocked, never all pairs: money-in lines are indexed by day and sorted by amount, so
each money-out line only looks at the days in its lag window and the amounts in its tolerance
band (a bisect). Pairs are scored, then assigned greedily best-first, one to one.

Hook: :func:`merge_matched_transfers` runs after each statement load (``ingest.bank`` and
``ingest.ofx`` call it with the new dataset). The kept relation is the money-out one, re-pointed
at B's account, carrying both provenance entries and the money-in side's date/amount; the
money-in relation is deleted and both ids are recorded in store meta
(``transfer_matches:<dataset>``) so that re-loading either statement does not resurrect them.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rapidfuzz import fuzz

from graph.model import AuditEvent, Relation
from graph.store import Store

__all__ = ["MatchParams", "Txn", "Match", "score_pair", "match_transactions", "merge_matched_transfers"]


@dataclass(frozen=True)
class MatchParams:
    """Thresholds. The defaults suit two UK statements of one payment (same or next days,
    fees of a few per cent at most); widen them for slow international transfers."""

    min_lag_days: int = -1
    max_lag_days: int = 3
    amount_tolerance: float = 0.02  # relative difference allowed (fees, FX)
    min_score: float = 0.6
    w_amount: float = 0.35
    w_date: float = 0.15
    w_text: float = 0.5


@dataclass(frozen=True)
class Txn:
    """One side of a payment as the matcher sees it; ``amount`` is positive."""

    key: str
    day: date
    amount: float
    text: str = ""
    account: str = ""


@dataclass(frozen=True)
class Match:
    out_key: str
    in_key: str
    score: float
    lag_days: int
    amount_diff: float


def _text_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    a, b = a.lower(), b.lower()
    return max(fuzz.token_set_ratio(a, b), fuzz.partial_ratio(a, b)) / 100.0


def score_pair(out: Txn, inn: Txn, params: MatchParams) -> tuple[float, int, float]:
    """(score in 0..1, lag in days, relative amount difference) of one candidate pair."""
    lag = (inn.day - out.day).days
    rel = abs(out.amount - inn.amount) / max(out.amount, inn.amount, 1e-9)
    if rel == 0:
        s_amount = 1.0
    elif params.amount_tolerance > 0:
        s_amount = 0.6 * max(0.0, 1.0 - rel / params.amount_tolerance)
    else:
        s_amount = 0.0
    span = max(abs(params.min_lag_days), abs(params.max_lag_days)) + 1
    s_date = max(0.0, 1.0 - abs(lag) / span)
    s_text = _text_similarity(out.text, inn.text)
    score = params.w_amount * s_amount + params.w_date * s_date + params.w_text * s_text
    return score, lag, rel


def match_transactions(outs: Iterable[Txn], ins: Sequence[Txn], params: MatchParams | None = None) -> list[Match]:
    """Match money-out lines to money-in lines one to one, best score first."""
    params = params or MatchParams()
    by_day: dict[date, list[tuple[float, int]]] = defaultdict(list)
    for i, t in enumerate(ins):
        by_day[t.day].append((t.amount, i))
    for bucket in by_day.values():
        bucket.sort()
    tol = 1.0 + params.amount_tolerance
    pairs: list[tuple[float, int, int, str, str, float, int]] = []
    out_list = list(outs)
    for o_idx, out in enumerate(out_list):
        lo_amt, hi_amt = out.amount / tol, out.amount * tol
        for lag in range(params.min_lag_days, params.max_lag_days + 1):
            bucket = by_day.get(out.day + timedelta(days=lag))
            if not bucket:
                continue
            start = bisect.bisect_left(bucket, (lo_amt, -1))
            stop = bisect.bisect_right(bucket, (hi_amt, len(ins)))
            for _, i in bucket[start:stop]:
                inn = ins[i]
                if out.account and out.account == inn.account:
                    continue
                score, lag_days, rel = score_pair(out, inn, params)
                if score >= params.min_score:
                    pairs.append((score, o_idx, i, out.key, inn.key, rel, lag_days))
    pairs.sort(key=lambda p: (-p[0], p[3], p[4]))
    used_out: set[int] = set()
    used_in: set[int] = set()
    matches: list[Match] = []
    for score, o_idx, i, okey, ikey, rel, lag_days in pairs:
        if o_idx in used_out or i in used_in:
            continue
        used_out.add(o_idx)
        used_in.add(i)
        matches.append(Match(okey, ikey, round(score, 4), lag_days, rel))
    return matches


def _txn(rel: Relation) -> Txn | None:
    props = rel.props
    try:
        day = date.fromisoformat(str(props.get("date")))
        amount = float(props.get("amount"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    text = " ".join(str(props[k]) for k in ("reference", "description") if props.get(k))
    return Txn(rel.id, day, amount, text, str(props.get("statement_account") or ""))


def merge_matched_transfers(store: Store, dataset: str | None = None, others: Sequence[str] | None = None,
                            params: MatchParams | None = None, user: str = "system") -> dict[str, Any]:
    """Match statement transfers across accounts and merge each pair into one TRANSFER.

    ``dataset`` limits matching to pairs with at least one side in it (the statement just
    loaded); ``others`` are the datasets to look in (default: every statement dataset loaded).
    Running it again finds nothing new and writes nothing.
    """
    params = params or MatchParams()
    datasets = list(others) if others is not None else list(store.get_meta("statement_datasets") or [])
    if dataset and dataset not in datasets:
        datasets.append(dataset)
    rels: dict[str, Relation] = {}
    outs: list[Txn] = []
    ins: list[Txn] = []
    done: dict[str, str] = {}  # money-in id -> kept money-out id, from earlier merges
    for ds in datasets:
        for rel in store.iter_relations(["TRANSFER"], ds):
            if rel.props.get("matched_with"):
                done[str(rel.props["matched_with"])] = rel.id
                continue
            txn = _txn(rel) if rel.props.get("statement_account") else None
            if txn is None:
                continue
            rels[rel.id] = rel
            (outs if rel.props.get("direction") == "out" else ins).append(txn)
    # Repair a merge interrupted between writing the kept relation and deleting the other.
    stale = [t.key for t in ins if t.key in done]
    if stale:
        store.delete_relations(stale)
        ins = [t for t in ins if t.key not in done]
    matches = [m for m in match_transactions(outs, ins, params)
               if dataset is None or dataset in (rels[m.out_key].dataset, rels[m.in_key].dataset)]
    meta: dict[str, dict[str, str]] = defaultdict(dict)
    merged: list[Relation] = []
    for m in matches:
        out, inn = rels[m.out_key], rels[m.in_key]
        props = dict(out.props) | {
            "matched_with": inn.id, "match_score": f"{m.score:.3f}", "in_date": inn.props.get("date"),
            "in_amount": inn.props.get("amount"), "in_description": inn.props.get("description"),
            "in_statement_account": inn.props.get("statement_account")}
        merged.append(Relation(out.id, "TRANSFER", out.source, inn.target,
                               {k: v for k, v in props.items() if v is not None},
                               out.provenance + inn.provenance, out.source_id, out.dataset))
        meta[out.dataset][out.id] = out.id
        meta[inn.dataset][inn.id] = out.id
    for in_id, out_id in done.items():
        meta[rels[in_id].dataset if in_id in rels else ""].setdefault(in_id, out_id)
    if merged:
        store.upsert_relations(merged)
        store.delete_relations([m.in_key for m in matches])
    for ds, ids in meta.items():
        if not ds:
            continue
        known = store.get_meta(f"transfer_matches:{ds}") or {}
        if any(known.get(k) != v for k, v in ids.items()):
            store.set_meta(f"transfer_matches:{ds}", known | ids)
    summary = {"dataset": dataset, "datasets": datasets, "candidates_out": len(outs), "candidates_in": len(ins),
               "merged": len(merged), "repaired": len(stale)}
    if merged or stale:
        store.log(AuditEvent(user, "transfer_match", summary | {
            "pairs": [[m.out_key, m.in_key, m.score] for m in matches[:200]]}))
    return summary
