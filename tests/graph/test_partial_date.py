"""The one date parser: every form UK sources write, partial dates kept partial, refusals explained."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import InvalidRecord
from graph.partial_date import clean_partial_date, parse_date
from graph.types import clean_date

READS = [
    # text, ISO at its precision, precision
    ("2006-03-23", "2006-03-23", "day"),
    ("2006-3-5", "2006-03-05", "day"),
    ("2006/03/23", "2006-03-23", "day"),
    ("2006-03-23T10:15:00Z", "2006-03-23", "day"),
    ("2006-03-23 10:15", "2006-03-23", "day"),
    ("23-03-2006 00:00", "2006-03-23", "day"),  # a spreadsheet re-save of Price Paid
    ("23/03/2006 14:05:09", "2006-03-23", "day"),
    ("23/03/2006", "2006-03-23", "day"),
    ("23.03.2006", "2006-03-23", "day"),
    ("23-03-2006", "2006-03-23", "day"),
    ("5/3/2006", "2006-03-05", "day"),
    ("23-Mar-2006", "2006-03-23", "day"),
    ("23-MAR-2006", "2006-03-23", "day"),
    ("23 March 2006", "2006-03-23", "day"),
    ("23rd March 2006", "2006-03-23", "day"),
    ("1st Sept 2006", "2006-09-01", "day"),
    ("Mar 23, 2006", "2006-03-23", "day"),
    ("March 23 2006", "2006-03-23", "day"),
    ("20060323", "2006-03-23", "day"),
    ("23032006", "2006-03-23", "day"),  # compact dates: only one reading is ever a plausible day
    ("2006-03", "2006-03", "month"),
    ("03/2006", "2006-03", "month"),
    ("Mar-2006", "2006-03", "month"),
    ("March 2006", "2006-03", "month"),
    ("2006", "2006", "year"),
    ("  2006 ", "2006", "year"),
]


@pytest.mark.parametrize(("text", "iso", "precision"), READS)
def test_reads_every_uk_form_at_its_precision(text: str, iso: str, precision: str) -> None:
    parsed = parse_date(text, pivot=26)
    assert parsed is not None
    assert (parsed.text, parsed.precision) == (iso, precision)


def test_year_only_is_never_padded() -> None:
    assert clean_partial_date("1984") == "1984"
    assert clean_partial_date("1984-03") == "1984-03"
    with pytest.raises(InvalidRecord, match="year only"):
        clean_date("1984")  # a field that needs a day says so


@pytest.mark.parametrize(("text", "pivot", "iso"), [
    ("23-Mar-06", 26, "2006-03-23"),
    ("23-Mar-99", 26, "1999-03-23"),
    ("23/03/26", 26, "2026-03-23"),
    ("23/03/27", 26, "1927-03-23"),
    ("23/03/27", 30, "2027-03-23"),
])
def test_two_digit_years_use_the_stated_pivot_and_say_so(text: str, pivot: int, iso: str) -> None:
    parsed = parse_date(text, pivot=pivot)
    assert parsed is not None and parsed.text == iso
    assert f"pivot {pivot:02d}" in parsed.form


def test_ambiguous_year_first_short_date_gives_both_readings() -> None:
    with pytest.raises(InvalidRecord) as err:
        parse_date("10-11-12", pivot=26)
    assert "2012-11-10" in err.value.reason and "2010-11-12" in err.value.reason


@pytest.mark.parametrize(("text", "needle"), [
    ("03/23/2006", "US order (2006-03-23)"),  # refused, never swapped
    ("30/02/2019", "impossible"),
    ("2019-13-01", "month 13"),
    ("12345", "not a date"),
    ("23 Smarch 2006", "unknown month"),
    ("10-11-12", "ambiguous"),  # DD-MM-YY or YY-MM-DD
])
def test_refusals_say_why(text: str, needle: str) -> None:
    with pytest.raises(InvalidRecord, match=needle.split(" (")[0]):
        parse_date(text, pivot=26)


_days = st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31))
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")


@given(_days, st.sampled_from(["{d:%Y-%m-%d}", "{d.day}/{d.month}/{d:%Y}", "{d:%d.%m.%Y}", "{d.day} {m} {d:%Y}",
                                "{m3} {d.day}, {d:%Y}", "{d.day}-{m3}-{d:%Y}"]))
def test_any_day_written_any_uk_way_reads_back(day: date, form: str) -> None:
    text = form.format(d=day, m=_MONTH_NAMES[day.month - 1], m3=_MONTH_NAMES[day.month - 1][:3])
    parsed = parse_date(text)
    assert parsed is not None and parsed.text == day.isoformat() and parsed.is_full


@given(st.text(max_size=40))
def test_hostile_text_is_a_date_or_a_reason_never_a_crash(text: str) -> None:
    try:
        parsed = parse_date(text)
    except InvalidRecord as exc:
        assert exc.reason
        return
    if parsed is not None:
        assert parsed.precision in ("year", "month", "day")
        assert len(parsed.text) == {"year": 4, "month": 7, "day": 10}[parsed.precision]
        if parsed.is_full:
            date.fromisoformat(parsed.text)


def test_a_partial_date_in_a_window_counts_as_every_day_it_may_mean() -> None:
    from graph.model import Provenance, Relation

    def link(start: str | None, end: str | None) -> Relation:
        props = {k: v for k, v in (("start_date", start), ("end_date", end)) if v}
        return Relation("d/r", "OWNS", "d/a", "d/b", props, (Provenance("d"),))

    assert link(None, "2006").in_window("2006-05-01", None)  # ended some day in 2006
    assert not link(None, "2005").in_window("2006-05-01", None)
    assert link("2006-05", None).in_window(None, "2006-05-01")
    assert not link("2006-06", None).in_window(None, "2006-05-31")
