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
    LAW.md / s.10(9): with an earlier order whose benefit was calculated on 20 April 2016, the
    demo's accounts opened in 2011 and 2016 drop out and only the Jersey account (2018) stays
    (``tests/queries/test_report.py``).

    References
    ----------
    Proceeds of Crime Act 2002, s.10(3), s.10(9), s.10(10).
    """
    if not applies(ctx) or ctx.convicted is None:
        return []
    earlier = ctx.relevant.day if ctx.relevant.rule == "s.10(9)" else None
    return [assumption_item(ctx, a) for a in held_after_conviction(ctx.cg, ctx.control, ctx.convicted, earlier)]


RULE = Rule("assumptions", "s.10(3)", "Assumption: property held after conviction (s.10(3))", run, COLUMNS)
