"""``assetgraph resolve / review / entities`` on the demo bundle, through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.commands import resolve as resolve_commands
from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle

if not any(c.name == "resolve" for c in cli.registered_commands):  # until app/cli.py lists the module
    resolve_commands.register(cli)

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, demo_bundle: Path) -> Path:
    path = tmp_path / "demo.db"
    with SQLiteStore(path) as store:
        load_bundle(store, demo_bundle, tmp_path / "q")
    return path


def run(db: Path, *args: str) -> str:
    result = runner.invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_resolve_then_entities_as_json_lines(db: Path) -> None:
    report = json.loads(run(db, "resolve", "--json"))
    assert report["merged"] == 4 and report["settings"]["match_upper"] == 0.9
    people = {e["entity_id"]: e for e in lines(run(db, "entities", "--json", "--kind", "Person"))}
    assert people["OP-DEMO-01/P1"]["records"] == ["OP-DEMO-01/P1", "OP-DEMO-01/P1b", "OP-DEMO-01/P1c"]
    assert people["OP-DEMO-01/P8"]["records"] == ["OP-DEMO-01/P8"]
    assert set(people["OP-DEMO-01/P1"]) == {"entity_id", "kind", "name", "records"}
    companies = {e["entity_id"]: e["records"] for e in lines(run(db, "entities", "--json", "--kind", "Company"))}
    assert companies["OP-DEMO-01/C1"] == ["OP-DEMO-01/C1", "OP-DEMO-01/C1b"]


def test_review_reject_undoes_and_accept_merges(db: Path) -> None:
    run(db, "resolve", "--json")
    out = json.loads(run(db, "review", "reject", "OP-DEMO-01/P1", "OP-DEMO-01/P1c", "--analyst", "dc.shah", "--json"))
    assert out["verdict"] == "negative"
    people = {e["entity_id"]: e["records"] for e in lines(run(db, "entities", "--json", "--kind", "Person"))}
    assert people["OP-DEMO-01/P1"] == ["OP-DEMO-01/P1", "OP-DEMO-01/P1b"]
    assert people["OP-DEMO-01/P1c"] == ["OP-DEMO-01/P1c"]
    run(db, "resolve")  # the analyst's verdict survives a full re-run
    people = {e["entity_id"]: e["records"] for e in lines(run(db, "entities", "--json", "--kind", "Person"))}
    assert people["OP-DEMO-01/P1c"] == ["OP-DEMO-01/P1c"]
    run(db, "review", "accept", "OP-DEMO-01/P1c", "OP-DEMO-01/P1")  # the latest verdict wins
    people = {e["entity_id"]: e["records"] for e in lines(run(db, "entities", "--json", "--kind", "Person"))}
    assert people["OP-DEMO-01/P1"] == ["OP-DEMO-01/P1", "OP-DEMO-01/P1b", "OP-DEMO-01/P1c"]
    run(db, "review", "retract", "OP-DEMO-01/P1", "OP-DEMO-01/P1c")
    refused = runner.invoke(cli, ["--db", str(db), "review", "accept", "OP-DEMO-01/P5", "OP-DEMO-01/P1"])
    assert refused.exit_code == 3 and "OP-DEMO-01/P5 1991-07-19" in refused.output  # Kyle is not Marcus
    people = {e["entity_id"]: e["records"] for e in lines(run(db, "entities", "--json", "--kind", "Person"))}
    assert people["OP-DEMO-01/P1"] == ["OP-DEMO-01/P1", "OP-DEMO-01/P1b", "OP-DEMO-01/P1c"]


def test_review_list_and_unknown_record(db: Path) -> None:
    run(db, "resolve")
    assert lines(run(db, "review", "list", "--json")) == []
    assert "review queue" in run(db, "review", "list")
    bad = runner.invoke(cli, ["--db", str(db), "review", "accept", "OP-DEMO-01/P1", "nope"])
    assert bad.exit_code == 2 and "no such record" in bad.output
