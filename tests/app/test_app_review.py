"""The Resolution review page under AppTest: refusal across a conflict, supervisor override, splitting a merge."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import run_page
from review_support import CASE, M1, S1, S2, make_review_db
from streamlit.testing.v1 import AppTest

from graph.canonical import CanonicalView
from graph.sqlite_store import SQLiteStore


@pytest.fixture
def review_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = make_review_db(tmp_path / "review.db", tmp_path / "q")
    monkeypatch.setenv("ASSETGRAPH_DB", str(path))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return path


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _members(db: Path, record: str) -> list[str]:
    with SQLiteStore(db) as store:
        return CanonicalView.from_store(store).members(record)


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_an_analyst_sees_both_entities_and_cannot_accept_across_the_conflict(review_db: Path) -> None:
    at = run_page("review", role="analyst")
    _ok(at)
    sides = [d.value for d in at.dataframe if "record" in d.value.columns and "sources" in d.value.columns]
    assert [list(s["record"]) for s in sides] == [[M1], [S1, S2]]
    assert list(sides[1]["dob"]) == ["1984-03-15", ""] and "Exhibit DA/4" in sides[1]["sources"].iloc[1]
    assert any(f"SUBJECT of case {CASE}: {S1}" in m.value for m in at.markdown)
    assert [w.value for w in at.warning] == [
        f"Accepting joins {M1} (Daniel ASHWORTH) to SUBJECT {S1} (Daniel Mark ASHWORTH) of case {CASE}."]
    [refusal] = at.error
    assert "Accepting is refused" in refusal.value and f"{M1} 1962-11-02 vs {S1} 1984-03-15" in refusal.value
    conflicts = next(d.value for d in at.dataframe if "effect" in d.value.columns)
    assert conflicts.iloc[0].to_dict() == {"field": "dob", "record": M1, "value": "1962-11-02", "other record": S1,
                                           "other value": "1984-03-15", "effect": "refuses accept"}
    assert _button(at, "review-positive").disabled and not _button(at, "review-negative").disabled
    assert not any(b.key == "review-override" for b in at.button)
    assert any("Only a supervisor can override" in c.value for c in at.caption)
    with pytest.raises(Exception, match="disabled"):  # ingest.review.judge refuses it too (tests/ingest)
        _button(at, "review-positive").click()


def test_a_supervisor_overrides_with_a_written_reason(review_db: Path) -> None:
    at = run_page("review", role="supervisor")
    _ok(at)
    assert _button(at, "review-positive").disabled and _button(at, "review-override").disabled  # no reason yet
    at.text_area(key="review-override-reason").input("PNC and the passport office: one man, DOB keyed wrong").run()
    assert not _button(at, "review-override").disabled
    _button(at, "review-override").click().run()
    _ok(at)
    assert any("supervisor override" in s.value for s in at.success)
    assert _members(review_db, M1) == [M1, S1, S2]
    with SQLiteStore(review_db) as store:
        [j] = store.judgements()
        override = next(e for e in store.audit_log() if e.action == "override")
    assert (j.verdict, j.user) == ("positive", "supervisor1") and j.explanation["reason"].startswith("PNC")
    assert override.user == "supervisor1" and "1962-11-02" in override.detail["override"][0]
    recorded = next(d.value for d in at.dataframe if "how" in d.value.columns)
    assert recorded.iloc[0]["how"] == "supervisor override" and recorded.iloc[0]["reason"].startswith("PNC")


def test_a_supervisor_splits_an_automatic_merge_and_the_case_page_changes(review_db: Path) -> None:
    case = run_page("case", role="supervisor")
    _ok(case)
    before = next(d.value for d in case.dataframe if "record" in d.value.columns and "subject" in d.value.columns)
    assert list(before["record"]) == ["S1", "S2"]  # the report names source ids
    analyst = run_page("review", role="analyst")
    assert not any(b.key == "review-split" for b in analyst.button)
    assert any("Only a supervisor can split" in c.value for c in analyst.caption)
    at = run_page("review", role="supervisor")
    _ok(at)
    merges = next(d.value for d in at.dataframe if "features" in d.value.columns)
    row = merges.iloc[0].to_dict()
    assert (row["left"], row["right"], row["subject"], row["scorer"]) == (S1, S2, S1, "person_v2")
    assert "phone same (+6.0)" in row["features"] and float(row["score"]) >= 0.9
    assert _button(at, "review-split").disabled
    at.text_input(key="review-split-reason").input("S2 is the father's Santander account").run()
    _button(at, "review-split").click().run()
    _ok(at)
    assert any(s.value.startswith(f"Split: {S1} is now in an entity of 1 record") for s in at.success)
    assert _members(review_db, S1) == [S1] and _members(review_db, S2) == [S2]
    assert not any("features" in d.value.columns and len(d.value) for d in at.dataframe)  # no merge left
    with SQLiteStore(review_db) as store:
        [j] = store.judgements()
        assert j.verdict == "negative" and j.explanation["split"]["scorer"] == "person_v2"
        assert any(e.action == "split" and e.user == "supervisor1" for e in store.audit_log())
    case = run_page("case", role="supervisor")
    after = next(d.value for d in case.dataframe if "record" in d.value.columns and "subject" in d.value.columns)
    assert list(after["record"]) == ["S1"]
