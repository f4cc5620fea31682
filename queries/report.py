"""The case report: every finding with its section, its evidence and the records behind it.

``case_report`` is what ``assetgraph report CASE_ID --json`` prints and what the app and the
briefing packs show. Ids in it are the source records' own ids (a bundle's ``id`` column, a
company number, a title number) so an analyst can go straight to the exhibit. The report
records the settings it ran with.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from graph.errors import AssetGraphError, RuleNotApplicable
from graph.settings import Settings
from graph.store import Store
from queries.assumptions import assumptions, himself
from queries.casegraph import CaseGraph, load_case_graph
from queries.control import controlled_by
from queries.dates import as_date, conviction_date, gift_cutoff, relevant_day
from queries.flow import money_flows
from queries.gifts import REPORT_VIA, tainted_gifts
from queries.holdings import holdings, linked_assets, overseas, territory_of
from queries.order import order_figures
from queries.valuation import PriceIndex, pennies

__all__ = ["case_report", "money", "gbp_text", "valuation_day"]


def money(amount: Decimal | None) -> float | None:
    """Pounds and pence as a JSON number (rounded half up, for display only)."""
    return None if amount is None else float(pennies(Decimal(amount)))


def gbp_text(value: float | Decimal | None, missing: str = "–") -> str:
    """An amount as text a reader expects: ``£1,234.50`` (``missing`` when there is none).

    >>> gbp_text(1234.5), gbp_text(None)
    ('£1,234.50', '–')
    """
    return missing if value is None else f"£{value:,.2f}"


def _share(share: Fraction) -> float:
    return round(float(share), 4)


def valuation_day(case: dict[str, Any]) -> date:
    """The case's valuation date, else the order date, else today (FORMATS.md)."""
    for value in (case.get("valuation_date"), (case.get("order") or {}).get("date")):
        if value:
            return as_date(value)
    return date.today()


def case_report(store: Store, case_id: str, settings: Settings | None = None,
                index: PriceIndex | None = None) -> dict[str, Any]:
    """Apply LAW.md to one case and return the report as plain JSON-ready data.

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store or has no proceedings date.
    """
    settings = settings or Settings()
    index = index or PriceIndex.load(settings.price_index)
    cg = load_case_graph(store, case_id, settings)
    case = cg.case
    if not case.get("proceedings_started"):
        raise RuleNotApplicable("s.10(8): the case has no proceedings_started date")
    relevant = relevant_day(case["proceedings_started"], case.get("earlier_orders") or ())
    convicted = conviction_date(case["convictions"]) if case.get("convictions") else None
    cutoff = gift_cutoff(case)
    valued = valuation_day(case)
    order = case.get("order") or None
    order_date = as_date(order["date"]) if order and order.get("date") else None
    control = controlled_by(cg)
    warnings: list[str] = []

    gifts = tainted_gifts(cg, control, cutoff, index, valued, order_date)
    held_now = holdings(cg, valued)
    flows = money_flows(store, cg, himself(control))
    report: dict[str, Any] = {
        "case_id": cg.case_id,
        "relevant_day": relevant.day.isoformat(),
        "relevant_day_rule": relevant.rule,
        "relevant_day_explanation": relevant.explanation,
        "conviction_date": convicted.isoformat() if convicted else None,
        "conviction_date_rule": "s.10(10)",
        "lifestyle": case.get("lifestyle", "undecided"),
        "gift_cutoff": {"day": cutoff.day.isoformat(), "rule": cutoff.rule},
        "valuation_date": valued.isoformat(),
        "subjects": [{"entity_id": s, "name": cg.name(s), "records": cg.records(s)} for s in cg.subjects],
        "tainted_gifts": [_gift(cg, g) for g in gifts],
        # the total foots to the lines shown: each gift in pounds and pence, then added
        "tainted_gifts_total_value_now": money(sum((pennies(g.valuation.value) for g in gifts), Decimal(0))),
        "assumptions": [{"rule": a.rule,
                         "item": a.transfer.source_id if a.transfer else cg.records(a.item)[0],
                         "evidence": list(a.evidence)}
                        for a in assumptions(cg, control, relevant.day, convicted,
                                             relevant.day if relevant.rule == "s.10(9)" else None)],
        "overseas_holdings": [_holding(cg, h, cls) for h, cls in overseas(cg, held_now)],
        "linked_assets": [{"asset": cg.records(item["asset"]), "name": cg.name(item["asset"]),
                           "kind": cg.kind(item["asset"]), "holder": cg.records(item["holder"]),
                           "holder_name": cg.name(item["holder"]), "link": item["link"], "role": item["role"],
                           "rule": "not his holding (s.84 reaches only his interests): check for a s.77 gift "
                                   "or an interest held for him",
                           "evidence": [cg.evidence(cg.relations[item["relation"]], "holding")]}
                          for item in linked_assets(cg, held_now, valued)],
        "money_flows": [{"path": [t.source_id for t in f.path], "ends": cg.source_id(f.ends),
                         "ends_name": cg.label(cg.canon(f.ends)), "ends_territory": territory_of(cg, cg.canon(f.ends)),
                         "amount": money(f.amount), "rule": "s.10(4) expenditure traced to where it lands; "
                                                             "s.84 property wherever situated",
                         "evidence": [cg.evidence(t, "transfer") for t in f.path]}
                        for f in flows],
        "revisit": _revisit(cg, order, valued, settings, warnings),
        "price_index": {"series": index.name, "valuation_month": valued.strftime("%Y-%m")},
        "settings": asdict(settings),
        "warnings": warnings,
    }
    return report


def _gift(cg: CaseGraph, g: Any) -> dict[str, Any]:
    t = g.transfer
    return {
        "transfer": t.source_id, "date": t.date, "from": cg.records(g.payer), "to": cg.records(g.recipient),
        "from_name": cg.label(g.payer), "to_name": cg.label(g.recipient),
        "description": t.props.get("description"), "asset": cg.source_id(t.props["asset_id"])
        if t.props.get("asset_id") else None,
        "amount": money(g.value), "consideration": money(g.consideration),
        "consideration_ratio": _share(Fraction(g.consideration) / Fraction(g.value)),
        "gift_share": _share(g.share), "value_at_gift": money(g.value_at_gift),
        "value_now": money(g.valuation.value), "value_now_basis": g.basis,
        "value_adjusted": money(g.valuation.adjusted), "value_current": money(g.valuation.current),
        "index_factor": float(g.valuation.factor.factor), "index_note": g.valuation.factor.note,
        "rule": g.rule, "via": REPORT_VIA[g.control.via], "via_detail": g.control.via,
        "control_chain": cg.record_chain(g.control.subject, g.control.path) if g.control.path else [],
        "recipient_territory": territory_of(cg, g.recipient), "after_order": g.after_order,
        "evidence": list(g.evidence),
    }


def _holding(cg: CaseGraph, h: Any, cls: str) -> dict[str, Any]:
    value = cg.prop(h.asset, "value") if h.kind == "Property" else None
    currency = cg.prop(h.asset, "value_currency")
    return {
        "asset": cg.records(h.asset), "name": cg.name(h.asset), "kind": h.kind, "territory": h.territory,
        "class": cls, "effective_share": _share(h.effective_share),
        "chain": cg.record_chain(h.chain[0], h.relations[0]),
        "chains": [cg.record_chain(c[0], r) for c, r in zip(h.chains, h.relations, strict=True)],
        "value": None if value is None or currency else float(value),
        "value_currency": currency or ("GBP" if value is not None else None),
        "rule": "s.84 (property wherever situated); enforcement abroad s.74",
        "evidence": [cg.evidence(cg.relations[r], "chain") for r in h.relations[0]],
    }


def _revisit(cg: CaseGraph, order: dict[str, Any] | None, valued: date, settings: Settings,
             warnings: list[str]) -> dict[str, Any] | None:
    if not order:
        return None
    try:
        f = order_figures(order, valued, settings.interest_rate)
    except AssetGraphError as exc:
        warnings.append(str(exc))
        return None
    warnings.extend(f.warnings)
    made = f.order_date.isoformat()
    new = [h for h in holdings(cg) if (h.start and h.start > made) or _acquired_after(cg, h.asset, made)]
    return {
        "order_date": made, "due": f.due.isoformat(), "benefit": money(f.benefit), "amount": money(f.amount),
        "paid": money(f.paid), "outstanding": money(f.outstanding), "interest": money(f.interest),
        "interest_days": max((f.valuation_date - f.due).days, 0),
        "outstanding_with_interest": money(f.outstanding_with_interest), "headroom": money(f.headroom),
        "new_assets": [cg.records(h.asset)[0] for h in new],
        "rules": {"time_to_pay": "s.11", "interest": "s.12", "headroom": "s.22"},
    }


def _acquired_after(cg: CaseGraph, asset: str, day: str) -> bool:
    for key in ("acquired", "opened", "incorporated"):
        value = cg.prop(asset, key)
        if value and value > day:
            return True
    return False
