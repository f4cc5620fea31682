"""s.10(2): property transferred to him after the relevant day is assumed to come from crime."""

from __future__ import annotations

from queries.assumptions import transfers_to_him
from queries.finding import Rule
from queries.rules.assumption_item import COLUMNS, AssumptionItem, applies, assumption_item
from queries.rules.context import CaseContext

__all__ = ["RULE", "run"]


def run(ctx: CaseContext) -> list[AssumptionItem]:
    """Transfers to his records and his own accounts, from anyone else, after the s.10(8)/(9) day.

    Examples
    --------
    D = 15 Mar 2019, relevant day 16 Mar 2013 (LAW.md): £48,000 from his associate in 2016 is
    listed; £15,000 on the relevant day itself is not (table tests:
    ``tests/queries/test_rule_assumptions.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").person("P7").account("A1").rel("HOLDS", "P1", "A1")
    >>> case = case.transfer("T1", "2013-03-16", "P7", "A1", "15000").transfer("T4", "2016-04-08", "P7", "A1", "48000")
    >>> [(a.rule, a.item, a.date) for a in run(case.context())]
    [('s.10(2)', 'T4', '2016-04-08')]

    References
    ----------
    Proceeds of Crime Act 2002, s.10(2), s.10(8)-(9).
    """
    if not applies(ctx):
        return []
    return [assumption_item(ctx, a) for a in transfers_to_him(ctx.cg, ctx.control, ctx.relevant.day, ctx.warnings)]


RULE = Rule("assumptions", "s.10(2)", "Assumption: transfers to him (s.10(2))", run, COLUMNS)
