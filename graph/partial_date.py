"""One date parser for every reader: the forms UK sources write, kept at the precision given.

Investigators' files write one day many ways: ``2006-03-23`` (ISO), ``23/03/2006`` (UK),
``23.03.2006``, ``23-Mar-06`` and ``Mar 23, 2006`` (ICIJ), ``23 March 2006`` (letters),
``03/2006`` or ``Mar-2006`` (a month), ``2006`` (a bare year; ICIJ, FollowTheMoney, Wikidata).
:func:`parse_date` reads them all into :class:`PartialDate`: ISO text at the precision the source
gave (``"2006"``, ``"2006-03"``, ``"2006-03-23"``) and the form it read, so a year-only date is
never padded to 1 January and an analyst can see how a value was understood.

Rules (each tested in ``tests/graph/test_partial_date.py``):

* Numeric dates are day first, as UK sources write them. A date that reads only in US order
  (``03/23/2006``) is refused, with the reading it would have had, never silently swapped.
* Two-digit years use a stated pivot: ``yy`` up to ``pivot`` is 20yy, above it 19yy. The default
  pivot is the current year's last two digits (a date of birth or incorporation is not in the
  future); a reader may state its own. The form names the pivot used.
* Ambiguous forms are refused with both readings: a compact ``DDMMYYYY``/``YYYYMMDD`` string that
  is a valid date both ways, and an all-two-digit ``NN-NN-NN`` that could be year first.
* Impossible dates (``30/02/2019``, month 13) are refused with the reason.

A refusal is :class:`~graph.errors.InvalidRecord`: a reader decides whether the record can stand
without the field (see the ``<field>_raw`` convention in :mod:`graph.model`).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

from graph.errors import InvalidRecord

__all__ = ["PartialDate", "parse_date", "clean_partial_date", "first_day", "last_day", "PRECISIONS"]

PRECISIONS = ("year", "month", "day")
_MONTHS = {name: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_MON = r"([A-Za-z]{3,9})\.?"
_SEP = r"[/.\-]"
# (pattern, the order of its groups, the form's name); tried in order, first full match wins.
_FORMS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rf"^{pattern}$"), order, name) for pattern, order, name in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd", "YYYY-MM-DD"),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd", "YYYY/MM/DD"),
        (r"(\d{4})-(\d{1,2})", "ym", "YYYY-MM"),
        (r"(\d{4})", "y", "YYYY"),
        (rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}})", "dmy", "DD/MM/YYYY"),
        (rf"(\d{{1,2}}){_SEP}(\d{{4}})", "my", "MM/YYYY"),
        (rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]+{_MON}[\s\-/.,]+(\d{{4}})", "dMy", "DD-Mon-YYYY"),
        (rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]+{_MON}[\s\-/.,]+(\d{{2}})", "dMyy", "DD-Mon-YY"),
        (rf"{_MON}[\s\-/.]+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", "Mdy", "Mon DD, YYYY"),
        (rf"{_MON}[\s\-/.,]+(\d{{4}})", "My", "Mon YYYY"),
        (rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{2}})", "dmyy", "DD/MM/YY"),
    ))
_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
# A time after any other form of a day ("23/03/2006 00:00", as spreadsheet re-saves write them).
_TRAILING_TIME = re.compile(r"^(.*\S)[\sT]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_COMPACT = re.compile(r"^\d{8}$")
_YEAR_FIRST_SHORT = re.compile(r"^(\d{2})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class PartialDate:
    """A date at the precision its source gave, and the form it was read from.

    >>> d = parse_date("23-Mar-06", pivot=26)
    >>> d.text, d.precision, d.form
    ('2006-03-23', 'day', 'DD-Mon-YY (pivot 26: 06 -> 2006)')
    """

    text: str  # ISO at its precision: YYYY, YYYY-MM or YYYY-MM-DD
    precision: str  # "year" | "month" | "day"
    form: str

    @property
    def is_full(self) -> bool:
        return self.precision == "day"

    def as_date(self) -> date:
        """The day, for a full date only (a partial date has no day to give)."""
        if not self.is_full:
            raise InvalidRecord(f"{self.text} is a {self.precision}, not a day")
        return date.fromisoformat(self.text)


def _default_pivot() -> int:
    return date.today().year % 100


def _year(two: int, pivot: int) -> int:
    return 2000 + two if two <= pivot else 1900 + two


def _month(name: str, text: str) -> int:
    month = _MONTHS.get(name.lower())
    if month is None:
        raise InvalidRecord(f"not a date (unknown month {name!r}): {text!r}")
    return month


def _build(text: str, form: str, y: int, m: int | None = None, d: int | None = None) -> PartialDate:
    if not 1000 <= y <= 2999:
        raise InvalidRecord(f"not a date (year {y} out of range): {text!r}")
    if m is None:
        return PartialDate(f"{y:04d}", "year", form)
    if not 1 <= m <= 12:
        raise InvalidRecord(f"impossible date {text!r}: month {m}")
    if d is None:
        return PartialDate(f"{y:04d}-{m:02d}", "month", form)
    try:
        return PartialDate(date(y, m, d).isoformat(), "day", form)
    except ValueError as exc:
        raise InvalidRecord(f"impossible date {text!r}: {exc}") from None


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1800 <= y <= 2200


def _compact(text: str) -> PartialDate:
    """``YYYYMMDD`` or ``DDMMYYYY``: taken when exactly one reading is a valid date."""
    ymd = (int(text[:4]), int(text[4:6]), int(text[6:]))
    dmy = (int(text[4:]), int(text[2:4]), int(text[:2]))
    first, second = _valid(*ymd), _valid(*dmy)
    if first and second:
        raise InvalidRecord(f"ambiguous date {text!r}: {date(*ymd).isoformat()} (YYYYMMDD) or "
                            f"{date(*dmy).isoformat()} (DDMMYYYY)")
    if first:
        return _build(text, "YYYYMMDD", *ymd)
    if second:
        return _build(text, "DDMMYYYY", *dmy)
    raise InvalidRecord(f"impossible date {text!r} (neither YYYYMMDD nor DDMMYYYY)")


@functools.lru_cache(maxsize=1 << 16)
def _parse(text: str, pivot: int) -> PartialDate:
    timed = _TIME.match(text)
    if timed:
        return _parse(timed.group(1), pivot)
    trailing = _TRAILING_TIME.match(text)
    if trailing:
        day = _parse(trailing.group(1), pivot)
        if not day.is_full:
            raise InvalidRecord(f"not a date: {text!r} (a time after a {day.precision})")
        return PartialDate(day.text, "day", f"{day.form} hh:mm")
    if _COMPACT.match(text):
        return _compact(text)
    short = _YEAR_FIRST_SHORT.match(text)
    if short:
        a, b, c = (int(g) for g in short.groups())
        day_first = _valid(_year(c, pivot), b, a)
        year_first = _valid(_year(a, pivot), b, c)
        if day_first and year_first and a != c:
            raise InvalidRecord(f"ambiguous date {text!r}: {date(_year(c, pivot), b, a).isoformat()} (DD-MM-YY) or "
                                f"{date(_year(a, pivot), b, c).isoformat()} (YY-MM-DD)")
    for pattern, order, form in _FORMS:
        match = pattern.match(text)
        if not match:
            continue
        g = match.groups()
        if order == "ymd":
            return _build(text, form, int(g[0]), int(g[1]), int(g[2]))
        if order == "ym":
            return _build(text, form, int(g[0]), int(g[1]))
        if order == "y":
            return _build(text, form, int(g[0]))
        if order in ("dmy", "dmyy"):
            d, m = int(g[0]), int(g[1])
            y = int(g[2]) if order == "dmy" else _year(int(g[2]), pivot)
            if order == "dmyy":
                form = f"{form} (pivot {pivot:02d}: {g[2]} -> {y})"
            if m > 12 and d <= 12 and _valid(y, d, m):
                raise InvalidRecord(f"not a UK date {text!r}: it reads only in US order "
                                    f"({date(y, d, m).isoformat()}), which UK sources do not use")
            return _build(text, form, y, m, d)
        if order == "my":
            return _build(text, form, int(g[1]), int(g[0]))
        if order in ("dMy", "dMyy"):
            y = int(g[2]) if order == "dMy" else _year(int(g[2]), pivot)
            if order == "dMyy":
                form = f"{form} (pivot {pivot:02d}: {g[2]} -> {y})"
            return _build(text, form, y, _month(g[1], text), int(g[0]))
        if order == "Mdy":
            return _build(text, form, int(g[2]), _month(g[0], text), int(g[1]))
        if order == "My":
            return _build(text, form, int(g[1]), _month(g[0], text))
    raise InvalidRecord(f"not a date: {text!r} (read: YYYY-MM-DD, DD/MM/YYYY, DD-Mon-YYYY, Mon DD, YYYY, "
                        f"MM/YYYY, Mon YYYY, YYYY)")


def parse_date(value: object, *, pivot: int | None = None) -> PartialDate | None:
    """Read a date in any form UK sources write, at the precision given; blank is None.

    Parameters
    ----------
    value : object
        The cell as read (text, or a :class:`datetime.date`).
    pivot : int, optional
        Two-digit years up to ``pivot`` are 20yy, above it 19yy. Default: this year's last two
        digits.

    Returns
    -------
    PartialDate or None

    Raises
    ------
    InvalidRecord
        When the text is not a date, is impossible, reads only in US order, or is ambiguous (the
        message gives both readings).

    Examples
    --------
    >>> parse_date("Mar 23, 2006").text, parse_date("2006").precision, parse_date("03/2006").text
    ('2006-03-23', 'year', '2006-03')
    >>> parse_date("23/03/06", pivot=30).text
    '2006-03-23'
    """
    if value is None:
        return None
    if isinstance(value, date):
        return PartialDate(value.isoformat()[:10], "day", "date")
    text = " ".join(str(value).split())
    if not text:
        return None
    return _parse(text, _default_pivot() if pivot is None else pivot)


def clean_partial_date(value: object, *, pivot: int | None = None) -> str | None:
    """:func:`parse_date`'s ISO text at its precision (``"2006"``, ``"2006-03"``, ``"2006-03-23"``).

    >>> clean_partial_date("23.03.2006"), clean_partial_date("March 2006"), clean_partial_date("")
    ('2006-03-23', '2006-03', None)
    """
    parsed = parse_date(value, pivot=pivot)
    return parsed.text if parsed else None


@functools.lru_cache(maxsize=1 << 14)
def first_day(text: str) -> str:
    """The earliest day a stored date (ISO at its precision) may mean, for comparing with days.

    A partial date is never padded when stored; only a comparison asks what it could cover.

    >>> first_day("2006"), first_day("2006-02"), first_day("2006-02-14")
    ('2006-01-01', '2006-02-01', '2006-02-14')
    """
    return text + ("-01-01" if len(text) == 4 else "-01" if len(text) == 7 else "")


@functools.lru_cache(maxsize=1 << 14)
def last_day(text: str) -> str:
    """The latest day a stored date (ISO at its precision) may mean.

    >>> last_day("2006"), last_day("2004-02"), last_day("2006-02-14")
    ('2006-12-31', '2004-02-29', '2006-02-14')
    """
    if len(text) == 4:
        return f"{text}-12-31"
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return f"{text}-{calendar.monthrange(year, month)[1]:02d}"
    return text
