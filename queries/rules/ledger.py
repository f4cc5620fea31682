"""Every transfer of a case accounted for: those in no finding are listed with the reason why.

Nothing vanishes silently. A transfer the case graph holds is either in some finding (a gift, an
s.78 ratio, an assumption, a money flow), or named in a warning, or listed here with the reason no
rule reached it -- the same reasons an analyst would write beside the statement line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.errors import AssetGraphError
from graph.model import Relation
from queries.assumptions import himself
from queries.finding import Finding, Rule
from queries.rules.context import CaseContext
from queries.transfer_money import transfer_day, transfer_ref, transfer_worth

__all__ = ["other_transfers", "why_not_listed"]


def _him_side(ctx: CaseContext, t: Relation) -> str:
    him = himself(ctx.control)
    payee = ctx.cg.canon(t.target)
    if payee not in him:
        return ("to an entity he controls, not to him: s.10(2) reaches only transfers to him (his records and his "
                "own accounts)")
    if ctx.lifestyle == "no":
        return "to him; no criminal lifestyle, so the s.10(2) assumption does not apply"
    return (f"to him on or before the relevant day {ctx.relevant.day} ({ctx.relevant.rule}): s.10(2) reaches only "
            f"later ones")


def _from_him(ctx: CaseContext, t: Relation) -> str:
    if ctx.cutoff is None:
        return "from him, but no gift cut-off could be drawn (see the warnings)"
    day = transfer_day(t)
    if not ctx.cutoff.taints(day):
        return (f"from him on or before the gift cut-off {ctx.cutoff.day} ({ctx.cutoff.rule}): a gift then is "
                f"tainted only under s.77(3) (property from crime), which needs evidence the tool does not hold")
    worth = transfer_worth(t, ctx.rates)
    if worth.value is None or worth.value.amount == 0:
        return "from him, but nothing of value was given (no amount, or a value of zero)"
    return "from him after the cut-off, and not a gift at the s.78 setting"


def why_not_listed(ctx: CaseContext, t: Relation) -> str:
    """The reason a transfer is in no finding.

    Examples
    --------
    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").person("P7").account("A1").rel("HOLDS", "P1", "A1")
    >>> ctx = case.transfer("T1", "2013-09-02", "P7", "A1", "15000").context()
    >>> why_not_listed(ctx, ctx.cg.transfers[0])
    'to him on or before the relevant day 2013-03-16 (s.10(8)): s.10(2) reaches only later ones'
    """
    payer, payee = ctx.cg.canon(t.source), ctx.cg.canon(t.target)
    if payer in ctx.control and payee in ctx.control:
        return "between his own records, accounts or the entities he controls: neither a gift nor expenditure"
    if payer in ctx.control:
        return _from_him(ctx, t)
    if payee in ctx.control:
        return _him_side(ctx, t)
    return "between third parties: neither side is him or an entity he controls"


def other_transfers(ctx: CaseContext, results: Sequence[tuple[Rule, list[Finding]]]) -> list[dict[str, Any]]:
    """Every transfer of the case in no finding, with the reason (or the warning that names it)."""
    covered = {tid for _, findings in results for f in findings for tid in f.transfers()}
    warned = {w.record: w.text for w in ctx.warnings.items if w.record}
    out = []
    for t in sorted(ctx.cg.transfers, key=lambda t: (str(t.date or ""), transfer_ref(t))):
        sid = transfer_ref(t)
        if sid in covered:
            continue
        if sid in warned:
            reason = f"could not be used: {warned[sid]}"
        else:
            try:
                reason = why_not_listed(ctx, t)
            except (AssetGraphError, ArithmeticError, ValueError) as exc:
                reason = f"could not be read: {exc}"
        out.append({"transfer": sid, "date": t.date, "from": ctx.cg.source_id(t.source),
                    "to": ctx.cg.source_id(t.target), "reason": reason})
    return out
