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


def pytest_report_header(config: pytest.Config) -> str:
    target = os.environ.get("NEO4J_URI") or "ArcadeDB (arcadedb-embedded) Bolt plugin"
    return f"assetgraph bolt target: {target}"
