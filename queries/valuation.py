"""Valuing gifts: transfers at an undervalue (s.78) and the value of a tainted gift (s.81).

Money is :class:`decimal.Decimal` throughout and is never rounded inside a calculation; round to
pennies only to show a figure (:func:`pennies`). Shares are exact :class:`fractions.Fraction`
values, so two thirds of £450,000 is exactly £300,000.

The price indices (ONS RPI, the default, and CPI; Open Government Licence v3.0, see
``queries/data/SOURCES.md``) ship in ``queries/data/``.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from graph.errors import InvalidRecord, RuleNotApplicable
from graph.settings import Settings
from graph.types import clean_money
from queries.dates import as_date

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

_DATA = Path(__file__).parent / "data"
_BUILTIN = {"rpi": _DATA / "uk_rpi_monthly.csv", "cpi": _DATA / "uk_cpi_monthly.csv"}
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


def _label(month: tuple[int, int]) -> str:
    """``YYYY-MM`` text for a (year, month)."""
    return f"{month[0]:04d}-{month[1]:02d}"


@dataclass(frozen=True)
class IndexFactor:
    """index(valuation month) / index(gift month), with the months and a note on any capping."""

    factor: Decimal
    gift_month: str
    valuation_month: str
    gift_index: Decimal
    valuation_index: Decimal
    capped: bool
    note: str


@dataclass(frozen=True, eq=False)
class PriceIndex:
    """A monthly price index (``month,index`` CSV, month as ``YYYY-MM``)."""

    name: str
    values: dict[tuple[int, int], Decimal] = field(repr=False)

    @classmethod
    def load(cls, name_or_path: str | Path = "rpi") -> PriceIndex:
        """Load ``"rpi"`` (default), ``"cpi"`` or a user CSV with columns ``month,index``.

        Parameters
        ----------
        name_or_path : str or Path

        Returns
        -------
        PriceIndex

        Raises
        ------
        InvalidRecord
            When the file is missing, has a bad row, or a gap between months.

        Examples
        --------
        >>> PriceIndex.load("rpi").first_month
        '1987-01'

        References
        ----------
        Proceeds of Crime Act 2002, s.81(1)(a) (changes in the value of money).
        """
        key = str(name_or_path).strip().lower()
        path = _BUILTIN.get(key, Path(name_or_path))
        name = key if key in _BUILTIN else path.name
        if not path.is_file():
            raise InvalidRecord(f"price index {name_or_path!s}: no such index or file")
        return cls._read(name, str(path), path.stat().st_mtime)  # each file version is read once per process

    @classmethod
    @functools.lru_cache(maxsize=16)  # noqa: B019 -- a handful of index files, kept for the process
    def _read(cls, name: str, file: str, stamp: float) -> PriceIndex:
        path = Path(file)
        values: dict[tuple[int, int], Decimal] = {}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    year, month = (int(p) for p in (row.get("month") or "").strip().split("-"))
                    value = Decimal((row.get("index") or "").strip())
                    if not 1 <= month <= 12 or not value.is_finite() or value <= 0:
                        raise ValueError
                except (ValueError, InvalidOperation):
                    raise InvalidRecord(f"price index {name}: bad row {n}: {row!r}") from None
                values[(year, month)] = value
        if not values:
            raise InvalidRecord(f"price index {name}: no rows")
        keys = sorted(values)
        for a, b in zip(keys, keys[1:], strict=False):
            if (b[0] * 12 + b[1]) - (a[0] * 12 + a[1]) != 1:
                raise InvalidRecord(f"price index {name}: months missing between "
                                    f"{_label(a)} and {_label(b)}")
        return cls(name, values)

    @property
    def first_month(self) -> str:
        """The first month published, ``YYYY-MM``."""
        return _label(min(self.values))

    @property
    def last_month(self) -> str:
        """The last month published, ``YYYY-MM``."""
        return _label(max(self.values))

    def factor(self, gift_date: date | str, valuation_date: date | str) -> IndexFactor:
        """index(valuation month) / index(gift month).

        A month beyond the last one published is read as the last one published, and the
        result says so (``capped``); a gift after the series ends therefore gets factor 1.
        A gift dated after the valuation date is still valued: its value at the time is its
        value, so the factor is 1 and the note says why (LAW.md "Dates after the valuation date").

        Parameters
        ----------
        gift_date, valuation_date : date or str

        Returns
        -------
        IndexFactor

        Raises
        ------
        RuleNotApplicable
            When the gift month is before the first month of the series.
        InvalidRecord
            When a date cannot be read.

        Examples
        --------
        >>> rpi = PriceIndex.load("rpi")
        >>> rpi.factor(date(1987, 1, 15), date(2000, 1, 1)).factor
        Decimal('1.666')
        >>> late = rpi.factor(date(2021, 5, 1), date(2020, 1, 1))
        >>> late.factor, late.note
        (Decimal('1'), 'gift dated 2021-05-01, after the valuation date 2020-01-01: index factor 1')

        References
        ----------
        Proceeds of Crime Act 2002, s.81(1)(a).
        """
        gift, valued = as_date(gift_date, "gift_date"), as_date(valuation_date, "valuation_date")
        if valued < gift:
            last = max(self.values)
            g_month, v_month = min((gift.year, gift.month), last), min((valued.year, valued.month), last)
            return IndexFactor(Decimal(1), _label(g_month), _label(v_month), self.values.get(g_month, Decimal(1)),
                               self.values.get(v_month, Decimal(1)), False,
                               f"gift dated {gift}, after the valuation date {valued}: index factor 1")
        return self._month_factor((gift.year, gift.month), (valued.year, valued.month))

    @functools.lru_cache(maxsize=4096)  # noqa: B019 -- indices are loaded once and live as long as the process
    def _month_factor(self, g_month: tuple[int, int], v_month: tuple[int, int]) -> IndexFactor:
        first, last = min(self.values), max(self.values)
        if g_month < first:
            raise RuleNotApplicable(f"s.81: the {self.name} series starts {_label(first)}; "
                                    f"the gift month {_label(g_month)} predates it")
        late = [f"{what} month {_label(m)}" for what, m in (("gift", g_month), ("valuation", v_month))
                if m > last]
        note = f"{' and '.join(late)} after the last published: {self.name} {_label(last)} used"
        g_index, v_index = self.values[min(g_month, last)], self.values[min(v_month, last)]
        return IndexFactor(v_index / g_index, _label(min(g_month, last)), _label(min(v_month, last)),
                           g_index, v_index, bool(late), note if late else "")


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
