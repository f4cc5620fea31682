"""Shared fixtures: a ``store`` parametrised over every Store implementation.

The Bolt side runs against a real Neo4j when ``NEO4J_URI`` is set, otherwise against the
ArcadeDB server (with its Neo4j Bolt plugin) from ``arcadedb-embedded``, started once per
session in a child process.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.sqlite_store import SQLiteStore
from graph.store import Store

_counter = itertools.count()


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from bolt_server import start_bolt_server

    server = start_bolt_server(tmp_path_factory.mktemp("arcadedb"))
    try:
        yield server
    finally:
        server.stop()


def _bolt_store(request: pytest.FixtureRequest) -> Store:
    from bolt_server import fresh_store

    server = request.getfixturevalue("bolt_server")
    return fresh_store(server, f"t{next(_counter)}")


@pytest.fixture(params=["sqlite", pytest.param("bolt", marks=pytest.mark.bolt)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind."""
    st: Store = SQLiteStore(tmp_path / "test.db") if request.param == "sqlite" else _bolt_store(request)
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    st = SQLiteStore(tmp_path / "test.db")
    try:
        yield st
    finally:
        st.close()


@pytest.fixture(scope="session")
def demo_bundle() -> Path:
    """The demo case bundle shipped in the package."""
    return Path(__file__).resolve().parents[1] / "ingest" / "demo" / "OP-DEMO-01"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo case loaded into a SQLite file once per module (the app tests copy it per test)."""
    from app_support import make_demo_db

    root = tmp_path_factory.mktemp("appdemo")
    return make_demo_db(root / "demo.db", root / "quarantine")


@pytest.fixture
def db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo store (no sweep recorded yet), named to the app through the environment."""
    import shutil

    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("ASSETGRAPH_DB", str(path))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return path


def pytest_report_header(config: pytest.Config) -> str:
    target = os.environ.get("NEO4J_URI") or "ArcadeDB (arcadedb-embedded) Bolt plugin"
    return f"assetgraph bolt target: {target}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say, per store, how the conformance suite went (the CI log shows both stores ran it)."""
    tally: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            backend = "bolt" if "[bolt]" in nodeid else "sqlite" if "[sqlite]" in nodeid else None
            if "tests/store/test_conformance.py" not in nodeid or backend is None:
                continue
            if outcome == "passed" and report.when != "call":
                continue
            tally.setdefault(backend, {}).setdefault(outcome, 0)
            tally[backend][outcome] += 1
    if tally:
        terminalreporter.write_sep("-", "store conformance suite")
        for backend, counts in sorted(tally.items()):
            target = (os.environ.get("NEO4J_URI") or "ArcadeDB Bolt plugin") if backend == "bolt" else "SQLite file"
            summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
            terminalreporter.write_line(f"{backend} ({target}): {summary}")
