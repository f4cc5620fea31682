"""Table tests for queries.dates: every LAW.md date example and the edge cases around them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import InvalidRecord, RuleNotApplicable
from queries.dates import (
    GiftCutoff,
    as_date,
    conviction_date,
    gift_cutoff,
    gift_relevant_day,
    offence_date,
    relevant_day,
)

D = date(2019, 3, 15)  # LAW.md / FORMATS.md example: six years begin 16 Mar 2013


def order(made: str, calc: str | None, general: bool = True) -> dict[str, object]:
    return {"order_date": made, "benefit_calculated": calc, "general_conduct": general}


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        (date(2019, 3, 15), date(2013, 3, 16)),  # LAW.md
        (date(2020, 2, 29), date(2014, 3, 1)),  # LAW.md: 29 Feb clamps to 28 Feb, + 1 day
        (date(2024, 2, 29), date(2018, 3, 1)),
        (date(2020, 2, 28), date(2014, 3, 1)),
        (date(2020, 3, 1), date(2014, 3, 2)),
        (date(2019, 12, 31), date(2014, 1, 1)),
        (date(2019, 1, 1), date(2013, 1, 2)),
        ("15/03/2019", date(2013, 3, 16)),  # UK text
        ("2019-03-15", date(2013, 3, 16)),
        (datetime(2019, 3, 15, 10, 30), date(2013, 3, 16)),
    ],
)
def test_relevant_day_s10_8(started: object, expected: date) -> None:
    result = relevant_day(started)  # type: ignore[arg-type]
    assert result.day == expected
    assert result.rule == "s.10(8)"
    assert result.six_year_start == expected
    assert expected.isoformat() in result.explanation


def test_several_proceedings_dates_take_the_earliest() -> None:
    result = relevant_day([date(2019, 6, 1), D, "2020-01-01"])
    assert result.proceedings_started == D
    assert result.day == date(2013, 3, 16)


@pytest.mark.parametrize(
    ("orders", "expected", "rule"),
    [
        # FORMATS.md example: general conduct, made inside the six years -> its calculated day
        ([order("2014-05-01", "2014-04-20")], date(2014, 4, 20), "s.10(9)"),
        # particular conduct only -> no override
        ([order("2014-05-01", "2014-04-20", general=False)], date(2013, 3, 16), "s.10(8)"),
        # made before the six years -> no override
        ([order("2013-03-15", "2013-03-01")], date(2013, 3, 16), "s.10(8)"),
        # made on the relevant day itself: the first day of the period is inside it
        ([order("2013-03-16", "2013-03-10")], date(2013, 3, 10), "s.10(9)"),
        # made on D itself: the period ends with D
        ([order("2019-03-15", "2019-03-15")], date(2019, 3, 15), "s.10(9)"),
        # made after D -> no override
        ([order("2019-03-16", "2019-03-16")], date(2013, 3, 16), "s.10(8)"),
        # two orders inside -> the last one made
        ([order("2016-07-01", "2016-06-01"), order("2014-05-01", "2014-04-20")],
         date(2016, 6, 1), "s.10(9)"),
        # a later particular-conduct order does not displace the general one
        ([order("2014-05-01", "2014-04-20"), order("2017-01-01", "2016-12-01", general=False)],
         date(2014, 4, 20), "s.10(9)"),
        # order made inside, benefit calculated before the six-year start: statute wording wins
        ([order("2013-04-01", "2012-11-30")], date(2012, 11, 30), "s.10(9)"),
        # no benefit_calculated: falls back to the order date
        ([order("2015-01-01", None)], date(2015, 1, 1), "s.10(9)"),
        ([{"order_date": "2015-01-01", "general_conduct": True}], date(2015, 1, 1), "s.10(9)"),
        # general_conduct absent -> not treated as general
        ([{"order_date": "2015-01-01", "benefit_calculated": "2014-12-01"}],
         date(2013, 3, 16), "s.10(8)"),
    ],
)
def test_relevant_day_s10_9(orders: list[dict[str, object]], expected: date, rule: str) -> None:
    result = relevant_day(D, orders)
    assert (result.day, result.rule) == (expected, rule)
    assert result.six_year_start == date(2013, 3, 16)
    if rule == "s.10(9)":
        assert result.earlier_order is not None
        assert "s.10(9)" in result.explanation and expected.isoformat() in result.explanation


def test_s10_9_explanation_flags_calculated_day_before_period() -> None:
    result = relevant_day(D, [order("2013-04-01", "2012-11-30")])
    assert "before the six-year start" in result.explanation


def test_s10_9_defaulted_calculated_day_is_said() -> None:
    assert "order date is used" in relevant_day(D, [order("2015-01-01", "")]).explanation


def test_benefit_calculated_after_order_is_invalid() -> None:
    with pytest.raises(InvalidRecord):
        relevant_day(D, [order("2015-01-01", "2015-02-01")])


@pytest.mark.parametrize("started", [[], ()])
def test_relevant_day_needs_proceedings(started: object) -> None:
    with pytest.raises(RuleNotApplicable):
        relevant_day(started)  # type: ignore[arg-type]


def test_relevant_day_bad_date() -> None:
    with pytest.raises(InvalidRecord):
        relevant_day("03/15/2019")  # US order is never accepted


@pytest.mark.parametrize(
    ("convictions", "expected"),
    [
        (["2020-06-01"], date(2020, 6, 1)),
        (["2020-06-01", "2021-01-10", "2020-09-14"], date(2021, 1, 10)),
        ([date(2020, 6, 1), "14/09/2020"], date(2020, 9, 14)),
        (["2020-06-01", "2020-06-01"], date(2020, 6, 1)),
    ],
)
def test_conviction_date_latest(convictions: list[object], expected: date) -> None:
    assert conviction_date(convictions) == expected  # type: ignore[arg-type]


def test_conviction_date_empty() -> None:
    with pytest.raises(RuleNotApplicable, match=r"s\.10\(10\)"):
        conviction_date([])


@pytest.mark.parametrize(
    ("offences", "expected"),
    [
        ([{"committed_from": "2016-02-01", "committed_to": "2019-01-31"}], date(2016, 2, 1)),
        ([{"committed_from": "2017-05-01"}, {"committed_from": "2016-02-01"},
          {"committed_from": "2018-01-01"}], date(2016, 2, 1)),
        ([date(2017, 1, 1), "2016-12-31"], date(2016, 12, 31)),
        ([{"committed_from": "29/02/2016"}], date(2016, 2, 29)),
    ],
)
def test_offence_date_earliest(offences: list[object], expected: date) -> None:
    assert offence_date(offences) == expected  # type: ignore[arg-type]


def test_offence_date_errors() -> None:
    with pytest.raises(RuleNotApplicable):
        offence_date([])
    with pytest.raises(InvalidRecord, match="offence 2"):
        offence_date([{"committed_from": "2016-01-01"}, {"description": "no date"}])


CASE = {
    "offences": [{"committed_from": "2016-02-01"}, {"committed_from": "2017-06-01"}],
    "proceedings_started": "2019-03-15",
    "earlier_orders": [],
}


@pytest.mark.parametrize(
    ("lifestyle", "extra", "expected"),
    [
        ("yes", {}, GiftCutoff(date(2013, 3, 16), "s.77(2)")),
        ("undecided", {}, GiftCutoff(date(2013, 3, 16), "s.77(2)")),
        (None, {}, GiftCutoff(date(2013, 3, 16), "s.77(2)")),  # absent -> undecided
        ("YES", {}, GiftCutoff(date(2013, 3, 16), "s.77(2)")),
        ("no", {}, GiftCutoff(date(2016, 2, 1), "s.77(5)")),
        # s.77(9): an earlier general-conduct order moves the assumptions' day, never the gifts'
        ("yes", {"earlier_orders": [order("2014-05-01", "2014-04-20")]},
         GiftCutoff(date(2013, 3, 16), "s.77(2)")),
        ("yes", {"proceedings_started": "2020-02-29"}, GiftCutoff(date(2014, 3, 1), "s.77(2)")),
    ],
)
def test_gift_cutoff(lifestyle: str | None, extra: dict[str, object], expected: GiftCutoff) -> None:
    case = {**CASE, **extra}
    if lifestyle is not None:
        case["lifestyle"] = lifestyle
    result = gift_cutoff(case)
    assert result == expected
    day, rule = result  # unpacks as (date, rule)
    assert (day, rule) == tuple(expected)


@pytest.mark.parametrize(
    ("lifestyle", "gift", "tainted"),
    [
        ("yes", "2013-03-15", False),  # before the six years
        ("yes", "2013-03-16", False),  # ON the relevant day: not "after" it (strict)
        ("yes", "2013-03-17", True),
        ("yes", "2019-03-15", True),
        ("no", "2016-02-01", False),  # ON the offence date: not "after" it
        ("no", "2016-02-02", True),
        ("no", "2015-12-31", False),
    ],
)
def test_gift_cutoff_boundary_is_strict(lifestyle: str, gift: str, tainted: bool) -> None:
    assert gift_cutoff({**CASE, "lifestyle": lifestyle}).taints(gift) is tainted


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ({**CASE, "lifestyle": "maybe"}, InvalidRecord),
        ({"lifestyle": "yes", "offences": CASE["offences"]}, RuleNotApplicable),
        ({"lifestyle": "no", "proceedings_started": "2019-03-15"}, RuleNotApplicable),
    ],
)
def test_gift_cutoff_errors(case: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        gift_cutoff(case)


def test_as_date_missing() -> None:
    with pytest.raises(InvalidRecord, match="order_date is missing"):
        as_date(None, "order_date")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_relevant_day_is_six_years_back_plus_one(d: date) -> None:
    day = relevant_day(d).day
    assert day < d
    # six calendar years hold 0 (around 1900), 1 or 2 leap days; less the one day added
    assert 2189 <= (d - day).days <= 2191
    back = day - timedelta(days=1)  # six years before D, clamped
    assert back.replace(year=back.year + 6) == (d if (d.month, d.day) != (2, 29) else d - timedelta(1))


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=0, max_value=6 * 365),
    st.integers(min_value=0, max_value=400),
)
def test_s10_9_never_later_than_the_order(d: date, back: int, lag: int) -> None:
    made = d - timedelta(days=back)
    calc = made - timedelta(days=lag)
    result = relevant_day(d, [{"order_date": made, "benefit_calculated": calc,
                               "general_conduct": True}])
    if made >= result.six_year_start:
        assert result.day == calc and result.rule == "s.10(9)"
    else:
        assert result.day == result.six_year_start and result.rule == "s.10(8)"


@pytest.mark.parametrize(
    ("started", "orders", "assumptions_day", "assumptions_rule", "gifts_day"),
    [
        # LAW.md: D = 15 Mar 2019 -> 16 Mar 2013 for both when there is no earlier order
        ("2019-03-15", [], date(2013, 3, 16), "s.10(8)", date(2013, 3, 16)),
        # an earlier general-conduct order inside the six years moves only the assumptions' day
        ("2019-03-15", [order("2016-05-01", "2016-04-20")], date(2016, 4, 20), "s.10(9)", date(2013, 3, 16)),
        # LAW.md: D = 29 Feb 2020 -> 1 Mar 2014
        ("2020-02-29", [order("2018-01-10", "2017-12-01")], date(2017, 12, 1), "s.10(9)", date(2014, 3, 1)),
        # an order on particular conduct moves neither
        ("2019-03-15", [order("2016-05-01", "2016-04-20", general=False)], date(2013, 3, 16), "s.10(8)",
         date(2013, 3, 16)),
    ],
)
def test_two_relevant_days_s10_and_s77_9(started: str, orders: list, assumptions_day: date,
                                         assumptions_rule: str, gifts_day: date) -> None:
    assumptions = relevant_day(started, orders)
    gifts = gift_relevant_day(started)
    assert (assumptions.day, assumptions.rule) == (assumptions_day, assumptions_rule)
    assert (gifts.day, gifts.rule) == (gifts_day, "s.77(9)")
    assert "s.10(9)" in gifts.explanation and gifts_day.isoformat() in gifts.explanation
    assert gift_cutoff({"lifestyle": "yes", "proceedings_started": started, "earlier_orders": orders}).day == gifts_day
