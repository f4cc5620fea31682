"""s.10(3): property held by him at any time after conviction is assumed to come from crime."""

from __future__ import annotations

from queries.assumptions import held_after_conviction
from queries.finding import Rule
from queries.rules.assumption_item import COLUMNS, AssumptionItem, applies, assumption_item
from queries.rules.context import CaseContext

__all__ = ["RULE", "run"]


def run(ctx: CaseContext) -> list[AssumptionItem]:
    """Accounts and property he (or a nominee, for him) held after the date of conviction, less
    what he held on or before an earlier order's day (s.10(9)).

    Examples
    --------
    Convicted 1 Jun 2020: his account is listed, a house sold in 2017 is not; with an earlier
    order whose benefit was calculated on 20 Apr 2016 (s.10(9)) an account held since 2011 drops
    out (table tests: ``tests/queries/test_rule_assumptions.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").account("A1").property("PR7")
    >>> case = case.rel("HOLDS", "P1", "A1", start_date="2011-02-14").rel("OWNS", "P1", "PR7", end_date="2017-06-30")
    >>> [(a.rule, a.item) for a in run(case.context())]
    [('s.10(3)', 'A1')]
    >>> case.case["earlier_orders"] = [{"order_date": "2016-05-01", "benefit_calculated": "2016-04-20",
    ...                                 "general_conduct": True}]
    >>> run(case.context())
    []

    References
    ----------
    Proceeds of Crime Act 2002, s.10(3), s.10(9), s.10(10).
    """
    if not applies(ctx) or ctx.convicted is None:
        return []
    earlier = ctx.relevant.day if ctx.relevant.rule == "s.10(9)" else None
    return [assumption_item(ctx, a) for a in held_after_conviction(ctx.cg, ctx.control, ctx.convicted, earlier)]


RULE = Rule("assumptions", "s.10(3)", "Assumption: property held after conviction (s.10(3))", run, COLUMNS)
