"""s.77(2)/(3)/(5): tainted-gift candidates, each valued under s.81, in pounds or in its own currency.

The candidates are :func:`queries.gifts.tainted_gifts`'s (shared through the context with the s.78
listing, s.81(1)(b) and s.22). s.77(2) and s.77(5) are drawn by date (the s.77(9) relevant day, or
the earliest offence). s.77(3) -- a gift at any time of property from criminal conduct -- needs
evidence of where the property came from that no bundle column carries: a transfer before the
cut-off is therefore listed in the report's ledger with that reason, never as a gift.

A gift with no exchange rate for its day is still listed, in its own currency, marked "not
converted", left out of the pound total and warned about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from queries.finding import Column, Finding, Rule, money
from queries.gifts import REPORT_VIA, GiftFinding
from queries.holdings import territory_of
from queries.rules.context import CaseContext
from queries.rules.money_flow import nominee_flows
from queries.transfer_money import transfer_ref
from queries.valuation import pennies

__all__ = ["TaintedGift", "RULE", "run", "gift_json"]


@dataclass(frozen=True)
class TaintedGift(Finding):
    """One tainted-gift candidate. Money is in pounds (None when not converted); ``original_*`` in
    ``currency``. ``amount`` is what the transfer records as paid (for an asset: the consideration);
    ``value`` its value at the time."""

    transfer: str
    date: str
    from_: list[str]
    to: list[str]
    from_name: str
    to_name: str
    parties: str
    description: str | None
    asset: str | None
    amount: Decimal | None
    value: Decimal | None
    consideration: Decimal | None
    consideration_ratio: Fraction | None
    gift_share: Fraction
    value_at_gift: Decimal | None
    value_now: Decimal | None
    value_now_basis: str
    value_adjusted: Decimal | None
    value_current: Decimal | None
    index_factor: float | None
    index_note: str
    rule: str
    via: str
    via_detail: str
    control_chain: list[str]
    recipient_territory: str | None
    after_order: bool
    as_at: str
    currency: str
    original_value: Decimal
    original_value_at_gift: Decimal
    rate: float | None
    rate_date: str | None
    rate_source: str | None
    converted: bool
    conversions: list[dict[str, Any]]
    representing: list[str]
    notes: list[str]
    evidence: tuple[dict[str, Any], ...]

    def transfers(self) -> tuple[str, ...]:
        return (self.transfer,)


def gift_json(ctx: CaseContext, g: GiftFinding, notes: Sequence[str] = ()) -> TaintedGift:
    """The typed finding for one gift (the report, the briefing pack and the app show it)."""
    cg, t, worth = ctx.cg, g.transfer, g.candidate.worth
    assert worth.value is not None
    conv = worth.value.conversion
    paid = (worth.amount or worth.consideration) if worth.is_asset else worth.value
    v = g.valuation
    return TaintedGift(
        transfer_ref(t), str(t.date), cg.records(g.payer), cg.records(g.recipient), cg.label(g.payer),
        cg.label(g.recipient), f"{cg.label(g.payer)} → {cg.label(g.recipient)}", t.props.get("description"),
        cg.source_id(t.props["asset_id"]) if t.props.get("asset_id") else None,
        None if paid is None else paid.gbp, g.value, g.consideration, g.candidate.ratio, g.share, g.value_at_gift,
        None if v is None else v.value, g.basis, None if v is None else v.adjusted, None if v is None else v.current,
        None if v is None else float(v.factor.factor), "" if v is None else v.factor.note, g.rule,
        REPORT_VIA[g.control.via], g.control.via,
        cg.record_chain(g.control.subject, g.control.path) if g.control.path else [],
        territory_of(cg, g.recipient), g.after_order, ctx.as_at.isoformat(), worth.value.currency,
        worth.value.amount, g.original_value_at_gift, None if conv is None else float(conv.rate),
        None if conv is None else conv.rate_date.isoformat(), None if conv is None else conv.source, g.converted,
        [s.to_json() for s in worth.sums], [cg.records(r.asset)[0] for r in g.representing],
        [*g.notes, *notes], g.evidence)


def run(ctx: CaseContext) -> list[TaintedGift]:
    """Every tainted-gift candidate of the case, by date.

    Examples
    --------
    LAW.md: a flat worth £300,000 sold to his sister for £100,000 is a gift of two thirds, £200,000
    at the time; with the index at 250 then and 300 now, (a) is £240,000 (table tests:
    ``tests/queries/test_rule_gifts.py``).

    >>> from queries.rules.example import ExampleCase
    >>> from queries.valuation import PriceIndex
    >>> case = ExampleCase().person("P1").person("P3").property("PR2")
    >>> case = case.transfer("T1", "2015-01-10", "P1", "P3", "100000", consideration="100000", asset_id="PR2",
    ...                      asset_value="300000")
    >>> index = PriceIndex("example", {(2015, 1): Decimal(250), (2024, 1): Decimal(300)})
    >>> [(g.transfer, g.gift_share, g.value_at_gift, g.value_now, g.rule) for g in run(case.context(index=index))]
    [('T1', Fraction(2, 3), Decimal('200000'), Decimal('240000.0'), 's.77(2), s.78')]

    References
    ----------
    Proceeds of Crime Act 2002, s.77(2), s.77(3), s.77(5), s.77(9), s.78, s.81.
    """
    through = {f.path[0].id: f for f in nominee_flows(ctx)}
    out = []
    for g in ctx.gifts:
        with ctx.warnings.guard("s.77", transfer_ref(g.transfer)):
            extra = []
            flow = through.get(g.transfer.id)
            if flow is not None:
                extra.append(f"also a flow through the nominee's own account back to his holdings: "
                             f"{' → '.join(transfer_ref(t) for t in flow.path)} (money_flows)")
            if not g.converted:
                ctx.warnings.add("s.81", transfer_ref(g.transfer), g.notes[-1] if g.notes else "not converted")
            out.append(gift_json(ctx, g, extra))
    return sorted(out, key=lambda f: (f.date, f.transfer))


def summary(findings: Sequence[Finding]) -> dict[str, Any]:
    """The pound total foots to the rows shown (each in pounds and pence, then added); gifts not
    converted are listed apart, by currency."""
    gifts = [f for f in findings if isinstance(f, TaintedGift)]
    total = sum((pennies(g.value_now) for g in gifts if g.value_now is not None), Decimal(0))
    apart: dict[str, Decimal] = {}
    for g in gifts:
        if g.value_now is None:
            apart[g.currency] = apart.get(g.currency, Decimal(0)) + g.original_value_at_gift
    return {"tainted_gifts_total_value_now": money(total),
            "tainted_gifts_not_converted": [{"currency": c, "value_at_gift": money(v),
                                             "count": sum(1 for g in gifts if g.value_now is None and g.currency == c)}
                                            for c, v in sorted(apart.items())]}


RULE = Rule("tainted_gifts", "s.77(2)/(3)/(5)", "Tainted-gift candidates (s.77, s.78, s.81)", run, (
    Column("Transfer", "transfer"), Column("Date", "date"), Column("From → to", "parties"),
    Column("Value at gift", "value_at_gift", "money", "original_value_at_gift", "currency"),
    Column("s.81 value", "value_now", "money", "original_value_at_gift", "currency"),
    Column("Basis", "value_now_basis"), Column("Rule", "rule")), summary=summary)
