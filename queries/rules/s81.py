"""s.81(1)(b): property representing a gift -- a gift followed into a purchase by the recipient.

Its value now times the share of the price the gift funded is a candidate for the gift's s.81
value (the greater of (a) and (b)), and for a revisit team it is a new asset linked to him even
though he does not hold it (:mod:`queries.representing` finds the purchases).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from queries.finding import Column, Finding, Rule
from queries.representing import Representing
from queries.rules.context import CaseContext
from queries.transfer_money import transfer_ref

__all__ = ["RepresentingGift", "RULE", "run", "representing_finding"]


@dataclass(frozen=True)
class RepresentingGift(Finding):
    """Property the recipient of a gift bought with it: the share funded and the value now."""

    gift: str
    gift_date: str
    property: list[str]
    name: str
    holder: list[str]
    holder_name: str
    acquired: str
    how: str
    price: Decimal | None
    price_currency: str | None
    price_original: Decimal | None
    share_funded: Fraction | None
    value_now: Decimal | None
    value_representing: Decimal | None
    after_order: bool
    as_at: str
    rule: str
    evidence: tuple[dict[str, Any], ...]

    def transfers(self) -> tuple[str, ...]:
        return (self.gift,)


def representing_finding(ctx: CaseContext, gift_id: str, gift_date: str, r: Representing) -> RepresentingGift:
    """The typed finding for one property bought with a gift."""
    cg = ctx.cg
    after = bool(ctx.order_date and r.acquired > ctx.order_date.isoformat())
    return RepresentingGift(gift_id, gift_date, cg.records(r.asset), cg.name(r.asset), cg.records(r.holder),
                            cg.label(r.holder), r.acquired, r.how, None if r.price is None else r.price.gbp,
                            None if r.price is None else r.price.currency,
                            None if r.price is None else r.price.amount, r.share, r.current,
                            r.value, after, ctx.as_at.isoformat(), "s.81(1)(b)", r.evidence)


def run(ctx: CaseContext) -> list[RepresentingGift]:
    """Every property a gift's recipient bought with it within the flow window.

    Examples
    --------
    LAW.md: a gift of £120,000 and, nine days later, a flat at £300,000 in the recipient's name:
    the gift funded 0.4 of it; the flat now worth £350,000 represents £140,000 of the gift (table
    tests: ``tests/queries/test_rule_gifts.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").person("P2").property("PR5", value="350000", acquisition_price="300000")
    >>> case = case.transfer("T1", "2020-03-01", "P1", "P2", "120000").rel("OWNS", "P2", "PR5", start_date="2020-03-10")
    >>> [(r.gift, r.property, r.share_funded, r.value_representing) for r in run(case.context())]
    [('T1', ['PR5'], Fraction(2, 5), Decimal('140000'))]

    References
    ----------
    Proceeds of Crime Act 2002, s.81(1)(b), s.22 (new property since the order).
    """
    out = []
    for g in ctx.gifts:
        for r in g.representing:
            with ctx.warnings.guard("s.81(1)(b)", transfer_ref(g.transfer)):
                out.append(representing_finding(ctx, transfer_ref(g.transfer), str(g.transfer.date), r))
    return out


RULE = Rule("gift_property", "s.81(1)(b)", "Property representing a gift (s.81(1)(b))", run, (
    Column("Gift", "gift"), Column("Property", "name"), Column("Bought by", "holder_name"),
    Column("Acquired", "acquired"), Column("Price", "price", "money", "price_original", "price_currency"),
    Column("Share funded", "share_funded", "share"), Column("Value now", "value_now", "money"),
    Column("Represents", "value_representing", "money")))
