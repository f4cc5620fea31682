"""ICIJ Offshore Leaks CSV set (FORMATS.md): node files and ``relationships.csv``.

One node file, a folder of them, or ``relationships.csv`` alone loads; node files are read
before relationships so each link can be checked against the store. Columns are matched by
header name, never by position (the published files and the mirrors differ in column order).

Decisions (documented here because an analyst will ask):

* Every node is one source record in dataset ``icij`` with ``source_id`` = the ICIJ ``node_id``.
* Entities and "others" are Companies; officers and intermediaries are Companies when the name
  carries an organisation legal form (``rigour`` org-type detection, then :data:`ORG_WORDS`),
  otherwise People. The reason is kept in ``kind_basis`` so the call can be reviewed.
* Jurisdiction codes are ICIJ's own (``BVI``, ``PMA``, ``XXX``): kept as ``jurisdiction_code``;
  the description is ``jurisdiction``. ``country`` is the ISO alpha-2 of the first ISO alpha-3
  ``country_codes`` entry (pycountry); the ICIJ codes are kept as given.
* ``same_as``/``similar``-style links are ICIJ's own guesses: they become ``ASSOCIATE`` with role
  ``icij: <rel_type>``, never ``SAME_AS`` (merging is resolution's decision, with evidence).
* A link whose end is not in the store is quarantined (``unknown node``); an unknown
  ``rel_type`` is quarantined (a new ICIJ link type must be mapped, not guessed).
* A node_id seen twice in one load is quarantined after the first (one record per id keeps a
  re-load a no-op). The set of seen ids is the one thing that grows with the file: ~50 bytes
  per node.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pycountry
from rigour.names import extract_org_types

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store, batched
from graph.types import clean_date, clean_text
from ingest.csvio import BadRow, open_text, read_csv
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport, Record
from ingest.source_files import Limits, Listing, Skipped, list_folder

__all__ = ["is_organisation", "node_type_of", "load_icij", "REL_TYPES", "NODE_ORDER",
           "ORG_WORDS"]

# Load order in a folder: nodes first, so every relationship can be checked against the store.
NODE_ORDER = ("entity", "other", "intermediary", "officer", "address", "relationship")
_NAME_HINTS = (("relationship", "relationship"), ("entit", "entity"), ("officer", "officer"),
               ("intermediar", "intermediary"), ("address", "address"), ("other", "other"))

# rel_type -> (relation kind or None for "decide by link text", role). Unknown rel_types are quarantined.
REL_TYPES: dict[str, tuple[str | None, str | None]] = {
    "officer_of": (None, None),
    "shareholder_of": (None, None),
    "beneficiary_of": (None, None),
    "director_of": (None, None),
    "intermediary_of": ("ASSOCIATE", "intermediary"),
    "registered_address": ("REGISTERED_AT", None),
    **{t: ("ASSOCIATE", f"icij: {t}") for t in (
        "same_as", "same_name_as", "same_company_as", "same_id_as", "same_intermediary_as", "same_address_as",
        "similar", "similar_company_as", "probably_same_officer_as", "similar_name_and_address_as",
        "connected_to", "underlying")},
}
# For officer-style links, the ``link`` text decides: first pattern that matches wins.
LINK_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"shareholder|beneficial owner|\bowner\b|stockholder|\bmember\b"), "OWNS"),
    (re.compile(r"director|secretary|president|treasurer|chairman|chief executive|\bofficer\b"), "DIRECTOR_OF"),
)
# Words that make a name an organisation when rigour finds no legal form (documented heuristic).
ORG_WORDS = re.compile(
    r"\b(anstalt|stiftung|foundation|trust|trustees?|holdings?|services|bank|banque|corp|corporation|company"
    r"|co\.|& co|associates|partners|nominees?|group|fund|enterprises?|management|consult\w*|fiduciar\w*"
    r"|fiducia\w*|treuhand\w*|capital|investments?|properties|ventures|establishment|chambers|law firm"
    r"|attorneys|advocates|solicitors|secretaries|incorporated|international)\b", re.IGNORECASE)

_SPACES = re.compile(r"\s+")
_CHUNK = 2000  # relationship rows whose ends are checked against the store at once


def is_organisation(name: str | None) -> tuple[bool, str]:
    """Is this officer/intermediary name an organisation? Returns the answer and why."""
    if not name:
        return False, "no name"
    forms = extract_org_types(name)
    if forms:
        return True, f"legal form {forms[0][0]!r} (rigour)"
    word = ORG_WORDS.search(name)
    if word:
        return True, f"organisation word {word.group(0)!r}"
    return False, "no legal form in name"


def node_type_of(path: Path, header: Iterable[str] | None = None) -> str | None:
    """Which ICIJ file this is: by file name, else by its header (columns matched by name)."""
    stem = path.name.lower().removesuffix(".gz").removesuffix(".csv")
    if stem.startswith("nodes") or stem.startswith("relationships"):
        for hint, kind in _NAME_HINTS:
            if hint in stem:
                return kind
    cols = set(header if header is not None else _header(path))
    if "node_id_start" in cols and "node_id_end" in cols:
        return "relationship"
    if "node_id" not in cols:
        return None
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


def _open(path: Path) -> IO[str]:
    """A node file as text; ``.csv.gz`` is read compressed (the full files are large)."""
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", errors="replace", newline="")
    return open_text(path)


def _header(path: Path) -> list[str]:
    try:
        with _open(path) as fh:
            rows = list(csv.reader([fh.readline()]))
    except (OSError, EOFError, csv.Error):
        return []
    return [c.strip().lstrip("\ufeff") for c in rows[0]] if rows else []


@lru_cache(maxsize=4096)
def _country(codes: str | None) -> str | None:
    """ISO alpha-2 of the first ISO alpha-3 code ICIJ gives (``"GBR;ESP"`` -> ``"GB"``; ``XXX`` -> None)."""
    for code in (codes or "").split(";"):
        code = code.strip().upper()
        country = pycountry.countries.get(alpha_3=code) if len(code) == 3 and code.isalpha() else None
        if country is not None:
            return str(country.alpha_2)
    return None


def _text(raw: dict[str, Any], column: str) -> str | None:
    value = clean_text(raw.get(column))
    return _SPACES.sub(" ", value) if value else None


class _Icij:
    """Maps ICIJ rows to records; remembers node ids seen in this load (duplicates quarantined)."""

    def __init__(self, store: Store, loader: Loader, dataset: str) -> None:
        self.store = store
        self.loader = loader
        self.ds = dataset
        self.seen: set[int | str] = set()
        self._file = "relationships.csv"

    def provenance(self, file: str, row: int, raw: dict[str, Any], ref: str) -> tuple[Provenance, ...]:
        source = _text(raw, "sourceID")
        return (Provenance(self.ds, file, row, f"ICIJ Offshore Leaks: {source}" if source else "ICIJ Offshore Leaks",
                           ref, self.loader.ingested_at),)

    def _node_id(self, raw: dict[str, Any]) -> str:
        node = clean_text(raw.get("node_id"))
        if node is None:
            raise InvalidRecord("node_id is empty", "node_id")
        key: int | str = int(node) if node.isascii() and node.isdigit() and len(node) < 19 else node
        if key in self.seen:
            raise InvalidRecord(f"duplicate node_id {node!r} in this load", "node_id")
        self.seen.add(key)
        return node

    def node_mapper(self, file: str, node_type: str) -> Callable[[int, dict[str, Any]], list[Record]]:
        def mapper(row: int, raw: dict[str, Any]) -> list[Record]:
            props = self.node_props(node_type, raw)  # dates checked before the id is taken
            node = self._node_id(raw)
            kind = props.pop("_kind")
            return [Entity(make_id(self.ds, node), kind, props,
                           self.provenance(file, row, raw, f"ICIJ node {node}"), node, self.ds)]
        return mapper

    def node_props(self, node_type: str, raw: dict[str, Any]) -> dict[str, Any]:
        codes = _text(raw, "country_codes")
        common = {"country": _country(codes), "country_codes": codes, "countries": _text(raw, "countries"),
                  "icij_source": _text(raw, "sourceID"), "valid_until": _text(raw, "valid_until"),
                  "note": _text(raw, "note"), "icij_node_type": node_type}
        name = _text(raw, "name")
        if node_type == "address":
            props: dict[str, Any] = {"_kind": "Address", "full": _text(raw, "address") or name, "name": name,
                                     "icij_id": _text(raw, "icij_id")}
        elif node_type in ("entity", "other"):
            dates = {col: self._date(raw, col) for col in ("incorporation_date", "inactivation_date",
                                                            "struck_off_date", "closed_date", "dorm_date")}
            props = {"_kind": "Company", "name": name, "original_name": _text(raw, "original_name"),
                     "former_name": _text(raw, "former_name"), "jurisdiction": _text(raw, "jurisdiction_description"),
                     "jurisdiction_code": _text(raw, "jurisdiction"), "company_number": _text(raw, "ibcRUC"),
                     "company_type": _text(raw, "company_type") or _text(raw, "type"),
                     "service_provider": _text(raw, "service_provider"), "status": _text(raw, "status"),
                     "address": _text(raw, "address"), "internal_id": _text(raw, "internal_id"),
                     "incorporated": dates["incorporation_date"],
                     "dissolved": dates["struck_off_date"] or dates["closed_date"] or dates["inactivation_date"],
                     **{k: v for k, v in dates.items() if k != "incorporation_date"}}
        else:
            org, basis = is_organisation(name)
            props = {"_kind": "Company" if org else "Person", "name": name, "kind_basis": basis,
                     "role": node_type, "status": _text(raw, "status"), "address": _text(raw, "address"),
                     "internal_id": _text(raw, "internal_id")}
        props.update(common)
        return {k: v for k, v in props.items() if v is not None}

    @staticmethod
    def _date(raw: dict[str, Any], column: str) -> str | None:
        try:
            return clean_date(raw.get(column))
        except InvalidRecord as exc:
            raise InvalidRecord(f"{column}: {exc.reason}", column) from None

    def relationship(self, row: int, raw: dict[str, Any], known: set[str]) -> list[Record]:
        rel_type = (clean_text(raw.get("rel_type")) or "").lower()
        if rel_type not in REL_TYPES:
            raise InvalidRecord(f"unknown rel_type {raw.get('rel_type')!r}", "rel_type")
        ends = []
        for column in ("node_id_start", "node_id_end"):
            node = clean_text(raw.get(column))
            if node is None:
                raise InvalidRecord(f"{column} is empty", column)
            if make_id(self.ds, node) not in known:
                raise InvalidRecord(f"unknown node {node!r} in {column}", column)
            ends.append(node)
        link = _text(raw, "link")
        kind, role = REL_TYPES[rel_type]
        if kind is None:
            text = (link or rel_type).lower()
            kind = next((k for pattern, k in LINK_RULES if pattern.search(text)), "ASSOCIATE")
            role = link or rel_type if kind != "ASSOCIATE" else f"icij: {link or rel_type}"
        props = {"role": role, "link": link, "status": _text(raw, "status"), "icij_rel_type": rel_type,
                 "start_date": self._date(raw, "start_date"), "end_date": self._date(raw, "end_date"),
                 "icij_source": _text(raw, "sourceID")}
        props = {k: v for k, v in props.items() if v is not None}
        detail = "|".join(str(props.get(k, "")) for k in ("link", "status", "start_date", "end_date", "icij_source"))
        sid = f"{ends[0]}>{rel_type}>{ends[1]}:{hashlib.blake2b(detail.encode(), digest_size=4).hexdigest()}"
        return [Relation(make_id(self.ds, sid), kind, make_id(self.ds, ends[0]), make_id(self.ds, ends[1]), props,
                         self.provenance(self._file, row, raw, f"ICIJ link {ends[0]} {rel_type} {ends[1]}"),
                         sid, self.ds)]

    def load_relationships(self, file: str, rows: Iterator[tuple[int, dict[str, Any]]]) -> None:
        """Check ends against the store a chunk at a time, so memory does not grow with the file."""
        self._file = file
        self.loader.flush()  # nodes of this load must be in the store before their links are checked
        for chunk in batched(rows, _CHUNK):
            self._run_chunk(file, chunk)

    def _run_chunk(self, file: str, chunk: list[tuple[int, dict[str, Any]]]) -> None:
        wanted = {make_id(self.ds, node) for _, raw in chunk for col in ("node_id_start", "node_id_end")
                  if (node := clean_text(raw.get(col)))}
        known = {e.id for e in self.store.get_entities(sorted(wanted))}
        self.loader.run(file, chunk, lambda row, raw: self.relationship(row, raw, known))


def _rows(loader: Loader, file: str, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with _open(path) as fh:
        for item in read_csv(fh):
            if isinstance(item, BadRow):
                loader.reject(file, item.row, item.reason, None, item.raw)
            else:
                yield item.row, item.data


def _files(path: Path, loader: Loader, limits: Limits) -> list[tuple[str, Path]]:
    """(node type, file) in load order. Of a folder only its regular files are read
    (ingest.source_files); every other file, and every file that is not an ICIJ CSV, is reported
    to ``loader`` as skipped, with why."""
    listing = list_folder(path, limits, _not_a_csv) if path.is_dir() else Listing(path.parent, {path.name: path})
    typed = []
    for name, file in listing.files.items():
        node_type = node_type_of(file)
        if node_type is None:
            listing.skipped.append(Skipped(name, "not an ICIJ Offshore Leaks file: its name and header match no "
                                                 "node or relationship file"))
        else:
            typed.append((node_type, file))
    if not typed:
        raise InvalidRecord(f"no ICIJ Offshore Leaks CSV file in {path}")
    typed.sort(key=lambda tp: (NODE_ORDER.index(tp[0]), tp[1].name))
    for _, file in typed:
        loader.count(file.name)  # listed even when it holds no rows
    for skipped in listing.skipped:
        loader.skip(skipped.name, skipped.reason)
    return typed


def _not_a_csv(name: str) -> str | None:
    return None if name.lower().endswith((".csv", ".csv.gz")) else "not a CSV file (.csv or .csv.gz)"


def load_icij(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
              dataset: str = "icij", limits: Limits | None = None) -> LoadReport:
    """Load an ICIJ node file, ``relationships.csv``, or a folder of them; returns the reconciliation."""
    path = Path(path)
    loader = Loader(store, dataset, "icij", Path(quarantine_dir) / f"{dataset}.{path.stem}.quarantine.csv")
    icij = _Icij(store, loader, dataset)
    for node_type, file in _files(path, loader, limits or Limits()):
        if node_type == "relationship":
            icij.load_relationships(file.name, _rows(loader, file.name, file))
        else:
            loader.run(file.name, _rows(loader, file.name, file), icij.node_mapper(file.name, node_type))
    return loader.finish()


def _is_icij(path: Path) -> bool:
    if path.is_dir():
        return any(node_type_of(p) for p in list_folder(path, wanted=_not_a_csv).files.values())
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        return False
    header = _header(path)
    return ("node_id" in header or "node_id_start" in header) and node_type_of(path, header) is not None


@reader("icij", detect=_is_icij)
def read_icij(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``icij`` format for ``assetgraph load``."""
    return load_icij(store, path, quarantine_dir, str(options.get("dataset") or "icij"), Limits.from_options(options))
