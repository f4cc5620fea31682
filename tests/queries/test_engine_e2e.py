"""Issue 12 end to end on a bundle nobody tuned the engine to (tests/fixtures/bundles/OP-E2E-12, see its
README): two relevant days, euro gifts, a payment with no exchange rate, a nominee, a gift followed into a
flat, a gift after the valuation date, a sale at exactly the s.78 threshold -- on both stores -- and one
"as at" date giving the same figures in the report, the briefing pack, the revisit sweep and the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.sqlite_store import SQLiteStore
from graph.store import Store
from ingest.bundle import load_bundle
from queries.briefing import case_brief_model
from queries.report import case_report
from queries.revisit import sweep

BUNDLE = Path(__file__).parents[1] / "fixtures" / "bundles" / "OP-E2E-12"
CASE = "OP-E2E-12"


@pytest.fixture
def report(store: Store, tmp_path: Path) -> dict:
    load_bundle(store, BUNDLE, tmp_path / "q")
    return case_report(store, CASE)


def test_two_relevant_days_each_with_its_section(report: dict) -> None:
    days = {d["rule"]: d["day"] for d in report["relevant_days"]}
    assert days == {"s.10(9)": "2017-04-20", "s.77(9)": "2015-03-11"}
    assert report["gift_cutoff"]["day"] == "2015-03-11" and report["relevant_day"] == "2017-04-20"


def test_gifts_in_euros_without_a_rate_and_after_the_valuation_date(report: dict) -> None:
    gifts = {g["transfer"]: g for g in report["tainted_gifts"]}
    assert set(gifts) == {"T1", "T2", "T3", "T5", "T6", "T8"}
    # T1 (2016) is after the s.77(9) day though before the s.10(9) day: still a tainted gift
    for euro in ("T1", "T2"):
        g = gifts[euro]
        assert g["currency"] == "EUR" and g["converted"] and "ECB" in g["rate_source"]
        assert g["value_at_gift"] == round(g["original_value"] / g["rate"], 2) and g["rate_date"] == g["date"]
    assert not gifts["T8"]["converted"] and gifts["T8"]["value_now"] is None and gifts["T8"]["currency"] == "SYP"
    assert report["warnings"] == [f"s.81: T8: {gifts['T8']['notes'][0]}"]
    assert (gifts["T6"]["index_factor"], gifts["T6"]["value_now"]) == (1.0, 10000.0)
    assert "after the valuation date 2025-06-30" in gifts["T6"]["index_note"]
    converted = [g["value_now"] for g in report["tainted_gifts"] if g["converted"]]
    assert report["tainted_gifts_total_value_now"] == round(sum(converted), 2)
    assert report["tainted_gifts_not_converted"] == [{"currency": "SYP", "value_at_gift": 2000000.0, "count": 1}]


def test_the_nominee_holds_for_him_only_the_company(report: dict) -> None:
    chains = {h["asset"][0]: h["chain_text"] for h in report["overseas_holdings"]}
    assert chains["C2"] == "P1 ← P4 (holds for him) → C2" and chains["PR4"] == "P1 ← P4 (holds for him) → C2 → PR4"
    linked = {a["asset"][0]: a["link"] for a in report["linked_assets"]}
    assert linked["A9"] == linked["PR9"] == "NOMINEE_FOR"
    assert not {"A9", "PR9"} & {a["item"] for a in report["assumptions"]}
    (flow,) = report["money_flows"]
    assert flow["path"] == ["T3", "T4"] and flow["through_nominee"] == "Daniela HARGREAVES"


def test_the_gift_followed_into_a_flat_and_the_borderline_sale(report: dict) -> None:
    (prop,) = report["gift_property"]
    assert (prop["gift"], prop["property"], prop["share_funded"], prop["value_representing"]) == (
        "T5", ["PR5"], 0.4, 140000.0)
    gift = {g["transfer"]: g for g in report["tainted_gifts"]}["T5"]
    assert (gift["value_now"], gift["value_now_basis"]) == (140000.0, "s.81(b) property representing the gift")
    assert report["revisit"]["new_assets"] == ["PR5"]
    (check,) = report["undervalue_checks"]
    assert (check["transfer"], check["consideration_ratio"], check["gift"]) == ("T7", 0.8, False)
    assert check["outcome"].startswith("not a gift at the setting of 80 %")
    assert report["other_transfers"] == []  # every transfer is in a finding


ON = "2025-01-01"  # not the valuation date: the one "as at" date must reach every view


def test_one_as_at_date_gives_the_same_figures_everywhere(sqlite_store: SQLiteStore, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from app_support import run_page

    load_bundle(sqlite_store, BUNDLE, tmp_path / "q")
    report = case_report(sqlite_store, CASE, as_at=ON)
    r = report["revisit"]
    assert (r["as_at"], report["as_at"]) == (ON, ON) and r["interest_days"] == 602
    brief = case_brief_model(sqlite_store, CASE, on=ON)
    summary = {row[0].split(" (")[0]: row[1] for row in brief["sections"][0]["blocks"][-1]["rows"]}
    entry = next(e for e in sweep(sqlite_store, on=ON, record=False)["ranked"] if e["case_id"] == CASE)
    f = entry["figures"]
    money = {"interest": "Interest", "outstanding_with_interest": "Outstanding with interest",
             "headroom": "Headroom", "outstanding": "Outstanding"}
    for key, label in money.items():
        assert summary[label] == f"£{r[key]:,.2f}" == f"£{f[key]:,.2f}", key
    assert summary["Figures as at"] == f["as_at"] == ON
    gifts_text = next(b["text"] for s in brief["sections"] for b in s["blocks"]
                      if b["type"] == "para" and b["text"].startswith("Total of tainted-gift"))
    assert f"as at {ON}: £{report['tainted_gifts_total_value_now']:,.2f}" in gifts_text
    # the sweep values post-order gifts as at the same day as the report
    gift_hits = {h["key"].split("/")[-1]: h["value"] for h in entry["hits"] if h["route"] == "gift"}
    values = {g["transfer"]: g["value_now"] for g in report["tainted_gifts"]}
    assert gift_hits == {"T5": values["T5"], "T6": values["T6"]}
    # the flat she bought with T5 is a new asset linked to him, not "no transfer from him found"
    flat = next(h for h in entry["hits"] if h["asset"] == "PR5")
    assert flat["route"] == "gift property" and "with gift T5 from him" in flat["reason"]
    assert not flat["counted"]  # counted once, through the gift's s.81 value
    # the app's Case page, the same store, the same case, the same date
    monkeypatch.setenv("ASSETGRAPH_DB", str(tmp_path / "test.db"))  # the sqlite_store fixture's file
    monkeypatch.delenv("NEO4J_URI", raising=False)
    from datetime import date

    at = run_page("case", state={"case_id": CASE, f"as-at:{CASE}": date.fromisoformat(ON)})
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Figures as at"] == ON
    assert metrics["Interest (s.12)"] == f"£{r['interest']:,.2f}" == summary["Interest"]
    assert metrics["Due incl. interest"] == f"£{f['outstanding_with_interest']:,.2f}"
    assert metrics["Headroom (s.22)"] == f"£{r['headroom']:,.2f}"
    assert metrics["Tainted gifts, total s.81 value"] == f"£{report['tainted_gifts_total_value_now']:,.2f}"
    assert re.search(r"as at \*\*2025-01-01\*\*", " ".join(i.value for i in at.info))
