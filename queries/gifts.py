"""Tainted-gift candidates: what left the defendant, or what he controls, after the cut-off.

s.77(2) (criminal lifestyle, or not yet decided): any gift after the s.77(9) relevant day; s.77(5)
(no criminal lifestyle): any gift after the earliest offence. s.78: a transfer for consideration
significantly less than value is a gift of the share ``(value - consideration) / value``; a sale
at full value is no gift. s.81: the gift is valued at the greater of its value then, adjusted by
the price index, and the value now of what the recipient still holds (the property given, or
property bought with the gift, :mod:`queries.representing`).

A gift in any currency is a gift: each sum is converted to pounds at the rate for the gift's day
(:mod:`queries.transfer_money`); where no rate exists the gift is still listed, in its own
currency, with no pound value. A transfer the engine cannot use (no day, an unreadable amount, a
gift month before the index series) is a warning naming it; the others are still computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from graph.errors import RuleNotApplicable
from graph.model import Relation
from queries.casegraph import CaseGraph
from queries.control import ControlLink
from queries.dates import GiftCutoff
from queries.finding import Warnings
from queries.representing import AssetMoves, Representing, representing_property, still_holds
from queries.transfer_money import Rates, Sum, TransferWorth, rate_table, record_sum, transfer_day, transfer_worth
from queries.valuation import GiftValue, PriceIndex, tainted_gift_value

__all__ = ["Candidate", "GiftFinding", "gift_candidates", "tainted_gifts", "REPORT_VIA", "GIFT_RULE"]

GIFT_RULE = "s.77"  # the rule named by a warning about a gift candidate

# The report names three routes; the detail stays in ``via_detail``.
REPORT_VIA = {"direct": "direct", "own account": "direct", "controlled company": "controlled company",
              "account of controlled company": "controlled company", "nominee": "nominee",
              "account of nominee": "nominee", "company held through nominee": "nominee"}


@dataclass(frozen=True)
class Candidate:
    """A transfer out of what he controls to someone outside it, after the cut-off, with the s.78
    ratio (consideration / value) where a consideration was recorded."""

    transfer: Relation
    payer: str  # canonical ids
    recipient: str
    control: ControlLink
    worth: TransferWorth
    ratio: Fraction | None  # None: no consideration recorded (a gift of the whole)
    currency: str  # the currency the ratio compares in (GBP once converted)
    threshold: Fraction

    @property
    def is_gift(self) -> bool:
        """Significantly less than value (s.78): below the threshold; a transfer for nothing always."""
        return self.ratio is None or self.ratio < self.threshold

    @property
    def share(self) -> Fraction:
        """The share of the property given: ``1 - ratio`` (the whole when nothing was paid)."""
        return Fraction(1) if self.ratio is None else max(Fraction(0), 1 - self.ratio)


@dataclass(frozen=True)
class GiftFinding:
    """One candidate tainted gift, with the numbers and the evidence behind them."""

    candidate: Candidate
    rule: str
    value: Decimal | None  # pounds at the time (None: not converted)
    consideration: Decimal | None
    value_at_gift: Decimal | None  # pounds of the share given
    original_value_at_gift: Decimal  # the share given, in the transfer's own currency
    valuation: GiftValue | None  # s.81 (None: not converted)
    basis: str
    after_order: bool
    representing: tuple[Representing, ...]
    notes: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]

    @property
    def transfer(self) -> Relation:
        return self.candidate.transfer

    @property
    def payer(self) -> str:
        return self.candidate.payer

    @property
    def recipient(self) -> str:
        return self.candidate.recipient

    @property
    def control(self) -> ControlLink:
        return self.candidate.control

    @property
    def share(self) -> Fraction:
        return self.candidate.share

    @property
    def converted(self) -> bool:
        return self.valuation is not None


def _ratio(worth: TransferWorth, record: str) -> tuple[Fraction | None, str]:
    """consideration / value, in pounds when both convert, else in their common currency."""
    value, paid = worth.value, worth.consideration
    if value is None:
        raise RuleNotApplicable("s.78: the value given is not recorded, so the share given cannot be told")
    if paid is None:
        return None, value.currency if value.gbp is None else "GBP"
    if value.gbp is not None and paid.gbp is not None:
        worth_now, paid_now, currency = value.gbp, paid.gbp, "GBP"
    elif value.currency == paid.currency:
        worth_now, paid_now, currency = value.amount, paid.amount, value.currency
    else:
        raise RuleNotApplicable(f"s.78: value in {value.currency} and consideration in {paid.currency} with no "
                                f"rate to compare them on {record}'s day")
    if worth_now == 0:
        raise RuleNotApplicable("s.78: the value given is zero")
    return Fraction(paid_now) / Fraction(worth_now), currency


def gift_candidates(cg: CaseGraph, control: dict[str, ControlLink], cutoff: GiftCutoff, rates: Rates,
                    warnings: Warnings) -> list[Candidate]:
    """Every transfer out of what he controls, to someone outside it, dated after the cut-off.

    A transfer the engine cannot read is a warning naming it (rule ``s.77``).
    """
    threshold = Fraction(str(cg.settings.undervalue_ratio))
    out = []
    for t in cg.transfers:
        payer, recipient = cg.canon(t.source), cg.canon(t.target)
        if payer not in control or recipient in control:
            continue
        record = t.source_id or t.id
        with warnings.guard(GIFT_RULE, record):
            if not cutoff.taints(transfer_day(t)):
                continue
            worth = transfer_worth(t, rates)
            if worth.value is None and worth.is_asset:
                raise RuleNotApplicable("s.78: the asset's value at the transfer is not recorded, so the share "
                                        "given cannot be told")
            if worth.value is None or worth.value.amount == 0:
                continue  # nothing of value left him: no gift (the report's ledger says so)
            ratio, currency = _ratio(worth, record)
            out.append(Candidate(t, payer, recipient, control[payer], worth, ratio, currency, threshold))
    return out


def _gbp(s: Sum | None) -> Decimal | None:
    return None if s is None else s.gbp


def _value_gift(cg: CaseGraph, c: Candidate, cutoff: GiftCutoff, index: PriceIndex, on: date,
                order_date: date | None, rates: Rates, exclude: set[str], warnings: Warnings,
                moves: AssetMoves) -> GiftFinding:
    t, worth = c.transfer, c.worth
    assert worth.value is not None  # gift_candidates kept only transfers of some value
    paid_orig = worth.consideration.amount if worth.consideration else Decimal(0)
    original_at_gift = worth.value.amount * c.share.numerator / c.share.denominator \
        if worth.consideration and worth.consideration.currency != worth.value.currency \
        else worth.value.amount - paid_orig
    value, paid = _gbp(worth.value), _gbp(worth.consideration) if worth.consideration else Decimal(0)
    notes: list[str] = []
    represent: tuple[Representing, ...] = ()
    valuation = None
    at_gift = None
    basis = "not converted"
    if value is not None and paid is not None:
        at_gift = value - paid if c.ratio is not None else value
        current, share = None, c.share
        if t.props.get("asset_id"):
            asset = cg.canon(t.props["asset_id"])
            if still_holds(cg, c.recipient, asset, str(t.date), on, moves):
                now = record_sum(cg, asset, "value", on, rates, warnings, "s.81(1)(b)")
                current = None if now is None else now.gbp
        else:
            represent = tuple(representing_property(cg, t, c.recipient, at_gift, on, rates, exclude, warnings, moves))
            valued = [r.value for r in represent if r.value is not None]
            current, share = (sum(valued, Decimal(0)), Fraction(1)) if valued else (None, share)
        valuation = tainted_gift_value(at_gift, transfer_day(t), on, index, current, share)
        represented = bool(represent) and valuation.limb.endswith("(b)")
        basis = ("s.81(b) property representing the gift" if represented else "s.81(b) recipient still holds") \
            if valuation.limb.endswith("(b)") else "s.81(a) index"
        if valuation.factor.note:
            notes.append(valuation.factor.note)
    else:
        missing = ", ".join(f"{s.field} in {s.currency}" for s in worth.sums if s.gbp is None)
        notes.append(f"not converted: no exchange rate for {missing} on {t.date}; listed in its own currency "
                     f"and left out of pound totals")
    rule = cutoff.rule if c.ratio is None or paid_orig == 0 else f"{cutoff.rule}, s.78"
    evidence = [cg.evidence(cg.relations[r], "control") for r in c.control.path if r in cg.relations]
    evidence.append(cg.evidence(t, "transfer"))
    evidence += [e for r in represent for e in r.evidence]
    after = bool(order_date and str(t.date) > order_date.isoformat())
    return GiftFinding(c, rule, value, paid if c.ratio is not None else None, at_gift, original_at_gift,
                       valuation, basis, after, represent, tuple(notes), tuple(evidence))


def tainted_gifts(cg: CaseGraph, control: dict[str, ControlLink], cutoff: GiftCutoff, index: PriceIndex,
                  valuation_date: date, order_date: date | None = None, *, rates: Rates | None = None,
                  warnings: Warnings | None = None, candidates: list[Candidate] | None = None) -> list[GiftFinding]:
    """Every transfer out of what the defendant controls, to someone outside it, after the cut-off,
    for consideration significantly less than its value (s.78), valued under s.81 as at
    ``valuation_date`` (the as-at date).

    Gifts made after the order are still listed (``after_order``): a revisit needs them. Gifts
    dated after ``valuation_date`` are listed with index factor 1 (noted).

    Parameters
    ----------
    cg, control, cutoff, index
        The case graph, who acts for him, the cut-off (s.77(2) or s.77(5)) and the price index.
    valuation_date : date
        The as-at date of every figure.
    order_date : date, optional
    rates : Rates, optional
        Exchange rates; default those the case's settings name.
    warnings : Warnings, optional
        Where a transfer the engine cannot use is named; default a fresh collector.
    candidates : list of Candidate, optional
        :func:`gift_candidates` already computed (the s.78 listing shares them).

    Returns
    -------
    list of GiftFinding

    Examples
    --------
    The demo case's flat sold to his sister for £100,000 when worth £300,000 is a gift of two
    thirds (``tests/queries/test_report.py``).
    """
    rates = rates if rates is not None else rate_table(cg.settings)
    warnings = warnings if warnings is not None else Warnings()
    if candidates is None:
        candidates = gift_candidates(cg, control, cutoff, rates, warnings)
    exclude = set(control)
    moves = AssetMoves.of(cg)
    found = []
    for c in candidates:
        if not c.is_gift:
            continue
        with warnings.guard("s.81", c.transfer.source_id or c.transfer.id):
            found.append(_value_gift(cg, c, cutoff, index, valuation_date, order_date, rates, exclude, warnings,
                                     moves))
    return found
