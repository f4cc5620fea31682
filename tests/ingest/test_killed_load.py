"""A killed load loses nothing: SIGKILL part-way, then a re-run ends where an unbroken load ends.

A real ``assetgraph load`` runs in a child process on a case bundle big enough to take some
seconds; it is killed with SIGKILL as soon as its first batch is in the store. Then: what the
store holds is a part of what the unbroken load writes, each record whole (batches are atomic);
no finished quarantine file appears and the store's load ledger is untouched (the ``.partial``
quarantine is not mistaken for a finished one); and running the same load again gives the same
counts, the same records and the same quarantine file, byte for byte, as one unbroken load into a
fresh store. Done on the SQLite store and on the Bolt store (ArcadeDB's Bolt plugin); the unbroken
reference load always goes into a fresh SQLite file, so the Bolt run is also checked record for
record against the embedded store (and costs one slow Bolt load less). With ``NEO4J_URI`` set the
Bolt side runs on that Neo4j, whose database is wiped first.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests_support import CLI_ENV, cli_argv, run_cli

from graph.sqlite_store import SQLiteStore
from graph.store import Store

CASE_ID = "OP-K-01"


def write_big_bundle(folder: Path, people: int) -> Path:
    """A bundle of ``4 * people`` rows; about one row in 90 is quarantined (a bad date or amount)."""
    folder.mkdir(parents=True)
    (folder / "case.json").write_text(json.dumps({"case_id": CASE_ID, "subjects": ["P1"], "lifestyle": "yes"}))
    tables: dict[str, tuple[list[str], Iterator[list[str]]]] = {
        "people.csv": (["id", "name", "dob", "postcode"], (
            [f"P{i}", f"Person {i} SURNAME{i % 500}",
             "1980-02-30" if i % 97 == 0 else f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}", f"LS{i % 20} {i % 9}AB"]
            for i in range(1, people + 1))),
        "accounts.csv": (["id", "institution", "sort_code", "account_number"], (
            [f"A{i}", "Barclays", "20-00-00", f"{10000000 + i}"] for i in range(1, people + 1))),
        "transfers.csv": (["id", "date", "from_id", "to_id", "amount"], (
            [f"T{i}", "2020-01-01", f"A{1 + i % people}", f"P{1 + (i * 7) % people}",
             "12abc" if i % 89 == 0 else f"{i % 1000}.50"] for i in range(1, 2 * people + 1))),
    }
    for name, (header, rows) in tables.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return folder


@dataclass
class Target:
    """A fresh store as the command line names it, and as the test opens it."""

    args: list[str]
    open: Callable[[], Store]


def _sqlite_target(path: Path) -> Target:
    SQLiteStore(path).close()  # made before the load, so the test can watch it while the load writes
    return Target(["--db", str(path)], lambda: SQLiteStore(path))


def _bolt_target(server: Any) -> Target:
    from graph.neo4j_store import Neo4jStore

    database = server.new_database()  # a real Neo4j (NEO4J_URI) is wiped instead: its one database
    if not server.is_arcadedb:
        database = server.database
    args = ["--neo4j", server.uri, "--user", server.user, "--password", server.password]
    return Target(args + (["--database", database] if database else []),
                  lambda: Neo4jStore(server.uri, server.user, server.password, database))


@pytest.fixture(params=["sqlite", pytest.param("bolt", marks=pytest.mark.bolt)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """A fresh store of each kind: a SQLite file, or an empty database on the test Bolt server."""
    if request.param == "sqlite":
        return _sqlite_target(tmp_path / "killed.db")
    return _bolt_target(request.getfixturevalue("bolt_server"))


def _content(record: Any) -> dict[str, Any]:
    """A record as data, without the ingest time (which differs on every run by design)."""
    out = {"kind": record.kind, "props": dict(record.props), "source_id": record.source_id,
           "dataset": record.dataset,
           "provenance": [{k: v for k, v in p.to_dict().items() if k != "ingested_at"} for p in record.provenance]}
    if hasattr(record, "source"):
        out |= {"source": record.source, "target": record.target}
    return out


def _snapshot(target: Target) -> tuple[dict[str, int], dict[str, dict[str, Any]], list[Any]]:
    """Counts, every record by id, and the load ledger of the store."""
    with target.open() as store:
        records = {r.id: _content(r) for r in [*store.iter_entities(), *store.iter_relations()]}
        return store.counts(), records, store.get_meta("loads") or []


def _load(target: Target, bundle: Path, quarantine: Path, cwd: Path) -> dict[str, Any]:
    result = run_cli(*target.args, "load", str(bundle), "--json", "--no-resolve", "--quarantine-dir",
                     str(quarantine), cwd=cwd, timeout=900)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def _kill_after_first_batch(target: Target, bundle: Path, quarantine: Path, cwd: Path) -> int:
    """Start the load, SIGKILL it once the store holds its first batch; the records then held."""
    proc = subprocess.Popen(cli_argv(*target.args, "load", str(bundle), "--json", "--no-resolve",
                                     "--quarantine-dir", str(quarantine)),
                            cwd=cwd, env=CLI_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        with target.open() as store:
            deadline = time.monotonic() + 600
            while not sum(store.counts().values()):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the load ended (rc={proc.poll()}) or stalled before its first batch: "
                                f"{proc.stderr.read() if proc.stderr else ''}")
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=60) == -signal.SIGKILL, "the load finished before it was killed: make it bigger"
            return sum(store.counts().values())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


@pytest.mark.slow
def test_a_killed_load_resumes_to_exactly_what_an_unbroken_load_writes(
        target: Target, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    bolt = "bolt" in request.node.callspec.id
    bundle = write_big_bundle(tmp_path / "bundle", people=1500 if bolt else 5000)
    reference, killed = _sqlite_target(tmp_path / "reference.db"), target

    unbroken = _load(reference, bundle, tmp_path / "q-reference", tmp_path)
    want_counts, want_records, _ = _snapshot(reference)
    want_quarantine = (tmp_path / "q-reference" / f"{CASE_ID}.quarantine.csv").read_bytes()
    assert unbroken["reconciled"] and unbroken["quarantined"] > 0 and unbroken["loaded"] > 0

    held = _kill_after_first_batch(killed, bundle, tmp_path / "q-killed", tmp_path)
    counts, records, ledger = _snapshot(killed)
    assert 0 < held <= sum(counts.values()) < sum(want_counts.values())  # part-way
    assert all(records[i] == want_records[i] for i in records), "a half-written record"  # each one whole
    assert ledger == []  # the killed load never finished, so nothing records it as done
    # the rows it had quarantined are in the .partial only: no file looks like a finished quarantine
    assert (tmp_path / "q-killed" / f"{CASE_ID}.quarantine.csv.partial").exists()
    assert not (tmp_path / "q-killed" / f"{CASE_ID}.quarantine.csv").exists()

    resumed = _load(killed, bundle, tmp_path / "q-killed", tmp_path)
    counts, records, ledger = _snapshot(killed)
    assert {k: resumed[k] for k in ("read", "loaded", "quarantined", "skipped", "reconciled", "files")} == \
        {k: unbroken[k] for k in ("read", "loaded", "quarantined", "skipped", "reconciled", "files")}
    assert resumed["entities_written"] + resumed["relations_written"] < \
        unbroken["entities_written"] + unbroken["relations_written"]  # it resumed: the first batch was kept
    assert counts == want_counts
    assert records == want_records
    assert len(ledger) == 1
    assert (tmp_path / "q-killed" / f"{CASE_ID}.quarantine.csv").read_bytes() == want_quarantine
    assert not list((tmp_path / "q-killed").glob("*.partial"))
