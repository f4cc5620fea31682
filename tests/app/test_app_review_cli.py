"""``assetgraph review show / accept / merges / split`` on OP-REVIEW-01, through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from review_support import CASE, M1, PASSWORDS, S1, S2, make_review_db, write_review_users
from typer.testing import CliRunner

from app.cli import cli
from graph.sqlite_store import SQLiteStore

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_review_db(tmp_path / "review.db", tmp_path / "q")


@pytest.fixture
def users(tmp_path: Path) -> Path:
    return write_review_users(tmp_path / "users.toml")


def invoke(db: Path, *args: str, password: str | None = None):
    return runner.invoke(cli, ["--db", str(db), *args], input=f"{password}\n" if password else None)


def test_show_gives_both_entities_the_subject_and_the_conflict(db: Path) -> None:
    out = invoke(db, "review", "show", M1, S2)
    assert out.exit_code == 0, out.output
    assert f"entity {S1}, 2 record(s)" in out.output and "REFUSES ACCEPT" in out.output
    view = json.loads(invoke(db, "review", "show", M1, S2, "--json").output)
    assert [m["record"] for m in view["right"]["members"]] == [S1, S2]
    assert view["right"]["subjects"] == [{"case_id": CASE, "record": S1, "name": "Daniel Mark ASHWORTH"}]
    assert view["blocking"] == [f"date of birth: {M1} 1962-11-02 vs {S1} 1984-03-15"]
    assert view["warnings"][0].startswith(f"Accepting joins {M1} (Daniel ASHWORTH) to SUBJECT {S1}")


def test_accept_is_refused_with_the_conflicts_listed(db: Path) -> None:
    out = invoke(db, "review", "accept", S2, M1, "--analyst", "ana")
    assert out.exit_code == 3
    assert "1962-11-02" in out.output and "1984-03-15" in out.output and "--override" in out.output
    refused = json.loads(invoke(db, "review", "accept", S2, M1, "--json").output)
    assert refused["refused"] and refused["conflicts"][0]["field"] == "dob"
    with SQLiteStore(db) as store:
        assert store.judgements() == []


def test_only_a_signed_in_supervisor_overrides(db: Path, users: Path) -> None:
    base = ("review", "accept", S2, M1, "--override", "PNC: one man, two DOBs recorded", "--users", str(users))
    no_login = invoke(db, *base)
    assert no_login.exit_code == 2 and "needs a supervisor" in no_login.output
    wrong = invoke(db, *base, "--supervisor", "boss", password="guess")
    assert wrong.exit_code == 2 and "wrong password" in wrong.output
    analyst = invoke(db, *base, "--supervisor", "ana", password=PASSWORDS["ana"])
    assert analyst.exit_code == 2 and "only a supervisor" in analyst.output
    ok = invoke(db, *base, "--supervisor", "boss", "--json", password=PASSWORDS["boss"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output.splitlines()[-1])["user"] == "boss"
    with SQLiteStore(db) as store:
        [j] = store.judgements()
        actions = [e.action for e in store.audit_log()]
    assert j.user == "boss" and j.explanation["reason"] == "PNC: one man, two DOBs recorded"
    assert j.explanation["override"]["conflicts"][0]["left_value"] == "1962-11-02" and "override" in actions


def test_merges_of_a_case_and_a_supervisor_split(db: Path, users: Path) -> None:
    rows = [json.loads(line) for line in invoke(db, "review", "merges", "--case", CASE, "--json").output.splitlines()]
    assert [(r["left"], r["right"], r["scorer"], r["subject"]) for r in rows] == [(S1, S2, "person_v2", S1)]
    assert rows[0]["features"]["phone"]["weight"] == 6.0
    table = invoke(db, "review", "merges", "--case", CASE)
    assert "automatic merges (1)" in table.output and "person_v2" in table.output
    assert invoke(db, "review", "merges", "--case", "OP-NONE").exit_code == 2
    split = ("review", "split", S1, S2, "--reason", "S2 is the father's account", "--users", str(users))
    assert invoke(db, *split, "--supervisor", "ana", password=PASSWORDS["ana"]).exit_code == 2
    done = invoke(db, *split, "--supervisor", "boss", "--json", password=PASSWORDS["boss"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.output.splitlines()[-1])
    assert (out["left"], out["right"], out["user"]) == ([S1], [S2], "boss")
    assert invoke(db, "review", "merges", "--case", CASE, "--json").output.strip() == ""
    accepted = invoke(db, "review", "accept", S2, M1, "--analyst", "ana")  # S2 is no longer the subject
    assert accepted.exit_code == 0, accepted.output
