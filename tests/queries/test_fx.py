"""queries.fx: ECB rates crossed through the euro, pegs, the user rates file, and hostile files."""

from __future__ import annotations

import socket
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidRecord
from queries import fx
from queries.fx import PEGS, STALENESS_DAYS, RateTable

ECB = "ECB reference rate, crossed through EUR"


@pytest.fixture(scope="module")
def table() -> RateTable:
    return RateTable.load()


def write(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def close(value: Decimal, expected: Fraction) -> bool:
    """Equal to 25 significant digits: the module divides once at 34 digits."""
    return abs(Fraction(value) - expected) <= abs(expected) * Fraction(1, 10**25)


# Published ECB euro reference rates, checked against values known outside the bundled file:
# 4 Jan 1999 is the first fixing (USD 1.1789, GBP 0.7111); 26 Oct 2000 the euro's low (USD 0.8252);
# 15 Jul 2008 its high (USD 1.5990); 29 Dec 2008 sterling's low (GBP 0.97855).
@pytest.mark.parametrize(
    ("day", "amount", "currency", "gbp", "rate_date"),
    [
        (date(1999, 1, 4), "11789", "USD", "7111", date(1999, 1, 4)),
        (date(1999, 1, 4), "100000", "EUR", "71110", date(1999, 1, 4)),
        (date(2000, 10, 26), "8252", "USD", "5807", date(2000, 10, 26)),
        (date(2008, 7, 15), "15990", "USD", "7955.5", date(2008, 7, 15)),
        (date(2008, 12, 29), "100000", "EUR", "97855", date(2008, 12, 29)),
        (date(2008, 12, 29), "12898", "JPY", "97.855", date(2008, 12, 29)),
        (date(2016, 6, 24), "1106.60", "USD", "807.50", date(2016, 6, 24)),  # the day after the referendum
        (date(2016, 6, 25), "1106.60", "USD", "807.50", date(2016, 6, 24)),  # Saturday
        (date(2016, 6, 26), "1106.60", "usd", "807.50", date(2016, 6, 24)),  # Sunday, any case
        (date(2019, 4, 22), "11250", "USD", "8647", date(2019, 4, 18)),  # Easter Monday: Maundy Thursday
        (date(2023, 12, 25), "11023", " USD ", "8666", date(2023, 12, 22)),  # Christmas Day
    ],
)
def test_ecb_rates_crossed_through_the_euro(table: RateTable, day: date, amount: str, currency: str, gbp: str,
                                             rate_date: date) -> None:
    conversion = table.to_gbp(Decimal(amount), currency, day)
    assert conversion is not None
    assert conversion.gbp == Decimal(gbp)
    assert conversion.rate_date == rate_date
    assert conversion.amount == Decimal(amount)
    assert conversion.currency == currency.strip().upper()
    assert close(conversion.gbp * conversion.rate, Fraction(Decimal(amount)))
    assert conversion.source == ("ECB reference rate" if conversion.currency == "EUR" else ECB)


def test_the_rate_is_units_per_pound_and_exact(table: RateTable) -> None:
    conversion = table.to_gbp(Decimal("1"), "USD", date(1999, 1, 4))
    assert conversion is not None
    assert close(conversion.rate, Fraction(Decimal("1.1789")) / Fraction(Decimal("0.7111")))
    assert close(conversion.gbp, Fraction(Decimal("0.7111")) / Fraction(Decimal("1.1789")))


@pytest.mark.parametrize(
    ("currency", "day"),
    [
        ("USD", date(1999, 1, 3)),  # before the first fixing
        ("EUR", date(1998, 12, 31)),
        ("CNY", date(2005, 3, 31)),  # the ECB began the renminbi on 1 Apr 2005
        ("RUB", date(2022, 3, 9)),  # the rouble stopped on 1 Mar 2022: eight days on
        ("ISK", date(2010, 6, 1)),  # the krona was not fixed from Dec 2008
        ("XYZ", date(2020, 1, 2)),  # not a currency
        ("KWD", date(2020, 1, 2)),  # a basket peg, not in the table
        ("US", date(2020, 1, 2)),
        ("US$", date(2020, 1, 2)),
        ("", date(2020, 1, 2)),
        ("ÄÖÜ", date(2020, 1, 2)),
        (None, date(2020, 1, 2)),
        (840, date(2020, 1, 2)),
    ],
)
def test_no_rate_is_none(table: RateTable, currency: object, day: date) -> None:
    assert table.to_gbp(Decimal("100"), currency, day) is None  # type: ignore[arg-type]


def test_staleness_is_bounded(table: RateTable) -> None:
    """The rouble's last fixing (1 Mar 2022) serves seven days after it, not eight."""
    last = date(2022, 3, 1)
    kept = table.to_gbp(Decimal("117.201"), "RUB", last + timedelta(days=STALENESS_DAYS))
    assert kept is not None and kept.rate_date == last and kept.gbp == Decimal("0.8329")
    assert table.to_gbp(Decimal("1"), "RUB", last + timedelta(days=STALENESS_DAYS + 1)) is None


def test_after_the_bundled_file_the_last_rate_serves_within_the_bound(table: RateTable) -> None:
    last = max(fx._ecb().days)
    assert table.to_gbp(Decimal("1"), "USD", last + timedelta(days=STALENESS_DAYS)).rate_date == last
    assert table.to_gbp(Decimal("1"), "USD", last + timedelta(days=STALENESS_DAYS + 1)) is None


def test_gbp_needs_no_rate(table: RateTable) -> None:
    conversion = table.to_gbp(Decimal("12.34"), "gbp", date(1950, 1, 1))
    assert conversion == fx.Conversion(Decimal("12.34"), Decimal("12.34"), "GBP", Decimal(1), date(1950, 1, 1),
                                       "pound sterling, no conversion")


# (currency, amount, day, pounds per unit as a fraction of published figures, source, rate date)
USD_1999 = Fraction(Decimal("0.7111")) / Fraction(Decimal("1.1789"))
USD_2016 = Fraction(Decimal("0.8075")) / Fraction(Decimal("1.1066"))


@pytest.mark.parametrize(
    ("currency", "day", "per_unit", "source", "rate_date"),
    [
        ("AED", date(2016, 6, 26), USD_2016 / Fraction(Decimal("3.6725")), f"AED peg to USD 3.6725 + {ECB}",
         date(2016, 6, 24)),
        ("SAR", date(1999, 1, 4), USD_1999 / Fraction(Decimal("3.75")), f"SAR peg to USD 3.75 + {ECB}",
         date(1999, 1, 4)),
        ("QAR", date(2016, 6, 24), USD_2016 / Fraction(Decimal("3.64")), f"QAR peg to USD 3.64 + {ECB}",
         date(2016, 6, 24)),
        ("BHD", date(2016, 6, 24), USD_2016 / Fraction(Decimal("0.376")), f"BHD peg to USD 0.376 + {ECB}",
         date(2016, 6, 24)),
        ("OMR", date(2016, 6, 24), USD_2016 / Fraction(Decimal("0.3845")), f"OMR peg to USD 0.3845 + {ECB}",
         date(2016, 6, 24)),
        ("JOD", date(2016, 6, 24), USD_2016 / Fraction(Decimal("0.709")), f"JOD peg to USD 0.709 + {ECB}",
         date(2016, 6, 24)),
        ("KYD", date(2016, 6, 24), USD_2016 * Fraction(6, 5), f"KYD peg to USD (1 KYD = 1.20 USD) + {ECB}",
         date(2016, 6, 24)),
        ("XOF", date(2016, 6, 24), Fraction(Decimal("0.8075")) / Fraction(Decimal("655.957")),
         "XOF peg to EUR 655.957 + ECB reference rate", date(2016, 6, 24)),
        ("HRK", date(2023, 1, 2), Fraction(Decimal("0.8863")) / Fraction(Decimal("7.53450")),
         "HRK peg to EUR 7.53450 + ECB reference rate", date(2023, 1, 2)),
        ("HRK", date(2022, 12, 30), Fraction(Decimal("0.88693")) / Fraction(Decimal("7.5365")), ECB,
         date(2022, 12, 30)),  # the ECB's own last kuna fixing, before the conversion rate applied
        ("DEM", date(2000, 10, 26), Fraction(Decimal("0.5807")) / Fraction(Decimal("1.95583")),
         "DEM peg to EUR 1.95583 + ECB reference rate", date(2000, 10, 26)),
        ("GIP", date(1990, 5, 1), Fraction(1), "GIP at par with GBP", date(1990, 5, 1)),
        ("JEP", date(2020, 1, 5), Fraction(1), "JEP at par with GBP", date(2020, 1, 5)),
    ],
)
def test_pegs(table: RateTable, currency: str, day: date, per_unit: Fraction, source: str,
              rate_date: date) -> None:
    conversion = table.to_gbp(Decimal("1000"), currency, day)
    assert conversion is not None
    assert close(conversion.gbp, 1000 * per_unit)
    assert close(conversion.rate, 1 / per_unit)
    assert (conversion.source, conversion.rate_date) == (source, rate_date)


@pytest.mark.parametrize(
    ("currency", "before", "since"),
    [("XCG", date(2025, 3, 30), date(2025, 3, 31)), ("GIP", date(1971, 2, 14), date(1971, 2, 15)),
     ("AED", date(1999, 1, 3), date(1999, 1, 4))],  # AED: the peg is older than the ECB series
)
def test_no_peg_rate_before_the_peg_or_its_anchor(table: RateTable, currency: str, before: date,
                                                  since: date) -> None:
    assert table.to_gbp(Decimal("1"), currency, before) is None
    assert table.to_gbp(Decimal("1"), currency, since) is not None


def test_the_first_and_last_representable_days(table: RateTable) -> None:
    assert table.to_gbp(Decimal("1"), "USD", date.min) is None
    assert table.to_gbp(Decimal("1"), "USD", date.max) is None
    assert table.to_gbp(Decimal("1"), "GIP", date.max).gbp == 1


def test_every_peg_is_documented_and_not_published_by_the_ecb_after_it_began() -> None:
    published = {code for row in fx._ecb().days.values() for code in row}
    last = max(fx._ecb().days)
    for code, peg in PEGS.items():
        assert code == peg.currency and len(code) == 3 and peg.anchor in {"USD", "EUR", "GBP"}
        assert peg.units > 0 and peg.anchor_units > 0 and peg.note
        if code in published:  # only currencies the ECB stopped publishing (BGN, HRK and the euro's)
            assert not any(code in row for d, row in fx._ecb().days.items() if d > last - timedelta(days=30))


def test_user_file_wins_and_falls_back_by_day(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,Currency,Rate,Note\n2016-06-24,USD,1.5,bank's own rate\n2016-06-24,NGN,450,\n")
    table = RateTable.load(path)
    won = table.to_gbp(Decimal("150"), "USD", date(2016, 6, 26))  # Sunday: the user's Friday row
    assert won == fx.Conversion(Decimal("100"), Decimal("150"), "USD", Decimal("1.5"), date(2016, 6, 24),
                                "user rates file rates.csv row 2")
    assert table.to_gbp(Decimal("900"), "NGN", date(2016, 6, 24)).gbp == 2  # the ECB has no naira
    assert table.to_gbp(Decimal("1106.60"), "USD", date(2016, 6, 23)).source == ECB
    assert table.to_gbp(Decimal("1"), "NGN", date(2016, 7, 2)) is None  # eight days on
    aed = table.to_gbp(Decimal("3.6725"), "AED", date(2016, 6, 24))  # the peg crosses at the user's USD rate
    assert close(aed.gbp, Fraction(2, 3)) and aed.rate == Decimal("5.50875")
    assert aed.source == "AED peg to USD 3.6725 + user rates file rates.csv row 2"


def test_user_file_gbp_per_unit_bom_and_uk_dates(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_bytes("\ufeffdate,currency,gbp_per_unit\r\n24/06/2016,usd,0.75\r\n\r\n,,\r\n".encode())
    conversion = RateTable.load(str(path)).to_gbp(Decimal("200"), "USD", date(2016, 6, 24))
    assert conversion.gbp == Decimal("150.00") and close(conversion.rate, Fraction(4, 3))
    assert conversion.source == "user rates file bank.csv row 2"


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_no_user_file_means_defaults(empty: str | None) -> None:
    assert RateTable.load(empty).to_gbp(Decimal("1"), "USD", date(1999, 1, 4)).source == ECB


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "rates file rates.csv: the header must name date, currency and one of rate or gbp_per_unit"),
        ("date,currency\n2020-01-02,USD\n", "the header must name"),
        ("date,currency,rate,gbp_per_unit\n2020-01-02,USD,1.2,\n", "the header must name"),
        ("day,currency,rate\n2020-01-02,USD,1.2\n", "the header must name"),
        ("date,currency,rate\n2020-01-02,USD,1.2\n2020-02-30,USD,1.2\n", "rates.csv, row 3: impossible date"),
        ('"date,currency,rate\n', "rates file rates.csv, row 1: not a readable CSV"),
        ("date,currency,rate\n2020,USD,1.2\n", "row 2: a full date is needed"),
        ("date,currency,rate\n,USD,1.2\n", "row 2: date is missing"),
        ("date,currency,rate\n2020-01-02,US,1.2\n", "row 2: currency 'US' is not a three-letter ISO 4217 code"),
        ("date,currency,rate\n2020-01-02,,1.2\n", "row 2: currency '' is not"),
        ("date,currency,rate\n2020-01-02,USD,\n", "row 2: rate '' is not a positive number"),
        ("date,currency,rate\n2020-01-02,USD,0\n", "row 2: rate '0' is not a positive number"),
        ("date,currency,rate\n2020-01-02,USD,-1.2\n", "rate '-1.2' is not a positive number"),
        ("date,currency,rate\n2020-01-02,USD,1e3\n", "rate '1e3' is not a positive number"),
        ("date,currency,rate\n2020-01-02,USD,NaN\n", "rate 'NaN' is not a positive number"),
        ("date,currency,rate\n2020-01-02,USD,Infinity\n", "rate 'Infinity' is not a positive number"),
        ("date,currency,rate\n2020-01-02,USD,1_000\n", "rate '1_000' is not a positive number"),
        ("date,currency,rate\n2020-01-02,IDR,20,000\n", "row 2: 4 cells under 3 headings"),
        ("date,currency,rate\n2020-01-02,GBP,1.1\n", "row 2: a GBP rate must be 1"),
        ("date,currency,rate\n2020-01-02,USD,1.2\n2020-01-02,usd,1.3\n",
         "row 3: a second, different rate for USD on 2020-01-02 (first: user rates file rates.csv row 2)"),
        ('date,currency,rate\n2020-01-02,USD,"1.2\n', "row 2: not a readable CSV"),
    ],
)
def test_bad_rates_files_fail_loudly(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidRecord, match="^rates file rates.csv") as raised:
        RateTable.load(write(tmp_path, text))
    assert message in raised.value.reason


def test_repeated_identical_rows_and_gbp_at_one_are_fine(tmp_path: Path) -> None:
    text = "date,currency,rate\n2020-01-02,USD,1.2\n2020-01-02,USD,1.20\n2020-01-02,GBP,1\n"
    table = RateTable.load(write(tmp_path, text))
    assert table.to_gbp(Decimal("12"), "USD", date(2020, 1, 2)).gbp == 10


def test_unreadable_files_fail_loudly(tmp_path: Path) -> None:
    with pytest.raises(InvalidRecord, match="rates file missing.csv: cannot be read"):
        RateTable.load(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"date,currency,rate\n2020-01-02,USD,1.2\xa3\n")
    with pytest.raises(InvalidRecord, match="rates file latin.csv: cannot be read"):
        RateTable.load(latin)
    with pytest.raises(InvalidRecord, match="cannot be read"):
        RateTable.load(tmp_path)


@pytest.mark.parametrize("amount", [1.5, Decimal("NaN"), Decimal("Infinity"), "100", None])
def test_an_amount_that_is_not_a_decimal_is_a_record_error(table: RateTable, amount: object) -> None:
    with pytest.raises(InvalidRecord, match="not a finite Decimal"):
        table.to_gbp(amount, "USD", date(2020, 1, 2))  # type: ignore[arg-type]


def test_days_and_amount_types(table: RateTable) -> None:
    with pytest.raises(InvalidRecord, match="no day to take a rate from"):
        table.to_gbp(Decimal("1"), "USD", "2020")  # type: ignore[arg-type]
    at_noon = table.to_gbp(100, "USD", datetime(2016, 6, 24, 12, 0))
    assert at_noon.rate_date == date(2016, 6, 24) and at_noon.amount == Decimal(100)
    assert table.to_gbp(Decimal("-1106.60"), "USD", date(2016, 6, 24)).gbp == Decimal("-807.50")


def test_the_bundled_file_is_read_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fx tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fx._ecb.cache_clear()
    try:
        assert RateTable.load().to_gbp(Decimal("11789"), "USD", date(1999, 1, 4)).gbp == 7111
    finally:
        fx._ecb.cache_clear()


def test_lookups_are_cached(table: RateTable) -> None:
    table.to_gbp(Decimal("1"), "CHF", date(2013, 6, 28))
    hits = table._rate.cache_info().hits
    table.to_gbp(Decimal("2"), "CHF", date(2013, 6, 28))
    assert table._rate.cache_info().hits == hits + 1


# ---------------------------------------------------------------- hypothesis: hostile rates files

CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2020-01-02", "02/01/2020", "2020-02-30", "USD", "gbp", "1.25", "0", "-3", "1e9", "NaN",
                     "1,5", '"', "\x00", "\ufeff", "\r", "EUR", ""]),
)
HEADER = st.lists(st.sampled_from(["date", "currency", "rate", "gbp_per_unit", "DATE", " Rate ", "note", ""]),
                  min_size=0, max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=HEADER, rows=st.lists(st.lists(CELL, max_size=6), max_size=6))
def test_hostile_rates_files_load_or_raise_invalid_record(tmp_path: Path, header: list[str],
                                                          rows: list[list[str]]) -> None:
    text = "\n".join(",".join(cells) for cells in [header, *rows])
    path = write(tmp_path, text, "hostile.csv")
    try:
        table = RateTable.load(path)
    except InvalidRecord as exc:
        assert exc.reason.startswith("rates file hostile.csv")
        return
    for conversion in (table.to_gbp(Decimal("1"), code, date(2020, 1, 2)) for code in ("USD", "GBP", "EUR")):
        assert conversion is None or (conversion.gbp > 0 and conversion.rate > 0)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_load_or_raise_invalid_record(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.csv"
    path.write_bytes(data)
    try:
        RateTable.load(path)
    except InvalidRecord as exc:
        assert exc.reason.startswith("rates file bytes.csv")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.dictionaries(
    st.tuples(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.sampled_from(["USD", "AED", "NGN", "XAU", "CHF"])),
    st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1000000"), places=6),
    min_size=1, max_size=20))
def test_user_rates_round_trip_exactly(tmp_path: Path, rows: dict[tuple[date, str], Decimal]) -> None:
    lines = ["date,currency,rate", *(f"{d.isoformat()},{c},{r}" for (d, c), r in rows.items())]
    table = RateTable.load(write(tmp_path, "\n".join(lines), "round.csv"))
    for (day, code), rate in rows.items():
        conversion = table.to_gbp(rate, code, day)
        assert conversion.gbp == 1 and conversion.rate == rate and conversion.rate_date == day
        assert conversion.source.startswith("user rates file round.csv row ")
