"""Companies House People with Significant Control snapshot (``ch-psc``).

The bulk snapshot is JSON lines: ``{"company_number": ..., "data": {...}}`` per line. The public
samples are JSON *arrays* of the same objects; both are read, streaming
(:mod:`ingest.jsonstream`). Row numbers are line numbers for JSON lines and 1-based element
positions for arrays.

What each record becomes (dataset ``gb-coh-psc``):

* individual PSC / beneficial owner -> ``Person`` (date of birth kept partial, ``"1961-12"``:
  the register publishes month and year only);
* corporate-entity or legal-person PSC / beneficial owner -> ``Company`` (``identification``:
  registration number, country or place registered -> ``company_number``, ``jurisdiction``);
* super-secure PSC -> a ``Person`` with a placeholder name and ``super_secure: true`` (the
  register withholds everything; the link itself is the intelligence). The placeholder is not a
  name: resolution must skip records marked ``super_secure`` and never match them on it;
* each of them -> ``CONTROLS`` to the company, ``role`` = the natures of control joined,
  the ownership band parsed to ``share_pct_min`` / ``share_pct_max`` and ``share_pct`` = its
  lower bound (what the register guarantees), voting band to ``voting_pct_min`` / ``_max``,
  ``start_date`` = notified_on, ``end_date`` = ceased_on;
* the company controlled -> a minimal ``Company`` in this reader's own namespace (source id =
  the company number), never the ``ch-basic`` record; resolution merges them by company number.
  Its provenance has no row, so every PSC of the company emits an identical copy (idempotent,
  and nothing to remember between rows).

Company numbers are padded to the register's eight characters by
:func:`ingest.normalise.company_number` (a copy that passed through a spreadsheet has
``1234567`` for ``01234567``), and kept as ``registration_numbers: ["gb-coh:<number>"]``. A
corporate PSC's registration number gets the same treatment only when it is registered in the
UK (a foreign number such as ``41-0406690`` is kept as given, with its jurisdiction).

Fields: a record cannot stand without ``company_number``, ``data.kind`` or (except a
super-secure PSC) a name; those quarantine the record. Everything else is optional and costs
only itself when unreadable (``Loader.soft``: kept as ``<field>_raw``, a field-level quarantine
line): the date of birth (``{"month", "year"}`` -> ``"1984-03"``, read by the shared parser, never
padded), nationality, country of residence, address, natures of control, ``notified_on`` and
``ceased_on`` (full days, on the ``CONTROLS`` link), the register link.

Not records: the ``totals#persons-of-significant-control-snapshot`` trailer is not counted as a
row; its figures are kept in store meta ``ch_psc_totals``. PSC *statements* ("no individual or
entity with significant control") and exemptions name nobody, so they cannot become a node: they
are counted as read and quarantined with the statement text as the reason, so an analyst still
sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.partial_date import clean_partial_date
from graph.store import Store
from ingest.companies_house import RecentIds, country_code, join_address, obj, short_hash, text
from ingest.csvio import head_text, open_text
from ingest.date_forms import DateForms
from ingest.formats import reader
from ingest.jsonstream import iter_json_records
from ingest.normalise import company_number
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["load_ch_psc", "share_band", "partial_dob", "DATASET", "TOTALS_KIND"]

DATASET = "gb-coh-psc"
SOURCE = "Companies House PSC snapshot"
TOTALS_KIND = "totals#persons-of-significant-control-snapshot"
_PERSON = ("individual-person-with-significant-control", "individual-beneficial-owner")
_CORPORATE = ("corporate-entity-person-with-significant-control", "corporate-entity-beneficial-owner",
              "legal-person-person-with-significant-control", "legal-person-beneficial-owner")
_SECRET = ("super-secure-person-with-significant-control", "super-secure-beneficial-owner")
_LINK = re.compile(r"^/company/([^/]+)/")
_BAND = re.compile(r"^(ownership-of-shares|voting-rights|right-to-share-surplus-assets)-"
                   r"(?:(\d+)-to-(\d+)|more-than-(\d+))-percent")


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
    """``{"month": 12, "year": 1961}`` -> ``"1961-12"`` (year alone -> ``"1961"``), never a day.

    The register publishes month and year only; the shared parser checks the result, so a month
    13 or a year of text is refused with its reason (the caller keeps the field raw).

    >>> partial_dob({"month": 3, "year": 1979}), partial_dob({"year": "1970"}), partial_dob(None)
    ('1979-03', '1970', None)
    """
    dob = obj(value, "date_of_birth")
    if not dob:
        return None
    year, month = dob.get("year"), dob.get("month")
    if not isinstance(year, int | str) or isinstance(year, bool) or (
            month not in (None, "") and (not isinstance(month, int | str) or isinstance(month, bool))):
        raise InvalidRecord(f"date_of_birth is not a month and year: {dict(dob)!r}", "date_of_birth")
    return clean_partial_date(f"{year}-{month}" if month not in (None, "") else str(year))


class _PscMapper:
    """Maps one snapshot record to PSC, controlled company and CONTROLS."""

    def __init__(self, file: str, loader: Loader, dataset: str) -> None:
        self.file, self.ds, self.at, self.loader = file, dataset, loader.ingested_at, loader
        self.dates = DateForms(loader.report.notes)
        self.recent = RecentIds()
        # PSCs without the register's own link get a content-derived id; a second row with the same
        # id is the same record repeated. Real snapshots link every PSC, so this stays small.
        self.unlinked: dict[str, int] = {}

    def company(self, number: str) -> Entity:
        prov = (Provenance(self.ds, self.file, None, SOURCE, f"company {number}", self.at),)
        props = {"company_number": number, "registration_numbers": [f"gb-coh:{number}"]}
        return Entity(make_id(self.ds, number), "Company", props, prov, number, self.ds)

    def soft_text(self, props: dict[str, Any], key: str, value: object) -> None:
        self.loader.soft(props, key, value, lambda v: text(v, key))

    def __call__(self, row: int, record: Mapping[str, Any]) -> list[Record]:
        data = obj(record.get("data"), "data")
        kind = text(data.get("kind"), "kind")
        number = company_number(text(record.get("company_number"), "company_number"))
        if number is None:
            raise InvalidRecord("company_number is empty", "company_number")
        if kind is None:
            raise InvalidRecord("data.kind is empty", "kind")
        if "statement" in kind or "exemption" in kind:
            what = text(data.get("statement"), "statement") if isinstance(data.get("statement"), str) else None
            raise InvalidRecord(f"not a PSC: {kind} '{what or kind}' for company {number}", "kind")
        rel: dict[str, Any] = {}
        self.loader.soft(rel, "natures_of_control", data.get("natures_of_control"), _natures)
        natures: list[str] = rel.get("natures_of_control", [])
        link_raw: dict[str, Any] = {}
        self.loader.soft(link_raw, "link", data.get("links"), lambda v: text(obj(v, "links").get("self"), "links.self"))
        link = link_raw.pop("link", None)
        if kind in _PERSON:
            entity_kind, props = "Person", self._person(data)
        elif kind in _CORPORATE:
            entity_kind, props = "Company", self._corporate(data)
        elif kind in _SECRET:
            entity_kind = "Person"
            props = {"name": f"[super-secure PSC of company {number}]", "super_secure": True}
        else:
            raise InvalidRecord(f"unknown PSC kind {kind!r}", "kind")
        if kind not in _SECRET:
            if not props.get("name"):
                raise InvalidRecord("PSC name is empty", "name")
            self.loader.soft(props, "address", data.get("address"), _address)
            if isinstance(props.get("address"), dict):
                props |= props.pop("address")
        props |= link_raw  # an unreadable register link is kept raw on the PSC
        props["psc_kind"] = kind
        if data.get("is_sanctioned") is True:
            props["is_sanctioned"] = True
        own = _LINK.match(link or "")
        if link and own and company_number(own.group(1)) == number:
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
        if natures:
            rel["role"] = "; ".join(natures)
        rel |= share_band(natures)
        for key, column in (("start_date", "notified_on"), ("end_date", "ceased_on")):
            self.loader.soft(rel, key, data.get(column), self.dates.day(column))
        rel_sid = f"{sid}>controls"
        controls = Relation(make_id(self.ds, rel_sid), "CONTROLS", psc.id, target_id, rel, prov, rel_sid, self.ds)
        if self.recent.seen(target_id):  # a company's PSCs are adjacent in the snapshot
            return [psc, controls]
        return [self.company(number), psc, controls]

    def _person(self, data: Mapping[str, Any]) -> dict[str, Any]:
        props: dict[str, Any] = {}
        self.loader.soft(props, "name_elements", data.get("name_elements"), lambda v: dict(obj(v, "name_elements")))
        names = props.pop("name_elements", {})
        for key in ("title", "forename", "middle_name", "surname"):
            self.soft_text(props, key, names.get(key))
        self.soft_text(props, "name", data.get("name"))
        if not props.get("name"):
            parts = [props.get(k) for k in ("forename", "middle_name", "surname")]
            props["name"] = " ".join(p for p in parts if p) or None
        for key in ("nationality", "country_of_residence"):
            self.soft_text(props, key, data.get(key))
        if country := country_code(props.get("country_of_residence")):
            props["country"] = country
        self.loader.soft(props, "dob", data.get("date_of_birth"), partial_dob)
        return props

    def _corporate(self, data: Mapping[str, Any]) -> dict[str, Any]:
        props: dict[str, Any] = {}
        self.soft_text(props, "name", data.get("name"))
        self.loader.soft(props, "identification", data.get("identification"), _identification)
        props |= props.pop("identification", {})
        registered = country_code(props.get("jurisdiction")) or country_code(props.get("place_registered"))
        address = data.get("address")
        country = registered or country_code(address.get("country") if isinstance(address, Mapping)
                                             and isinstance(address.get("country"), str) else None)
        if country:
            props["country"] = country
        uk_register = registered == "GB" or "companies house" in (props.get("place_registered") or "").lower()
        if uk_register and (number := company_number(props.get("company_number"))):
            props["company_number"] = number
            props["registration_numbers"] = [f"gb-coh:{number}"]
        return props


def _natures(value: object) -> list[str] | None:
    """The natures of control: a list of text (absent is none)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidRecord("natures_of_control should be a list", "natures_of_control")
    return [n for n in (text(x, "natures_of_control") for x in value) if n] or None


def _address(value: object) -> dict[str, str] | None:
    """A PSC's service address as ``address`` (joined) and ``postcode``."""
    address = obj(value, "address")
    full = join_address(address.get(k) for k in ("care_of", "po_box", "premises", "address_line_1",
                                                  "address_line_2", "locality", "region", "country"))
    postcode = text(address.get("postal_code"), "postal_code")
    return {k: v for k, v in (("address", full), ("postcode", postcode)) if v} or None


def _identification(value: object) -> dict[str, str] | None:
    """A corporate PSC's registration: number, legal form and authority, where it is registered."""
    ident = obj(value, "identification")
    keys = {"company_number": "registration_number", "legal_form": "legal_form",
            "legal_authority": "legal_authority", "place_registered": "place_registered"}
    props = {k: v for k, c in keys.items() if (v := text(ident.get(c), c))}
    registered = text(ident.get("country_registered"), "country_registered")
    if jurisdiction := registered or props.get("place_registered"):
        props["jurisdiction"] = jurisdiction
    return props or None


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
