"""ICIJ Offshore Leaks CSV, every published layout: node files and their links, one file or a folder.

Which file is which, and each release's column names, are :mod:`ingest.icij_layout`'s; what a
link means is :mod:`ingest.icij_links`'s. One node file, a folder of them, or a link file alone
loads (the 2016 ``all_edges.csv``, the per-leak ``<leak>.edges.csv``, ``relationships.csv``); node
files are read before links so each link can be checked against the store.

Decisions (documented here because an analyst will ask):

* Every node is one source record in dataset ``icij`` with ``source_id`` = the ICIJ ``node_id``.
* Entities and "others" are Companies; officers and intermediaries are Companies when the name
  carries an organisation legal form (``rigour`` org-type detection, then :data:`ORG_WORDS`),
  otherwise People. The reason is kept in ``kind_basis`` so the call can be reviewed. An officer
  named for bearer shares ("THE BEARER", "EL PORTADOR") is nobody known: it keeps ``bearer:
  true`` and says so in ``kind_basis`` (resolution must not merge two of them on the name).
* Jurisdiction codes are ICIJ's own (``BVI``, ``PMA``, ``XXX``): kept as ``jurisdiction_code``;
  the description is ``jurisdiction``. ``country`` is the ISO alpha-2 of the first ISO alpha-3
  ``country_codes`` entry (pycountry); the ICIJ codes are kept as given.
* Provenance: ``source`` is ``ICIJ Offshore Leaks: <sourceID>`` (the leak, e.g. "Panama Papers";
  the 2016 link file has none), ``source_ref`` is ``ICIJ node <id>`` or ``ICIJ link <a> <type>
  <b>``; ``valid_until`` ("The Panama Papers data is current through 2015") is kept as a prop on
  every record, with ``icij_source``, because it says how old the fact is.
* Dates (incorporation, inactivation, struck off, closed, dormant; a link's start and end) are
  read by the shared parser (:func:`graph.partial_date.parse_date`) in every form ICIJ writes
  (``23-MAR-2006``, ``23-Mar-06``, ``Mar 23, 2006``, ``2006``, ``23.03.2006``, ``23/03/06``) and
  kept at their precision. Two-digit years use the pivot of the record's own ``valid_until``: data
  "current through 2015" has no date after 2015, so ``06`` is 2006 and ``16`` is 1916; a record
  without one uses the parser's default (this year). The forms read are counted per column in
  the load report's ``notes["date_forms"]``.
* Every date is optional: one that cannot be read (``31-FEB-2010``, US-order ``04/27/05``) costs
  that field only (``<field>_raw`` kept, a field-level quarantine line). A node is quarantined
  only without its ``node_id`` (or with one already seen in this load: one record per id keeps a
  re-load a no-op); a link only without both ends, without any type or role text, or with an end
  that is neither in this load nor in the store (``unknown node``).
* ICIJ's similarity links are ``ASSOCIATE``, never ``SAME_AS`` (see :mod:`ingest.icij_links`).
* The set of seen node ids is the one thing that grows with the file: ~50 bytes per node.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from rigour.names import extract_org_types

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store, batched
from graph.types import clean_text
from ingest.csvio import BadRow, read_csv
from ingest.date_forms import DateForms
from ingest.formats import reader
from ingest.icij_layout import node_type_of, open_icij, read_header
from ingest.icij_links import SIMILARITY_TYPES, classify, rel_key
from ingest.pipeline import Loader, LoadReport, Record
from ingest.source_files import Limits, Listing, Skipped, list_folder, own_outputs

__all__ = ["is_organisation", "node_type_of", "load_icij", "REL_TYPES", "NODE_ORDER",
           "ORG_WORDS"]

# Load order in a folder: nodes first, so every relationship can be checked against the store.
NODE_ORDER = ("entity", "other", "intermediary", "officer", "address", "relationship")
# The short rel_types ICIJ publishes; any other (or the 2016 role text) is read by its words and counted
# in the report's notes, so a new ICIJ type shows up rather than passing unseen.
REL_TYPES = frozenset({"officer_of", "intermediary_of", "registered_address", "connected_to", "underlying",
                       *SIMILARITY_TYPES})
# Words that make a name an organisation when rigour finds no legal form (documented heuristic).
ORG_WORDS = re.compile(
    r"\b(anstalt|stiftung|foundation|trust|trustees?|holdings?|services|bank|banque|corp|corporation|company"
    r"|associates|partners|nominees?|group|fund|enterprises?|management|consult\w*|fiduciar\w*"
    r"|fiducia\w*|treuhand\w*|capital|investments?|properties|ventures|establishment|chambers|law firm"
    r"|attorneys|advocates|solicitors|lawyers|abogados|secretaries|incorporated|international)\b|&\s*(co|cie)\b"
    r"|\bco\.", re.IGNORECASE)
# Two-letter legal forms that are not also name syllables ("SE", "YU", "IN", "NA", "KU" are both).
SHORT_FORMS = frozenset({"AG", "SA", "NV", "BV", "AB", "AS", "OY", "KG", "LP", "GP", "PC", "JV", "PT", "SL", "LC",
                         "KB"})
# ICIJ's stand-ins for the holder of bearer shares (English, Spanish, numbered).
BEARER = re.compile(r"^(the )?bearer( \d+)?$|^(el |al )?portador( \d+)?$|^bearer shares?$", re.IGNORECASE)
ENTITY_DATES = {"incorporation_date": "incorporated", "inactivation_date": "inactivation_date",
                "struck_off_date": "struck_off_date", "closed_date": "closed_date", "dorm_date": "dorm_date"}

_SPACES = re.compile(r"\s+")
_THROUGH = re.compile(r"current through\D{0,20}(\d{4})", re.IGNORECASE)
_CHUNK = 2000  # relationship rows whose ends are checked against the store at once


def is_organisation(name: str | None) -> tuple[bool, str]:
    """Is this officer/intermediary name an organisation? Returns the answer and why."""
    if not name:
        return False, "no name"
    if BEARER.match(name.strip()):
        return False, "bearer-share placeholder: the holder is not named"
    form = next((f for f, _ in extract_org_types(name) if _is_legal_form(f)), None)
    if form:
        return True, f"legal form {form!r} (rigour)"
    word = ORG_WORDS.search(name)
    if word:
        return True, f"organisation word {word.group(0)!r}"
    return False, "no legal form in name"


def _is_legal_form(form: str) -> bool:
    """A legal form rigour found, unless it is two bare letters that are as likely a name syllable.

    On the real intermediaries file rigour reads "Yu" (Chiu, Yu-Fa), "IN" (KIM SOO IN), "Ku" and
    "NA" as legal forms; two bare letters count only when written in capitals and on the list of
    two-letter forms that are not East Asian name syllables (AG, SA, NV, BV ...).
    """
    compact = form.replace(".", "").replace(" ", "")
    return len(compact) > 2 or "." in form or (form.isupper() and compact in SHORT_FORMS)


def _header(path: Path) -> list[str]:
    return read_header(path)[1]


@lru_cache(maxsize=4096)
def _country(codes: str | None) -> str | None:
    """ISO alpha-2 of the first ISO alpha-3 code ICIJ gives (``"GBR;ESP"`` -> ``"GB"``; ``XXX`` -> None)."""
    for code in (codes or "").split(";"):
        code = code.strip().upper()
        country = pycountry.countries.get(alpha_3=code) if len(code) == 3 and code.isalpha() else None
        if country is not None:
            return str(country.alpha_2)
    return None


@lru_cache(maxsize=256)
def _pivot(valid_until: str | None) -> int | None:
    """The two-digit-year pivot a record's ``valid_until`` gives: "current through 2015" -> 15."""
    match = _THROUGH.search(valid_until or "")
    return int(match.group(1)) % 100 if match else None


def _text(raw: dict[str, Any], column: str) -> str | None:
    value = clean_text(raw.get(column))
    if value and ("  " in value or "\t" in value or "\n" in value or "\r" in value):
        return _SPACES.sub(" ", value)  # most cells have no run of whitespace: skip the regex for them
    return value


class _Icij:
    """Maps ICIJ rows to records; remembers node ids seen in this load (duplicates quarantined)."""

    def __init__(self, store: Store, loader: Loader, dataset: str) -> None:
        self.store = store
        self.loader = loader
        self.ds = dataset
        self.seen: set[int | str] = set()
        self._file = "relationships.csv"
        self.dates = DateForms(loader.report.notes)
        self.other_types: Counter[str] = Counter()

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

    def _date(self, props: dict[str, Any], prop: str, raw: dict[str, Any], column: str) -> None:
        """One optional date into ``props[prop]`` at its precision; unreadable, it costs only the field."""
        self.loader.soft(props, prop, raw.get(column), self.dates.partial(column, _pivot(raw.get("valid_until"))))

    def node_mapper(self, file: str, node_type: str) -> Callable[[int, dict[str, Any]], list[Record]]:
        def mapper(row: int, raw: dict[str, Any]) -> list[Record]:
            node = self._node_id(raw)
            props = self.node_props(node_type, raw)
            kind = props.pop("_kind")
            return [Entity(make_id(self.ds, node), kind, props,
                           self.provenance(file, row, raw, f"ICIJ node {node}"), node, self.ds)]
        return mapper

    def node_props(self, node_type: str, raw: dict[str, Any]) -> dict[str, Any]:
        codes = _text(raw, "country_codes")
        common = {"country": _country(codes), "country_codes": codes, "countries": _text(raw, "countries"),
                  "icij_source": _text(raw, "sourceID"), "valid_until": _text(raw, "valid_until"),
                  "note": _text(raw, "note"), "icij_node_type": node_type, "icij_id": _text(raw, "icij_id")}
        name = _text(raw, "name")
        if node_type == "address":
            props: dict[str, Any] = {"_kind": "Address", "full": _text(raw, "address") or name, "name": name}
        elif node_type in ("entity", "other"):
            props = {"_kind": "Company", "name": name, "original_name": _text(raw, "original_name"),
                     "former_name": _text(raw, "former_name"), "jurisdiction": _text(raw, "jurisdiction_description"),
                     "jurisdiction_code": _text(raw, "jurisdiction"), "company_number": _text(raw, "ibcRUC"),
                     "company_type": _text(raw, "company_type") or _text(raw, "type"),
                     "service_provider": _text(raw, "service_provider"), "status": _text(raw, "status"),
                     "address": _text(raw, "address"), "internal_id": _text(raw, "internal_id")}
            for column, prop in ENTITY_DATES.items():
                self._date(props, prop, raw, column)
            ended = [props.get(k) for k in ("struck_off_date", "closed_date", "inactivation_date")]
            props["dissolved"] = next((d for d in ended if d), None)
        else:
            org, basis = is_organisation(name)
            props = {"_kind": "Company" if org else "Person", "name": name, "kind_basis": basis,
                     "role": node_type, "status": _text(raw, "status"), "address": _text(raw, "address"),
                     "internal_id": _text(raw, "internal_id")}
            if basis.startswith("bearer"):
                props["bearer"] = True
        props.update(common)
        return {k: v for k, v in props.items() if v is not None}

    def relationship(self, row: int, raw: dict[str, Any], known: dict[str, str]) -> list[Record]:
        rel_type, link = _text(raw, "rel_type"), _text(raw, "link")
        if rel_type is None and link is None:
            raise InvalidRecord("rel_type and link are both empty", "rel_type")
        ends = []
        for column in ("node_id_start", "node_id_end"):
            node = clean_text(raw.get(column))
            if node is None:
                raise InvalidRecord(f"{column} is empty", column)
            if make_id(self.ds, node) not in known:
                raise InvalidRecord(f"unknown node {node!r} in {column} (in neither this load nor the store)",
                                    column)
            ends.append(node)
        source, target = (make_id(self.ds, e) for e in ends)
        meaning = classify(rel_type, link, known[source], known[target])
        key = rel_key(rel_type or link)
        if key not in REL_TYPES:
            self.loader.report.notes.setdefault("icij_role_texts", self.other_types)
            self.other_types[rel_type or link or ""] += 1
        props: dict[str, Any] = {"role": meaning.role, "link": link or rel_type, "status": _text(raw, "status"),
                                 "icij_rel_type": key, "icij_source": _text(raw, "sourceID"),
                                 "valid_until": _text(raw, "valid_until")}
        if meaning.nominee:
            props["nominee"] = True
        for column in ("start_date", "end_date"):
            self._date(props, column, raw, column)
        props = {k: v for k, v in props.items() if v is not None}
        # One link per source row: two rows naming the same ends (a link in relationships.csv and
        # all_edges.csv, or repeated with other dates) must not share an id, or each re-load would
        # rewrite one with the other and never settle.
        where = f"{self._file}:{row}"
        sid = f"{ends[0]}>{key}>{ends[1]}:{hashlib.blake2b(where.encode(), digest_size=4).hexdigest()}"
        return [Relation(make_id(self.ds, sid), meaning.kind, source, target, props,
                         self.provenance(self._file, row, raw, f"ICIJ link {ends[0]} {key} {ends[1]}"),
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
        known = {e.id: e.kind for e in self.store.get_entities(sorted(wanted))}
        self.loader.run(file, chunk, lambda row, raw: self.relationship(row, raw, known))


def _rows(loader: Loader, file: str, path: Path, limits: Limits) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows under the canonical column names (:func:`ingest.icij_layout.canonical_header`); the
    header is the first non-blank row, and row numbers stay the file's own line numbers."""
    line, header = read_header(path)
    if not header:
        return
    with open_icij(path, limits.max_file_size) as fh:
        for item in read_csv(fh, header=header, skip_lines=line):
            if isinstance(item, BadRow):
                loader.reject(file, item.row, item.reason, None, item.raw)
            else:
                yield item.row, item.data


def _files(path: Path, loader: Loader, limits: Limits, own: frozenset[Path]) -> list[tuple[str, Path]]:
    """(node type, file) in load order. Of a folder only its regular files are read
    (ingest.source_files); every other file, and every file that is not an ICIJ CSV, is reported
    to ``loader`` as skipped, with why."""
    listing = list_folder(path, limits, _not_a_csv, own) if path.is_dir() else Listing(path.parent, {path.name: path})
    if listing.own:
        loader.report.notes["own_outputs_passed_over"] = listing.own
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
    limits = limits or Limits()
    for node_type, file in _files(path, loader, limits, own_outputs(store, Path(quarantine_dir))):
        rows = _rows(loader, file.name, file, limits)
        if node_type == "relationship":
            icij.load_relationships(file.name, rows)
        else:
            loader.run(file.name, rows, icij.node_mapper(file.name, node_type))
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
