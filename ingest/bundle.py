"""The case bundle (FORMATS.md §1): a folder or .zip of CSV files plus ``case.json``.

Entity files are read first so that every relation and transfer can be checked against the
ids the bundle defines; a row naming an unknown id, a duplicate id, an unknown relation type, or a
bad value the record cannot stand without (a transfer's date or amounts, an ownership share) is
quarantined with the reason, never dropped. Any other unreadable value (a date of birth with
month 86, a property value in words) costs only its field: the record loads, the raw text is kept
as ``<field>_raw``, and the quarantine file gets a field-level line.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.partial_date import clean_partial_date
from graph.store import Store
from graph.types import clean_date, clean_money, clean_share, clean_text
from ingest.csvio import BadRow, read_csv
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport, Record
from ingest.source_files import Limits, Listing, list_folder, own_outputs, size_text, unpacked_zip, zip_names

__all__ = ["load_bundle", "read_case", "ENTITY_FILES", "RELATION_TYPES", "BUNDLE_FILES"]

ENTITY_FILES = {"people.csv": "Person", "companies.csv": "Company", "accounts.csv": "Account",
                "properties.csv": "Property"}
RELATION_TYPES = ("OWNS", "CONTROLS", "DIRECTOR_OF", "HOLDS", "FAMILY", "ASSOCIATE", "LIVES_AT",
                  "REGISTERED_AT", "NOMINEE_FOR")
ENTITY_DATE_COLUMNS = {"dob", "incorporated", "dissolved", "opened", "closed", "acquired", "value_date"}
DATE_COLUMNS = ENTITY_DATE_COLUMNS | {"start_date", "end_date", "date"}
TRANSFER_STRICT = frozenset({"date", "amount", "consideration", "asset_value", "currency"})
MONEY_COLUMNS = {"acquisition_price", "value", "amount", "consideration", "asset_value"}
PROVENANCE_COLUMNS = {"source", "source_ref", "grading"}
LIFESTYLES = ("yes", "no", "undecided")
BUNDLE_FILES = ("case.json", *ENTITY_FILES, "relationships.csv", "transfers.csv")
CASE_JSON_MAX = 16 << 20  # case.json is a few KB; a huge one is not a case file and is not read whole


def _not_a_bundle_file(name: str) -> str | None:
    """Why a file of a bundle folder or zip is not read (None for the files FORMATS.md §1 names)."""
    if name in BUNDLE_FILES:
        return None
    if name.lower() in BUNDLE_FILES:
        return f"not a bundle file: bundle file names are lower case ({name.lower()})"
    return f"not a bundle file (a bundle holds {', '.join(BUNDLE_FILES)})"


@contextmanager
def _opened(path: Path, limits: Limits, own: frozenset[Path]) -> Iterator[Listing]:
    """A bundle folder listed, or a zip's bundle files unpacked into a temporary folder; either way
    only regular files are read, and every other file is listed as skipped (ingest.source_files)."""
    if path.is_dir():
        yield list_folder(path, limits, _not_a_bundle_file, own)
        return
    if not zipfile.is_zipfile(path):
        raise InvalidRecord(f"{path} is neither a bundle folder nor a .zip of one")
    with unpacked_zip(path, limits, _not_a_bundle_file) as listing:
        yield listing


def read_case(folder: Path) -> dict[str, Any]:
    """Parse and check ``case.json``; a broken case file stops the load with a clear message."""
    file = folder / "case.json"
    if not file.exists():
        raise InvalidRecord(f"case.json missing in {folder}")
    try:
        case = json.loads(file.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRecord(f"case.json is not valid JSON: {exc}") from None
    if not isinstance(case, dict) or not clean_text(case.get("case_id")):
        raise InvalidRecord("case.json needs a case_id")
    case["case_id"] = str(case["case_id"]).strip()
    if case.get("lifestyle", "undecided") not in LIFESTYLES:
        raise InvalidRecord(f"case.json lifestyle must be one of {LIFESTYLES}", "lifestyle")
    case.setdefault("lifestyle", "undecided")
    case["subjects"] = [str(s) for s in case.get("subjects") or []]
    case["proceedings_started"] = clean_date(case.get("proceedings_started"))
    case["convictions"] = [clean_date(d) for d in case.get("convictions") or []]
    case["valuation_date"] = clean_date(case.get("valuation_date"))
    for offence in case.get("offences") or []:
        for key in ("committed_from", "committed_to"):
            offence[key] = clean_date(offence.get(key))
    for earlier in case.get("earlier_orders") or []:
        for key in ("order_date", "benefit_calculated"):
            earlier[key] = clean_date(earlier.get(key))
    order = case.get("order")
    if order:
        order["date"] = clean_date(order.get("date"))
        order["due"] = clean_date(order.get("due")) or order["date"]
        for key in ("benefit", "amount"):
            money = clean_money(order.get(key))
            order[key] = str(money.amount) if money else None
        for pay in order.get("payments") or []:
            pay["date"] = clean_date(pay.get("date"))
            money = clean_money(pay.get("amount"))
            pay["amount"] = str(money.amount) if money else "0"
    return case


class _Bundle:
    """Maps one bundle's rows to records; holds the ids seen so far for the cross-file checks."""

    def __init__(self, case: dict[str, Any], loader: Loader) -> None:
        self.case = case
        self.ds = case["case_id"]
        self.loader = loader
        self.ids: dict[str, str] = {}  # bundle id -> "file row N" where first defined
        self.kinds: dict[str, str] = {}
        self.rel_keys: set[str] = set()

    def provenance(self, file: str, row: int, raw: dict[str, Any]) -> tuple[Provenance, ...]:
        return (Provenance(self.ds, file, row, clean_text(raw.get("source")), clean_text(raw.get("source_ref")),
                           self.loader.ingested_at, clean_text(raw.get("grading"))),)

    def props(self, raw: dict[str, Any], skip: set[str], strict: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Clean every column by its type; unknown extra columns are kept as text.

        A column in ``strict`` is one the record cannot stand without (a transfer's date and
        amounts, an ownership share): a bad value quarantines the row. Any other bad value costs
        only its field (kept as ``<column>_raw``, a field-level quarantine line). Entity dates may
        be partial (``1984``, ``1984-03``); a relation's dates must be days.
        """
        out: dict[str, Any] = {}
        currency = clean_text(raw.get("currency"))
        for column, value in raw.items():
            if column in skip or column in PROVENANCE_COLUMNS:
                continue
            cleaner = self._cleaner(column, currency, out)
            if column in strict or column == "share_pct":
                try:
                    cleaned = cleaner(value)
                except InvalidRecord as exc:
                    raise InvalidRecord(f"{column}: {exc.reason}", column) from None
                if cleaned is not None:
                    out[column] = cleaned
            else:
                self.loader.soft(out, column, value, cleaner)
        return out

    @staticmethod
    def _cleaner(column: str, currency: str | None, out: dict[str, Any]) -> Callable[[object], Any]:
        if column in ENTITY_DATE_COLUMNS:
            return clean_partial_date
        if column in DATE_COLUMNS:
            return clean_date
        if column in MONEY_COLUMNS:
            def money(value: object) -> str | None:
                found = clean_money(value, currency if column in ("amount", "consideration") else "GBP")
                if found is not None and found.currency != "GBP":
                    out[f"{column}_currency"] = found.currency
                return None if found is None else str(found.amount)
            return money
        if column == "share_pct":
            return clean_share
        if column == "aliases":
            return lambda value: [a.strip() for a in str(value or "").split(";") if a.strip()] or None
        return clean_text

    def known(self, raw: dict[str, Any], column: str) -> str:
        ref = clean_text(raw.get(column))
        if ref is None:
            raise InvalidRecord(f"{column} is empty", column)
        if ref not in self.ids:
            raise InvalidRecord(f"unknown id {ref!r} in {column}", column)
        return make_id(self.ds, ref)

    def new_id(self, raw: dict[str, Any]) -> str:
        sid = clean_text(raw.get("id"))
        if sid is None:
            raise InvalidRecord("id is empty", "id")
        if sid in self.ids:
            raise InvalidRecord(f"duplicate id {sid!r} (first defined at {self.ids[sid]})", "id")
        return sid

    def entity_mapper(self, file: str, kind: str) -> Any:
        def mapper(row: int, raw: dict[str, Any]) -> list[Record]:
            sid = self.new_id(raw)
            props = self.props(raw, {"id"})
            entity = Entity(make_id(self.ds, sid), kind, props, self.provenance(file, row, raw), sid, self.ds)
            self.ids[sid] = f"{file} row {row}"
            self.kinds[sid] = kind
            return [entity]
        return mapper

    def relationship(self, row: int, raw: dict[str, Any]) -> list[Record]:
        kind = (clean_text(raw.get("type")) or "").upper()
        if kind not in RELATION_TYPES:
            raise InvalidRecord(f"unknown relation type {raw.get('type')!r}", "type")
        src, dst = self.known(raw, "from_id"), self.known(raw, "to_id")
        props = self.props(raw, {"from_id", "to_id", "type"})
        key = f"{kind}:{raw['from_id'].strip()}>{raw['to_id'].strip()}:{props.get('start_date', '')}"
        n = 1
        while f"{key}#{n}" in self.rel_keys:
            n += 1
        self.rel_keys.add(f"{key}#{n}")
        sid = key if n == 1 else f"{key}#{n}"
        return [Relation(make_id(self.ds, sid), kind, src, dst, props,
                         self.provenance("relationships.csv", row, raw), sid, self.ds)]

    def transfer(self, row: int, raw: dict[str, Any]) -> list[Record]:
        sid = self.new_id(raw)
        src, dst = self.known(raw, "from_id"), self.known(raw, "to_id")
        props = self.props(raw, {"id", "from_id", "to_id", "asset_id"}, TRANSFER_STRICT)
        if not props.get("date"):
            raise InvalidRecord("date is empty", "date")
        if clean_text(raw.get("asset_id")):
            props["asset_id"] = self.known(raw, "asset_id")
        elif props.get("amount") is None:
            raise InvalidRecord("a money transfer needs an amount", "amount")
        props.setdefault("currency", "GBP")
        self.ids[sid] = f"transfers.csv row {row}"
        return [Relation(make_id(self.ds, sid), "TRANSFER", src, dst, props,
                         self.provenance("transfers.csv", row, raw), sid, self.ds)]

    def case_records(self) -> tuple[Entity, list[Relation | str]]:
        """The Case entity, and per subject either its SUBJECT_OF link or why it cannot be made."""
        case_id = make_id(self.ds, "case")
        case = Entity(case_id, "Case", self.case, (Provenance(
            self.ds, "case.json", None, ingested_at=self.loader.ingested_at),), self.ds, self.ds)
        links: list[Relation | str] = []
        for sid in self.case["subjects"]:
            if self.kinds.get(sid) != "Person":
                links.append(f"subject {sid!r} is not a person in people.csv")
                continue
            links.append(Relation(make_id(self.ds, f"SUBJECT:{sid}"), "SUBJECT_OF", make_id(self.ds, sid), case_id,
                                    {}, (Provenance(self.ds, "case.json", None, ingested_at=self.loader.ingested_at),),
                                    f"SUBJECT:{sid}", self.ds))
        return case, links


def _rows(loader: Loader, file: str, folder: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for item in read_csv(folder / file):
        if isinstance(item, BadRow):
            loader.reject(file, item.row, item.reason, None, item.raw)
        else:
            yield item.row, item.data


def load_bundle(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
                limits: Limits | None = None) -> LoadReport:
    """Validate and load a case bundle; rows that fail go to ``quarantine_dir``.

    Only regular files the bundle format names are read; every other file of the folder or zip
    (a link, a hidden or unknown file, one over a size cap) is listed as skipped in the report,
    which then does not reconcile. Loading the same bundle twice writes nothing the second time.
    Returns the reconciliation.

    Raises
    ------
    InvalidRecord
        When the bundle itself is unusable (no case.json, not a folder or zip, over a size cap).
    """
    with _opened(Path(path), limits or Limits(), own_outputs(store, Path(quarantine_dir))) as listing:
        case_file = listing.files.get("case.json")
        if case_file is None:
            refused = listing.refusal("case.json")
            raise InvalidRecord(f"case.json refused in {path}: {refused}" if refused
                                else f"case.json missing in {path}")
        if case_file.stat().st_size > CASE_JSON_MAX:
            raise InvalidRecord(f"case.json is {size_text(case_file.stat().st_size)}: not a case file")
        case = read_case(listing.folder)
        loader = Loader(store, case["case_id"], "bundle", Path(quarantine_dir) / f"{case['case_id']}.quarantine.csv")
        bundle = _Bundle(case, loader)
        folder = listing.folder
        for file, mapper in (*((f, bundle.entity_mapper(f, kind)) for f, kind in ENTITY_FILES.items()),
                             ("relationships.csv", bundle.relationship), ("transfers.csv", bundle.transfer)):
            if file in listing.files:
                loader.count(file)  # listed even when it holds no rows
                loader.run(file, _rows(loader, file, folder), mapper)
        case_entity, links = bundle.case_records()
        loader.accept("case.json", [case_entity])
        for link in links:  # each subject named in case.json counts as one more record of it
            if isinstance(link, str):
                loader.reject("case.json", 1, link, "subjects")
            else:
                loader.accept("case.json", [link])
        for skipped in listing.skipped:
            loader.skip(skipped.name, skipped.reason)
        if listing.own:
            loader.report.notes["own_outputs_passed_over"] = listing.own
        return loader.finish()


def _is_bundle(path: Path) -> bool:
    if path.is_dir():
        return (path / "case.json").exists()
    names = zip_names(path) if path.suffix.lower() == ".zip" else None
    return any(PurePosixPath(n.replace("\\", "/")).name == "case.json" for n in names or ())


@reader("bundle", detect=_is_bundle)
def read_bundle(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``bundle`` format for ``assetgraph load``."""
    return load_bundle(store, path, quarantine_dir, Limits.from_options(options))
