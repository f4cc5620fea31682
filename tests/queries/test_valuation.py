"""Table tests for queries.valuation: s.78 undervalues, s.81 gift values, the price indices."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import InvalidRecord, RuleNotApplicable
from queries.valuation import (
    PriceIndex,
    as_money,
    consideration_ratio,
    pennies,
    tainted_gift_value,
    undervalue,
)

DATA = Path(__file__).resolve().parents[2] / "queries" / "data"


def small_index(values: dict[str, str]) -> PriceIndex:
    return PriceIndex("test", {(int(k[:4]), int(k[5:])): Decimal(v) for k, v in values.items()})


EXAMPLE = small_index({"2015-01": "250", "2015-02": "260", "2024-01": "300"})


# --- the shipped indices ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "month", "value"),
    [("rpi", "1987-01", "100.0"), ("rpi", "2000-01", "166.6"), ("rpi", "2010-01", "217.9"),
     ("cpi", "2015-01", "99.3")],  # the ONS anchors in SOURCES.md
)
def test_shipped_index_anchors(name: str, month: str, value: str) -> None:
    index = PriceIndex.load(name)
    assert index.values[(int(month[:4]), int(month[5:]))] == Decimal(value)


def test_default_index_is_rpi() -> None:
    assert PriceIndex.load().name == "rpi"
    assert PriceIndex.load("RPI").first_month == "1987-01"
    assert PriceIndex.load("cpi").first_month == "1988-01"
    assert (DATA / "SOURCES.md").read_text(encoding="utf-8").count("Open Government Licence") >= 1


def test_user_csv(tmp_path: Path) -> None:
    path = tmp_path / "my_index.csv"
    path.write_text("month,index\n2020-01,100\n2020-02,110\n", encoding="utf-8")
    index = PriceIndex.load(path)
    assert index.factor("2020-01-31", "2020-02-01").factor == Decimal("1.1")
    assert index.name == "my_index.csv"
    assert PriceIndex.load(str(path)).last_month == "2020-02"


@pytest.mark.parametrize(
    ("text", "message"),
    [("month,index\n2020-01,100\n2020-03,110\n", "months missing"),
     ("month,index\n2020-13,100\n", "bad row 2"),
     ("month,index\n2020-01,abc\n", "bad row 2"),
     ("month,index\n2020-01,0\n", "bad row 2"),
     ("month,index\n", "no rows")],
)
def test_user_csv_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidRecord, match=message):
        PriceIndex.load(path)


def test_missing_index() -> None:
    with pytest.raises(InvalidRecord, match="no such index"):
        PriceIndex.load("no-such-index")


def test_copy_of_shipped_csv_loads(tmp_path: Path) -> None:
    path = tmp_path / "copy.csv"
    shutil.copy(DATA / "uk_rpi_monthly.csv", path)
    assert PriceIndex.load(path).values == PriceIndex.load("rpi").values


@pytest.mark.parametrize(
    ("gift", "valued", "factor", "capped"),
    [
        (date(2015, 1, 1), date(2024, 1, 31), Decimal("1.2"), False),  # LAW.md 250 -> 300
        (date(2015, 1, 31), date(2015, 2, 1), Decimal("1.04"), False),
        (date(2015, 1, 10), date(2015, 1, 20), Decimal(1), False),  # same month
        (date(2015, 1, 10), date(2030, 6, 1), Decimal("1.2"), True),  # beyond series: 2024-01
        (date(2025, 1, 10), date(2030, 6, 1), Decimal(1), True),  # both beyond the series
    ],
)
def test_factor(gift: date, valued: date, factor: Decimal, capped: bool) -> None:
    result = EXAMPLE.factor(gift, valued)
    assert result.factor == factor
    assert result.capped is capped
    assert ("2024-01 used" in result.note) is capped


def test_factor_leap_day_gift_month() -> None:
    rpi = PriceIndex.load("rpi")
    result = rpi.factor(date(2020, 2, 29), date(2021, 2, 28))
    assert (result.gift_month, result.valuation_month) == ("2020-02", "2021-02")
    assert result.factor == rpi.values[(2021, 2)] / rpi.values[(2020, 2)]


def test_factor_beyond_last_published_rpi_month() -> None:
    rpi = PriceIndex.load("rpi")
    result = rpi.factor(date(2000, 1, 1), date(2099, 1, 1))
    assert result.capped and result.valuation_month == rpi.last_month
    assert "after the last published" in result.note


def test_factor_errors() -> None:
    with pytest.raises(RuleNotApplicable, match="predates"):
        PriceIndex.load("rpi").factor(date(1986, 12, 31), date(2020, 1, 1))


def test_a_gift_after_the_valuation_date_has_factor_one_with_a_note() -> None:
    """LAW.md "Dates after the valuation date": still a finding, its value at the time is its value."""
    result = EXAMPLE.factor(date(2024, 1, 1), date(2015, 1, 1))
    assert result.factor == 1 and not result.capped
    assert "after the valuation date 2015-01-01: index factor 1" in result.note
    value = tainted_gift_value(1000, "2024-01-10", "2015-01-31", EXAMPLE)
    assert (value.value, value.limb) == (Decimal(1000), "s.81(1)(a)")


# --- s.78 undervalue ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "consideration", "share", "gift_value", "ratio"),
    [
        (300000, 100000, Fraction(2, 3), Decimal(200000), Fraction(1, 3)),  # LAW.md: the flat
        (300000, 0, Fraction(1), Decimal(300000), Fraction(0)),  # a transfer for nothing
        (300000, None, Fraction(1), Decimal(300000), Fraction(0)),  # consideration missing
        (300000, "", Fraction(1), Decimal(300000), Fraction(0)),
        ("£300,000", "£100,000.00", Fraction(2, 3), Decimal(200000), Fraction(1, 3)),
        (100000, "79999.99", Fraction("0.2000001"), Decimal("20000.01"), Fraction("0.7999999")),
        (Decimal("1000"), 0.5, Fraction("0.9995"), Decimal("999.5"), Fraction("0.0005")),
    ],
)
def test_undervalue(value: object, consideration: object, share: Fraction, gift_value: Decimal,
                    ratio: Fraction) -> None:
    result = undervalue(value, consideration)  # type: ignore[arg-type]
    assert result is not None
    assert (result.share, result.gift_value, result.ratio) == (share, gift_value, ratio)
    assert result.rule == "s.78" and result.threshold == Decimal("0.8")


@pytest.mark.parametrize(
    ("value", "consideration", "threshold"),
    [
        (300000, 300000, None),  # a sale at full value
        (300000, 350000, None),  # above value
        (100000, 80000, None),  # exactly at the threshold: not "significantly less"
        (100000, 80000, 0.8),
        (100000, 60000, 0.5),  # a lower threshold setting
    ],
)
def test_not_an_undervalue(value: int, consideration: int, threshold: float | None) -> None:
    assert undervalue(value, consideration, threshold) is None
    assert consideration_ratio(value, consideration) == Fraction(consideration, value)


def test_threshold_setting_changes_the_answer() -> None:
    assert undervalue(100000, 85000) is None
    result = undervalue(100000, 85000, threshold=Decimal("0.9"))
    assert result is not None and result.share == Fraction(3, 20)


@pytest.mark.parametrize("value", [0, None, "", "0.00"])
def test_undervalue_without_value(value: object) -> None:
    with pytest.raises(RuleNotApplicable, match="missing or zero"):
        undervalue(value, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "consideration", "threshold"),
    [(-1, 0, None), (100, "(5.00)", None), (100, "abc", None), (100, "50 USD", None),
     (100, 10, 0), (100, 10, 1.5), (100, True, None)],
)
def test_undervalue_invalid(value: object, consideration: object, threshold: float | None) -> None:
    with pytest.raises(InvalidRecord):
        undervalue(value, consideration, threshold)  # type: ignore[arg-type]


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2),
    st.decimals(min_value=Decimal(0), max_value=Decimal("2e9"), places=2),
)
def test_share_is_between_zero_and_one(value: Decimal, consideration: Decimal) -> None:
    result = undervalue(value, consideration)
    if result is None:
        assert consideration >= Decimal("0.8") * value
    else:
        assert 0 < result.share <= 1
        assert result.share + result.ratio == 1
        assert result.gift_value == value * result.share.numerator / result.share.denominator


# --- s.81 value of a tainted gift --------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "current", "share", "expected", "limb", "adjusted", "now"),
    [
        # LAW.md: £200,000 at 250 -> 300 = £240,000; 2/3 of £450,000 = £300,000 -> (b)
        (200000, 450000, Fraction(2, 3), Decimal(300000), "s.81(1)(b)", Decimal(240000),
         Decimal(300000)),
        # recipient no longer holds it -> (a) only
        (200000, None, Fraction(2, 3), Decimal(240000), "s.81(1)(a)", Decimal(240000), None),
        # property fell in value -> (a)
        (200000, 300000, Fraction(2, 3), Decimal(240000), "s.81(1)(a)", Decimal(240000),
         Decimal(200000)),
        # a tie is reported as (a)
        (200000, 360000, Fraction(2, 3), Decimal(240000), "s.81(1)(a)", Decimal(240000),
         Decimal(240000)),
        # the whole given (default share), as text amounts and a Decimal share
        ("£100,000", "150000", 1, Decimal(150000), "s.81(1)(b)", Decimal(120000), Decimal(150000)),
        (100000, 200000, Decimal("0.5"), Decimal(120000), "s.81(1)(a)", Decimal(120000),
         Decimal(100000)),
        (100000, 300000, "1/2", Decimal(150000), "s.81(1)(b)", Decimal(120000), Decimal(150000)),
    ],
)
def test_tainted_gift_value(value: object, current: object, share: object, expected: Decimal,
                            limb: str, adjusted: Decimal, now: Decimal | None) -> None:
    result = tainted_gift_value(value, "2015-01-15", "2024-01-15", EXAMPLE,  # type: ignore[arg-type]
                                current, share)  # type: ignore[arg-type]
    assert (result.value, result.limb, result.adjusted, result.current) == (
        expected, limb, adjusted, now)
    assert result.factor.factor == Decimal("1.2")


def test_undervalue_feeds_gift_value() -> None:
    gift = undervalue(300000, 100000)
    assert gift is not None
    result = tainted_gift_value(gift.gift_value, date(2015, 1, 1), date(2024, 1, 1), EXAMPLE,
                                current_value=450000, share=gift.share)
    assert pennies(result.value) == Decimal("300000.00")


def test_tainted_gift_value_defaults_to_rpi() -> None:
    result = tainted_gift_value(100000, date(1987, 1, 1), date(2000, 1, 1))
    assert result.value == Decimal("166600.0")
    assert result.limb == "s.81(1)(a)"


def test_rounding_is_for_display_only() -> None:
    third = small_index({"2015-01": "3", "2015-02": "1"})
    result = tainted_gift_value(100, "2015-02-01", "2015-02-01", third, current_value=100,
                                share=Fraction(1, 3))
    assert result.current != pennies(result.current or Decimal(0))
    assert pennies(result.current or Decimal(0)) == Decimal("33.33")


@pytest.mark.parametrize(
    ("value", "share", "error"),
    [(None, 1, RuleNotApplicable), (100, 0, InvalidRecord), (100, Fraction(3, 2), InvalidRecord),
     ("nope", 1, InvalidRecord)],
)
def test_tainted_gift_value_errors(value: object, share: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        tainted_gift_value(value, "2015-01-15", "2024-01-15", EXAMPLE, 1000,  # type: ignore[arg-type]
                           share)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("16021.917808"), Decimal("16021.92")), (Decimal("0.005"), Decimal("0.01")),
     (Decimal("2.675"), Decimal("2.68")), (Decimal(300000), Decimal("300000.00"))],
)
def test_pennies(amount: Decimal, shown: Decimal) -> None:
    assert pennies(amount) == shown
    assert str(pennies(amount)) == str(shown)


def test_as_money_float_goes_through_text() -> None:
    assert as_money(0.1) == Decimal("0.1")
    assert as_money(None) is None
