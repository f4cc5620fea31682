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
    The demo's £48,000 from his associate on 8 April 2016, after the relevant day 11 March
    2015, is listed; £15,000 on 2 September 2013 is not (``tests/queries/test_rules.py``).

    References
    ----------
    Proceeds of Crime Act 2002, s.10(2), s.10(8)-(9).
    """
    if not applies(ctx):
        return []
    return [assumption_item(ctx, a) for a in transfers_to_him(ctx.cg, ctx.control, ctx.relevant.day, ctx.warnings)]


RULE = Rule("assumptions", "s.10(2)", "Assumption: transfers to him (s.10(2))", run, COLUMNS)
