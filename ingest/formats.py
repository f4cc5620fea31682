"""The readers by format name: ``assetgraph load --format F PATH`` looks them up here.

A reader is a function ``(store, path, quarantine_dir, options) -> LoadReport``. Each source
module registers itself with :func:`reader`; detection by file name/header picks one when no
format is given.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.store import Store
from ingest.pipeline import LoadReport
from ingest.source_files import check_path

__all__ = ["ReaderFn", "READERS", "reader", "get_reader", "detect_format", "READER_MODULES"]

ReaderFn = Callable[[Store, Path, Path, dict[str, Any]], LoadReport]
READERS: dict[str, ReaderFn] = {}
# Modules that register readers when imported. A module not in this build is simply not offered
# (a format exists only when its reader does).
READER_MODULES = ("ingest.bundle", "ingest.companies_house", "ingest.land_registry", "ingest.icij", "ingest.ftm",
                  "ingest.bank", "ingest.ofx", "ingest.mapped_csv", "ingest.case_list")
_DETECTORS: list[tuple[str, Callable[[Path], bool]]] = []
# What a detector meeting a file that is not its format may raise: that means "not this format".
_NOT_MINE = (OSError, ValueError, EOFError, LookupError, csv.Error, zipfile.BadZipFile)


def reader(name: str, detect: Callable[[Path], bool] | None = None) -> Callable[[ReaderFn], ReaderFn]:
    """Register a reader under ``name`` (and optionally a cheap detector for its files)."""
    def wrap(fn: ReaderFn) -> ReaderFn:
        READERS[name] = fn
        if detect is not None:
            _DETECTORS.append((name, detect))
        return fn
    return wrap


def _load_all() -> None:
    for module in READER_MODULES:
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


def get_reader(name: str) -> ReaderFn:
    _load_all()
    if name not in READERS:
        raise InvalidRecord(f"unknown format {name!r}; known: {', '.join(sorted(READERS))}")
    return READERS[name]


def detect_format(path: Path) -> str:
    """The first registered format whose detector accepts ``path``.

    ``path`` is checked first (:func:`ingest.source_files.check_path`): detectors open files to
    read their first lines, and a FIFO or a device must never be opened.
    """
    check_path(path)
    _load_all()
    for name, detect in _DETECTORS:
        try:
            if detect(path):
                return name
        except _NOT_MINE:
            continue
    raise InvalidRecord(f"cannot tell the format of {path}; pass --format ({', '.join(sorted(READERS))})")
