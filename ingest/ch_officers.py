"""Companies House officers bulk snapshot (``ch-officers``; products 195/216, ``*.dat``).

The product is sold to subscribers with a Word specification; its layout is public through the
community CH Guide (chguide.co.uk, "Officer bulk data record types") and open parsers. Each line
is one record: a header (``DDDDSNAP`` + run number + date), company records (type ``1``),
person records (type ``2``) and a trailer (``99999999`` + record count). Person records are fixed
width up to column 76, then ``<``-separated fields: title, forenames, surname, honours, care of,
PO box, address lines 1-2, post town, county, country, occupation, nationality, residence.

Records (dataset ``gb-coh-officers``): a company record -> ``Company`` (source id = number); a
person record -> ``Person`` (``Company`` when the corporate indicator is ``Y``) with source id
the 12-digit person number (its first 8 digits, kept as ``officer_uid``, are Companies House's
own assertion that appointments belong to one person) and ``DIRECTOR_OF`` to the company
(``role`` from the appointment type, start/end dates, occupation on the link because it is per
appointment). A person's props carry nothing per-appointment, so the copies one officer's
appointments emit are identical (idempotent; provenance has no row). The company record comes
just before its officers; an officer whose company record was not seen is quarantined rather
than linked to nothing. Update files (``DDDDUPDT``) are refused: they change records in place.

Fields: a record cannot stand without its company number, record type, (for an officer) the
appointment type, the 12-digit person number and a name; those quarantine it. Dates are optional
and read by the shared parser: the date of birth as published (``CCYYMM``, kept as a month,
``"1966-08"``; the full date where a product gives one), the appointment and resignation dates as
days (``CCYYMMDD``); an unreadable one costs that date only (``dob_raw``, ``start_date_raw``, a
field-level quarantine line). One officer may hold the same office at one company more than once
(resigned, then reappointed, as the real snapshot shows): each appointment is its own link, told
apart by its appointment date.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store
from ingest.companies_house import RecentIds, country_code, join_address, text
from ingest.csvio import open_text
from ingest.date_forms import DateForms
from ingest.formats import reader
from ingest.normalise import company_number
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["load_ch_officers", "APPOINTMENT_TYPES", "DATASET"]

DATASET = "gb-coh-officers"
SOURCE = "Companies House officers bulk snapshot"
APPOINTMENT_TYPES = {
    0: "secretary", 1: "director", 2: "secretary", 3: "director", 4: "llp-member", 5: "llp-designated-member",
    6: "llp-member", 7: "llp-designated-member", 11: "judicial-factor", 12: "charities-act-receiver-or-manager",
    13: "caice-act-manager", 14: "judicial-factor", 15: "charities-act-receiver-or-manager",
    16: "caice-act-manager", 17: "member-of-an-administrative-organ", 18: "member-of-a-supervisory-organ",
    19: "member-of-a-management-organ", 20: "member-of-an-administrative-organ",
    21: "member-of-a-supervisory-organ", 22: "member-of-a-management-organ", 99: "errored-appointment"}
PERSON_FIELDS = ("title", "forenames", "surname", "honours", "care_of", "po_box", "address_line_1",
                 "address_line_2", "post_town", "county", "country", "occupation", "nationality", "residence")
COMPANY_STATUS = {"C": "converted/closed", "D": "dissolved", "L": "in liquidation", "R": "in receivership",
                  " ": "active"}


def _fixed_date(value: str) -> str | None:
    """A fixed-width date field as the shared parser reads it: ``CCYYMMDD`` as it stands (read as
    ``YYYYMMDD``; its day-first reading would need a year over 1800 from ``MMDD``, so it is never
    ambiguous), ``CCYYMM`` given its hyphen (``1966-08``, a month). Blank is None."""
    value = value.strip()
    if len(value) == 6 and value.isdigit():
        return f"{value[:4]}-{value[4:]}"
    return value or None


class _OfficerMapper:
    def __init__(self, file: str, loader: Loader, dataset: str) -> None:
        self.file, self.ds, self.at, self.loader = file, dataset, loader.ingested_at, loader
        self.dates = DateForms(loader.report.notes)
        self.companies = RecentIds(65536)
        self.people = RecentIds()

    def __call__(self, row: int, raw: dict[str, Any]) -> list[Record]:
        line: str = raw["line"]
        number = company_number(line[:8])
        if not number:
            raise InvalidRecord("company number is blank", "company_number")
        kind = line[8:9]
        if kind == "1":
            return [self._company(row, number, line)]
        if kind == "2":
            return self._person(row, number, line)
        raise InvalidRecord(f"unknown record type {kind!r}", "record_type")

    def _company(self, row: int, number: str, line: str) -> Entity:
        name = text(line[40:].split("<", 1)[0], "company_name")
        if not name:
            raise InvalidRecord("company name is blank", "company_name")
        props: dict[str, Any] = {"name": name, "company_number": number, "registration_numbers": [f"gb-coh:{number}"],
                                 "status_code": line[9:10]}
        if line[9:10] in COMPANY_STATUS:
            props["status"] = COMPANY_STATUS[line[9:10]]
        officers = line[32:36].strip()
        if officers.isdigit():
            props["officer_count"] = int(officers)
        self.companies.seen(number)
        prov = (Provenance(self.ds, self.file, row, SOURCE, f"company {number}", self.at),)
        return Entity(make_id(self.ds, number), "Company", props, prov, number, self.ds)

    def _person(self, row: int, number: str, line: str) -> list[Record]:
        if len(line) < 76:
            raise InvalidRecord(f"person record too short ({len(line)} characters, needs 76)", "record")
        if number not in self.companies:
            raise InvalidRecord(f"no company record for {number} precedes this appointment", "company_number")
        code = line[10:12].strip()
        person_number = line[12:24].strip()
        if not code.isdigit() or int(code) not in APPOINTMENT_TYPES:
            raise InvalidRecord(f"unknown appointment type {code!r}", "appointment_type")
        if not person_number.isdigit():
            raise InvalidRecord(f"person number is not 12 digits: {person_number!r}", "person_number")
        corporate = line[24:25] == "Y"
        fields = dict(zip(PERSON_FIELDS, (text(v) for v in line[76:].split("<")), strict=False))
        name = " ".join(p for p in (fields.get("forenames"), fields.get("surname")) if p)
        if not name:
            raise InvalidRecord("officer name is blank", "surname")
        props: dict[str, Any] = {"name": name, "officer_uid": person_number[:8]}
        props |= {k: v for k in ("title", "forenames", "surname", "honours", "nationality") if (v := fields.get(k))}
        if fields.get("residence"):
            props["country_of_residence"] = fields["residence"]
        if iso := country_code(fields.get("residence") or fields.get("country")):
            props["country"] = iso
        address = join_address(fields.get(k) for k in ("care_of", "po_box", "address_line_1", "address_line_2",
                                                       "post_town", "county", "country"))
        postcode = text(line[48:56])
        props |= {k: v for k, v in (("address", address), ("postcode", postcode)) if v}
        if not corporate:  # the full date where the product gives it, else the published month and year
            full = _fixed_date(line[64:72])
            column = "full_dob" if full else "partial_dob"
            self.loader.soft(props, "dob", full or _fixed_date(line[56:64]), self.dates.partial(column))
        sid = f"officer/{person_number}"
        prov_row = (Provenance(self.ds, self.file, row, SOURCE, f"company {number} officer {person_number}",
                               self.at),)
        rel: dict[str, Any] = {"role": APPOINTMENT_TYPES[int(line[10:12])]}
        dates = (("start_date", 32, "appointment_date"), ("end_date", 40, "resignation_date"))
        for key, start, column in dates:
            self.loader.soft(rel, key, _fixed_date(line[start:start + 8]), self.dates.day(column))
        if fields.get("occupation"):
            rel["occupation"] = fields["occupation"]
        # one officer can hold the same office at one company more than once (resigned, reappointed):
        # the appointment date tells the appointments apart
        rel_sid = f"appt:{number}:{person_number}:{line[10:12]}:{line[32:40].strip()}"
        link = Relation(make_id(self.ds, rel_sid), "DIRECTOR_OF", make_id(self.ds, sid), make_id(self.ds, number),
                        rel, prov_row, rel_sid, self.ds)
        if self.people.seen(sid):  # only now: a quarantined row must not count as having sent the person
            return [link]
        shared = (Provenance(self.ds, self.file, None, SOURCE, f"officer {person_number}", self.at),)
        kind = "Company" if corporate else "Person"
        return [Entity(make_id(self.ds, sid), kind, props, shared, sid, self.ds), link]


def load_ch_officers(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
                     dataset: str = DATASET) -> LoadReport:
    """Load an officers snapshot ``.dat`` file; header and trailer are checked, not counted.

    Raises
    ------
    InvalidRecord
        When the file is an update file (``DDDDUPDT``) or has no snapshot header.
    """
    path = Path(path)
    loader = Loader(store, dataset, "ch-officers", Path(quarantine_dir) / f"{path.name}.quarantine.csv")
    mapper = _OfficerMapper(path.name, loader, dataset)
    trailer: dict[str, Any] = {}
    with open_text(path) as fh:
        loader.run(path.name, _lines(fh, trailer), mapper)
    if trailer:
        counted = loader.report.files.get(path.name)
        trailer["read"] = counted.read if counted else 0
        trailer["matches"] = trailer["read"] == trailer.get("records")
        store.set_meta(f"ch_officers_trailer:{path.name}", trailer)
    return loader.finish()


def _lines(fh: Any, trailer: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for row, line in enumerate(fh, 1):
        line = line.rstrip("\r\n")
        if row == 1:
            if line.startswith("DDDDUPDT"):
                raise InvalidRecord("officers update files (DDDDUPDT) are not supported; load a snapshot")
            if not line.startswith("DDDDSNAP"):
                raise InvalidRecord("not an officers snapshot: the first line is not a DDDDSNAP header")
            continue
        if not line.strip():
            continue
        if line.startswith("99999999"):
            count = line[8:16].strip()
            trailer["records"] = int(count) if count.isdigit() else None
            continue
        yield row, {"line": line}


def _is_officers(path: Path) -> bool:
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        return fh.read(8) in (b"DDDDSNAP", b"DDDDUPDT")


@reader("ch-officers", detect=_is_officers)
def read_ch_officers(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ch-officers`` format for ``assetgraph load``."""
    return load_ch_officers(store, path, quarantine_dir, str(options.get("dataset") or DATASET))
