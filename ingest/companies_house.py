"""Companies House bulk products, and the small helpers every UK register reader shares.

The readers themselves live in :mod:`ingest.ch_basic` (Basic Company Data CSV, ``ch-basic``),
:mod:`ingest.ch_psc` (People with Significant Control snapshot, ``ch-psc``) and
:mod:`ingest.ch_officers` (officers bulk snapshot, ``ch-officers``); importing this module
registers all three, so ``READER_MODULES`` needs only ``ingest.companies_house``.

The helpers here exist because registers repeat the same company, address or title on many
rows. A record that many rows mention (a registered-office address, the company a PSC points at,
a Land Registry proprietor) gets an id derived from its *content* and a provenance without a row
number, so every row emits byte-identical copies: loading the file twice writes nothing, and no
reader has to remember what it has already seen (memory stays flat on a 10^7-row file).

The officers bulk snapshot (``ch-officers``) is read by :mod:`ingest.ch_officers`, also
registered from here.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from graph.errors import InvalidRecord
from graph.territory import territory_code
from graph.types import clean_text

__all__ = ["country_code", "join_address", "short_hash", "text", "obj", "squash", "RecentIds", "READER_PARTS"]

# Modules holding the Companies House readers; imported (and so registered) below.
READER_PARTS = ("ingest.ch_basic", "ingest.ch_psc", "ingest.ch_officers")

_SPACES = re.compile(r"\s+")


def squash(value: str) -> str:
    """Collapse runs of whitespace (wrapped and padded register cells) to one space."""
    return _SPACES.sub(" ", value).strip()


def text(value: object, column: str | None = None) -> str | None:
    """A scalar cell as clean text; a nested object where text belongs is an invalid record.

    JSON sources can hold anything in any field, so this is the one place that says which
    shapes are acceptable (strings and numbers), rather than letting a ``dict.strip`` crash.
    """
    if type(value) is str:  # the hot path: every cell of every CSV row
        cleaned = value.strip()
        if not cleaned:
            return None
        return squash(cleaned) if ("  " in cleaned or "\n" in cleaned or "\t" in cleaned or "\r" in cleaned) \
            else cleaned
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, str | int | float):
        cleaned = clean_text(value)
        return squash(cleaned) if cleaned else None
    raise InvalidRecord(f"{column or 'value'} should be text, got {type(value).__name__}", column)


def obj(value: object, column: str) -> Mapping[str, Any]:
    """A nested JSON object (absent means empty); anything else is an invalid record."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRecord(f"{column} should be an object, got {type(value).__name__}", column)
    return value


def join_address(parts: Iterable[object]) -> str | None:
    """Join the non-empty parts of an address with ``", "`` (None when all are empty)."""
    out: list[str] = []
    for part in parts:
        cleaned = text(part, "address")
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return ", ".join(out) or None


def short_hash(*parts: object, size: int = 10) -> str:
    """A short stable hex digest of ``parts``: ids for records a register gives no id of their own."""
    blob = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=size).hexdigest()


class RecentIds:
    """A bounded memory of ids a reader emitted lately, to skip re-sending identical shared records.

    Only for records whose content is a function of their id (content-derived ids, row-free
    provenance): skipping one then loses nothing, and the store would have found it unchanged
    anyway -- after hashing it. Registers cluster repeats (a company's PSCs are adjacent, a
    formation agent's companies share an office), so a few thousand ids catch most of them while
    memory stays fixed (oldest first out).
    """

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self._ids: dict[str, None] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def seen(self, key: str) -> bool:
        """True when ``key`` was emitted lately; otherwise remember it and return False."""
        if key in self._ids:
            return True
        self._ids[key] = None
        if len(self._ids) > self.size:
            del self._ids[next(iter(self._ids))]
        return False


def country_code(name: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for a register's country text (``"England"`` -> ``GB``), or None.

    Registers spell countries freely ("England And Wales", "Minnesota, Usa", "BVI"); the shared
    territory type resolves codes, names and sub-national parts (cached: a bulk file has a few
    hundred distinct spellings across millions of rows). Text naming no place gives None.

    >>> [country_code(t) for t in ("England", "British Virgin Islands", "Minnesota, Usa", "Narnia")]
    ['GB', 'VG', 'US', None]
    """
    if not name or not name.strip():
        return None
    for candidate in (name, name.split(",")[-1], name.split(",")[0]):
        if candidate.strip() and (code := territory_code(candidate.strip())) is not None:
            return code
    return None


for _module in READER_PARTS:
    importlib.import_module(_module)
