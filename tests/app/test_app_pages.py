"""AppTest tests per page on the demo case: refusal when signed out, findings shown, filters, judgements."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import PAGE_FILES, run_page

from graph.settings import Settings
from graph.sqlite_store import SQLiteStore


def _table(at, index: int = 0):
    return at.dataframe[index].value


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_refuses_an_anonymous_visitor(db: Path, page: str) -> None:
    at = run_page(page, role=None)
    assert any("Sign in" in w.value for w in at.warning)
    assert not at.dataframe


def test_case_page_explains_dates_and_order_figures(db: Path) -> None:
    at = run_page("case")
    _ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Relevant day (s.10(8); s.77(9))"] == "2015-03-11"
    assert metrics["Figures as at"] == "2026-06-30"
    assert metrics["Date of conviction (s.10(10))"] == "2022-06-17"
    assert metrics["Outstanding"] == "£200,000.00"
    assert metrics["Interest (s.12)"] == "£50,279.45"
    assert metrics["Headroom (s.22)"] == "£1,450,000.00"
    text = " ".join(m.value for m in at.markdown)
    assert "proceedings started 2021-03-10" in text and "2022-01-14, 2022-06-17" in text
    subjects = _table(at)
    assert "P1" in set(subjects["record"]) and "P8" not in set(subjects["record"])


def test_gifts_page_shows_the_demo_gifts_with_sources(db: Path) -> None:
    at = run_page("gifts")
    _ok(at)
    table = _table(at).set_index("transfer")
    assert {"T3", "T13", "T14"} <= set(table.index)
    assert table.loc["T13", "share"] == "0.6667"
    assert table.loc["T13", "value now £"] == "285,567.36"
    assert table.loc["T3", "value now £"] == "320,000.00"
    assert table.loc["T14", "value now £"] == "73,590.16"
    assert table.loc["T13", "rule"] == "s.77(2), s.78"
    assert "transfers.csv row 14" in table.loc["T13", "sources"] and "Exhibit MV/11" in table.loc["T13", "sources"]
    assert "T2" not in table.index and "T5" not in table.index  # before the relevant day; a full-value sale
    assert at.get("plotly_chart")
    assert any("OFFICIAL-SENSITIVE" in b.label for b in at.get("download_button"))


def test_gift_rule_filter_changes_the_table(db: Path) -> None:
    at = run_page("gifts")
    before = set(_table(at)["transfer"])
    at.multiselect(key="gift-rules").set_value(["s.77(2)"]).run()
    after = set(_table(at)["transfer"])
    assert "T3" in after and "T13" not in after and after < before


def test_a_viewer_cannot_export(db: Path) -> None:
    at = run_page("gifts", role="viewer")
    _ok(at)
    assert not at.get("download_button")
    assert any("cannot export" in c.value for c in at.caption)


def test_overseas_page_lists_holdings_and_classes(db: Path) -> None:
    at = run_page("overseas")
    _ok(at)
    table = _table(at).set_index("asset")
    assert table.loc["PR5", "territory"] == "AE" and table.loc["PR5", "class"] == "foreign"
    assert table.loc["PR5", "share"] == "0.2500"
    assert table.loc["C2", "class"] == "overseas_territory"
    assert table.loc["PR4", "class"] == "uk_via_overseas_company"
    assert "(C3)" in table.loc["PR5", "chain"] and "PR8" not in table.index
    at.multiselect(key="overseas-class").set_value(["foreign"]).run()
    assert set(_table(at)["asset"]) == {"PR5", "PR6"}


def test_search_filters_by_kind_and_is_audited(db: Path) -> None:
    at = run_page("search", state={"search-query": "Vance"})
    _ok(at)
    kinds = set(_table(at)["kind"])
    assert "Person" in kinds and "Company" in kinds
    at.multiselect(key="search-kinds").set_value(["Company"]).run()
    assert set(_table(at)["kind"]) == {"Company"}
    with SQLiteStore(db) as store:
        actions = [e.action for e in store.audit_log(user="analyst1")]
    assert "search" in actions and "open-entity" in actions


def test_network_page_draws_the_neighbourhood_and_a_shortest_path(db: Path) -> None:
    at = run_page("network")
    _ok(at)
    relations = _table(at)
    assert {"OWNS", "TRANSFER"} <= set(relations["kind"])
    at.selectbox(key="net-from").set_value("OP-DEMO-01/P1")
    at.selectbox(key="net-to").set_value("OP-DEMO-01/P2").run()
    _ok(at)
    assert any(m.value.startswith("**Path:**") for m in at.markdown)
    at.multiselect(key="net-kinds").set_value(["OWNS"]).run()
    assert set(_table(at)["kind"]) == {"OWNS"}


def test_network_expand_adds_a_hop(db: Path) -> None:
    at = run_page("network", state={"network_seeds": ["OP-DEMO-01/C2"]})
    at.number_input(key="net-hops").set_value(1).run()
    before = len(_table(at))
    at.selectbox(key="net-expand").set_value("OP-DEMO-01/C3")
    at.button(key="net-expand-go").click().run()
    _ok(at)
    assert len(_table(at)) > before


def test_flow_page_renders(db: Path) -> None:
    at = run_page("flow")
    _ok(at)
    assert len(at.dataframe) >= 2


def test_review_decision_is_persisted(db: Path) -> None:
    resolve = pytest.importorskip("ingest.resolve")
    with SQLiteStore(db) as store:  # thresholds that send every demo pair to review
        resolve.resolve(store, Settings(match_upper=0.99999, match_lower=0.01))
    at = run_page("review")
    _ok(at)
    queue = _table(at)
    assert len(queue) >= 1
    why = next(d.value for d in at.dataframe if "feature" in d.value.columns)
    assert {"name", "evidence"} & set(why["feature"]) and "note" in why.columns
    first = (queue.iloc[0]["left"], queue.iloc[0]["right"])
    at.button(key="review-negative").click().run()
    _ok(at)
    assert any("recorded" in s.value for s in at.success)
    with SQLiteStore(db) as store:
        verdicts = {(j.left, j.right): (j.verdict, j.user) for j in store.judgements()}
    assert verdicts[first] == ("negative", "analyst1")


def test_a_viewer_cannot_judge(db: Path) -> None:
    at = run_page("review", role="viewer")
    _ok(at)
    assert not any(b.key and b.key.startswith("review-") for b in at.button)


def test_audit_log_is_for_supervisors_only(db: Path) -> None:
    assert any("does not allow" in e.value for e in run_page("audit", role="analyst").error)
    run_page("search", role="analyst", state={"search-query": "Okafor"})
    at = run_page("audit", role="supervisor")
    assert "search" in set(_table(at)["action"])
