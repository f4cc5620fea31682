"""Table tests for the s.10 assumption rules and the order rules (s.11, s.12, s.22), and for the
registry itself: every rule registered once, a failing rule a warning, one "as at" date."""

from __future__ import annotations

import pytest

from graph.settings import Settings
from graph.sqlite_store import SQLiteStore
from queries.rules import RULES, case_context, run_rules
from queries.rules.example import ExampleCase, report_of
from queries.valuation import PriceIndex

RPI = PriceIndex.load("rpi")


def him() -> ExampleCase:
    """D = 15 Mar 2019 -> relevant day 16 Mar 2013 (LAW.md); convicted 1 Jun 2020."""
    b = ExampleCase().person("P1").person("P7", "Associate").company("C1").rel("OWNS", "P1", "C1", share_pct=100)
    b.account("A1", opened="2011-02-14").rel("HOLDS", "P1", "A1", start_date="2011-02-14")
    b.account("A3", opened="2018-11-05").rel("HOLDS", "P1", "A3", start_date="2018-11-05")
    b.account("A4").rel("HOLDS", "C1", "A4").property("PR1").rel("OWNS", "P1", "PR1", start_date="2012-07-20")
    b.property("PR7").rel("OWNS", "P1", "PR7", start_date="2014-02-28", end_date="2017-06-30")
    return b


@pytest.mark.parametrize(
    ("date", "src", "dst", "rules"),
    [
        ("2016-04-08", "P7", "A1", {"s.10(2)"}),  # to his account after the relevant day
        ("2013-03-16", "P7", "A1", set()),  # ON the relevant day: not after it
        ("2013-03-17", "P7", "A1", {"s.10(2)"}),
        ("2019-05-20", "A3", "P7", {"s.10(4)"}),  # money he paid out
        ("2019-05-02", "A1", "A3", set()),  # between his own accounts
        ("2018-04-03", "A4", "P7", set()),  # his company's payment: a gift (s.77), not his expenditure
        ("2018-04-03", "P7", "A4", set()),  # to his company, not to him
    ],
)
def test_s10_2_and_s10_4(date: str, src: str, dst: str, rules: set[str]) -> None:
    report = report_of(him().transfer("T1", date, src, dst, "1000"), index=RPI)
    assert {a["rule"] for a in report["assumptions"] if a["item"] == "T1"} == rules


@pytest.mark.parametrize(
    ("lifestyle", "orders", "held"),
    [
        ("yes", [], {"A1", "A3", "PR1"}),  # PR7 was sold before conviction
        # s.10(9): benefit calculated 20 Apr 2016 for an earlier order: A1 and PR1 were held by then
        ("yes", [{"order_date": "2016-05-01", "benefit_calculated": "2016-04-20", "general_conduct": True}], {"A3"}),
        ("no", [], set()),  # no criminal lifestyle: no assumption at all
    ],
)
def test_s10_3_held_after_conviction(lifestyle: str, orders: list, held: set[str]) -> None:
    report = report_of(_with(him(), lifestyle, orders), index=RPI)
    assert {a["item"] for a in report["assumptions"] if a["rule"] == "s.10(3)"} == held


def _with(b: ExampleCase, lifestyle: str, orders: list) -> ExampleCase:
    b.case.update(lifestyle=lifestyle, earlier_orders=orders, offences=[{"committed_from": "2016-01-01"}])
    return b


def order_case(**order: object) -> ExampleCase:
    b = ExampleCase(order={"date": "2020-01-01", "amount": "100000", "benefit": "250000", **order},
                    valuation_date="2022-01-01")
    return b.person("P1").property("PR6", acquired="2021-03-01").rel("OWNS", "P1", "PR6", start_date="2021-03-01")


@pytest.mark.parametrize(
    ("order", "as_at", "allocation", "interest", "outstanding", "due"),
    [
        # LAW.md: £100,000 unpaid 1 Jan 2020 -> 1 Jan 2022, 731 days -> £16,021.92
        ({}, None, "principal_first", 16021.92, 100000.0, 116021.92),
        # another "as at" date: the same order as at 1 Jan 2021 (366 days)
        ({}, "2021-01-01", "principal_first", 8021.92, 100000.0, 108021.92),
        # a payment of £50,000 after a year, principal first (LAW.md) or interest first
        ({"payments": [{"date": "2021-01-01", "amount": "50000"}]}, None, "principal_first", 12021.92, 50000.0,
         62021.92),
        ({"payments": [{"date": "2021-01-01", "amount": "50000"}]}, None, "interest_first", 12663.67, 58021.92,
         62663.67),
    ],
)
def test_s12_interest_as_at_one_date(order: dict, as_at: str | None, allocation: str, interest: float,
                                     outstanding: float, due: float) -> None:
    report = report_of(order_case(**order), as_at=as_at, settings=Settings(payment_allocation=allocation), index=RPI)
    r = report["revisit"]
    assert (r["interest"], r["outstanding"], r["outstanding_with_interest"]) == (interest, outstanding, due)
    assert r["as_at"] == report["as_at"] == (as_at or "2022-01-01") and r["payment_allocation"] == allocation
    # s.22: headroom = benefit - amount; PR6 bought after the order is a new asset
    assert (r["headroom"], r["benefit"], r["new_assets"]) == (150000.0, 250000.0, ["PR6"])


def test_the_registry_lists_every_rule_once_and_the_report_iterates_it() -> None:
    sections = [r.section for r in RULES]
    assert sections == ["s.77(2)/(3)/(5)", "s.78", "s.81(1)(b)", "s.10(2)", "s.10(3)", "s.10(4)", "s.84, s.74",
                        "s.84 (not his)", "s.10(4), s.84", "s.11, s.12", "s.22"]
    report = report_of(order_case(), index=RPI)
    assert [r["section"] for r in report["rules"]] == sections
    assert all(r.key in report for r in RULES)


def test_a_rule_that_fails_is_a_warning_and_the_others_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from queries.rules import s78

    def broken(ctx: object) -> list:
        raise ValueError("a broken rule")

    monkeypatch.setattr(s78, "RULE", s78.RULE.__class__(**{**s78.RULE.__dict__, "run": broken}))
    with SQLiteStore(":memory:") as store:
        order_case().write(store)
        ctx = case_context(store, "OP-T", index=RPI)
        results = run_rules(ctx, [s78.RULE, *[r for r in RULES if r.section != "s.78"]])
    assert dict((r.section, len(f)) for r, f in results)["s.78"] == 0
    assert [w.text for w in ctx.warnings.items] == ["s.78: a broken rule"]
    assert any(r.section == "s.22" and f for r, f in results)


def test_case_level_problems_stay_a_clear_error() -> None:
    from graph.errors import RuleNotApplicable

    with pytest.raises(RuleNotApplicable, match="proceedings_started"):
        report_of(ExampleCase(proceedings_started=None).person("P1"), index=RPI)
    with pytest.raises(RuleNotApplicable, match="no subject"):
        report_of(ExampleCase(subjects=("P9",)).person("P1"), index=RPI)
