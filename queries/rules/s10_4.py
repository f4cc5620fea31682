"""s.10(4): expenditure he incurred after the relevant day is assumed met from crime."""

from __future__ import annotations

from queries.assumptions import expenditure
from queries.finding import Rule
from queries.rules.assumption_item import COLUMNS, AssumptionItem, applies, assumption_item
from queries.rules.context import CaseContext

__all__ = ["RULE", "run"]


def run(ctx: CaseContext) -> list[AssumptionItem]:
    """Money he paid to anyone else after the s.10(8)/(9) day (not between his own accounts).

    Examples
    --------
    £351,000 from his Jersey account for a Dubai apartment is expenditure; £360,000 from his
    Barclays account to his Jersey account is not (table tests: ``tests/queries/test_rule_assumptions.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").company("C4").account("A1").account("A3")
    >>> case = case.rel("HOLDS", "P1", "A1").rel("HOLDS", "P1", "A3")
    >>> case = case.transfer("T10", "2019-05-02", "A1", "A3", "360000")
    >>> case = case.transfer("T11", "2019-05-20", "A3", "C4", "351000")
    >>> [(a.rule, a.item) for a in run(case.context())]
    [('s.10(4)', 'T11')]

    References
    ----------
    Proceeds of Crime Act 2002, s.10(4), s.10(8)-(9).
    """
    if not applies(ctx):
        return []
    return [assumption_item(ctx, a) for a in expenditure(ctx.cg, ctx.control, ctx.relevant.day, ctx.warnings)]


RULE = Rule("assumptions", "s.10(4)", "Assumption: expenditure (s.10(4))", run, COLUMNS)
