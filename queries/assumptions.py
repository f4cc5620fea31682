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

from graph.errors import InvalidRecord
from graph.model import Relation
from queries.casegraph import CaseGraph
from queries.control import ControlLink
from queries.finding import Warnings
from queries.nominee import nominee_scope
from queries.transfer_money import transfer_day

__all__ = ["AssumptionFinding", "assumptions", "himself", "transfers_to_him", "expenditure", "held_after_conviction"]


@dataclass(frozen=True)
class AssumptionFinding:
    rule: str  # "s.10(2)" | "s.10(3)" | "s.10(4)"
    item: str  # canonical id of the asset, or the transfer's record id
    transfer: Relation | None
    evidence: tuple[dict[str, Any], ...]


def himself(control: dict[str, ControlLink]) -> set[str]:
    """His own records and the accounts he holds (not his companies or nominees)."""
    return {node for node, link in control.items() if link.via in ("direct", "own account")}


def _transfers(cg: CaseGraph, control: dict[str, ControlLink], relevant: date, rule: str,
               warnings: Warnings | None) -> list[AssumptionFinding]:
    """Transfers after the relevant day to him from outside (s.10(2)), or money from him to
    outside (s.10(4)); a transfer without a readable day is named in ``warnings``."""
    him = himself(control)
    out: list[AssumptionFinding] = []
    for t in cg.transfers:
        payer, payee = cg.canon(t.source), cg.canon(t.target)
        to_him = payee in him and payer not in him
        spent = payer in him and payee not in him and not t.props.get("asset_id")
        if not (to_him if rule == "s.10(2)" else spent):
            continue
        try:
            day = transfer_day(t)
        except InvalidRecord as exc:
            if warnings is not None:
                warnings.add(rule, t.source_id or t.id, str(exc))
            continue
        if day > relevant:
            step = "transfer to him" if rule == "s.10(2)" else "expenditure"
            out.append(AssumptionFinding(rule, t.id, t, (cg.evidence(t, step),)))
    return sorted(out, key=lambda f: (str(f.transfer.date if f.transfer else ""), f.item))


def transfers_to_him(cg: CaseGraph, control: dict[str, ControlLink], relevant: date,
                     warnings: Warnings | None = None) -> list[AssumptionFinding]:
    """s.10(2): property transferred to him (his records, his accounts) after the relevant day.

    References
    ----------
    Proceeds of Crime Act 2002, s.10(2), s.10(8)-(9).
    """
    return _transfers(cg, control, relevant, "s.10(2)", warnings)


def expenditure(cg: CaseGraph, control: dict[str, ControlLink], relevant: date,
                warnings: Warnings | None = None) -> list[AssumptionFinding]:
    """s.10(4): money he paid out after the relevant day (not between his own accounts; a disposal
    of an asset is not expenditure).

    References
    ----------
    Proceeds of Crime Act 2002, s.10(4), s.10(8)-(9).
    """
    return _transfers(cg, control, relevant, "s.10(4)", warnings)


def held_after_conviction(cg: CaseGraph, control: dict[str, ControlLink], convicted: date,
                          earlier_order_day: date | None = None) -> list[AssumptionFinding]:
    """s.10(3): accounts and property held by him (or for him by a nominee) after conviction.

    When the relevant day comes from an earlier order (s.10(9)), pass it as
    ``earlier_order_day``: the assumption then does not reach property he already held on or
    before that day.

    References
    ----------
    Proceeds of Crime Act 2002, s.10(3), s.10(9), s.10(10).
    """
    return sorted(_held_after(cg, control, convicted, earlier_order_day), key=lambda f: f.item)


def assumptions(cg: CaseGraph, control: dict[str, ControlLink], relevant: date,
                convicted: date | None, earlier_order_day: date | None = None) -> list[AssumptionFinding]:
    """s.10(2) transfers to him, s.10(3) property held after conviction, s.10(4) expenditure.

    Returns nothing when the court has found no criminal lifestyle (``lifestyle: no``).

    References
    ----------
    Proceeds of Crime Act 2002, s.10(2), s.10(3), s.10(4), s.10(6), s.10(9).
    """
    if str(cg.case.get("lifestyle") or "").strip().lower() == "no":
        return []
    out = transfers_to_him(cg, control, relevant) + expenditure(cg, control, relevant)
    if convicted is not None:
        out.extend(held_after_conviction(cg, control, convicted, earlier_order_day))
    return sorted(out, key=lambda f: (f.rule, f.transfer.date if f.transfer else "", f.item))


def _held_after(cg: CaseGraph, control: dict[str, ControlLink], convicted: date,
                earlier_order_day: date | None) -> list[AssumptionFinding]:
    """Accounts and property held by him, or by a nominee for him, at any time after conviction
    (s.10(3)), less what he already held on or before an earlier order's day (s.10(9)). Only what
    the evidence says a nominee holds for him counts: her own property is never an s.10(3) item."""
    scopes = nominee_scope(cg)
    holders = [(h, None) for h in sorted(himself(control))]
    holders += [(n, frozenset(s.held)) for n, s in sorted(scopes.items())]
    day = convicted.isoformat()
    before = earlier_order_day.isoformat() if earlier_order_day else None
    found: dict[str, AssumptionFinding] = {}
    for holder, only in holders:
        for _, asset, key, data in cg.graph.out_edges(holder, keys=True, data=True):
            if data["kind"] not in ("OWNS", "HOLDS") or cg.kind(asset) not in ("Account", "Property"):
                continue
            if only is not None and key not in only:
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
