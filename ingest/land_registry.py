"""HM Land Registry bulk data: company-owned titles (``ccod``, ``ocod``) and Price Paid (``ppd``).

CCOD / OCOD (one row per registered title, up to four proprietors): each row gives a
``Property`` (source id = title number, country GB) and, per named proprietor, a ``Company`` and
``OWNS`` from it to the title. Decisions:

* The proprietor company's id is derived from its content (registration number, name, category,
  country, address): one company with one address owns many titles, and every row then emits an
  identical record (loading twice writes nothing, no memory of earlier rows). The same company
  spelled differently is two source records; resolution merges them on ``company_number``.
* ``OWNS.share_pct`` = 100 / number of proprietors, with ``share_basis`` saying so. The register
  records the legal estate only, never beneficial shares; an equal split is the default a court
  starts from for joint names, and it keeps holdings from counting one title twice.
* ``start_date`` and the title's ``acquired`` are ``Date Proprietor Added`` (the registration of
  the current proprietor: the nearest the register gives to an acquisition date).
* A title repeated within one file: the last row wins (a re-load then rewrites it, same result).
* Proprietor registration numbers: CCOD proprietors are UK-registered, so the number is padded to
  Companies House's eight characters (:func:`ingest.normalise.company_number`, the one normaliser
  every register reader uses) and kept as ``registration_numbers: ["gb-coh:<number>"]``. OCOD
  numbers are foreign registrations (a BVI number has six or seven digits): kept as given, never
  padded into something that looks like a UK number, except those of Companies House's own
  overseas registers (``FC``, ``OE``, ``BR``, ``SF``, ``NF`` prefixes).
* Fields: a row cannot stand without its title number and at least one named proprietor (a
  proprietor slot with a number but no name is a broken row); those are quarantined. ``Price
  Paid`` and ``Date Proprietor Added`` are optional: unreadable, they cost only themselves
  (``acquisition_price_raw``, ``acquired_raw``, a field-level quarantine line). Register dates are
  ``DD-MM-YYYY``, read by the shared parser (forms counted in ``notes["date_forms"]``).
* The real extracts end with a ``"Row Count:",N`` line: it is the file's trailer, not a title; the
  count is kept in ``notes["row_count"]`` with whether it matches the rows read.

Price Paid Data (headerless): there are no parties, so a sale cannot be a ``TRANSFER`` (a relation
needs two ends). Each row is a sale of a ``Property`` keyed by its normalised address (postcode +
PAON + SAON); the property keeps ``sales: [{transaction_id, date, price, ...}]`` and ``value`` /
``value_date`` from the latest sale. Record status applies the monthly change files: ``A`` adds a
sale, ``C`` replaces the sale with that transaction id, ``D`` deletes it. Rows are merged in
chunks against what the store already holds, so memory is bounded by the chunk. A sale cannot
stand without its transaction id, price and date, nor a property without a PAON/SAON and a
postcode (or street and town). Dates are ``YYYY-MM-DD 00:00`` in the published files and
``DD-MM-YYYY 00:00`` in copies re-saved by a spreadsheet; the shared parser reads the day and
drops the time (the midnight carries nothing). Such copies also gain a header row
(``Transaction_ID,Price,Date,...``) and empty trailing columns: the header row is recognised and
skipped (``notes["header_row"]``), the empty columns ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id, normalise_identifier
from graph.store import Store, batched
from graph.types import clean_money
from ingest.companies_house import RecentIds, country_code, join_address, short_hash, squash, text
from ingest.csvio import BadRow, CsvRow, read_csv, sniff_header
from ingest.date_forms import DateForms
from ingest.formats import reader
from ingest.normalise import company_number
from ingest.pipeline import Loader, LoadReport

__all__ = ["load_ccod", "load_ppd", "PPD_COLUMNS", "CCOD_SOURCE", "OCOD_SOURCE", "PPD_SOURCE"]

CCOD_SOURCE = "HM Land Registry UK companies that own property in England and Wales (CCOD)"
OCOD_SOURCE = "HM Land Registry Overseas companies that own property in England and Wales (OCOD)"
PPD_SOURCE = "HM Land Registry Price Paid Data"
PPD_COLUMNS = ["transaction_id", "price", "date", "postcode", "property_type", "old_new", "duration", "paon",
               "saon", "street", "locality", "town", "district", "county", "ppd_category", "record_status"]
TENURES = {"F": "Freehold", "L": "Leasehold", "U": "Unknown"}
PROPERTY_TYPES = {"D": "Detached", "S": "Semi-detached", "T": "Terraced", "F": "Flat/maisonette", "O": "Other"}
_CH_OVERSEAS = re.compile(r"^(FC|OE|BR|SF|NF)\d")
_ROW_COUNT = "Row Count:"
_GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$")
_CHUNK = 1000


def _price(value: object, column: str = "Price Paid") -> str | None:
    try:
        money = clean_money(value)
    except InvalidRecord as exc:
        raise InvalidRecord(f"{column}: {exc.reason}", column) from None
    if money is None:
        return None
    if money.currency != "GBP":
        raise InvalidRecord(f"{column}: price in {money.currency}, register prices are GBP", column)
    return str(money.amount)


class _TitleMapper:
    """Maps one CCOD/OCOD row to Property, proprietor Companies and OWNS."""

    def __init__(self, file: str, loader: Loader, dataset: str, overseas: bool) -> None:
        self.file, self.ds, self.at, self.overseas = file, dataset, loader.ingested_at, overseas
        self.loader = loader
        self.added = DateForms(loader.report.notes).day("Date Proprietor Added")
        self.source = OCOD_SOURCE if overseas else CCOD_SOURCE
        self.recent = RecentIds()

    def __call__(self, row: int, raw: dict[str, Any]) -> list[Any]:
        title = text(raw.get("Title Number"), "Title Number")
        if title is None:
            raise InvalidRecord("Title Number is empty", "Title Number")
        address = text(raw.get("Property Address"), "Property Address")
        props: dict[str, Any] = {"title_number": title, "country": "GB",
                                 "description": address or f"Title {title}"}
        for key, column in (("address", "Property Address"), ("postcode", "Postcode"), ("district", "District"),
                            ("county", "County"), ("region", "Region")):
            if value := text(raw.get(column), column):
                props[key] = value
        tenure = text(raw.get("Tenure"), "Tenure")
        if tenure:
            props["tenure"] = TENURES.get(tenure[:1].upper(), tenure) if len(tenure) == 1 else tenure.title()
        if (text(raw.get("Multiple Address Indicator")) or "").upper() == "Y":
            props["multiple_addresses"] = True
        self.loader.soft(props, "acquisition_price", raw.get("Price Paid"), _price)
        self.loader.soft(props, "acquired", raw.get("Date Proprietor Added"), self.added)
        added = props.get("acquired")
        if (text(raw.get("Additional Proprietor Indicator")) or "").upper() == "Y":
            props["additional_proprietors"] = True
        prov = (Provenance(self.ds, self.file, row, self.source, f"title {title}", self.at),)
        prop = Entity(make_id(self.ds, title), "Property", props, prov, title, self.ds)
        owners = [c for i in range(1, 5) if (c := self._proprietor(raw, i)) is not None]
        if not owners:
            raise InvalidRecord("no proprietor named on the title", "Proprietor Name (1)")
        records: list[Any] = [prop, *(c for c in owners if not self.recent.seen(c.id))]
        share = round(100 / len(owners), 4)
        for company in owners:
            rel: dict[str, Any] = {"role": "registered proprietor", "share_pct": share,
                                   "share_basis": f"equal split of {len(owners)} registered proprietor(s); "
                                                  "the register records no beneficial shares"}
            if added:
                rel["start_date"] = added
            sid = f"owns:{title}:{company.source_id}"
            records.append(Relation(make_id(self.ds, sid), "OWNS", company.id, prop.id, rel, prov, sid, self.ds))
        return records

    def _proprietor(self, raw: dict[str, Any], i: int) -> Entity | None:
        name = text(raw.get(f"Proprietor Name ({i})"), f"Proprietor Name ({i})")
        number = text(raw.get(f"Company Registration No. ({i})"), f"Company Registration No. ({i})")
        if name is None:
            if number:
                raise InvalidRecord(f"proprietor {i} has a company number but no name", f"Proprietor Name ({i})")
            return None
        category = text(raw.get(f"Proprietorship Category ({i})"))
        incorporated = text(raw.get(f"Country Incorporated ({i})")) if self.overseas else None
        address = join_address(raw.get(f"Proprietor ({i}) Address ({j})") for j in (1, 2, 3))
        props: dict[str, Any] = {"name": name}
        if number and (not self.overseas or _CH_OVERSEAS.match(normalise_identifier(number) or "")):
            number = company_number(number)
            props["registration_numbers"] = [f"gb-coh:{number}"]
        if number:
            props["company_number"] = normalise_identifier(number)
        if category:
            props["category"] = category
        if self.overseas:
            if incorporated:
                props["jurisdiction"] = incorporated
            if code := country_code(incorporated):
                props["country"] = code
        else:
            props["country"] = "GB"
        if address:
            props["address"] = address
        key = normalise_identifier(number) or "noreg"
        sid = f"co:{key}:{short_hash(name, category, incorporated, address, size=6)}"
        prov = (Provenance(self.ds, self.file, None, self.source, f"proprietor {name}", self.at),)
        return Entity(make_id(self.ds, sid), "Company", props, prov, sid, self.ds)


def _rows(loader: Loader, file: str, items: Iterator[CsvRow | BadRow],
          required: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    first = True
    for item in items:
        cells = list(item.raw.values() if isinstance(item, BadRow) else item.data.values())
        lead = str(cells[0]).strip() if cells else ""
        if lead.startswith(_ROW_COUNT):  # the extract's trailer: "Row Count:",N
            _row_count(loader, file, cells)
        elif required is None and first and _is_ppd_header(cells):
            loader.report.notes["header_row"] = {"file": file, "row": item.row, "cells": [c for c in cells if c]}
        elif isinstance(item, BadRow):
            loader.reject(file, item.row, item.reason, None, item.raw)
        elif required and required not in item.data:
            loader.reject(file, item.row, f"no {required!r} column: wrong format for this reader", None, item.data)
        else:
            yield item.row, item.data
        first = False


def _row_count(loader: Loader, file: str, cells: list[Any]) -> None:
    """Keep the trailer's count; whether it matches is checked when the file is done."""
    digits = re.sub(r"\D", "", " ".join(str(c) for c in cells))
    loader.report.notes["row_count"] = {"file": file, "stated": int(digits) if digits else None}


def _check_row_count(loader: Loader, file: str) -> None:
    stated = loader.report.notes.get("row_count")
    if stated and stated.get("file") == file:
        counted = loader.count(file).read
        stated |= {"read": counted, "matches": stated["stated"] == counted}


def _is_ppd_header(cells: list[Any]) -> bool:
    """A header row a spreadsheet added to a Price Paid file (``Transaction_ID,Price,Date,...``)."""
    names = [str(c).strip().lower() for c in cells[:3]]
    return len(names) == 3 and "price" in names[1] and "date" in names[2] and not _GUID.match(names[0])


def load_ccod(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine", overseas: bool = False,
              dataset: str | None = None) -> LoadReport:
    """Load a CCOD (``overseas=False``) or OCOD file; returns the reconciliation.

    Parameters
    ----------
    store : Store
    path : str or Path
        ``CCOD_FULL_*.csv`` / ``OCOD_FULL_*.csv`` (or a change-only file with the same columns).
    quarantine_dir : str or Path
    overseas : bool
        OCOD: proprietors carry ``Country Incorporated (n)``.
    dataset : str, optional
        Namespace; ``gb-hmlr-ocod`` or ``gb-hmlr-ccod`` by default.
    """
    path = Path(path)
    fmt = "ocod" if overseas else "ccod"
    ds = dataset or f"gb-hmlr-{fmt}"
    loader = Loader(store, ds, fmt, Path(quarantine_dir) / f"{path.name}.quarantine.csv")
    mapper = _TitleMapper(path.name, loader, ds, overseas)
    loader.run(path.name, _rows(loader, path.name, read_csv(path), "Title Number"), mapper)
    _check_row_count(loader, path.name)
    return loader.finish()


class _SalesMerger:
    """Applies Price Paid rows to Property records, a chunk at a time, against the store."""

    def __init__(self, store: Store, loader: Loader, file: str, dataset: str) -> None:
        self.store, self.loader, self.file, self.ds = store, loader, file, dataset
        self.day = DateForms(loader.report.notes).day("date")
        self.prov = (Provenance(dataset, file, None, PPD_SOURCE, None, loader.ingested_at),)

    def parse(self, row: int, raw: dict[str, Any]) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
        """(property source id, record status, property props, sale) for one row."""
        tid = text(raw.get("transaction_id"), "transaction_id")
        if tid is None:
            raise InvalidRecord("transaction id is empty", "transaction_id")
        status = (text(raw.get("record_status")) or "A").upper()
        if status not in ("A", "C", "D"):
            raise InvalidRecord(f"record status must be A, C or D: {status!r}", "record_status")
        cells = {k: text(raw.get(k), k) for k in PPD_COLUMNS}
        postcode = (cells["postcode"] or "").upper()
        paon, saon = (cells["paon"] or "").upper(), (cells["saon"] or "").upper()
        if not paon and not saon:
            raise InvalidRecord("no PAON or SAON: the property cannot be identified", "paon")
        if not postcode and not (cells["street"] and cells["town"]):
            raise InvalidRecord("no postcode (nor street and town): the property cannot be identified", "postcode")
        key = "|".join((postcode.replace(" ", ""), squash(paon), squash(saon),
                        "" if postcode else f"{cells['street']}|{cells['town']}".upper()))
        paon_street = cells["paon"], cells["street"]
        if cells["paon"] and cells["street"] and cells["paon"][:1].isdigit():
            paon_street = (f"{cells['paon']} {cells['street']}", None)  # "7 LARKFIELD DRIVE", not "7, LARKFIELD..."
        address = join_address((cells["saon"], *paon_street, cells["locality"], cells["town"]))
        props: dict[str, Any] = {"country": "GB", "ppd_key": key}
        sale: dict[str, Any] = {"transaction_id": tid, "file": self.file, "row": row, "address": address}
        sale |= {k: cells[k] for k in ("postcode", "district", "county") if cells[k]}
        if cells["property_type"]:
            sale["property_type"] = PROPERTY_TYPES.get(cells["property_type"].upper(), cells["property_type"])
        if cells["duration"]:
            sale["tenure"] = TENURES.get(cells["duration"].upper(), cells["duration"])
        if status != "D":
            sale["price"] = _price(raw.get("price"), "price")
            sale["date"] = self.day(raw.get("date"))
            if not sale["price"] or not sale["date"]:
                raise InvalidRecord("a sale needs a price and a date", "price" if not sale["price"] else "date")
            sale |= {k: v for k, v in (("new_build", cells["old_new"] == "Y"), ("category", cells["ppd_category"]))
                     if v is not None}
        return f"ppd:{short_hash(key)}", status, props, sale

    def apply(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Merge one chunk of rows into the stored sales lists and hand them to the loader."""
        parsed: list[tuple[int, dict[str, Any], Any]] = []
        for row, raw in rows:
            try:
                parsed.append((row, raw, self.parse(row, raw)))
            except InvalidRecord as exc:
                parsed.append((row, raw, exc))
        ids = sorted({make_id(self.ds, p[2][0]) for p in parsed if not isinstance(p[2], InvalidRecord)})
        state: dict[str, dict[str, Any]] = {e.id: dict(e.props) for e in self.store.get_entities(ids)}
        last: dict[str, int] = {}
        for n, (_, _, item) in enumerate(parsed):
            if isinstance(item, InvalidRecord):
                continue
            sid, status, props, sale = item
            eid = make_id(self.ds, sid)
            current = state.get(eid)
            sales = [s for s in (current or {}).get("sales", []) if s.get("transaction_id") != sale["transaction_id"]]
            if status == "D" and current is None:
                continue  # deleting a sale never seen: nothing to do
            if status != "D":
                sales.append(sale)
            sales.sort(key=lambda s: (s.get("date") or "", s.get("transaction_id") or ""))
            state[eid] = _property_props(props, sales)
            last[eid] = n
        final = {n: eid for eid, n in last.items()}
        for n, (row, raw, item) in enumerate(parsed):
            if isinstance(item, InvalidRecord):
                self.loader.reject(self.file, row, item.reason, item.column, raw)
                continue
            records = []
            if n in final:
                eid = final[n]
                records = [Entity(eid, "Property", state[eid], self.prov, eid.split("/", 1)[1], self.ds)]
            self.loader.accept(self.file, records)
        self.loader.flush()


def _property_props(base: dict[str, Any], sales: list[dict[str, Any]]) -> dict[str, Any]:
    """A PPD property's props as a function of its sales alone (the latest sale describes it), so
    the result does not depend on the order rows arrive in and a re-load changes nothing."""
    props = dict(base, sales=sales)
    if sales:
        latest = sales[-1]
        props |= {k: latest[k] for k in ("address", "postcode", "district", "county", "property_type", "tenure")
                  if latest.get(k)}
        props["description"] = latest.get("address")
        props["value"], props["value_date"] = latest["price"], latest["date"]
    return props


def load_ppd(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
             dataset: str = "gb-hmlr-ppd") -> LoadReport:
    """Load a Price Paid Data file (no header; 16 columns); returns the reconciliation."""
    path = Path(path)
    loader = Loader(store, dataset, "ppd", Path(quarantine_dir) / f"{path.name}.quarantine.csv")
    merger = _SalesMerger(store, loader, path.name, dataset)
    for chunk in batched(_rows(loader, path.name, read_csv(path, header=list(PPD_COLUMNS)), None), _CHUNK):
        merger.apply(chunk)
    return loader.finish()


def _header(path: Path) -> list[str]:
    if not path.is_file():
        return []
    rows = sniff_header(path, 2)
    return [c.strip() for c in rows[0]] if rows else []


def _is_ccod(path: Path) -> bool:
    head = _header(path)
    return "Title Number" in head and "Proprietor Name (1)" in head and "Country Incorporated (1)" not in head


def _is_ocod(path: Path) -> bool:
    head = _header(path)
    return "Title Number" in head and "Country Incorporated (1)" in head


def _is_ppd(path: Path) -> bool:
    rows = sniff_header(path, 2) if path.is_file() else []
    if rows and _is_ppd_header(rows[0]):
        rows = rows[1:]
    head = [c.strip() for c in rows[0]] if rows else []
    while head and not head[-1]:  # spreadsheet copies add empty trailing columns
        head.pop()
    return len(head) == len(PPD_COLUMNS) and bool(_GUID.match(head[0]))


@reader("ccod", detect=_is_ccod)
def read_ccod(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ccod`` format for ``assetgraph load``."""
    return load_ccod(store, path, quarantine_dir, False, options.get("dataset"))  # type: ignore[arg-type]


@reader("ocod", detect=_is_ocod)
def read_ocod(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ocod`` format for ``assetgraph load``."""
    return load_ccod(store, path, quarantine_dir, True, options.get("dataset"))  # type: ignore[arg-type]


@reader("ppd", detect=_is_ppd)
def read_ppd(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ppd`` format for ``assetgraph load``."""
    return load_ppd(store, path, quarantine_dir, str(options.get("dataset") or "gb-hmlr-ppd"))
