"""Table tests for the gift rules (s.77, s.78, s.81, s.81(1)(b)), built from LAW.md's worked examples:
the flat sold to his sister, the transfer for nothing, the threshold, the index example, gifts after
the valuation date, foreign currency (ECB, a dollar peg, a user rates file, no rate at all)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from graph.settings import Settings
from queries.rules.example import ExampleCase, report_of
from queries.valuation import PriceIndex

# LAW.md s.81: index 250 at the gift, 300 at valuation
INDEX = PriceIndex("example", {(2015, 1): Decimal(250), (2024, 1): Decimal(300)})
FLAT = PriceIndex("flat", {(2020, m): Decimal(100) for m in range(1, 13)} | {(2024, 1): Decimal(100)})


def sale(consideration: object, value: object = 300000, *, holds: bool = True, date: str = "2015-01-10",
         now: object = 450000, **case: object) -> ExampleCase:
    """LAW.md: his flat PR2 sold to his sister P3 (FAMILY) for ``consideration`` when worth ``value``."""
    b = ExampleCase(**case).person("P1", "Marcus VANCE").person("P3", "Joanne HARGREAVES")
    b.property("PR2", value=None if now is None else str(now), country="GB").rel("FAMILY", "P1", "P3", role="sibling")
    b.rel("OWNS", "P1", "PR2", share_pct=100, start_date="2010-01-01", end_date=date)
    if holds:
        b.rel("OWNS", "P3", "PR2", share_pct=100, start_date=date)
    return b.transfer("T1", date, "P1", "P3", consideration, consideration=None if consideration is None
                      else str(consideration), asset_id="PR2", asset_value=str(value))


@pytest.mark.parametrize(
    ("consideration", "threshold", "gift", "share", "at_gift", "rule", "outcome"),
    [
        # LAW.md: worth £300,000, sold for £100,000 -> a gift of two thirds, £200,000 at the time
        (100000, 0.8, True, 0.6667, 200000.0, "s.77(2), s.78", "a gift of 66.67 %"),
        # a transfer for nothing is a gift of the whole
        (0, 0.8, True, 1.0, 300000.0, "s.77(2)", "a gift of 100.00 %"),
        (None, 0.8, True, 1.0, 300000.0, "s.77(2)", None),
        # exactly at the threshold: not significantly less (strict), listed with its ratio
        (240000, 0.8, False, None, None, None, "not a gift at the setting of 80 %"),
        (239999, 0.8, True, 0.2, 60001.0, "s.77(2), s.78", "a gift of 20.00 %"),
        # the threshold is a setting
        (200000, 0.5, False, None, None, None, "not a gift at the setting of 50 %"),
        (149999, 0.5, True, 0.5, 150001.0, "s.77(2), s.78", "a gift of 50.00 %"),
    ],
)
def test_s78_undervalue_and_listing(consideration: object, threshold: float, gift: bool, share: float | None,
                                    at_gift: float | None, rule: str | None, outcome: str | None) -> None:
    report = report_of(sale(consideration), settings=Settings(undervalue_ratio=threshold), index=INDEX)
    gifts = {g["transfer"]: g for g in report["tainted_gifts"]}
    assert ("T1" in gifts) is gift
    if gift:
        assert (gifts["T1"]["gift_share"], gifts["T1"]["value_at_gift"], gifts["T1"]["rule"]) == (share, at_gift, rule)
        assert gifts["T1"]["amount"] == (None if consideration is None else float(consideration))  # the price paid
        assert gifts["T1"]["value"] == 300000.0  # the value at the time is its own field
    checks = {c["transfer"]: c for c in report["undervalue_checks"]}
    if outcome is None:
        assert "T1" not in checks  # nothing paid: no ratio to show, a gift of the whole
    else:
        assert checks["T1"]["outcome"].startswith(outcome) and checks["T1"]["gift"] is gift
        assert checks["T1"]["consideration_ratio"] == round(float(consideration) / 300000, 4)
    assert "T1" not in {t["transfer"] for t in report["other_transfers"]}


@pytest.mark.parametrize(
    ("holds", "now", "value_now", "basis", "adjusted", "current"),
    [
        # LAW.md: £200,000 gifted at index 250, valued at 300 -> (a) £240,000; the flat (2/3 share)
        # now worth £450,000 -> (b) £300,000; the greater is £300,000
        (True, 450000, 300000.0, "s.81(b) recipient still holds", 240000.0, 300000.0),
        # (b) below (a): (a) stands
        (True, 330000, 240000.0, "s.81(a) index", 240000.0, 220000.0),
        # she no longer holds it: only (a)
        (False, 450000, 240000.0, "s.81(a) index", 240000.0, None),
    ],
)
def test_s81_greater_of_a_and_b(holds: bool, now: int, value_now: float, basis: str, adjusted: float,
                                current: float | None) -> None:
    report = report_of(sale(100000, holds=holds, now=now), index=INDEX)
    (gift,) = report["tainted_gifts"]
    assert (gift["value_now"], gift["value_now_basis"], gift["value_adjusted"], gift["value_current"]) == (
        value_now, basis, adjusted, current)
    assert gift["index_factor"] == 1.2 and gift["as_at"] == "2024-01-31"
    assert report["tainted_gifts_total_value_now"] == value_now


def test_a_gift_after_the_valuation_date_is_still_a_finding() -> None:
    """LAW.md "Dates after the valuation date": listed, value at the time, index factor 1 (noted)."""
    b = sale(100000, date="2015-01-10").transfer("T2", "2024-03-05", "P1", "P3", "5000")
    report = report_of(b, index=INDEX)
    late = {g["transfer"]: g for g in report["tainted_gifts"]}["T2"]
    assert (late["value_now"], late["index_factor"]) == (5000.0, 1.0)
    assert "after the valuation date 2024-01-31: index factor 1" in late["index_note"]
    assert report["tainted_gifts_total_value_now"] == 300000.0 + 5000.0


def money_gift(currency: str, amount: str, date: str = "2021-07-05", **case: object) -> ExampleCase:
    b = ExampleCase(**case).person("P1", "Marcus VANCE").person("P6", "Patricia VANCE", country="ES")
    b.rel("FAMILY", "P1", "P6", role="parent").account("A1", country="GB").rel("HOLDS", "P1", "A1")
    b.transfer("T1", date, "A1", "P6", amount, currency=currency)
    return b.transfer("T2", "2021-08-02", "A1", "P6", "1000")


def test_euro_gift_is_converted_at_the_ecb_rate_for_its_day() -> None:
    report = report_of(money_gift("EUR", "10000"), index=PriceIndex.load("rpi"))
    gift = {g["transfer"]: g for g in report["tainted_gifts"]}["T1"]
    assert gift["converted"] and gift["currency"] == "EUR" and gift["original_value"] == 10000.0
    assert gift["rate_date"] == "2021-07-05" and "ECB" in gift["rate_source"]
    assert 8000 < gift["value_at_gift"] < 9000  # about 0.86 pounds to the euro in July 2021
    assert gift["value_at_gift"] == round(10000 / gift["rate"], 2)
    assert not report["warnings"]


def test_dirham_gift_goes_through_the_dollar_peg() -> None:
    report = report_of(money_gift("AED", "36725"), index=PriceIndex.load("rpi"))
    gift = {g["transfer"]: g for g in report["tainted_gifts"]}["T1"]
    assert gift["converted"] and "3.6725" in gift["rate_source"] and "ECB" in gift["rate_source"]
    assert 7000 < gift["value_at_gift"] < 7500  # US$10,000 at about 1.38 dollars to the pound


def test_a_user_rates_file_wins(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2021-07-05,EUR,1.25\n", encoding="utf-8")
    report = report_of(money_gift("EUR", "10000"), settings=Settings(rates_file=str(rates)),
                       index=PriceIndex.load("rpi"))
    gift = {g["transfer"]: g for g in report["tainted_gifts"]}["T1"]
    assert (gift["value_at_gift"], gift["rate"], gift["rate_date"]) == (8000.0, 1.25, "2021-07-05")
    assert "rates.csv" in gift["rate_source"]
    assert report["settings"]["rates_file"] == str(rates)


def test_a_gift_with_no_rate_is_listed_not_converted_and_warned_about() -> None:
    """LAW.md: listed in its own currency, marked "not converted", out of the pound total, warned."""
    report = report_of(money_gift("KPW", "9000000"), index=PriceIndex.load("rpi"))
    gifts = {g["transfer"]: g for g in report["tainted_gifts"]}
    gift = gifts["T1"]
    assert not gift["converted"] and gift["value_now"] is None and gift["value_at_gift"] is None
    assert (gift["currency"], gift["original_value_at_gift"]) == ("KPW", 9000000.0)
    assert any("not converted" in n for n in gift["notes"])
    assert report["tainted_gifts_total_value_now"] == gifts["T2"]["value_now"]  # only the pound gift
    assert report["tainted_gifts_not_converted"] == [{"currency": "KPW", "value_at_gift": 9000000.0, "count": 1}]
    assert any(w["record"] == "T1" and "KPW" in w["reason"] for w in report["warning_details"])


def representing(purchase_days_later: int, by_transfer: bool = False) -> ExampleCase:
    """LAW.md s.81(1)(b): a gift of £120,000 to his partner, then a flat bought in her name for £300,000."""
    day = f"2020-03-{1 + purchase_days_later:02d}" if purchase_days_later < 31 else "2020-04-15"
    b = ExampleCase(order={"date": "2020-01-10", "amount": "50000", "benefit": "400000"})
    b.person("P1", "Marcus VANCE").person("P2", "Sasha OKAFOR").rel("FAMILY", "P1", "P2", role="partner")
    b.account("A1").rel("HOLDS", "P1", "A1").account("A5").rel("HOLDS", "P2", "A5", start_date="2014-08-19")
    b.property("PR5", value="350000", acquisition_price="300000", acquired=day, country="GB")
    b.transfer("T1", "2020-03-01", "A1", "A5", "120000")
    if by_transfer:
        b.person("P9", "Seller").transfer("T2", day, "P9", "P2", "300000", consideration="300000", asset_id="PR5",
                                          asset_value="300000")
    else:
        b.rel("OWNS", "P2", "PR5", share_pct=100, start_date=day)
    return b


@pytest.mark.parametrize(
    ("days", "by_transfer", "share", "value_now", "basis"),
    [
        # nine days later, OWNS from then: the gift funded 120/300 = 0.4 of it; 0.4 x £350,000 = £140,000
        (9, False, 0.4, 140000.0, "s.81(b) property representing the gift"),
        # the purchase shown by the transfer of the flat to her for £300,000
        (9, True, 0.4, 140000.0, "s.81(b) property representing the gift"),
        # bought 45 days later: outside the 30-day window, not followed
        (45, False, None, 120000.0, "s.81(a) index"),
    ],
)
def test_property_representing_a_gift(days: int, by_transfer: bool, share: float | None, value_now: float,
                                      basis: str) -> None:
    report = report_of(representing(days, by_transfer), index=FLAT)
    (gift,) = report["tainted_gifts"]
    assert (gift["value_now"], gift["value_now_basis"]) == (value_now, basis)
    if share is None:
        assert not report["gift_property"] and gift["representing"] == []
        return
    (prop,) = report["gift_property"]
    assert (prop["property"], prop["share_funded"], prop["value_representing"], prop["price"]) == (
        ["PR5"], share, value_now, 300000.0)
    assert gift["representing"] == ["PR5"] and prop["rule"] == "s.81(1)(b)"
    new = {d["asset"]: d for d in report["revisit"]["new_asset_details"]}
    assert new["PR5"]["route"] == "gift property" and "PR5" in report["revisit"]["new_assets"]


def test_an_unreadable_price_costs_the_share_not_the_gift() -> None:
    """One bad field costs the field: the flat's price cannot be read, so the share it represents is
    unknown, but the gift and the flat are still listed and the price is named in a warning."""
    b = representing(9)
    b.entities[-1] = b.entities[-1].with_props(acquisition_price="12abc")
    report = report_of(b, index=FLAT)
    (gift,) = report["tainted_gifts"]
    assert (gift["value_now"], gift["value_now_basis"]) == (120000.0, "s.81(a) index")
    (prop,) = report["gift_property"]
    assert prop["price"] is None and prop["share_funded"] is None and prop["value_now"] == 350000.0
    assert any(w["record"] == "PR5" and "acquisition_price" in w["reason"] for w in report["warning_details"])
