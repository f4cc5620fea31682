"""s.11 and s.12: when the order fell due, and the interest on what is still unpaid, as at one date.

Interest is simple, at the civil judgment rate (8 %), from the due date to the as-at date; a
payment reduces the principal first (LAW.md; ``Settings.payment_allocation``), and the figures
say which rule they used and the date they are as at, so the Case page, the briefing pack and
the revisit sweep give the same figure for the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from graph.errors import RuleNotApplicable
from queries.finding import Column, Finding, Rule
from queries.order import ALLOCATIONS, OrderFigures, order_figures
from queries.rules.context import CaseContext

__all__ = ["OrderFinding", "RULE", "run", "figures"]


@dataclass(frozen=True)
class OrderFinding(Finding):
    """The order's figures as at ``as_at`` (s.11 time to pay, s.12 interest)."""

    order_date: str
    due: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    interest: Decimal
    interest_days: int
    outstanding_with_interest: Decimal
    as_at: str
    interest_rate: float
    payment_allocation: str
    payment_allocation_rule: str
    rules: dict[str, str]


def figures(ctx: CaseContext) -> OrderFigures:
    """The order's figures as at the as-at date, computed once per case (s.12 and s.22 share them).

    Raises
    ------
    RuleNotApplicable
        When the case has no order.
    InvalidRecord
        When the order's date or amount cannot be read.
    """
    def make() -> OrderFigures:
        if not ctx.order:
            raise RuleNotApplicable("s.11: no confiscation order has been made")
        f = order_figures(ctx.order, ctx.as_at, ctx.settings.interest_rate, ctx.settings.payment_allocation)
        for text in f.warnings:
            rule, _, reason = text.partition(": ") if text.startswith("s.") else ("s.12", "", text)
            ctx.warnings.add(rule, "order", reason)
        return f
    return ctx.memo("order_figures", make)


def run(ctx: CaseContext) -> list[OrderFinding]:
    """The order's s.11/s.12 figures (none without an order).

    Examples
    --------
    LAW.md: £100,000 unpaid from 1 Jan 2020 to 1 Jan 2022 (731 days) at 8 % is £16,021.92 (table
    tests: ``tests/queries/test_rule_assumptions.py``, ``tests/queries/test_order.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase(order={"date": "2020-01-01", "amount": "100000"}, valuation_date="2022-01-01")
    >>> (f,) = run(case.person("P1").context())
    >>> f.interest_days, round(f.interest, 2), f.as_at, f.payment_allocation
    (731, Decimal('16021.92'), '2022-01-01', 'principal_first')

    References
    ----------
    Proceeds of Crime Act 2002, s.11, s.12; Judgments Act 1838, s.17.
    """
    if not ctx.order:
        return []
    f = figures(ctx)
    return [OrderFinding(f.order_date.isoformat(), f.due.isoformat(), f.amount, f.paid, f.outstanding, f.interest,
                         f.interest_days, f.outstanding_with_interest, f.valuation_date.isoformat(), float(f.rate),
                         f.allocation, ALLOCATIONS[f.allocation],
                         {"time_to_pay": "s.11", "interest": "s.12", "headroom": "s.22"})]


RULE = Rule("revisit", "s.11, s.12", "Order figures (s.11, s.12)", run, (
    Column("Order made", "order_date"), Column("Due", "due"), Column("Amount", "amount", "money"),
    Column("Paid", "paid", "money"), Column("Outstanding", "outstanding", "money"),
    Column("Interest", "interest", "money"), Column("As at", "as_at")), shape="one", brief=False)
