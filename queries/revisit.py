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
from fractions import Fraction
from typing import Any

from graph.canonical import CanonicalView
from graph.errors import AssetGraphError, RuleNotApplicable
from graph.model import Entity, make_id, utc_now
from graph.settings import Settings
from graph.store import Store
from graph.territory import territory_class
from queries.casegraph import CaseGraph, list_cases
from queries.control import controlled_by
from queries.dates import GiftCutoff, as_date, gift_cutoff
from queries.gifts import tainted_gifts
from queries.holdings import Holding, holdings, linked_assets, territory_of
from queries.order import OrderFigures, order_figures
from queries.report import gbp_text, money
from queries.sweep_graph import add_transfers, sweep_case_graph
from queries.valuation import PriceIndex

__all__ = ["sweep", "sweep_case", "chain_text", "last_sweep", "sweep_history", "recoverable_potential",
           "APART_STATUSES", "SWEEPS_KEY", "KEEP_FULL"]

SWEEPS_KEY = "revisit:sweeps"
KEEP_FULL = 10
APART_STATUSES = ("deceased", "unable_to_proceed")
_DATE_KEYS = ("acquired", "opened", "incorporated")


def sweep_history(store: Store) -> list[dict[str, Any]]:
    """Summaries of every sweep recorded in the store, oldest first."""
    return list(store.get_meta(SWEEPS_KEY) or [])


def last_sweep(store: Store) -> dict[str, Any] | None:
    """The newest recorded sweep in full (None before the first)."""
    history = sweep_history(store)
    return store.get_meta(f"revisit:sweep:{history[-1]['id']}") if history else None


def _weight(cls: str | None, weights: dict[str, float]) -> tuple[float, str]:
    """Enforcement weight for a territory class; unknown places are weighted as the hardest."""
    if cls is None:
        return min(weights.values()), "territory unknown (weighted as hardest)"
    return float(weights.get(cls, min(weights.values()))), cls


def recoverable_potential(capacity: Decimal, hits: list[dict[str, Any]]) -> Decimal:
    """Fill the recoverable ``capacity`` from the easiest hits first; each hit adds
    ``min(remaining, value x share) x weight``. Sets each hit's ``contribution``.

    Hits that are not ``counted`` (unvalued, or a relative's own asset with no gift from him)
    add nothing. ``capacity`` is s.22 headroom plus the outstanding balance with s.12 interest.

    Examples
    --------
    >>> hits = [{"recoverable": 100.0, "weight": 0.4, "counted": True},
    ...         {"recoverable": 50.0, "weight": 1.0, "counted": True}]
    >>> recoverable_potential(Decimal(120), hits)
    Decimal('78.00')
    >>> [h["contribution"] for h in hits]
    [28.0, 50.0]

    References
    ----------
    Proceeds of Crime Act 2002, s.12 (interest), s.22 (headroom), s.74 (enforcement abroad).
    """
    remaining, total = max(capacity, Decimal(0)), Decimal(0)
    for hit in sorted(hits, key=lambda h: (-h["weight"], -(h["recoverable"] or 0))):
        if not hit["counted"] or not hit["recoverable"]:
            hit["contribution"] = 0.0
            continue
        take = min(remaining, Decimal(str(hit["recoverable"])))
        part = (take * Decimal(str(hit["weight"]))).quantize(Decimal("0.01"))
        hit["contribution"] = float(part)
        remaining -= take
        total += part
    return total


class _Sweeper:
    """One sweep's shared state: settings, clusters, price index, the previous sweep's known sets."""

    def __init__(self, store: Store, settings: Settings, on: date, index: PriceIndex,
                 known_before: dict[str, list[str]] | None) -> None:
        self.store, self.settings, self.on, self.index = store, settings, on, index
        self.weights = dict(settings.enforcement_weights)
        self.clusters = CanonicalView.from_store(store)
        self.known_before: dict[str, set[str]] = {k: set(v) for k, v in (known_before or {}).items()}

    def figures(self, case: dict[str, Any]) -> OrderFigures:
        return order_figures(case.get("order") or {}, self.on, self.settings.interest_rate)

    def case(self, entity: Entity, subject_records: list[str]) -> tuple[dict[str, Any], list[str]]:
        """Sweep one case: its hits, potential and reason, and every asset key known now."""
        props = dict(entity.props)
        f = self.figures(props)
        made = f.order_date.isoformat()
        cg = sweep_case_graph(self.store, entity, subject_records, self.clusters, self.settings, None)
        held = holdings(cg, self.on)
        control = controlled_by(cg)
        add_transfers(self.store, cg, control, made)
        before = self.known_before.get(cg.case_id)

        def wanted(key: str, acquired: str | None) -> bool:  # cheap test first: most holdings are old news
            return bool(acquired and acquired > made) or (before is not None and key not in before)

        hits: list[dict[str, Any]] = []
        known: list[str] = []
        seen_assets = {h.asset for h in held}
        for h in held:
            known.append(h.asset)
            if wanted(h.asset, self._holding_acquired(cg, h)):
                hits.append(self._holding_hit(cg, h, made))
        for node, link in sorted(control.items()):
            if node in seen_assets or node in cg.subjects or cg.kind(node) != "Company":
                continue
            known.append(node)
            if wanted(node, _control_acquired(cg, node, link.path)):
                hits.append(self._control_hit(cg, node, link.path, made))
        for item in linked_assets(cg, held):
            key = f"{item['asset']}@{item['holder']}"
            known.append(key)
            if wanted(key, _family_acquired(cg, item)):
                hits.append(self._family_hit(cg, item, key, made))
        for g in self._gifts(cg, control, f):
            known.append(g["key"])
            hits.append(g)
        for hit in hits:
            hit["new_since_last_sweep"] = before is not None and hit["key"] not in before
        capacity = max(f.headroom or Decimal(0), Decimal(0)) + f.outstanding_with_interest
        potential = recoverable_potential(capacity, hits)
        hits.sort(key=lambda h: (-h["contribution"], -(h["recoverable"] or 0), h["key"]))
        entry = {
            "case_id": cg.case_id, "status": props.get("status") or "active", "force": props.get("force"),
            "region": props.get("region"),
            "subjects": [{"entity_id": s, "name": cg.name(s), "records": cg.records(s)} for s in cg.subjects],
            "figures": _figures(f, capacity, entity), "hits": hits, "potential": float(potential),
            "new_hits_since_last_sweep": sum(1 for h in hits if h["new_since_last_sweep"]),
            "accounts": [{"asset": cg.records(h.asset)[0], "name": cg.name(h.asset), "territory": h.territory,
                          "class": h.territory_class} for h in held if h.kind == "Account"],
        }
        entry["reason"] = _case_reason(entry, f, capacity)
        return entry, sorted(set(known))

    def _hit(self, cg: CaseGraph, key: str, node: str, route: str, cls: str | None, territory: str | None,
             value: Decimal | None, share: Fraction | None, acquired: str | None, made: str, rule: str,
             chain: list[str], evidence: list[dict[str, Any]], counted: bool, note: str = "") -> dict[str, Any]:
        weight, cls_text = _weight(cls, self.weights)
        recoverable = None if value is None or share is None else value * Decimal(share.numerator) / share.denominator
        after = bool(acquired and acquired > made)
        text = (f"{cg.name(node)} ({cg.records(node)[0]}, {cg.kind(node)}), {territory or '?'} {cls_text} "
                f"weight {weight:g}: value {gbp_text(value, 'unknown')}"
                + (f" × effective share {float(share):.4f} = {gbp_text(recoverable, 'unknown')}"
                   if share is not None else "")
                + (f" via {chain_text(chain, evidence)}" if len(chain) > 1 else "")
                + (f"; acquired {acquired} after the order of {made}" if after else "")
                + (f"; {note}" if note else ""))
        return {"key": key, "asset": cg.records(node)[0], "asset_records": cg.records(node), "name": cg.name(node),
                "kind": cg.kind(node), "route": route, "chain": chain, "effective_share":
                None if share is None else round(float(share), 4), "value": money(value), "territory": territory,
                "class": cls, "weight": weight, "acquired": acquired, "after_order": after, "rule": rule,
                "recoverable": money(recoverable), "counted": counted and recoverable is not None,
                "contribution": 0.0, "reason": text, "evidence": [_compact(e) for e in evidence]}

    @staticmethod
    def _holding_acquired(cg: CaseGraph, h: Holding) -> str | None:
        return max((d for d in [h.start, *(_date_prop(cg, h.asset, k) for k in _DATE_KEYS)] if d), default=None)

    def _holding_hit(self, cg: CaseGraph, h: Holding, made: str) -> dict[str, Any]:
        value = _gbp_value(cg, h.asset)
        acquired = self._holding_acquired(cg, h)
        chain = cg.record_chain(h.chain[0], h.relations[0])
        note = ""
        if h.territory_class == "uk" and h.kind == "Property":
            for node in h.chain[1:-1]:
                code = territory_of(cg, node)
                if cg.kind(node) == "Company" and code and territory_class(code) != "uk":
                    note = f"UK property held through an overseas company ({cg.name(node)}, {code})"
                    break
        rule = "s.22 (new property since the order), s.84" + ("; s.74 request abroad" if h.territory_class not in
                                                               (None, "uk") else "")
        evidence = [cg.evidence(cg.relations[r], "chain") for r in h.relations[0] if r in cg.relations]
        return self._hit(cg, h.asset, h.asset, "holding", h.territory_class, h.territory, value, h.effective_share,
                         acquired, made, rule, chain, evidence, True, note)

    def _control_hit(self, cg: CaseGraph, node: str, path: tuple[str, ...], made: str) -> dict[str, Any]:
        code = territory_of(cg, node)
        acquired = _control_acquired(cg, node, path)
        chain = cg.record_chain(cg.subjects[0], path) if path else [cg.records(node)[0]]
        evidence = [cg.evidence(cg.relations[r], "control") for r in path if r in cg.relations]
        return self._hit(cg, node, node, "control", territory_class(code) if code else None, code, None, None,
                         acquired, made, "s.22; control (CONTROLS / PSC / director): s.84", chain, evidence, False,
                         "controlled, no shareholding recorded: value not counted")

    def _family_hit(self, cg: CaseGraph, item: dict[str, Any], key: str, made: str) -> dict[str, Any]:
        asset, holder = item["asset"], item["holder"]
        rel = cg.relations.get(item["relation"])
        acquired = _family_acquired(cg, item)
        code = territory_of(cg, asset)
        share = Fraction(str(rel.props["share_pct"])) / 100 if rel and rel.props.get("share_pct") else Fraction(1)
        evidence = [cg.evidence(rel, "holding")] if rel else []
        return self._hit(cg, key, asset, "family", territory_class(code) if code else None, code,
                         _gbp_value(cg, asset), share, acquired, made,
                         "linked asset: a tainted gift only if funded by him (s.77, s.78)",
                         [cg.records(holder)[0], cg.records(asset)[0]], evidence, False,
                         f"held by {cg.name(holder)} ({item['link'].lower()}: {item['role'] or 'no role'}); "
                         "no transfer from him found: listed, not counted")

    def _gifts(self, cg: CaseGraph, control: dict[str, Any], f: OrderFigures) -> list[dict[str, Any]]:
        try:
            cutoff = gift_cutoff(cg.case)
        except AssetGraphError:  # a case-list row may carry no proceedings date: the order date is later
            cutoff = GiftCutoff(f.order_date, "s.77(2)/(5) (after the order)")
        out = []
        for g in tainted_gifts(cg, control, cutoff, self.index, self.on, f.order_date):
            if not g.after_order:
                continue
            code = territory_of(cg, g.recipient)
            node = cg.canon(g.transfer.props["asset_id"]) if g.transfer.props.get("asset_id") else g.recipient
            hit = self._hit(cg, f"gift:{g.transfer.id}", node, "gift", territory_class(code) if code else None, code,
                            g.valuation.value, Fraction(1), g.transfer.date, f.order_date.isoformat(),
                            f"{g.rule}; {g.basis}", [cg.records(g.payer)[0], cg.records(g.recipient)[0]],
                            list(g.evidence), True,
                            f"gift {g.transfer.source_id} on {g.transfer.date} to {cg.name(g.recipient)}")
            out.append(hit)
        return out


def chain_text(chain: list[str], evidence: list[dict[str, Any]]) -> str:
    """``P1 ← P4 (nominee) → C2 → PR4``: a nominee holds *for* him, so that link points back.

    >>> chain_text(["P1", "P4", "C2"], [{"kind": "NOMINEE_FOR"}, {"kind": "OWNS"}])
    'P1 ← P4 (nominee) → C2'
    """
    kinds = [e.get("kind") for e in evidence]
    out = chain[0]
    for i, node in enumerate(chain[1:]):
        out += f" ← {node} (nominee)" if i < len(kinds) and kinds[i] == "NOMINEE_FOR" else f" → {node}"
    return out


def _control_acquired(cg: CaseGraph, node: str, path: tuple[str, ...]) -> str | None:
    starts = [(cg.relations[r].props.get("start_date") or "") for r in path if r in cg.relations]
    return max([d for d in [*starts, _date_prop(cg, node, "incorporated")] if d], default=None)


def _family_acquired(cg: CaseGraph, item: dict[str, Any]) -> str | None:
    rel = cg.relations.get(item["relation"])
    start = rel.props.get("start_date") if rel else None
    return max((d for d in [start, *(_date_prop(cg, item["asset"], k) for k in _DATE_KEYS)] if d), default=None)


def _date_prop(cg: CaseGraph, node: str, key: str) -> str | None:
    value = cg.prop(node, key)
    return str(value) if value else None


def _gbp_value(cg: CaseGraph, node: str) -> Decimal | None:
    """A GBP market value (a property's ``value``, an account's ``balance``); None when foreign or absent."""
    for key in ("value", "balance"):
        value = cg.prop(node, key)
        if value not in (None, "") and not cg.prop(node, f"{key}_currency"):
            try:
                return Decimal(str(value))
            except ArithmeticError:
                return None
    return None


def _figures(f: OrderFigures, capacity: Decimal, entity: Entity) -> dict[str, Any]:
    prov = entity.provenance[-1] if entity.provenance else None  # a case list laid over case.json comes last
    return {"order_date": f.order_date.isoformat(), "due": f.due.isoformat(), "valuation_date":
            f.valuation_date.isoformat(), "benefit": money(f.benefit), "amount": money(f.amount), "paid": money(f.paid),
            "outstanding": money(f.outstanding), "interest": money(f.interest),
            "outstanding_with_interest": money(f.outstanding_with_interest), "headroom": money(f.headroom),
            "capacity": money(capacity), "warnings": list(f.warnings),
            "rules": {"time_to_pay": "s.11", "interest": "s.12", "headroom": "s.22"},
            "citation": prov.citation() if prov else None, "file": prov.file if prov else None,
            "row": prov.row if prov else None}


def _case_reason(entry: dict[str, Any], f: OrderFigures, capacity: Decimal) -> str:
    headroom = max(f.headroom or Decimal(0), Decimal(0))
    figures = (f"capacity {gbp_text(capacity, 'unknown')} = s.22 headroom {gbp_text(headroom, 'unknown')}"
               f" + outstanding with s.12 interest {gbp_text(f.outstanding_with_interest, 'unknown')}")
    counted = [h for h in entry["hits"] if h["contribution"]]
    if not entry["hits"]:
        return f"no new assets since the order or the last sweep; {figures}"
    lead = counted[0] if counted else entry["hits"][0]
    more = len(entry["hits"]) - 1
    return (f"potential {gbp_text(Decimal(str(entry['potential'])), 'unknown')}: {lead['reason']}"
            + (f" (+{more} more hit{'s' if more > 1 else ''})" if more else "") + f"; {figures}")


def _known(store: Store, summary: dict[str, Any] | None) -> dict[str, list[str]] | None:
    """The assets linked to each case at the sweep ``summary`` names (None before the first)."""
    if summary is None:
        return None
    known = store.get_meta(f"revisit:known:{summary['id']}")
    if known is None:  # a sweep recorded before known sets had their own key
        known = (store.get_meta(f"revisit:sweep:{summary['id']}") or {}).get("known")
    return known or {}


def _compact(evidence: dict[str, Any]) -> dict[str, Any]:
    """Evidence without the raw provenance list (the citation, file, row and dataset stay)."""
    sources = evidence.get("sources") or [{}]
    return {k: v for k, v in evidence.items() if k != "sources"} | {"dataset": sources[0].get("dataset")}


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
        The day of the sweep (figures and holdings as at that day); default today.
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
    sweeper = _Sweeper(store, settings, day, index or PriceIndex.load(settings.price_index), _known(store, previous))
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
                              "figures": _figures(f, max(f.headroom or Decimal(0), Decimal(0))
                                                  + f.outstanding_with_interest, entity)})
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

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store, has no order or no subject.
    """
    settings = settings or Settings()
    day = as_date(on) if on is not None else date.today()
    entity = store.get_entity(make_id(case_id, "case"))
    if entity is None or entity.kind != "Case":
        raise RuleNotApplicable(f"no case {case_id!r} in the store")
    if not entity.props.get("order"):
        raise RuleNotApplicable(f"s.11: case {case_id!r} has no confiscation order")
    subjects = [r.source for r in store.relations_of([entity.id], ["SUBJECT_OF"], direction="in")]
    if not subjects:
        raise RuleNotApplicable(f"case {case_id!r} names no subject found in the store")
    history = sweep_history(store)
    sweeper = _Sweeper(store, settings, day, index or PriceIndex.load(settings.price_index),
                       _known(store, history[-1] if history else None))
    entry, _keys = sweeper.case(entity, sorted(subjects))
    return entry
