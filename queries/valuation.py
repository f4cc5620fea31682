"""Valuing gifts: transfers at an undervalue (s.78) and the value of a tainted gift (s.81).

Money is :class:`decimal.Decimal` throughout and is never rounded inside a calculation; round to
pennies only to show a figure (:func:`pennies`). Shares are exact :class:`fractions.Fraction`
values, so two thirds of £450,000 is exactly £300,000.

The price indices (ONS RPI, the default, and CPI) are :mod:`queries.price_index`'s (``PriceIndex``
and ``IndexFactor`` are re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from graph.errors import InvalidRecord, RuleNotApplicable
from graph.settings import Settings
from graph.types import clean_money
from queries.price_index import IndexFactor, PriceIndex

__all__ = [
    "as_money",
    "pennies",
    "IndexFactor",
    "PriceIndex",
    "Undervalue",
    "consideration_ratio",
    "undervalue",
    "GiftValue",
    "tainted_gift_value",
]

Amount = Decimal | int | float | str


def as_money(value: object, field: str = "amount") -> Decimal | None:
    """Read an amount in GBP (a number, a Decimal or text such as ``"£1,250.00"``); blank is None.

    Floats go through ``str``, so ``0.1`` stays ``Decimal('0.1')``.

    Parameters
    ----------
    value : Decimal, int, float, str or None
    field : str
        Name used in the error message.

    Returns
    -------
    Decimal or None

    Raises
    ------
    InvalidRecord
        When the value is not an amount, is negative, or is in a currency other than GBP.

    Examples
    --------
    >>> as_money("£1,250.00"), as_money(0.1), as_money("")
    (Decimal('1250.00'), Decimal('0.1'), None)
    """
    if value is None:
        return None
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0:
            raise InvalidRecord(f"{field}: not a non-negative amount: {value!r}", column=field)
        return amount
    if not isinstance(value, str):
        raise InvalidRecord(f"{field}: not an amount: {value!r}", column=field)
    money = clean_money(value)
    if money is None:
        return None
    if money.currency != "GBP":
        raise InvalidRecord(f"{field}: {value!r} is not in GBP; convert it first", column=field)
    return money.amount


def pennies(amount: Decimal) -> Decimal:
    """Round to pennies (half up) for display only.

    Parameters
    ----------
    amount : Decimal

    Returns
    -------
    Decimal

    Examples
    --------
    >>> pennies(Decimal("16021.917808"))
    Decimal('16021.92')

    References
    ----------
    Proceeds of Crime Act 2002, s.81 (values are shown in pounds and pence).
    """
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Undervalue:
    """A transfer at an undervalue: the share given away and the value of that share."""

    value: Decimal
    consideration: Decimal
    ratio: Fraction
    share: Fraction
    gift_value: Decimal
    threshold: Decimal
    rule: str = "s.78"


def _fraction(value: Decimal | Fraction | int | float | str) -> Fraction:
    """An exact fraction from a number or text (``"2/3"``, ``"0.5"``)."""
    return value if isinstance(value, Fraction) else Fraction(str(value))


def consideration_ratio(value: Amount | None, consideration: Amount | None) -> Fraction:
    """consideration / value, the figure LAW.md says to show beside every transfer.

    Parameters
    ----------
    value, consideration : amount
        Value at the transfer, and what was paid (missing means nothing).

    Returns
    -------
    Fraction

    Raises
    ------
    RuleNotApplicable
        When the value is missing or zero.
    InvalidRecord
        When an amount cannot be read.

    Examples
    --------
    >>> consideration_ratio(300000, 100000)
    Fraction(1, 3)

    References
    ----------
    Proceeds of Crime Act 2002, s.78.
    """
    worth = as_money(value, "value")
    paid = as_money(consideration, "consideration") or Decimal(0)
    if worth is None or worth == 0:
        raise RuleNotApplicable("s.78: the property's value at the transfer is missing or zero")
    return Fraction(paid) / Fraction(worth)


def undervalue(value: Amount | None, consideration: Amount | None,
               threshold: float | Decimal | None = None) -> Undervalue | None:
    """A transfer for consideration significantly less than value is a gift of the share given.

    The share is ``(value - consideration) / value``; "significantly less" means
    ``consideration < threshold * value`` (strictly: a price of exactly the threshold is not an
    undervalue). A transfer for nothing (consideration 0 or missing) is a gift of the whole.

    Parameters
    ----------
    value, consideration : amount
        Market value at the transfer, and what the recipient paid (missing means nothing).
    threshold : float or Decimal, optional
        Default ``Settings().undervalue_ratio`` (0.8).

    Returns
    -------
    Undervalue or None
        None for a sale at (or above) the threshold.

    Raises
    ------
    RuleNotApplicable
        When the value is missing or zero (no share can be computed).
    InvalidRecord
        When an amount cannot be read, or the threshold is outside (0, 1].

    Examples
    --------
    >>> u = undervalue(300000, 100000)
    >>> u.share, u.gift_value
    (Fraction(2, 3), Decimal('200000'))
    >>> undervalue(300000, 290000) is None
    True

    References
    ----------
    Proceeds of Crime Act 2002, s.78.
    """
    limit = Decimal(str(Settings().undervalue_ratio if threshold is None else threshold))
    if not 0 < limit <= 1:
        raise InvalidRecord(f"s.78 threshold must be in (0, 1], not {limit}")
    ratio = consideration_ratio(value, consideration)
    worth = as_money(value, "value") or Decimal(0)
    paid = as_money(consideration, "consideration") or Decimal(0)
    if ratio >= _fraction(limit):
        return None
    return Undervalue(worth, paid, ratio, 1 - ratio, worth - paid, limit)


@dataclass(frozen=True)
class GiftValue:
    """s.81 value of a tainted gift: both limbs, the greater, and which limb won."""

    value: Decimal
    limb: str
    adjusted: Decimal
    current: Decimal | None
    factor: IndexFactor
    share: Fraction


def tainted_gift_value(value_at_gift: Amount, gift_date: date | str, valuation_date: date | str,
                       index: PriceIndex | None = None, current_value: Amount | None = None,
                       share: Fraction | Decimal | int | str = 1) -> GiftValue:
    """The value of a tainted gift: the greater of (a) and (b).

    (a) the value of what was given, at the time of the gift, times the index factor;
    (b) where the recipient still holds it (or property representing it), its value now times
    the share given. A tie is reported as limb (a). Nothing is rounded (see :func:`pennies`).

    Parameters
    ----------
    value_at_gift : amount
        Value of the gift when made (for an undervalue, the gifted share's value).
    gift_date, valuation_date : date or str
        When the gift was made and the valuation day (the order, or today).
    index : PriceIndex, optional
        Default ``PriceIndex.load(Settings().price_index)`` (RPI).
    current_value : amount, optional
        Today's value of the whole property the recipient still holds; None if not held.
    share : Fraction, Decimal, int or str
        The share of that property given (``Undervalue.share``); default the whole.

    Returns
    -------
    GiftValue

    Raises
    ------
    InvalidRecord
        When an amount cannot be read or the share is outside (0, 1].
    RuleNotApplicable
        When the value at the gift is missing or the gift predates the index series.

    Examples
    --------
    >>> idx = PriceIndex("example", {(2015, 1): Decimal(250), (2024, 1): Decimal(300)})
    >>> v = tainted_gift_value(200000, "2015-01-10", "2024-01-31", idx, 450000, Fraction(2, 3))
    >>> v.adjusted, v.current, v.value, v.limb
    (Decimal('240000.0'), Decimal('300000'), Decimal('300000'), 's.81(1)(b)')

    References
    ----------
    Proceeds of Crime Act 2002, s.81(1) and s.81(2).
    """
    given = as_money(value_at_gift, "value_at_gift")
    if given is None:
        raise RuleNotApplicable("s.81: the value of the gift at the time it was made is missing")
    part = _fraction(share)
    if not 0 < part <= 1:
        raise InvalidRecord(f"s.81: share must be in (0, 1], not {part}")
    idx = index if index is not None else PriceIndex.load(Settings().price_index)
    factor = idx.factor(gift_date, valuation_date)
    adjusted = given * factor.factor
    now = as_money(current_value, "current_value")
    current = None if now is None else now * part.numerator / part.denominator
    if current is not None and current > adjusted:
        return GiftValue(current, "s.81(1)(b)", adjusted, current, factor, part)
    return GiftValue(adjusted, "s.81(1)(a)", adjusted, current, factor, part)
