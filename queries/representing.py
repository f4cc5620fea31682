"""Property representing a gift (s.81(1)(b)): a gift followed into a purchase by the recipient.

When the recipient of a money gift buys property soon after it -- within the money-flow window
(30 days by default) -- that property represents the gift: its value now, times the share of the
price the gift funded, is a candidate for s.81(1)(b), and for a revisit team it is a new asset
linked to him although he does not hold it. A purchase is read from the evidence either way it
comes: an asset transferred to the recipient (or to the holder of the account she was paid into)
with a price, or an OWNS relation of hers that begins in the window (price: the property's
``acquisition_price``). The share funded is ``gift / price``, at most the whole; without a price
the property is still listed, with no share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from graph.errors import AssetGraphError
from graph.model import Relation
from queries.casegraph import CaseGraph
from queries.finding import Warnings
from queries.transfer_money import Rates, Sum, record_sum, transfer_worth

__all__ = ["Representing", "AssetMoves", "representing_property", "recipient_side", "still_holds"]


@dataclass(frozen=True)
class Representing:
    """Property the recipient bought with a gift, and what of it the gift funded."""

    asset: str  # canonical id
    holder: str  # canonical id of who bought it
    acquired: str  # ISO day of the purchase
    how: str  # what shows the purchase
    price: Sum | None
    share: Fraction | None  # of the price the gift funded, at most 1
    current: Decimal | None  # the property's value now (pounds), whole
    value: Decimal | None  # current x share
    evidence: tuple[dict[str, Any], ...]


def recipient_side(cg: CaseGraph, recipient: str) -> set[str]:
    """The recipient and who stands with her for a purchase: the holders of the account she was
    paid into, or the accounts she holds (canonical ids)."""
    side = {recipient}
    side |= {u for u, _, d in cg.graph.in_edges(recipient, data=True) if d["kind"] == "HOLDS"}
    side |= {v for _, v, d in cg.graph.out_edges(recipient, data=True) if d["kind"] == "HOLDS"}
    return side


@dataclass(frozen=True)
class AssetMoves:
    """The case's transfers of assets, indexed once (a case may hold 10^5 transfers and 10^3 gifts):
    who received each asset, and when each holder passed one on."""

    to: dict[str, list[Relation]]  # buyer (canonical) -> asset transfers to it
    passed_on: dict[tuple[str, str], list[str]]  # (holder, asset) -> days it was transferred out

    @classmethod
    def of(cls, cg: CaseGraph) -> AssetMoves:
        to: dict[str, list[Relation]] = {}
        passed_on: dict[tuple[str, str], list[str]] = {}
        for t in cg.transfers:
            if t.props.get("asset_id"):
                to.setdefault(cg.canon(t.target), []).append(t)
                passed_on.setdefault((cg.canon(t.source), cg.canon(t.props["asset_id"])), []).append(str(t.date or ""))
        return cls(to, passed_on)

    def disposed(self, holder: str, asset: str, after: str) -> bool:
        """True when ``holder`` transferred ``asset`` on after the day ``after``."""
        return any(day > after for day in self.passed_on.get((holder, asset), ()))


def still_holds(cg: CaseGraph, holder: str, asset: str, after: str, on: date, moves: AssetMoves | None = None) -> bool:
    """True when ``holder`` owns ``asset`` on ``on`` and has not transferred it on since ``after``."""
    day = on.isoformat()
    for _, target, data in cg.graph.out_edges(holder, data=True):
        props = data.get("props") or {}
        if target == asset and data["kind"] == "OWNS" and (props.get("end_date") is None or props["end_date"] > day):
            return not (moves or AssetMoves.of(cg)).disposed(holder, asset, after)
    return False


def _purchases(cg: CaseGraph, side: set[str], first: str, last: str, rates: Rates, warnings: Warnings | None,
               moves: AssetMoves) -> dict[str, tuple[str, str, str, Sum | None, dict[str, Any]]]:
    """asset -> (holder, day, how, price, evidence) for purchases by ``side`` dated ``first..last``."""
    found: dict[str, tuple[str, str, str, Sum | None, dict[str, Any]]] = {}
    for t in (t for buyer in sorted(side) for t in moves.to.get(buyer, ())):
        buyer = cg.canon(t.target)
        if first <= (t.date or "") <= last:
            try:
                worth = transfer_worth(t, rates)
            except (AssetGraphError, ArithmeticError, ValueError):
                continue  # an unreadable transfer is named by the rules that read it for itself
            found.setdefault(cg.canon(t.props["asset_id"]), (buyer, str(t.date), f"transfer {t.source_id} to the "
                             f"recipient", worth.consideration, cg.evidence(t, "purchase")))
    for node in sorted(side):
        for _, asset, key, data in cg.graph.out_edges(node, keys=True, data=True):
            props = data.get("props") or {}
            begun = props.get("start_date") or cg.prop(asset, "acquired")
            if data["kind"] != "OWNS" or cg.kind(asset) == "Company" or not begun or not first <= str(begun) <= last:
                continue
            try:
                bought = date.fromisoformat(str(begun))
            except ValueError:
                continue  # not a day: the purchase cannot be placed after the gift
            price = record_sum(cg, asset, "acquisition_price", bought, rates, warnings, "s.81(1)(b)")
            rel = cg.relations.get(key)
            evidence = cg.evidence(rel, "purchase") if rel else {"step": "purchase", "relation": key}
            found.setdefault(asset, (node, str(begun), f"owned from {begun}", price, evidence))
    return found


def representing_property(cg: CaseGraph, gift: Relation, recipient: str, gift_gbp: Decimal | None, on: date,
                          rates: Rates, exclude: set[str], warnings: Warnings | None = None,
                          moves: AssetMoves | None = None) -> list[Representing]:
    """Property bought by the recipient of ``gift`` within the flow window after it.

    Parameters
    ----------
    cg : CaseGraph
    gift : Relation
        The gift (a money transfer).
    recipient : str
        Its recipient (canonical id).
    gift_gbp : Decimal or None
        The gift's value at the time in pounds (None: not converted; no share is computed).
    on : date
        The as-at date: the property must still be held then, and is valued then.
    rates : Rates
    exclude : set of str
        Canonical ids that are not "property representing the gift" (what he holds himself).
    warnings : Warnings, optional
        Where a price or value that cannot be read is named (it costs that figure only).
    moves : AssetMoves, optional
        The case's asset transfers indexed (built once for all the gifts of a case).

    Returns
    -------
    list of Representing

    Examples
    --------
    A £120,000 gift followed nine days later by a £300,000 flat in her name: the gift funded
    0.4 of it (doctest in :func:`queries.rules.s81.run`; tables in ``tests/queries/test_rule_gifts.py``).
    """
    start = date.fromisoformat(str(gift.date))
    first, last = start.isoformat(), (start + timedelta(days=cg.settings.flow_window_days)).isoformat()
    out = []
    left = gift_gbp  # one gift funds several purchases only up to its own amount, first bought first
    moves = moves or AssetMoves.of(cg)
    bought = _purchases(cg, recipient_side(cg, recipient), first, last, rates, warnings, moves)
    for asset, (holder, day, how, price, evidence) in sorted(bought.items(), key=lambda a: (a[1][1], a[0])):
        if asset in exclude or cg.kind(asset) != "Property":
            continue
        owner = holder if cg.kind(holder) != "Account" else recipient
        held = still_holds(cg, owner, asset, day, on, moves) if _owned_by_anyone(cg, asset) \
            else not moves.disposed(owner, asset, day)  # only the transfer to her shows the purchase
        if not held:
            continue
        paid = None if price is None else price.gbp
        share = None
        if left is not None and paid:
            share = min(Fraction(1), Fraction(left) / Fraction(paid))
            left -= paid * share.numerator / share.denominator
            if share == 0:
                continue  # the gift was spent on an earlier purchase
        now = record_sum(cg, asset, "value", on, rates, warnings, "s.81(1)(b)")
        current = None if now is None else now.gbp
        value = None if current is None or share is None else current * share.numerator / share.denominator
        out.append(Representing(asset, owner, day, how, price, share, current, value, (evidence,)))
    return out


def _owned_by_anyone(cg: CaseGraph, asset: str) -> bool:
    return any(d["kind"] == "OWNS" for _, _, d in cg.graph.in_edges(asset, data=True))
