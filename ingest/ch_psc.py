"""Companies House People with Significant Control snapshot (``ch-psc``).

The bulk snapshot is JSON lines: ``{"company_number": ..., "data": {...}}`` per line. The public
samples are JSON *arrays* of the same objects; both are read, streaming (an array is decoded one
element at a time, so neither form is held in memory whole). Row numbers are line numbers for
JSON lines and 1-based element positions for arrays.

What each record becomes (dataset ``gb-coh-psc``):

* individual PSC / beneficial owner -> ``Person`` (date of birth kept partial, ``"1961-12"``:
  the register publishes month and year only);
* corporate-entity or legal-person PSC / beneficial owner -> ``Company`` (``identification``:
  registration number, country or place registered -> ``company_number``, ``jurisdiction``);
* super-secure PSC -> a ``Person`` with a placeholder name and ``super_secure: true`` (the
  register withholds everything; the link itself is the intelligence). Resolution must never
  match two such placeholders on their name;
* each of them -> ``CONTROLS`` to the company, ``role`` = the natures of control joined,
  the ownership band parsed to ``share_pct_min`` / ``share_pct_max`` and ``share_pct`` = its
  lower bound (what the register guarantees), voting band to ``voting_pct_min`` / ``_max``,
  ``start_date`` = notified_on, ``end_date`` = ceased_on;
* the company controlled -> a minimal ``Company`` in this reader's own namespace (source id =
  the company number), never the ``ch-basic`` record; resolution merges them by company number.
  Its provenance has no row, so every PSC of the company emits an identical copy (idempotent,
  and nothing to remember between rows).

Not records: the ``totals#persons-of-significant-control-snapshot`` trailer is not counted as a
row; its figures are kept in store meta ``ch_psc_totals``. PSC *statements* ("no individual or
entity with significant control") and exemptions name nobody, so they cannot become a node: they
are counted as read and quarantined with the statement text as the reason, so an analyst still
sees them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store
from graph.types import clean_date
from ingest.companies_house import RecentIds, country_code, join_address, obj, short_hash, text
from ingest.csvio import head_text, open_text
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["load_ch_psc", "share_band", "partial_dob", "iter_json_records", "DATASET", "TOTALS_KIND"]

DATASET = "gb-coh-psc"
SOURCE = "Companies House PSC snapshot"
TOTALS_KIND = "totals#persons-of-significant-control-snapshot"
_PERSON = ("individual-person-with-significant-control", "individual-beneficial-owner")
_CORPORATE = ("corporate-entity-person-with-significant-control", "corporate-entity-beneficial-owner",
              "legal-person-person-with-significant-control", "legal-person-beneficial-owner")
_SECRET = ("super-secure-person-with-significant-control", "super-secure-beneficial-owner")
_BAND = re.compile(r"^(ownership-of-shares|voting-rights|right-to-share-surplus-assets)-"
                   r"(?:(\d+)-to-(\d+)|more-than-(\d+))-percent")
_CHUNK = 1 << 16


def share_band(natures: list[str]) -> dict[str, float]:
    """Share and voting bands from natures of control (the highest band of each wins).

    >>> share_band(["ownership-of-shares-25-to-50-percent", "voting-rights-75-to-100-percent"])
    {'share_pct_min': 25.0, 'share_pct_max': 50.0, 'share_pct': 25.0, 'voting_pct_min': 75.0, 'voting_pct_max': 100.0}
    >>> share_band(["ownership-of-shares-more-than-25-percent-registered-overseas-entity"])
    {'share_pct_min': 25.0, 'share_pct_max': 100.0, 'share_pct': 25.0}
    """
    best: dict[str, tuple[float, float]] = {}
    for nature in natures:
        match = _BAND.match(nature)
        if not match:
            continue
        kind = "voting" if match.group(1) == "voting-rights" else "share"
        low = float(match.group(2) or match.group(4))
        high = float(match.group(3) or 100)
        if low <= high <= 100 and (kind not in best or low > best[kind][0]):
            best[kind] = (low, high)
    out: dict[str, float] = {}
    if "share" in best:
        out = {"share_pct_min": best["share"][0], "share_pct_max": best["share"][1], "share_pct": best["share"][0]}
    if "voting" in best:
        out |= {"voting_pct_min": best["voting"][0], "voting_pct_max": best["voting"][1]}
    return out


def partial_dob(value: object) -> str | None:
    """``{"month": 12, "year": 1961}`` -> ``"1961-12"`` (year alone -> ``"1961"``).

    >>> partial_dob({"month": 3, "year": 1979})
    '1979-03'
    """
    dob = obj(value, "date_of_birth")
    if not dob:
        return None
    try:
        year = int(str(dob.get("year")))
        month = int(str(dob["month"])) if dob.get("month") not in (None, "") else None
    except (ValueError, TypeError):
        raise InvalidRecord(f"date_of_birth is not a month and year: {dict(dob)!r}", "date_of_birth") from None
    if not 1850 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        raise InvalidRecord(f"impossible date_of_birth {dict(dob)!r}", "date_of_birth")
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"


def _array_items(fh: IO[str]) -> Iterator[tuple[int, Any]]:
    """Elements of a JSON array, decoded one at a time from a bounded buffer."""
    decoder = json.JSONDecoder()
    buf, pos, eof, index = fh.read(_CHUNK), 0, False, 0
    pos = buf.index("[") + 1
    while True:
        while True:
            while pos < len(buf) and (buf[pos].isspace() or buf[pos] == ","):
                pos += 1
            if pos < len(buf) or eof:
                break
            buf, pos = fh.read(_CHUNK), 0
            eof = not buf
        if pos >= len(buf) or buf[pos] == "]":
            return
        index += 1
        try:
            item, end = decoder.raw_decode(buf, pos)
        except (ValueError, RecursionError) as exc:
            more = "" if eof or not isinstance(exc, json.JSONDecodeError) else fh.read(_CHUNK)
            if more:
                buf, pos = buf[pos:] + more, 0
                index -= 1
                continue
            yield index, InvalidRecord(f"unreadable JSON from element {index} on: {_why(exc)}")
            return
        yield index, item
        buf, pos = (buf[end:], 0) if end > _CHUNK else (buf, end)


def iter_json_records(fh: IO[str]) -> Iterator[tuple[int, Any]]:
    """``(row, value)`` for each JSON line or array element; an unreadable one is an InvalidRecord."""
    first = ""
    while True:
        ch = fh.read(1)
        if not ch or not ch.isspace():
            first = ch
            break
    if first == "[":
        yield from _array_items(_Prefixed("[", fh))
        return
    line_no = 0
    lines = [first + fh.readline()] if first else []
    for line in _chain(lines, fh):
        line_no += 1
        stripped = line.strip().rstrip(",")
        if not stripped or stripped in ("[", "]"):
            continue
        try:
            yield line_no, json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            yield line_no, InvalidRecord(f"not JSON: {_why(exc)}")


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]


def _chain(first: list[str], rest: IO[str]) -> Iterator[str]:
    yield from first
    yield from rest


class _Prefixed:
    """A text stream with a few characters pushed back in front of it."""

    def __init__(self, prefix: str, fh: IO[str]) -> None:
        self.prefix, self.fh = prefix, fh

    def read(self, n: int) -> str:
        head, self.prefix = self.prefix, ""
        return head + self.fh.read(max(n - len(head), 1))


class _PscMapper:
    """Maps one snapshot record to PSC, controlled company and CONTROLS."""

    def __init__(self, file: str, loader: Loader, dataset: str) -> None:
        self.file, self.ds, self.at = file, dataset, loader.ingested_at
        self.recent = RecentIds()
        # PSCs without the register's own link get a content-derived id; a second row with the same
        # id is the same record repeated. Real snapshots link every PSC, so this stays small.
        self.unlinked: dict[str, int] = {}

    def company(self, number: str) -> Entity:
        prov = (Provenance(self.ds, self.file, None, SOURCE, f"company {number}", self.at),)
        return Entity(make_id(self.ds, number), "Company", {"company_number": number}, prov, number, self.ds)

    def __call__(self, row: int, record: Mapping[str, Any]) -> list[Record]:
        data = obj(record.get("data"), "data")
        kind = text(data.get("kind"), "kind")
        number = text(record.get("company_number"), "company_number")
        if number is None:
            raise InvalidRecord("company_number is empty", "company_number")
        if kind is None:
            raise InvalidRecord("data.kind is empty", "kind")
        if "statement" in kind or "exemption" in kind:
            what = text(data.get("statement"), "statement") or kind
            raise InvalidRecord(f"not a PSC: {kind} '{what}' for company {number}", "kind")
        natures_raw = data.get("natures_of_control") or []
        if not isinstance(natures_raw, list):
            raise InvalidRecord("natures_of_control should be a list", "natures_of_control")
        natures = [n for n in (text(x, "natures_of_control") for x in natures_raw) if n]
        link = text(obj(data.get("links"), "links").get("self"), "links.self")
        address = obj(data.get("address"), "address")
        props: dict[str, Any] = {}
        if kind in _PERSON:
            entity_kind = "Person"
            props = self._person(data)
        elif kind in _CORPORATE:
            entity_kind = "Company"
            props = self._corporate(data, address)
        elif kind in _SECRET:
            entity_kind = "Person"
            props = {"name": f"[super-secure PSC of company {number}]", "super_secure": True}
        else:
            raise InvalidRecord(f"unknown PSC kind {kind!r}", "kind")
        if kind not in _SECRET:
            if not props.get("name"):
                raise InvalidRecord("PSC name is empty", "name")
            full = join_address(address.get(k) for k in ("care_of", "po_box", "premises", "address_line_1",
                                                         "address_line_2", "locality", "region", "country"))
            postcode = text(address.get("postal_code"), "postal_code")
            props |= {k: v for k, v in (("address", full), ("postcode", postcode)) if v}
        props["psc_kind"] = kind
        if data.get("is_sanctioned") is True:
            props["is_sanctioned"] = True
        if link and link.startswith(f"/company/{number}/"):
            ident = link.rsplit("/", 1)[-1]  # the register's own PSC id
        else:
            ident = "h" + short_hash(link or "", kind, props.get("name"), props.get("dob"), data.get("notified_on"),
                                     data.get("ceased_on"), "|".join(natures), props.get("address"))
            first = self.unlinked.setdefault(ident + number, row)
            if first != row:
                raise InvalidRecord(f"the same PSC record as row {first} (no register link to tell them apart)",
                                    "links.self")
        sid = f"{number}/psc/{ident}"
        ref = link or f"company {number} PSC {props.get('name')}"
        prov = (Provenance(self.ds, self.file, row, SOURCE, ref, self.at),)
        psc = Entity(make_id(self.ds, sid), entity_kind, props, prov, sid, self.ds)
        target_id = make_id(self.ds, number)
        rel: dict[str, Any] = {"role": "; ".join(natures)} if natures else {}
        if natures:
            rel["natures_of_control"] = natures
        rel |= share_band(natures)
        for key, column in (("start_date", "notified_on"), ("end_date", "ceased_on")):
            try:
                value = clean_date(text(data.get(column), column))
            except InvalidRecord as exc:
                raise InvalidRecord(f"{column}: {exc.reason}", column) from None
            if value:
                rel[key] = value
        rel_sid = f"{sid}>controls"
        controls = Relation(make_id(self.ds, rel_sid), "CONTROLS", psc.id, target_id, rel, prov, rel_sid, self.ds)
        if self.recent.seen(target_id):  # a company's PSCs are adjacent in the snapshot
            return [psc, controls]
        return [self.company(number), psc, controls]

    @staticmethod
    def _person(data: Mapping[str, Any]) -> dict[str, Any]:
        names = obj(data.get("name_elements"), "name_elements")
        props: dict[str, Any] = {"name": text(data.get("name"), "name")}
        if not props["name"]:
            parts = [text(names.get(k), k) for k in ("forename", "middle_name", "surname")]
            props["name"] = " ".join(p for p in parts if p) or None
        for key in ("title", "forename", "middle_name", "surname"):
            if value := text(names.get(key), key):
                props[key] = value
        for key in ("nationality", "country_of_residence"):
            if value := text(data.get(key), key):
                props[key] = value
        if country := country_code(props.get("country_of_residence")):
            props["country"] = country
        if dob := partial_dob(data.get("date_of_birth")):
            props["dob"] = dob
        return props

    @staticmethod
    def _corporate(data: Mapping[str, Any], address: Mapping[str, Any]) -> dict[str, Any]:
        ident = obj(data.get("identification"), "identification")
        props: dict[str, Any] = {"name": text(data.get("name"), "name")}
        keys = {"company_number": "registration_number", "legal_form": "legal_form",
                "legal_authority": "legal_authority", "place_registered": "place_registered"}
        props |= {k: v for k, c in keys.items() if (v := text(ident.get(c), c))}
        registered = text(ident.get("country_registered"), "country_registered")
        jurisdiction = registered or props.get("place_registered")
        if jurisdiction:
            props["jurisdiction"] = jurisdiction
        country = (country_code(registered) or country_code(props.get("place_registered"))
                   or country_code(text(address.get("country"), "country")))
        if country:
            props["country"] = country
        return props


def load_ch_psc(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
                dataset: str = DATASET) -> LoadReport:
    """Load a PSC snapshot file (JSON lines or a JSON array); returns the reconciliation.

    Parameters
    ----------
    store : Store
    path : str or Path
        ``persons-with-significant-control-snapshot-*.txt`` (JSON lines) or a ``.json`` array.
    quarantine_dir : str or Path
        Where ``<file>.quarantine.csv`` is written when records are rejected.
    dataset : str
        Namespace of the records (``gb-coh-psc``).
    """
    path = Path(path)
    loader = Loader(store, dataset, "ch-psc", Path(quarantine_dir) / f"{path.name}.quarantine.csv")
    mapper = _PscMapper(path.name, loader, dataset)
    totals: list[Any] = []
    with open_text(path) as fh:
        loader.run(path.name, _records(loader, path.name, iter_json_records(fh), totals), mapper)
    if totals:
        store.set_meta("ch_psc_totals", {"file": path.name, **totals[-1]})
    return loader.finish()


def _records(loader: Loader, file: str, items: Iterator[tuple[int, Any]],
             totals: list[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for row, item in items:
        if isinstance(item, InvalidRecord):
            loader.reject(file, row, item.reason)
        elif not isinstance(item, dict):
            loader.reject(file, row, f"a snapshot record is a JSON object, got {type(item).__name__}",
                          None, {"value": item})
        elif isinstance(item.get("data"), dict) and item["data"].get("kind") == TOTALS_KIND:
            totals.append(item["data"])
        else:
            yield row, item


def _is_psc(path: Path) -> bool:
    if path.suffix.lower() not in (".json", ".jsonl", ".txt", ".ndjson"):
        return False
    head = head_text(path)
    return "persons-with-significant-control" in head or "person-with-significant-control" in head


@reader("ch-psc", detect=_is_psc)
def read_ch_psc(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ch-psc`` format for ``assetgraph load``."""
    return load_ch_psc(store, path, quarantine_dir, str(options.get("dataset") or DATASET))
