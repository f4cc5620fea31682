"""One case of a revisit sweep: its order figures, its hits (new assets, gifts) and its potential.

:class:`CaseSweeper` looks at what the subjects of one case hold as at the sweep's date --
directly, through control and nominee chains, as post-order gifts, or as property a recipient
bought with such a gift (s.81(1)(b)) -- keeps what was acquired after the order or is new since
the previous sweep, and fills the case's recoverable capacity from the easiest hits first. A
record the engine cannot use is a warning on the case's entry; the rest of the case is swept.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from graph.canonical import CanonicalView
from graph.errors import AssetGraphError
from graph.model import Entity
from graph.settings import Settings
from graph.store import Store
from graph.territory import territory_class
from queries.casegraph import CaseGraph, read_holdings_of
from queries.control import controlled_by
from queries.dates import GiftCutoff, gift_cutoff
from queries.finding import Warnings, gbp_text, money
from queries.gifts import GiftFinding, tainted_gifts
from queries.holdings import Holding, chain_text, holdings, linked_assets, territory_of
from queries.order import OrderFigures, order_figures
from queries.representing import Representing
from queries.rules.context import valuation_day
from queries.sweep_graph import add_transfers, sweep_case_graph
from queries.transfer_money import Rates, rate_table, record_sum, transfer_ref
from queries.valuation import PriceIndex

__all__ = ["CaseSweeper", "recoverable_potential", "case_figures", "entry_figures"]

_DATE_KEYS = ("acquired", "opened", "incorporated")


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


class CaseSweeper:
    """One sweep's shared state: settings, clusters, price index, exchange rates, the previous
    sweep's known sets. Each case is swept as at ``on`` (one date for every figure)."""

    def __init__(self, store: Store, settings: Settings, on: date | None, index: PriceIndex,
                 known_before: dict[str, list[str]] | None, rates: Rates | None = None) -> None:
        self.store, self.settings, self.on, self.index = store, settings, on, index
        self.rates = rates if rates is not None else rate_table(settings)
        self.weights = dict(settings.enforcement_weights)
        self.clusters = CanonicalView.from_store(store)
        self.known_before: dict[str, set[str]] = {k: set(v) for k, v in (known_before or {}).items()}

    def as_at(self, case: dict[str, Any]) -> date:
        """The sweep's date, else the case's own valuation date (as the case report takes it)."""
        return self.on if self.on is not None else valuation_day(case)

    def figures(self, case: dict[str, Any]) -> OrderFigures:
        return case_figures(case, self.as_at(case), self.settings)

    def case(self, entity: Entity, subject_records: list[str]) -> tuple[dict[str, Any], list[str]]:
        """Sweep one case: its hits, potential and reason, and every asset key known now."""
        props = dict(entity.props)
        on = self.as_at(props)
        f = self.figures(props)
        made = f.order_date.isoformat()
        warnings = Warnings()
        cg = sweep_case_graph(self.store, entity, subject_records, self.clusters, self.settings, None)
        held = holdings(cg, on)
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
            with warnings.guard("s.22", cg.records(h.asset)[0]):
                if wanted(h.asset, self._holding_acquired(cg, h)):
                    hits.append(self._holding_hit(cg, h, made, on))
        for node, link in sorted(control.items()):
            if node in seen_assets or node in cg.subjects or cg.kind(node) != "Company":
                continue
            known.append(node)
            with warnings.guard("s.22", cg.records(node)[0]):
                if wanted(node, _control_acquired(cg, node, link.path)):
                    hits.append(self._control_hit(cg, node, link.path, made))
        gifts = self._gifts(cg, control, f, on, warnings)
        bought = {(r.asset, r.holder): (g, r) for g in gifts for r in g.representing}
        for item in linked_assets(cg, held):
            key = f"{item['asset']}@{item['holder']}"
            known.append(key)
            with warnings.guard("s.22", cg.records(item["asset"])[0]):
                if (item["asset"], item["holder"]) in bought:
                    hits.append(self._gift_property_hit(cg, *bought.pop((item["asset"], item["holder"])), key, made))
                elif wanted(key, _family_acquired(cg, item)):
                    hits.append(self._family_hit(cg, item, key, made, on))
        for (asset, holder), (g, r) in sorted(bought.items()):
            key = f"{asset}@{holder}"
            known.append(key)
            hits.append(self._gift_property_hit(cg, g, r, key, made))
        for g in gifts:
            with warnings.guard("s.77", g.transfer.source_id):
                hit = self._gift_hit(cg, g, made)
                known.append(hit["key"])
                hits.append(hit)
        for hit in hits:
            hit["new_since_last_sweep"] = before is not None and hit["key"] not in before
        capacity = max(f.headroom or Decimal(0), Decimal(0)) + f.outstanding_with_interest
        potential = recoverable_potential(capacity, hits)
        hits.sort(key=lambda h: (-h["contribution"], -(h["recoverable"] or 0), h["key"]))
        entry = {
            "case_id": cg.case_id, "status": props.get("status") or "active", "force": props.get("force"),
            "region": props.get("region"),
            "subjects": [{"entity_id": s, "name": cg.name(s), "records": cg.records(s)} for s in cg.subjects],
            "figures": entry_figures(f, capacity, entity, self.settings), "hits": hits, "potential": float(potential),
            "new_hits_since_last_sweep": sum(1 for h in hits if h["new_since_last_sweep"]),
            "accounts": [{"asset": cg.records(h.asset)[0], "name": cg.name(h.asset), "territory": h.territory,
                          "class": h.territory_class} for h in held if h.kind == "Account"],
            "warnings": [w.text for w in warnings.items],
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

    def _holding_hit(self, cg: CaseGraph, h: Holding, made: str, on: date) -> dict[str, Any]:
        value = _gbp_value(cg, h.asset, on, self.rates)
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

    def _family_hit(self, cg: CaseGraph, item: dict[str, Any], key: str, made: str, on: date) -> dict[str, Any]:
        asset, holder = item["asset"], item["holder"]
        rel = cg.relations.get(item["relation"])
        acquired = _family_acquired(cg, item)
        code = territory_of(cg, asset)
        share = Fraction(str(rel.props["share_pct"])) / 100 if rel and rel.props.get("share_pct") else Fraction(1)
        evidence = [cg.evidence(rel, "holding")] if rel else []
        return self._hit(cg, key, asset, "family", territory_class(code) if code else None, code,
                         _gbp_value(cg, asset, on, self.rates), share, acquired, made,
                         "linked asset: a tainted gift only if funded by him (s.77, s.78)",
                         [cg.records(holder)[0], cg.records(asset)[0]], evidence, False,
                         f"held by {cg.name(holder)} ({item['link'].lower()}: {item['role'] or 'no role'}); "
                         "no transfer from him found: listed, not counted")

    def _gifts(self, cg: CaseGraph, control: dict[str, Any], f: OrderFigures, on: date,
               warnings: Warnings) -> list[GiftFinding]:
        """Gifts made after the order (the recipients' purchases read first, to follow a gift into
        property bought with it)."""
        try:
            cutoff = gift_cutoff(cg.case)
        except AssetGraphError:  # a case-list row may carry no proceedings date: the order date is later
            cutoff = GiftCutoff(f.order_date, "s.77(2)/(5) (after the order)")
        made = f.order_date.isoformat()
        recipients = {cg.canon(t.target) for t in cg.transfers if cg.canon(t.source) in control} - set(control)
        read_holdings_of(self.store, cg, recipients, made)
        found = tainted_gifts(cg, control, cutoff, self.index, on, f.order_date, rates=self.rates, warnings=warnings)
        return [g for g in found if g.after_order]

    def _gift_hit(self, cg: CaseGraph, g: GiftFinding, made: str) -> dict[str, Any]:
        code = territory_of(cg, g.recipient)
        node = cg.canon(g.transfer.props["asset_id"]) if g.transfer.props.get("asset_id") else g.recipient
        note = f"gift {transfer_ref(g.transfer)} on {g.transfer.date} to {cg.name(g.recipient)}"
        if not g.converted:
            note += f"; {g.notes[-1]}"
        return self._hit(cg, f"gift:{g.transfer.id}", node, "gift", territory_class(code) if code else None, code,
                         None if g.valuation is None else g.valuation.value, Fraction(1), g.transfer.date, made,
                         f"{g.rule}; {g.basis}", [cg.records(g.payer)[0], cg.records(g.recipient)[0]],
                         list(g.evidence), True, note)

    def _gift_property_hit(self, cg: CaseGraph, g: GiftFinding, r: Representing, key: str,
                           made: str) -> dict[str, Any]:
        """Property the recipient bought with a post-order gift: a new asset linked to him (s.81(1)(b))."""
        code = territory_of(cg, r.asset)
        share = "unknown share" if r.share is None else f"{float(r.share):.4f} of the price"
        return self._hit(cg, key, r.asset, "gift property", territory_class(code) if code else None, code, r.current,
                         r.share, r.acquired, made, "s.22; s.81(1)(b) property representing a gift",
                         [cg.records(g.payer)[0], cg.records(r.holder)[0], cg.records(r.asset)[0]],
                         [*g.evidence[-1:], *r.evidence], False,
                         f"bought by {cg.name(r.holder)} on {r.acquired} with gift {transfer_ref(g.transfer)} from him "
                         f"({share}): linked to him though not his; counted through the gift's s.81 value")


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


def _gbp_value(cg: CaseGraph, node: str, on: date, rates: Rates) -> Decimal | None:
    """A market value in pounds as at ``on`` (a property's ``value``, an account's ``balance``,
    converted from their currency); None when absent, unreadable or without a rate."""
    for key in ("value", "balance"):
        value = record_sum(cg, node, key, on, rates)
        if value is not None:
            return value.gbp
    return None


def case_figures(case: dict[str, Any], on: date, settings: Settings) -> OrderFigures:
    """An order's figures as at ``on`` with the settings' interest rate and payment rule (the same
    call the case report's s.12 rule makes, so both give one figure for one day)."""
    return order_figures(case.get("order") or {}, on, settings.interest_rate, settings.payment_allocation)


def entry_figures(f: OrderFigures, capacity: Decimal, entity: Entity, settings: Settings) -> dict[str, Any]:
    """A sweep entry's order figures, as at their date, with the source the order came from."""
    prov = entity.provenance[-1] if entity.provenance else None  # a case list laid over case.json comes last
    return {"order_date": f.order_date.isoformat(), "due": f.due.isoformat(), "valuation_date":
            f.valuation_date.isoformat(), "as_at": f.valuation_date.isoformat(), "benefit": money(f.benefit),
            "amount": money(f.amount), "paid": money(f.paid),
            "outstanding": money(f.outstanding), "interest": money(f.interest), "interest_days": f.interest_days,
            "outstanding_with_interest": money(f.outstanding_with_interest), "headroom": money(f.headroom),
            "capacity": money(capacity), "warnings": list(f.warnings), "payment_allocation": f.allocation,
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


def _compact(evidence: dict[str, Any]) -> dict[str, Any]:
    """Evidence without the raw provenance list (the citation, file, row and dataset stay)."""
    sources = evidence.get("sources") or [{}]
    return {k: v for k, v in evidence.items() if k != "sources"} | {"dataset": sources[0].get("dataset")}

