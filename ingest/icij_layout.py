"""Which ICIJ Offshore Leaks file is which, and one set of column names for every release.

ICIJ has published the Offshore Leaks Database as CSV in several layouts; a seized drive or a
journalist's folder may hold any of them. Columns are always matched by name, never by position,
after :func:`canonical_header` has mapped each release's names onto the newest ones:

============================  =================================================  ==========================
release                       node files                                         relationship file
============================  =================================================  ==========================
2016 CSV (Offshore Leaks +    ``Entities.csv``, ``Officers.csv``,                ``all_edges.csv``:
Panama Papers, and the 2013   ``Intermediaries.csv``, ``Addresses.csv``          ``node_1,rel_type,node_2``
Offshore Leaks data in it)    (node_id near the end; ``icij_id`` column)        (rel_type is the link text)
2017-18 per-leak zips         ``panama_papers.nodes.entity.csv``,                ``<leak>.edges.csv``:
(Panama, Paradise, Bahamas,   ``paradise_papers.nodes.other.csv`` ...            ``START_ID,TYPE,END_ID,link``
Offshore Leaks)               (Bahamas: a ``labels(n)`` column)                  (Bahamas: ``node_1,rel_type``)
``full-oldb`` (2021-, Pandora ``nodes-entities.csv``, ``nodes-officers.csv``,    ``relationships.csv``:
Papers and later)             ``nodes-intermediaries.csv``, ``nodes-addresses``, ``node_id_start,node_id_end,
                              ``nodes-others.csv``                               rel_type,link,status,...``
============================  =================================================  ==========================

Neo4j exports of the same graph add prefixes (``n.name``) or type suffixes (``node_id:ID``,
``:START_ID``); those are read too. A file is ICIJ only when its header carries node ids (or the
two ends of a link): a name alone never makes a stray ``addresses.csv`` an ICIJ file.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from ingest.csvio import clean_headers, open_text
from ingest.source_files import DEFAULT_MAX_FILE_SIZE, CappedReader

__all__ = ["NODE_COLUMNS", "EDGE_COLUMNS", "canonical_header", "node_type_of", "name_hint", "open_icij",
           "read_header"]

NODE_COLUMNS = ("node_id", "name", "original_name", "former_name", "jurisdiction", "jurisdiction_description",
                "company_type", "address", "internal_id", "incorporation_date", "inactivation_date",
                "struck_off_date", "dorm_date", "closed_date", "status", "service_provider", "ibcRUC",
                "country_codes", "countries", "sourceID", "valid_until", "note", "icij_id", "type", "labels")
EDGE_COLUMNS = ("node_id_start", "node_id_end", "rel_type", "link", "status", "start_date", "end_date", "sourceID",
                "valid_until")
_KNOWN = {c.lower(): c for c in (*NODE_COLUMNS, *EDGE_COLUMNS)}
# Names other releases and Neo4j exports give the two ends and the type of a link.
_EDGE_ALIASES = {"node_1": "node_id_start", "start_id": "node_id_start", "_start": "node_id_start",
                 "node_2": "node_id_end", "end_id": "node_id_end", "_end": "node_id_end",
                 "type": "rel_type", "_type": "rel_type", "rel_type": "rel_type"}
_ENTITY_ONLY = frozenset({"ibcRUC", "service_provider", "original_name", "former_name", "company_type",
                          "inactivation_date", "dorm_date", "jurisdiction_description"})
# File-name words, in the order they are tried (``relationship`` before ``entit``: no overlap, but explicit).
_NAME_HINTS = (("relationship", "relationship"), ("edges", "relationship"), ("entit", "entity"),
               ("officer", "officer"), ("intermediar", "intermediary"), ("address", "address"), ("other", "other"))
_NEO4J_SUFFIX = re.compile(r"^(?P<name>[^:(]*):[A-Za-z_]+(\([^)]*\))?$")  # node_id:ID, :START_ID(Entity)


def _one(cell: str) -> str:
    name = cell.strip().lstrip("\ufeff").strip('"').strip()
    lower = name.lower()
    if lower in ("labels(n)", ":label"):
        return "labels"
    suffix = _NEO4J_SUFFIX.match(name)
    if suffix:  # "node_id:ID" -> node_id; ":START_ID" -> start_id
        name = suffix.group("name") or name.split(":")[1].split("(")[0]
        lower = name.lower()
    if lower not in _KNOWN and "." in name:  # "n.node_id", "r.link"
        tail = name.rsplit(".", 1)[1]
        if tail.lower() in _KNOWN or tail.lower() in _EDGE_ALIASES:
            name, lower = tail, tail.lower()
    return _KNOWN.get(lower, name if lower not in _EDGE_ALIASES else lower)


def canonical_header(cells: Iterable[str]) -> list[str]:
    """Every release's column names as the newest release spells them.

    Link ends and types are renamed only in a file that has both ends, so a node file's own
    ``type`` column (``nodes-others.csv``) stays ``type``.

    >>> canonical_header(["node_1", "rel_type", "node_2"])
    ['node_id_start', 'rel_type', 'node_id_end']
    >>> canonical_header(["START_ID", "TYPE", "END_ID", "link"])
    ['node_id_start', 'rel_type', 'node_id_end', 'link']
    >>> canonical_header(["\\ufeffn.node_id", "n.name", "labels(n)", "SourceID"])
    ['node_id', 'name', 'labels', 'sourceID']
    >>> canonical_header(["node_id", "name", "type"])
    ['node_id', 'name', 'type']
    """
    names = [_one(c) for c in cells]
    lowered = [n.lower() for n in names]
    starts = {"node_id_start", "node_1", "start_id", "_start"}
    ends = {"node_id_end", "node_2", "end_id", "_end"}
    if starts & set(lowered) and ends & set(lowered):
        names = [_EDGE_ALIASES.get(n.lower(), n) for n in names]
    return names


def open_icij(path: Path, cap: int = DEFAULT_MAX_FILE_SIZE) -> IO[str]:
    """A node or link file as text; ``.csv.gz`` is read compressed (the full files are large), and
    stops with a clear error past ``cap`` decompressed bytes (a gzip bomb)."""
    if path.name.lower().endswith(".gz"):
        raw = gzip.open(path, "rb")  # noqa: SIM115 - closed with the text stream returned
        stream = io.BufferedReader(CappedReader(raw, cap, path.name))
        return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    return open_text(path)


def read_header(path: Path, lines: int = 5) -> tuple[int, list[str]]:
    """The line number and canonical names of a file's header: its first row with a name in it.

    A spreadsheet-saved copy may open with a row of empty cells (``,,,,``) or an unnamed index
    column; the header is the first row that is not blank. ``(0, [])`` when there is none in the
    first ``lines`` rows or the file cannot be read.
    """
    try:
        with open_icij(path) as fh:
            reader = csv.reader(fh)
            for cells in reader:
                if any(c.strip() for c in cells):
                    return reader.line_num, clean_headers(canonical_header(cells))
                if reader.line_num >= lines:
                    break
    except (OSError, EOFError, csv.Error):
        pass
    return 0, []


def name_hint(path: Path) -> str | None:
    """The node type a file's name suggests (``nodes-officers.csv``, ``Officers.csv``,
    ``panama_papers.nodes.officer.csv``, ``all_edges.csv``), or None.

    >>> name_hint(Path("paradise_papers.nodes.other.csv")), name_hint(Path("all_edges.csv.gz"))
    ('other', 'relationship')
    >>> name_hint(Path("Entities_mini.csv")), name_hint(Path("people.csv"))
    ('entity', None)
    """
    stem = path.name.lower().removesuffix(".gz").removesuffix(".csv")
    parts = re.split(r"[.\-_\s]+", stem)
    if ".nodes." in f".{stem}." or stem.startswith("nodes"):
        words = parts[parts.index("nodes") + 1:] if "nodes" in parts else parts
    else:
        words = parts
    for word in words:
        for hint, kind in _NAME_HINTS:
            if word.startswith(hint) or (hint == "edges" and word == "edges"):
                return kind
    return None


def node_type_of(path: Path, header: Iterable[str] | None = None) -> str | None:
    """Which ICIJ file this is (``entity``, ``other``, ``intermediary``, ``officer``, ``address``,
    ``relationship``), from its name when its header agrees, else from its header alone; None when
    the header has neither node ids nor link ends.

    ``header`` is the file's first row (any release's names); without it the file is read.
    """
    if header is None:
        header = read_header(path)[1]
    cols = set(canonical_header(header))
    if {"node_id_start", "node_id_end"} <= cols:
        return "relationship"
    if "node_id" not in cols:
        return None
    hinted = name_hint(path)
    if hinted is not None and hinted != "relationship":
        return hinted
    if cols & _ENTITY_ONLY:
        return "entity"
    if "type" in cols and "name" in cols:
        return "other"
    if "jurisdiction" in cols or "incorporation_date" in cols:
        return "entity"
    if "internal_id" in cols or ("status" in cols and "name" in cols):
        return "intermediary"
    if "address" in cols:
        return "address"
    if "name" in cols:
        return "officer"
    return None
