"""Builders for the app tests: demo stores and AppTest runs of one page as a given user."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.auth import User
from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle

__all__ = ["APP", "DEMO", "PAGE_FILES", "make_demo_db", "run_page"]

APP = Path(__file__).resolve().parents[1] / "app"
DEMO = Path(__file__).resolve().parents[1] / "ingest" / "demo" / "OP-DEMO-01"
PAGE_FILES = ("search", "case", "gifts", "network", "overseas", "flow", "review", "audit", "revisit", "briefing")


def _scan_components_once() -> None:
    """AppTest re-reads every installed package's metadata on each run looking for components
    (~0.7 s a run); a real server does it once at start, so the tests do it once too."""
    import functools

    from streamlit.components.v2 import manifest_scanner

    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


_scan_components_once()


def make_demo_db(path: Path, quarantine: Path) -> Path:
    """A SQLite store holding the demo bundle (no resolution: the findings that show already)."""
    with SQLiteStore(path) as store:
        load_bundle(store, DEMO, quarantine)
    return path


def run_page(page: str, role: str | None = "analyst", state: dict | None = None, timeout: float = 60) -> AppTest:
    """Run ``app/pages/<page>.py`` once, signed in with ``role`` (None: anonymous)."""
    at = AppTest.from_file(str(APP / "pages" / f"{page}.py"), default_timeout=timeout)
    if role is not None:
        at.session_state["user"] = User(f"{role}1", f"Test {role}", role)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()
