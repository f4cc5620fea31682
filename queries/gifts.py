"""Tainted-gift candidates: what left the defendant, or what he controls, after the cut-off.

s.77(2) (criminal lifestyle, or not yet decided): any gift after the relevant day; s.77(5) (no
criminal lifestyle): any gift after the earliest offence. s.78: a transfer for consideration
significantly less than value is a gift of the share ``(value - consideration) / value``; a
sale at full value is no gift. s.81: the gift is valued at the greater of its value then,
adjusted by the price index, and the value now of what the recipient still holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from graph.model import Relation
from queries.casegraph import CaseGraph
from queries.control import ControlLink
from queries.dates import GiftCutoff
from queries.valuation import GiftValue, PriceIndex, tainted_gift_value, undervalue

__all__ = ["GiftFinding", "tainted_gifts", "transfer_value", "REPORT_VIA"]

# The report names three routes; the detail stays in ``via_detail``.
REPORT_VIA = {"direct": "direct", "own account": "direct", "controlled company": "controlled company",
              "account of controlled company": "controlled company", "nominee": "nominee",
              "account of nominee": "nominee", "company held through nominee": "nominee"}


@dataclass(frozen=True)
class GiftFinding:
    """One candidate tainted gift, with the numbers and the evidence behind them."""

    transfer: Relation
    payer: str  # canonical ids
    recipient: str
    control: ControlLink
    rule: str
    share: Fraction
    value: Decimal
    consideration: Decimal
    value_at_gift: Decimal
    valuation: GiftValue
    basis: str
    after_order: bool
    evidence: tuple[dict[str, Any], ...]


def transfer_value(t: Relation) -> tuple[Decimal, Decimal] | None:
    """(value, consideration) in GBP: an asset's market value, or a payment's amount.

    None when either is in another currency (no exchange rate is assumed; the transfer is shown
    as it was given).
    """
    props = t.props
    if props.get("asset_id"):
        if props.get("asset_value_currency") or props.get("asset_value") is None:
            return None
        value = Decimal(props["asset_value"])
        paid = props.get("consideration", props.get("amount"))
        if props.get("consideration_currency") or (paid == props.get("amount") and props.get("amount_currency")):
            return None
    else:
        if props.get("amount_currency") or props.get("currency", "GBP") != "GBP" or props.get("amount") is None:
            return None
        value = Decimal(props["amount"])
        paid = props.get("consideration")
        if props.get("consideration_currency"):
            return None
    return value, Decimal(paid) if paid not in (None, "") else Decimal(0)


def _still_holds(cg: CaseGraph, recipient: str, asset: str, after: str, on: date) -> bool:
    day = on.isoformat()
    for _, target, data in cg.graph.out_edges(recipient, data=True):
        props = data.get("props") or {}
        if target == asset and data["kind"] == "OWNS" and (props.get("end_date") is None or props["end_date"] > day):
            disposed = any(cg.canon(t.source) == recipient and t.props.get("asset_id")
                           and cg.canon(t.props["asset_id"]) == asset and (t.date or "") > after
                           for t in cg.transfers)
            return not disposed
    return False


def tainted_gifts(cg: CaseGraph, control: dict[str, ControlLink], cutoff: GiftCutoff, index: PriceIndex,
                  valuation_date: date, order_date: date | None = None) -> list[GiftFinding]:
    """Every transfer out of what the defendant controls, to someone outside it, after the cut-off.

    Gifts made after the order are still listed (``after_order``): a revisit needs them.

    Examples
    --------
    The demo case's flat sold to his sister for £100,000 when worth £300,000 is a gift of two
    thirds (``tests/queries/test_report.py``).
    """
    threshold = cg.settings.undervalue_ratio
    after = cutoff.day.isoformat()  # ISO dates compare as text; "after" is strict (GiftCutoff.taints)
    found = []
    for t in cg.transfers:
        payer, recipient = cg.canon(t.source), cg.canon(t.target)
        if payer not in control or recipient in control or not t.date or t.date <= after:
            continue
        worth = transfer_value(t)
        if worth is None:
            continue
        value, paid = worth
        if value <= 0:
            continue
        under = undervalue(value, paid, threshold)
        if under is None:
            continue  # full value, or not significantly less (s.78)
        asset = cg.canon(t.props["asset_id"]) if t.props.get("asset_id") else None
        current = None
        if asset is not None and _still_holds(cg, recipient, asset, t.date, valuation_date):
            now = cg.prop(asset, "value")
            if now is not None and not cg.prop(asset, "value_currency"):
                current = Decimal(str(now))
        valued = tainted_gift_value(under.gift_value, date.fromisoformat(t.date), valuation_date, index, current,
                                    under.share)
        rule = cutoff.rule if paid == 0 else f"{cutoff.rule}, s.78"
        link = control[payer]
        evidence = [cg.evidence(cg.relations[r], "control") for r in link.path if r in cg.relations]
        evidence.append(cg.evidence(t, "transfer"))
        basis = "s.81(b) recipient still holds" if valued.limb.endswith("(b)") else "s.81(a) index"
        found.append(GiftFinding(
            t, payer, recipient, link, rule, under.share, value, paid, under.gift_value, valued, basis,
            bool(order_date and t.date > order_date.isoformat()), tuple(evidence)))
    return found
