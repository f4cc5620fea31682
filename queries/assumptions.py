"""Candidates for the four s.10 assumptions (criminal lifestyle only).

The court makes the assumptions and must not where one is shown incorrect or would risk
serious injustice (s.10(6)); the tool lists what each assumption would reach, with the evidence,
so an analyst can judge. "Him" here is the defendant's own records and the accounts he holds:
payments by his companies are gifts (s.77), not his expenditure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.model import Relation
from queries.casegraph import CaseGraph
from queries.control import ControlLink

__all__ = ["AssumptionFinding", "assumptions", "himself"]


@dataclass(frozen=True)
class AssumptionFinding:
    rule: str  # "s.10(2)" | "s.10(3)" | "s.10(4)"
    item: str  # canonical id of the asset, or the transfer's record id
    transfer: Relation | None
    evidence: tuple[dict[str, Any], ...]


def himself(control: dict[str, ControlLink]) -> set[str]:
    """His own records and the accounts he holds (not his companies or nominees)."""
    return {node for node, link in control.items() if link.via in ("direct", "own account")}


def assumptions(cg: CaseGraph, control: dict[str, ControlLink], relevant: date,
                convicted: date | None, earlier_order_day: date | None = None) -> list[AssumptionFinding]:
    """s.10(2) transfers to him, s.10(3) property held after conviction, s.10(4) expenditure.

    Returns nothing when the court has found no criminal lifestyle (``lifestyle: no``). When the
    relevant day comes from an earlier order (s.10(9)), pass it as ``earlier_order_day``: the
    second assumption then does not reach property he already held on or before that day.

    References
    ----------
    Proceeds of Crime Act 2002, s.10(2), s.10(3), s.10(4), s.10(6), s.10(9).
    """
    if cg.case.get("lifestyle") == "no":
        return []
    him = himself(control)
    after = relevant.isoformat()
    out: list[AssumptionFinding] = []
    for t in cg.transfers:
        if not t.date or t.date <= after:
            continue
        payer, payee = cg.canon(t.source), cg.canon(t.target)
        if payee in him and payer not in him:
            out.append(AssumptionFinding("s.10(2)", t.id, t, (cg.evidence(t, "transfer to him"),)))
        elif payer in him and payee not in him and not t.props.get("asset_id"):
            out.append(AssumptionFinding("s.10(4)", t.id, t, (cg.evidence(t, "expenditure"),)))
    if convicted is not None:
        out.extend(_held_after(cg, control, convicted, earlier_order_day))
    return sorted(out, key=lambda f: (f.rule, f.transfer.date if f.transfer else "", f.item))


def _held_after(cg: CaseGraph, control: dict[str, ControlLink], convicted: date,
                earlier_order_day: date | None) -> list[AssumptionFinding]:
    """Accounts and property held by him, or by a nominee for him, at any time after conviction
    (s.10(3)), less what he already held on or before an earlier order's day (s.10(9))."""
    holders = himself(control) | {n for n, link in control.items() if link.via == "nominee"}
    day = convicted.isoformat()
    before = earlier_order_day.isoformat() if earlier_order_day else None
    found: dict[str, AssumptionFinding] = {}
    for holder in sorted(holders):
        for _, asset, key, data in cg.graph.out_edges(holder, keys=True, data=True):
            if data["kind"] not in ("OWNS", "HOLDS") or cg.kind(asset) not in ("Account", "Property"):
                continue
            end = (data.get("props") or {}).get("end_date") or cg.prop(asset, "closed")
            if end is not None and end <= day:
                continue
            start = ((data.get("props") or {}).get("start_date") or cg.prop(asset, "acquired")
                     or cg.prop(asset, "opened"))
            if before is not None and start is not None and start <= before:
                continue  # s.10(9): held by the day benefit was calculated for the earlier order
            found.setdefault(asset, AssumptionFinding(
                "s.10(3)", asset, None, (cg.evidence(cg.relations[key], "held after conviction"),)))
    return list(found.values())
