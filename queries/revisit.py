"""Revisit sweeps: every old order with money left to get, searched for assets found since.

A revisit team goes back to orders that are unpaid (s.12 interest still running) or where the
benefit found was far above the amount ordered (s.22 lets the court raise the order up to the
benefit). :func:`sweep` looks, for every such case in the store, at what the subjects hold now
-- directly, through control and nominee chains, or as post-order gifts to family -- and keeps
the assets acquired after the order date, or not linked to the case at the previous sweep
("new since last sweep": a fresh Land Registry or Companies House load). Cases are ranked by
recoverable potential, discounted by how hard enforcement is where the asset sits.

Sweep history is kept in the store: ``revisit:sweeps`` lists every sweep; ``revisit:sweep:N``
holds sweep N in full and ``revisit:known:N`` the assets linked to each case at sweep N, so the
next sweep can tell what is new. Only the last :data:`KEEP_FULL` sweeps are kept in full (at
10^4 cases one is tens of MB); older ones keep their summary.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from graph.errors import AssetGraphError, RuleNotApplicable
from graph.model import make_id, utc_now
from graph.settings import Settings
from graph.store import Store
from queries.casegraph import list_cases
from queries.dates import as_date
from queries.revisit_case import CaseSweeper, entry_figures, recoverable_potential
from queries.valuation import PriceIndex

__all__ = ["sweep", "sweep_case", "last_sweep", "sweep_history", "recoverable_potential",
           "APART_STATUSES", "SWEEPS_KEY", "KEEP_FULL"]

SWEEPS_KEY = "revisit:sweeps"
KEEP_FULL = 10
APART_STATUSES = ("deceased", "unable_to_proceed")


def sweep_history(store: Store) -> list[dict[str, Any]]:
    """Summaries of every sweep recorded in the store, oldest first."""
    return list(store.get_meta(SWEEPS_KEY) or [])


def last_sweep(store: Store) -> dict[str, Any] | None:
    """The newest recorded sweep in full (None before the first)."""
    history = sweep_history(store)
    return store.get_meta(f"revisit:sweep:{history[-1]['id']}") if history else None


def _known(store: Store, summary: dict[str, Any] | None) -> dict[str, list[str]] | None:
    """The assets linked to each case at the sweep ``summary`` names (None before the first)."""
    if summary is None:
        return None
    known = store.get_meta(f"revisit:known:{summary['id']}")
    if known is None:  # a sweep recorded before known sets had their own key
        known = (store.get_meta(f"revisit:sweep:{summary['id']}") or {}).get("known")
    return known or {}


def _subject_links(store: Store) -> dict[str, list[str]]:
    links: dict[str, list[str]] = defaultdict(list)
    for rel in store.iter_relations(["SUBJECT_OF"]):
        links[rel.target].append(rel.source)
    return links


def sweep(store: Store, settings: Settings | None = None, on: date | str | None = None, record: bool = True,
          index: PriceIndex | None = None) -> dict[str, Any]:
    """Sweep every case in the store and rank the ones worth revisiting.

    Parameters
    ----------
    store : Store
    settings : Settings, optional
        ``enforcement_weights`` discount by territory class; ``interest_rate`` for s.12.
    on : date or str, optional
        The one "as at" date of the sweep (figures and holdings as at that day); default today
        (a revisit asks what can be recovered now).
    record : bool
        Save the sweep in the store's history (the next sweep compares against it).
    index : PriceIndex, optional
        For s.81 values of post-order gifts; default the settings' index.

    Returns
    -------
    dict
        ``sweep_id``, ``ranked`` (cases, best first, each with ``hits``, ``potential`` and
        ``reason``), ``apart`` (deceased / unable to proceed, not ranked), ``skipped`` (no
        order, nothing left to recover, or an error), counts and the time taken.

    References
    ----------
    Proceeds of Crime Act 2002, s.12, s.22, s.74, s.77, s.84.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    day = as_date(on) if on is not None else date.today()
    history = sweep_history(store)
    previous = history[-1] if history else None
    sweeper = CaseSweeper(store, settings, day, index or PriceIndex.load(settings.price_index),
                          _known(store, previous))
    links = _subject_links(store)
    ranked, apart, skipped = [], [], []
    known: dict[str, list[str]] = {}
    cases = list_cases(store)
    for entity in cases:
        case_id = str(entity.props.get("case_id") or entity.dataset)
        status = str(entity.props.get("status") or "active")
        try:
            if not entity.props.get("order"):
                skipped.append({"case_id": case_id, "status": status, "reason": "no confiscation order (s.11)"})
                continue
            if status in APART_STATUSES:
                f = sweeper.figures(entity.props)
                apart.append({"case_id": case_id, "status": status, "force": entity.props.get("force"),
                              "region": entity.props.get("region"),
                              "figures": entry_figures(f, max(f.headroom or Decimal(0), Decimal(0))
                                                  + f.outstanding_with_interest, entity, settings)})
                continue
            f = sweeper.figures(entity.props)
            if f.outstanding_with_interest <= 0 and (f.headroom or 0) <= 0:
                skipped.append({"case_id": case_id, "status": status, "reason": "paid in full and no s.22 headroom"})
                continue
            if not links.get(entity.id):
                skipped.append({"case_id": case_id, "status": status, "reason": "no subject in the store"})
                continue
            entry, known[case_id] = sweeper.case(entity, sorted(links[entity.id]))
            ranked.append(entry)
        except AssetGraphError as exc:
            skipped.append({"case_id": case_id, "status": status, "reason": str(exc)})
        except Exception as exc:  # noqa: BLE001 - one case must never stop a sweep of thousands
            skipped.append({"case_id": case_id, "status": status, "internal": True,
                            "reason": f"internal error ({type(exc).__name__}): {exc}"})
    ranked.sort(key=lambda e: (-e["potential"], -(e["figures"]["capacity"] or 0), e["case_id"]))
    for n, entry in enumerate(ranked, start=1):
        entry["rank"] = n
    sweep_id = (history[-1]["id"] + 1) if history else 1
    result = {
        "sweep_id": sweep_id, "at": utc_now(), "on": day.isoformat(), "previous_sweep": previous["id"]
        if previous else None, "cases": len(cases), "cases_swept": len(ranked), "ranked": ranked, "apart": apart,
        "skipped": skipped, "hits": sum(len(e["hits"]) for e in ranked),
        "new_hits_since_last_sweep": sum(e["new_hits_since_last_sweep"] for e in ranked),
        "enforcement_weights": sweeper.weights, "interest_rate": settings.interest_rate,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if record:
        store.set_meta(f"revisit:sweep:{sweep_id}", result)
        store.set_meta(f"revisit:known:{sweep_id}", known)
        summary = {k: result[k] for k in ("sweep_id", "at", "on", "cases", "cases_swept", "hits",
                                          "new_hits_since_last_sweep", "seconds")}
        entries = [*history, {"id": sweep_id, **summary}]
        for old in entries[:-KEEP_FULL]:  # keep the summary of old sweeps, drop their detail
            if not old.get("pruned"):
                store.set_meta(f"revisit:sweep:{old['id']}", {**old, "pruned": True})
                store.set_meta(f"revisit:known:{old['id']}", None)
                old["pruned"] = True
        store.set_meta(SWEEPS_KEY, entries)
    return result


def sweep_case(store: Store, case_id: str, settings: Settings | None = None, on: date | str | None = None,
               index: PriceIndex | None = None) -> dict[str, Any]:
    """Sweep one case against the last recorded sweep, without recording anything (for a briefing).

    ``on`` is the one "as at" date of its figures; default the case's valuation date, as the case
    report takes it, so the report, the briefing pack and this entry give the same figures.

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store, has no order or no subject.
    """
    settings = settings or Settings()
    entity = store.get_entity(make_id(case_id, "case"))
    if entity is None or entity.kind != "Case":
        raise RuleNotApplicable(f"no case {case_id!r} in the store")
    if not entity.props.get("order"):
        raise RuleNotApplicable(f"s.11: case {case_id!r} has no confiscation order")
    subjects = [r.source for r in store.relations_of([entity.id], ["SUBJECT_OF"], direction="in")]
    if not subjects:
        raise RuleNotApplicable(f"case {case_id!r} names no subject found in the store")
    history = sweep_history(store)
    known = _known(store, history[-1] if history else None)
    sweeper = CaseSweeper(store, settings, as_date(on) if on is not None else None,
                          index or PriceIndex.load(settings.price_index), known)
    entry, _keys = sweeper.case(entity, sorted(subjects))
    return entry
