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
    The demo's £351,000 from his Jersey account for the Dubai apartment is expenditure; the
    £360,000 from his Barclays account to his Jersey account is not (``tests/queries/test_rules.py``).

    References
    ----------
    Proceeds of Crime Act 2002, s.10(4), s.10(8)-(9).
    """
    if not applies(ctx):
        return []
    return [assumption_item(ctx, a) for a in expenditure(ctx.cg, ctx.control, ctx.relevant.day, ctx.warnings)]


RULE = Rule("assumptions", "s.10(4)", "Assumption: expenditure (s.10(4))", run, COLUMNS)
