"""Review safety through the Store: whole entities, refusal across a conflict, override, splitting a merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.canonical import CanonicalView
from graph.store import Store
from ingest.bundle import load_bundle
from ingest.resolve import resolve, review_queue, same_as_id
from ingest.review import MergeRefused, auto_merges, judge, pair_view, split

BUNDLE = Path(__file__).resolve().parents[1] / "fixtures" / "review" / "OP-REVIEW-01"
S1, S2, M1 = (f"OP-REVIEW-01/{x}" for x in ("S1", "S2", "M1"))


@pytest.fixture
def case(store: Store, tmp_path: Path) -> Store:
    """OP-REVIEW-01 loaded and resolved: S1 (the subject, 1984) = S2 (no date); S2 / M1 (1962) asked."""
    load_bundle(store, BUNDLE, tmp_path / "q")
    resolve(store)
    return store


def members(store: Store, record: str) -> list[str]:
    return CanonicalView.from_store(store).members(record)


def test_the_pair_shows_both_whole_entities_and_the_subject(case: Store) -> None:
    assert [(q["left"], q["right"]) for q in review_queue(case)] == [(M1, S2)]
    view = pair_view(case, M1, S2)
    assert [m.id for m in view.right.members] == [S1, S2] and [m.id for m in view.left.members] == [M1]
    assert view.right.entity == S1 and not view.same_entity
    rows = {r["record"]: r for r in view.right.rows()}
    assert rows[S1]["dob"] == "1984-03-15" and "Exhibit DA/1" in rows[S1]["sources"]
    assert [c.text() for c in view.blocking] == [f"date of birth: {M1} 1962-11-02 vs {S1} 1984-03-15"]
    assert view.warnings() == [f"Accepting joins {M1} (Daniel ASHWORTH) to SUBJECT {S1} (Daniel Mark ASHWORTH) "
                               "of case OP-REVIEW-01."]


def test_accept_is_refused_then_overridden_with_a_reason_that_is_kept_and_audited(case: Store) -> None:
    with pytest.raises(MergeRefused) as refused:
        judge(case, S2, M1, "positive", "analyst1")
    assert [c.field for c in refused.value.conflicts] == ["dob"] and "1962-11-02" in str(refused.value)
    with pytest.raises(MergeRefused, match="needs a written reason"):
        judge(case, S2, M1, "positive", "boss", reason="  ", override=True)
    assert case.judgements() == [] and members(case, M1) == [M1]  # nothing recorded, nothing merged
    judge(case, S2, M1, "positive", "boss", reason="Father and son share the name? No: PNC shows one man.",
          override=True)
    assert members(case, M1) == [M1, S1, S2]
    [j] = case.judgements()
    assert j.verdict == "positive" and j.user == "boss" and j.explanation["reason"].startswith("Father")
    assert j.explanation["override"]["conflicts"][0]["right_value"] == "1984-03-15"
    assert j.explanation["name"]["weight"] > 0  # the scorer's features are kept beside the override
    events = {e.action: e.detail for e in case.audit_log()}
    assert events["override"]["reason"].startswith("Father") and "1962-11-02" in events["override"]["override"][0]


def test_reject_and_unsure_need_no_check(case: Store) -> None:
    judge(case, S2, M1, "unsure", "analyst1")
    judge(case, S2, M1, "negative", "analyst1", reason="DOB 1962 on the title")
    assert [j.verdict for j in case.judgements()] == ["unsure", "negative"]
    assert case.judgements()[-1].explanation["reason"] == "DOB 1962 on the title"


def test_a_pair_already_one_entity_is_not_refused(case: Store) -> None:
    judge(case, S1, S2, "positive", "analyst1")  # confirms the automatic merge
    assert members(case, S1) == [S1, S2]


def test_automatic_merges_of_a_case_and_a_split(case: Store) -> None:
    [merge] = auto_merges(case, "OP-REVIEW-01")
    assert (merge["left"], merge["right"], merge["subject"], merge["scorer"]) == (S1, S2, S1, "person_v2")
    assert merge["score"] >= 0.9 and merge["features"]["phone"]["value"] == "same" and merge["conflicts"] == []
    assert auto_merges(case) == [{k: v for k, v in merge.items() if k not in ("case_id", "subject")}]
    with pytest.raises(Exception, match="written reason"):
        split(case, S1, S2, "boss", " ")
    with pytest.raises(Exception, match="no merge links"):
        split(case, S1, M1, "boss", "not linked")
    done = split(case, S2, S1, "boss", "Santander KYC is the father's account")
    assert (done.left, done.right) == ([S2], [S1]) and done.report.links_removed == 1
    assert same_as_id(S1, S2) not in {r.id for r in case.iter_relations(["SAME_AS"])}
    [j] = case.judgements()
    assert j.verdict == "negative" and j.explanation["split"]["scorer"] == "person_v2"
    assert j.explanation["split"]["features"]["phone"]["value"] == "same"
    assert {e.action for e in case.audit_log()} >= {"split", "resolve"}
    assert auto_merges(case, "OP-REVIEW-01") == []
    resolve(case)  # a full re-run keeps the split
    assert members(case, S1) == [S1]
    view = pair_view(case, M1, S2)  # S2 is no longer the subject: M1 / S2 can now be accepted
    assert view.blocking == [] and view.warnings() == []


def test_unknown_records_and_cases(case: Store) -> None:
    with pytest.raises(Exception, match="no such record"):
        pair_view(case, S1, "OP-REVIEW-01/nope")
    with pytest.raises(Exception, match="no case 'OP-NONE'"):
        auto_merges(case, "OP-NONE")
