"""Loading a file of the real corpus (``tests/fixtures/real/``) and checking its counts, for every reader.

Each reader's test module lists its corpus files with the counts they must give (read, loaded,
quarantined, fields dropped) and calls :func:`check_corpus_file` for each, with the format given
(``--format``) and detected: the same counts either way, every file reconciled, and a second load
writing nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.commands.load import load_path
from graph.store import Store
from ingest.formats import detect_format

REAL = Path(__file__).resolve().parent / "fixtures" / "real"


def corpus_params(folder: str, table: list[tuple[str, str, int, int, int, int]]) -> list[Any]:
    """pytest params ``(path, format, (read, loaded, quarantined, fields_dropped), given)`` for each file of
    ``table`` (rows ``(file, format, read, loaded, quarantined, fields_dropped)``), format given and detected."""
    return [pytest.param((REAL / folder / name, fmt, tuple(counts), given),
                         id=f"{name}-{'format' if given else 'detected'}")
            for name, fmt, *counts in table for given in (True, False)]


def check_corpus_file(store: Store, quarantine_dir: Path, path: Path, fmt: str, counts: tuple[int, int, int, int],
                      given: bool) -> None:
    """Load ``path`` (format ``fmt`` given, or detected) twice and check the counts and idempotence."""
    assert detect_format(path) == fmt
    report = load_path(store, path, fmt if given else None, quarantine_dir, {})
    assert report.format == fmt
    assert (report.read, report.loaded, report.quarantined, report.fields_dropped) == counts
    assert all(f.reconciles for f in report.files.values())
    again = load_path(store, path, fmt if given else None, quarantine_dir, {})
    assert (again.entities_written, again.relations_written) == (0, 0)
