"""Price indices for s.81(1)(a): the change in the value of money between a gift and the valuation.

A monthly index (ONS RPI, the default and the one the courts have used, or CPI; Open Government
Licence v3.0, see ``queries/data/SOURCES.md``; or a user ``month,index`` CSV) and the factor
``index(valuation month) / index(gift month)``.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from graph.errors import InvalidRecord, RuleNotApplicable
from queries.dates import as_date

__all__ = ["IndexFactor", "PriceIndex"]

_DATA = Path(__file__).parent / "data"
_BUILTIN = {"rpi": _DATA / "uk_rpi_monthly.csv", "cpi": _DATA / "uk_cpi_monthly.csv"}


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
