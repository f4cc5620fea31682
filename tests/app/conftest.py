"""Fixtures shared by the app tests: a demo store built once per module, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_support import make_demo_db


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("appdemo")
    return make_demo_db(root / "demo.db", root / "quarantine")


@pytest.fixture
def db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo store (no sweep recorded yet), named to the app through the environment."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("ASSETGRAPH_DB", str(path))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return path
