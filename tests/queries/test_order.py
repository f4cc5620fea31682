"""Table tests for queries.order: s.12 interest, s.11 time to pay, s.22 headroom."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import InvalidRecord, RuleNotApplicable
from queries.order import interest, order_figures, payments_from
from queries.valuation import pennies

JAN20, JUL20, JAN21, JAN22 = date(2020, 1, 1), date(2020, 7, 1), date(2021, 1, 1), date(2022, 1, 1)


@pytest.mark.parametrize(
    ("amount", "due", "until", "payments", "rate", "expected"),
    [
        # LAW.md: £100,000 unpaid 1 Jan 2020 -> 1 Jan 2022, 731 days, days/365 across 2020
        (100000, JAN20, JAN22, [], None, "16021.92"),
        (100000, "2020-01-01", "01/01/2022", [], 0.08, "16021.92"),
        # part-payment before the due date reduces what falls due: 60,000 x 8% x 731/365
        (100000, JAN20, JAN22, [(date(2019, 12, 1), 40000)], None, "9613.15"),
        # a payment on the due date does the same
        (100000, JAN20, JAN22, [{"date": "2020-01-01", "amount": 40000}], None, "9613.15"),
        # part-payment after due: 100k x 366 days + 50k x 365 days
        (100000, JAN20, JAN22, [(JAN21, 50000)], None, "12021.92"),
        # two part-payments after due, given out of order: 100k x 182 + 75k x 184 + 50k x 365 days
        (100000, JAN20, JAN22, [(JAN21, 25000), (JUL20, 25000)], None, "11013.70"),
        # two payments on one day
        (100000, JAN20, JAN22, [(JAN21, 25000), (JAN21, 25000)], None, "12021.92"),
        # paid in full after 182 days; nothing runs after
        (100000, JAN20, JAN22, [(JUL20, 100000)], None, "3989.04"),
        # overpaid: interest does not go negative
        (100000, JAN20, JAN22, [(JUL20, 110000)], None, "3989.04"),
        # a payment after the valuation date is not counted
        (100000, JAN20, JAN21, [(JAN22, 100000)], None, "8021.92"),
        # valuation on or before the due date: no interest yet
        (100000, JAN20, JAN20, [], None, "0.00"),
        (100000, JAN20, date(2019, 6, 1), [], None, "0.00"),
        # another rate
        (100000, JAN20, JAN21, [], Decimal("0.05"), "5013.70"),
        (100000, JAN20, JAN21, [], 0, "0.00"),
        # one day
        (365000, JAN20, date(2020, 1, 2), [], None, "80.00"),
    ],
)
def test_interest(amount: object, due: object, until: object, payments: list[object],
                  rate: object, expected: str) -> None:
    result = interest(amount, due, until, payments, rate)  # type: ignore[arg-type]
    assert pennies(result) == Decimal(expected)


def test_interest_is_not_rounded_inside() -> None:
    result = interest(100000, JAN20, JAN22)
    assert result == Decimal(100000) * Decimal("0.08") * 731 / 365
    assert result != pennies(result)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((None, JAN20, JAN22), InvalidRecord),
        ((100000, None, JAN22), InvalidRecord),
        ((100000, JAN20, JAN22, [(JAN21, None)]), InvalidRecord),
        ((100000, JAN20, JAN22, [("13/13/2020", 5)]), InvalidRecord),
        ((100000, JAN20, JAN22, (), -0.01), InvalidRecord),
        ((100000, JAN20, JAN22, (), "eight"), Exception),
    ],
)
def test_interest_errors(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        interest(*args)  # type: ignore[arg-type]


def test_payments_from_sorts_and_reads_text() -> None:
    assert payments_from([{"date": "01/02/2021", "amount": "£1,000"}, (JAN21, 5)]) == [
        (JAN21, Decimal(5)), (date(2021, 2, 1), Decimal(1000))]


# --- order_figures ------------------------------------------------------------------------------

FORMATS_ORDER = {"date": "2020-11-20", "due": "2021-02-20", "benefit": 750000, "amount": 120000,
                 "payments": [{"date": "2021-02-01", "amount": 20000}]}


@pytest.mark.parametrize(
    ("order", "valued", "paid", "outstanding", "accrued", "total", "headroom"),
    [
        # FORMATS.md example as at its valuation date: the payment is later, not counted
        (FORMATS_ORDER, "2021-01-15", "0", "120000", "0.00", "120000.00", "630000"),
        # a year after due: 100,000 x 8% x 365/365
        (FORMATS_ORDER, "2022-02-20", "20000", "100000", "8000.00", "108000.00", "630000"),
        # LAW.md interest example inside an order; due defaults to the order date
        ({"date": "2020-01-01", "amount": 100000, "benefit": 100000}, "2022-01-01",
         "0", "100000", "16021.92", "116021.92", "0"),
        # paid in full late: the interest is still owed
        ({"date": "2020-01-01", "amount": 100000, "payments": [{"date": "2020-07-01",
                                                               "amount": 100000}]},
         "2022-01-01", "100000", "0", "3989.04", "3989.04", None),
        # overpaid: the excess goes to the interest, nothing left
        ({"date": "2020-01-01", "amount": 100000, "payments": [{"date": "2020-07-01",
                                                               "amount": 110000}]},
         "2022-01-01", "110000", "0", "3989.04", "0.00", None),
        # paid in full before due: nothing at all
        ({"date": "2020-01-01", "due": "2020-03-01", "amount": "£50,000", "benefit": "£80,000",
          "payments": [{"date": "2020-02-01", "amount": "50000"}]},
         "2022-01-01", "50000", "0", "0.00", "0.00", "30000"),
    ],
)
def test_order_figures(order: dict[str, object], valued: str, paid: str, outstanding: str,
                       accrued: str, total: str, headroom: str | None) -> None:
    f = order_figures(order, valued)
    assert f.paid == Decimal(paid)
    assert f.outstanding == Decimal(outstanding)
    assert pennies(f.interest) == Decimal(accrued)
    assert pennies(f.outstanding_with_interest) == Decimal(total)
    assert f.headroom == (None if headroom is None else Decimal(headroom))
    assert f.rate == Decimal("0.08")


def test_order_figures_counts_and_flags_later_payments() -> None:
    f = order_figures(FORMATS_ORDER, date(2021, 1, 15))
    assert f.due == date(2021, 2, 20) and f.order_date == date(2020, 11, 20)
    assert any("after the valuation date" in w for w in f.warnings)


@pytest.mark.parametrize(
    ("made", "due", "flagged"),
    [
        ("2020-11-20", "2021-05-20", False),  # exactly six months
        ("2020-11-20", "2021-05-21", True),  # one day over
        ("2020-08-31", "2021-02-28", False),  # 31 Aug + 6 months clamps to 28 Feb
        ("2020-08-31", "2021-03-01", True),
        ("2019-08-31", "2020-02-29", False),  # leap year
        ("2020-11-20", "2020-11-20", False),  # due on the day of the order
        ("2020-11-20", "", False),  # default: the order date
        ("2020-11-20", "2020-11-19", True),  # before the order
    ],
)
def test_s11_time_to_pay_is_flagged_not_raised(made: str, due: str, flagged: bool) -> None:
    f = order_figures({"date": made, "due": due, "amount": 1000}, "2023-01-01")
    assert any(w.startswith("s.11") for w in f.warnings) is flagged
    assert f.due == (date.fromisoformat(due) if due else date.fromisoformat(made))


def test_headroom_negative_is_flagged() -> None:
    f = order_figures({"date": "2020-01-01", "amount": 1000, "benefit": 900}, "2020-01-01")
    assert f.headroom == Decimal(-100)
    assert any(w.startswith("s.22") for w in f.warnings)


def test_order_figures_rate_argument() -> None:
    f = order_figures({"date": "2020-01-01", "amount": 100000}, "2021-01-01", rate=0.05)
    assert pennies(f.interest) == Decimal("5013.70") and f.rate == Decimal("0.05")


@pytest.mark.parametrize(
    ("order", "error"),
    [({}, RuleNotApplicable), ({"date": "2020-01-01"}, InvalidRecord),
     ({"amount": 100}, InvalidRecord), ({"date": "2020-01-01", "amount": "lots"}, InvalidRecord)],
)
def test_order_figures_errors(order: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        order_figures(order, "2022-01-01")


@given(
    st.integers(min_value=0, max_value=3000),
    st.integers(min_value=0, max_value=3000),
    st.lists(st.tuples(st.integers(min_value=-100, max_value=3000),
                       st.integers(min_value=0, max_value=200000)), max_size=5),
)
def test_interest_is_monotone_in_time(a: int, b: int, raw: list[tuple[int, int]]) -> None:
    payments = [(JAN20 + timedelta(days=d), amount) for d, amount in raw]
    early, late = sorted((JAN20 + timedelta(days=a), JAN20 + timedelta(days=b)))
    first = interest(100000, JAN20, early, payments)
    second = interest(100000, JAN20, late, payments)
    assert Decimal(0) <= first <= second
    assert second <= interest(100000, JAN20, late)  # payments never raise interest


@pytest.mark.parametrize(
    ("payments", "allocation", "expected_interest", "expected_outstanding", "expected_due"),
    [
        # LAW.md "Interest": principal first. 100k x 8% x 366/365 = 8,021.92 to the payment, then
        # 50k x 8% x 365/365 = 4,000.00 -> 12,021.92; principal left 50,000
        ([(JAN21, 50000)], "principal_first", "12021.92", "50000.00", "62021.92"),
        # interest first: the payment clears 8,021.92 of interest, 41,978.08 of principal; the
        # remaining 58,021.92 runs a year at 8% -> 4,641.75; total 12,663.67
        ([(JAN21, 50000)], "interest_first", "12663.67", "58021.92", "62663.67"),
        # no payment after the due date: both rules agree
        ([(date(2019, 12, 1), 40000)], "interest_first", "9613.15", "60000.00", "69613.15"),
        ([], "interest_first", "16021.92", "100000.00", "116021.92"),
    ],
)
def test_payment_allocation_is_a_setting(payments: list, allocation: str, expected_interest: str,
                                         expected_outstanding: str, expected_due: str) -> None:
    order = {"date": "2020-01-01", "amount": 100000, "payments": [{"date": d, "amount": a} for d, a in payments]}
    f = order_figures(order, JAN22, allocation=allocation)
    assert f.allocation == allocation
    assert pennies(f.interest) == Decimal(expected_interest)
    assert pennies(f.outstanding) == Decimal(expected_outstanding)
    assert pennies(f.outstanding_with_interest) == Decimal(expected_due)
    assert pennies(interest(100000, JAN20, JAN22, payments, allocation=allocation)) == Decimal(expected_interest)


def test_an_unreadable_payment_is_skipped_and_named() -> None:
    order = {"date": "2020-01-01", "amount": 100000,
             "payments": [{"date": "2020-07-01", "amount": "£10,000"}, {"date": "not a day", "amount": 5},
                          {"date": "2020-08-01"}]}
    f = order_figures(order, JAN22)
    assert f.paid == Decimal(10000)
    assert any("payment 2" in w for w in f.warnings) and any("payment 3" in w for w in f.warnings)
    with pytest.raises(InvalidRecord):
        order_figures(order, JAN22, allocation="lender_first")
