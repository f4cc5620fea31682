"""The dates POCA 2002 Part 2 turns on: relevant days, date of conviction, offence date, gift cut-off.

Pure functions over plain values. Dates may be given as :class:`datetime.date` or as the text a
case bundle holds (ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``, see :func:`graph.types.clean_date`).

Choices made where LAW.md leaves room (each is tested in ``tests/queries/test_dates.py``):

* "After the relevant day" is **strict**. The relevant day is the *first* day of the six-year
  period, yet s.77(2) and s.10(2) speak of gifts and transfers made "after" it, so a gift made
  on the relevant day itself is not caught by s.77(2) (it may still be caught by s.77(3)).
  The same strict reading applies to s.77(5): a gift made on the earliest offence date is not
  after it.
* s.10(9) takes the ``benefit_calculated`` day of the last earlier general-conduct order made
  inside the six years, as the statute says, *even when that day falls before the six-year
  start* (the explanation then says so, so an analyst can check it). "Last" means the latest
  ``order_date``; the period includes both its first day and D.
* An earlier order without ``benefit_calculated`` falls back to its ``order_date`` (the day
  benefit is usually calculated), and the explanation says so.
* A ``lifestyle`` that is absent is read as ``"undecided"``.
* There are two relevant days. s.10(8)/(9) fixes the one for the assumptions; s.77(9) defines
  the one for tainted gifts on its own (six years ending with D) and s.10(9) does not move it,
  so an earlier order never shifts the gifts' cut-off (:func:`gift_relevant_day`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from graph.errors import InvalidRecord, RuleNotApplicable
from graph.types import clean_date

__all__ = [
    "as_date",
    "RelevantDay",
    "relevant_day",
    "gift_relevant_day",
    "conviction_date",
    "offence_date",
    "GiftCutoff",
    "gift_cutoff",
]


def as_date(value: object, field: str = "date") -> date:
    """Turn a date, datetime or date text into a :class:`datetime.date`.

    Parameters
    ----------
    value : date, datetime or str
        ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY`` text, or a date.
    field : str
        Name used in the error message.

    Returns
    -------
    datetime.date

    Raises
    ------
    InvalidRecord
        When the value is empty or not a date.

    Examples
    --------
    >>> as_date("15/03/2019")
    datetime.date(2019, 3, 15)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_date(value)
    if text is None:
        raise InvalidRecord(f"{field} is missing", column=field)
    return date.fromisoformat(text)


def _minus_years(day: date, years: int) -> date:
    """Go back whole calendar years; 29 February clamps to 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _one_or_many(value: date | str | Sequence[date | str]) -> list[date | str]:
    """A single date (or date text) as a one-item list; a sequence as a list."""
    if isinstance(value, str | date):
        return [value]
    return list(value)


@dataclass(frozen=True)
class RelevantDay:
    """The relevant day with the rule it rests on and an explanation naming the dates used."""

    day: date
    rule: str
    explanation: str
    proceedings_started: date
    six_year_start: date
    earlier_order: Mapping[str, Any] | None = None


def relevant_day(
    proceedings_started: date | str | Sequence[date | str],
    earlier_orders: Iterable[Mapping[str, Any]] = (),
) -> RelevantDay:
    """The relevant day for the s.10 assumptions and s.77(2) tainted gifts.

    D is the day proceedings were started (the earliest, where several). The six-year period
    ends with D; its first day is D less six calendar years (29 Feb clamps to 28 Feb) plus one
    day. If a confiscation order based on *general* criminal conduct was made inside that
    period (``relevant day <= order_date <= D``), the relevant day is instead the day benefit
    was calculated for the last such order (latest ``order_date``), even if that day falls
    before the six-year start. Orders on particular conduct, or outside the period, are ignored.

    Parameters
    ----------
    proceedings_started : date, str or sequence of them
        The day (or days) proceedings were started.
    earlier_orders : iterable of mapping
        Earlier orders as in case.json: ``order_date``, ``benefit_calculated``,
        ``general_conduct``.

    Returns
    -------
    RelevantDay
        ``day``, ``rule`` (``"s.10(8)"`` or ``"s.10(9)"``) and an ``explanation``.

    Raises
    ------
    RuleNotApplicable
        When no proceedings date is given.
    InvalidRecord
        When a date cannot be read, or benefit was calculated after its order was made.

    Examples
    --------
    >>> relevant_day(date(2019, 3, 15)).day
    datetime.date(2013, 3, 16)
    >>> r = relevant_day("2019-03-15", [{"order_date": "2014-05-01",
    ...     "benefit_calculated": "2014-04-20", "general_conduct": True}])
    >>> r.day, r.rule
    (datetime.date(2014, 4, 20), 's.10(9)')

    References
    ----------
    Proceeds of Crime Act 2002, s.10(8) and s.10(9).
    """
    starts = _one_or_many(proceedings_started)
    if not starts:
        raise RuleNotApplicable("s.10(8): no date on which proceedings were started")
    d = min(as_date(s, "proceedings_started") for s in starts)
    start = _minus_years(d, 6) + timedelta(days=1)
    base = (f"s.10(8): proceedings started {d.isoformat()}; the six years ending with that day "
            f"begin on {start.isoformat()}")
    inside: list[tuple[date, date, Mapping[str, Any], bool]] = []
    for order in earlier_orders:
        made = as_date(order.get("order_date"), "order_date")
        if not order.get("general_conduct") or not start <= made <= d:
            continue
        calc_raw = order.get("benefit_calculated")
        calc = made if calc_raw in (None, "") else as_date(calc_raw, "benefit_calculated")
        if calc > made:
            raise InvalidRecord(f"benefit calculated {calc.isoformat()} after the order made "
                                f"{made.isoformat()}", column="benefit_calculated")
        inside.append((made, calc, order, calc_raw in (None, "")))
    if not inside:
        return RelevantDay(start, "s.10(8)", base + ".", d, start)
    made, calc, order, defaulted = max(inside, key=lambda item: (item[0], item[1]))
    text = (f"{base}; s.10(9): a confiscation order on general criminal conduct was made on "
            f"{made.isoformat()}, inside that period, so the relevant day is the day benefit was "
            f"calculated for it, {calc.isoformat()}")
    if defaulted:
        text += " (no benefit-calculated day given: the order date is used)"
    if calc < start:
        text += " (before the six-year start, as the statute's wording gives)"
    text += (f"; the second assumption does not reach property held on or before "
             f"{calc.isoformat()}.")
    return RelevantDay(calc, "s.10(9)", text, d, start, order)


def gift_relevant_day(proceedings_started: date | str | Sequence[date | str]) -> RelevantDay:
    """The relevant day for tainted gifts: s.77(9)'s own, never moved by an earlier order.

    s.77(9) defines it as the first day of the period of six years ending with D (the earliest
    day proceedings were started). s.10(9), which moves the assumptions' relevant day to an
    earlier order's day, does not apply to it: real gifts made between that order and the
    s.10(9) day stay caught.

    Parameters
    ----------
    proceedings_started : date, str or sequence of them
        The day (or days) proceedings were started.

    Returns
    -------
    RelevantDay
        ``rule`` is ``"s.77(9)"``.

    Raises
    ------
    RuleNotApplicable
        When no proceedings date is given.
    InvalidRecord
        When a date cannot be read.

    Examples
    --------
    >>> gift_relevant_day("2019-03-15").day
    datetime.date(2013, 3, 16)
    >>> gift_relevant_day("2019-03-15").rule
    's.77(9)'

    References
    ----------
    Proceeds of Crime Act 2002, s.77(9); s.10(9) (which does not apply to it).
    """
    base = relevant_day(proceedings_started)
    text = (f"s.77(9): proceedings started {base.proceedings_started.isoformat()}; the six years ending with "
            f"that day begin on {base.day.isoformat()}, the tainted-gift relevant day. An earlier order "
            f"(s.10(9)) moves only the assumptions' day, never this one.")
    return RelevantDay(base.day, "s.77(9)", text, base.proceedings_started, base.six_year_start)


def conviction_date(convictions: Iterable[date | str]) -> date:
    """The date of conviction: the latest where convictions fell on different dates.

    Parameters
    ----------
    convictions : iterable of date or str
        Dates of conviction.

    Returns
    -------
    datetime.date

    Raises
    ------
    RuleNotApplicable
        When there is no conviction.
    InvalidRecord
        When a date cannot be read.

    Examples
    --------
    >>> conviction_date(["2020-06-01", "2020-09-14"])
    datetime.date(2020, 9, 14)

    References
    ----------
    Proceeds of Crime Act 2002, s.10(10).
    """
    dates = [as_date(c, "convictions") for c in convictions]
    if not dates:
        raise RuleNotApplicable("s.10(10): no conviction recorded")
    return max(dates)


def offence_date(offences: Iterable[Mapping[str, Any] | date | str]) -> date:
    """The date of the offence concerned: the earliest ``committed_from`` of all offences.

    An offence committed over several days counts as committed on the first of them (s.77(6)).

    Parameters
    ----------
    offences : iterable of mapping, date or str
        Offences as in case.json (``committed_from``), or their dates.

    Returns
    -------
    datetime.date

    Raises
    ------
    RuleNotApplicable
        When there is no offence.
    InvalidRecord
        When an offence has no readable ``committed_from``.

    Examples
    --------
    >>> offence_date([{"committed_from": "2017-05-01"}, {"committed_from": "2016-02-01"}])
    datetime.date(2016, 2, 1)

    References
    ----------
    Proceeds of Crime Act 2002, s.77(5) and s.77(6).
    """
    dates = []
    for n, offence in enumerate(offences, start=1):
        raw = offence.get("committed_from") if isinstance(offence, Mapping) else offence
        if raw in (None, ""):
            raise InvalidRecord(f"s.77(5): offence {n} has no committed_from date",
                                column="committed_from")
        dates.append(as_date(raw, "committed_from"))
    if not dates:
        raise RuleNotApplicable("s.77(5): no offence recorded")
    return min(dates)


class GiftCutoff(NamedTuple):
    """The day after which a gift is tainted, and the rule; unpacks as ``(day, rule)``."""

    day: date
    rule: str

    def taints(self, gift_date: date | str) -> bool:
        """True when the gift was made strictly after the cut-off day."""
        return as_date(gift_date, "gift_date") > self.day


_LIFESTYLES = ("yes", "no", "undecided")


def gift_cutoff(case: Mapping[str, Any]) -> GiftCutoff:
    """The day after which a gift by the defendant is a tainted gift, with the rule.

    With a criminal lifestyle (``"yes"``) or none decided yet (``"undecided"``, or absent) the
    cut-off is the s.77(9) relevant day (s.77(2)), which an earlier order never moves
    (:func:`gift_relevant_day`); with no criminal lifestyle (``"no"``) it is the
    earliest offence date (s.77(5)). "After" is strict: a gift made on the cut-off day itself
    is not caught (use :meth:`GiftCutoff.taints`). Gifts of property from criminal conduct are
    tainted whenever made (s.77(3)); that test needs the evidence, not a date.

    Parameters
    ----------
    case : mapping
        The parsed case.json (FORMATS.md §1): ``lifestyle``, ``proceedings_started``,
        ``offences`` (``earlier_orders`` play no part: s.77(9)).

    Returns
    -------
    GiftCutoff
        ``(day, rule)`` with rule ``"s.77(2)"`` or ``"s.77(5)"``.

    Raises
    ------
    InvalidRecord
        When ``lifestyle`` is not yes, no or undecided, or a date cannot be read.
    RuleNotApplicable
        When the date the rule needs (proceedings started, offences) is missing.

    Examples
    --------
    >>> cut = gift_cutoff({"lifestyle": "yes", "proceedings_started": "2019-03-15"})
    >>> cut
    GiftCutoff(day=datetime.date(2013, 3, 16), rule='s.77(2)')
    >>> cut.taints("2013-03-16"), cut.taints("2013-03-17")
    (False, True)

    References
    ----------
    Proceeds of Crime Act 2002, s.77(2), s.77(5), s.77(6), s.77(9).
    """
    lifestyle = str(case.get("lifestyle") or "undecided").strip().lower()
    if lifestyle not in _LIFESTYLES:
        raise InvalidRecord(f"lifestyle must be yes, no or undecided, not {lifestyle!r}",
                            column="lifestyle")
    if lifestyle == "no":
        return GiftCutoff(offence_date(case.get("offences") or ()), "s.77(5)")
    started = case.get("proceedings_started")
    if started in (None, "", []):
        raise RuleNotApplicable("s.77(2): the case has no proceedings_started date")
    return GiftCutoff(gift_relevant_day(started).day, "s.77(2)")
