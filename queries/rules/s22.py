"""s.22: headroom to revisit an order, and the assets that came to light or were bought since.

The order can be raised, never above the benefit found (adjusted for the value of money): the
headroom is ``benefit - amount ordered``. New assets are his holdings first held after the order
and property bought after it with a gift from him (s.81(1)(b)): linked to him though not his.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from queries.finding import Column, Finding, Rule
from queries.holdings import holdings
from queries.rules.context import CaseContext
from queries.rules.s12 import figures

__all__ = ["HeadroomFinding", "RULE", "run"]

_DATE_KEYS = ("acquired", "opened", "incorporated")


@dataclass(frozen=True)
class HeadroomFinding(Finding):
    """The s.22 headroom and the new assets since the order."""

    benefit: Decimal | None
    headroom: Decimal | None
    new_assets: list[str]
    new_asset_details: list[dict[str, Any]]


def _acquired_after(ctx: CaseContext, asset: str, day: str) -> str | None:
    for key in _DATE_KEYS:
        value = ctx.cg.prop(asset, key)
        if value and str(value) > day:
            return str(value)
    return None


def run(ctx: CaseContext) -> list[HeadroomFinding]:
    """Headroom and new assets (none without an order).

    Examples
    --------
    Benefit £250,000 less £100,000 ordered leaves £150,000 of headroom; a flat bought after the
    order is new (table tests: ``tests/queries/test_rule_assumptions.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase(order={"date": "2020-01-01", "amount": "100000", "benefit": "250000"})
    >>> case = case.person("P1").property("PR6").rel("OWNS", "P1", "PR6", start_date="2021-03-01")
    >>> (f,) = run(case.context())
    >>> f.headroom, f.new_assets
    (Decimal('150000'), ['PR6'])

    References
    ----------
    Proceeds of Crime Act 2002, s.22, s.81(1)(b).
    """
    if not ctx.order:
        return []
    f = figures(ctx)
    made = f.order_date.isoformat()
    cg = ctx.cg
    details: list[dict[str, Any]] = []
    for h in holdings(cg):
        with ctx.warnings.guard("s.22", cg.records(h.asset)[0]):
            when = h.start if h.start and h.start > made else _acquired_after(ctx, h.asset, made)
            if when:
                details.append({"asset": cg.records(h.asset)[0], "name": cg.name(h.asset), "route": "holding",
                                "acquired": when, "rule": "s.22 (new property since the order), s.84"})
    for g in ctx.gifts:
        for r in g.representing:
            if r.acquired > made:
                details.append({"asset": cg.records(r.asset)[0], "name": cg.name(r.asset), "route": "gift property",
                                "acquired": r.acquired, "gift": g.transfer.source_id,
                                "rule": "s.22; s.81(1)(b) property representing a gift: linked to him, not his"})
    return [HeadroomFinding(f.benefit, f.headroom, list(dict.fromkeys(d["asset"] for d in details)), details)]


RULE = Rule("revisit", "s.22", "Headroom and new assets (s.22)", run, (
    Column("Benefit", "benefit", "money"), Column("Headroom", "headroom", "money"),
    Column("New assets", "new_assets", "list")), shape="one", brief=False)
