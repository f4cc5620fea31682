"""Companies House Basic Company Data (``ch-basic``): one company per CSV row.

Each row gives a ``Company`` source record (dataset ``gb-coh``, source id = the company number)
and, when the row has a registered office, an ``Address`` record and ``REGISTERED_AT``. The
address id is a hash of its text, so the thousands of companies registered at one formation
agent's office share one Address node -- the pattern an investigator looks for.

Hard-wrapped files: copies of the product that passed through tools which wrap long lines
(the public sample is wrapped at 118 characters) are detected -- the first line is the header
but does not end with it, and the first lines all have one length -- and the physical lines are
re-joined before CSV parsing: a line exactly as long as the wrap width continues on the next
line. Row numbers are then those of the re-joined (logical) file. A genuine record exactly the
wrap width long would be joined with its successor; the result has too many cells and goes to
the quarantine as a ragged row (never silently).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store
from ingest.companies_house import RecentIds, country_code, join_address, short_hash, text
from ingest.csvio import BadRow, head_text, open_text, read_csv
from ingest.date_forms import DateForms
from ingest.formats import reader
from ingest.normalise import company_number
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["load_ch_basic", "DATASET", "LAST_HEADER", "unwrapped_lines"]

DATASET = "gb-coh"
SOURCE = "Companies House Basic Company Data"
LAST_HEADER = "ConfStmtLastMadeUpDate"
ADDRESS_COLUMNS = ("RegAddress.CareOf", "RegAddress.POBox", "RegAddress.AddressLine1", "RegAddress.AddressLine2",
                   "RegAddress.PostTown", "RegAddress.County")
SIC_COLUMNS = tuple(f"SICCode.SicText_{i}" for i in range(1, 5))
PREVIOUS_COLUMNS = tuple(f"PreviousName_{i}.CompanyName" for i in range(1, 11))


def _wrap_width(path: Path) -> int | None:
    """The wrap width when the file is hard-wrapped, else None (see the module docstring)."""
    with open_text(path) as fh:
        lines = [line.rstrip("\r\n") for line in itertools.islice(fh, 3)]
    if not lines or "CompanyNumber" not in lines[0] or LAST_HEADER in lines[0]:
        return None
    widths = {len(line) for line in lines[:-1]} if len(lines) > 1 else set()
    if len(widths) == 1 and min(widths) >= 60:
        return widths.pop()
    return None


def unwrapped_lines(fh: IO[str], width: int) -> Iterator[str]:
    """Re-join physical lines of exactly ``width`` characters with the line that follows."""
    pending: list[str] = []
    for line in fh:
        body = line.rstrip("\r\n")
        pending.append(body)
        if len(body) == width:
            continue
        yield "".join(pending) + "\n"
        pending = []
    if pending:
        yield "".join(pending) + "\n"


class _BasicMapper:
    """Maps one Basic Company Data row to its records."""

    def __init__(self, file: str, loader: Loader, dataset: str) -> None:
        self.file = file
        self.ds = dataset
        self.loader = loader
        self.at = loader.ingested_at
        self.shared = (Provenance(dataset, file, None, SOURCE, None, self.at),)
        self.recent = RecentIds()
        self.dates = DateForms(loader.report.notes)

    def __call__(self, row: int, raw: dict[str, Any]) -> list[Record]:
        number = company_number(text(raw.get("CompanyNumber"), "CompanyNumber"))
        if number is None:
            raise InvalidRecord("CompanyNumber is empty", "CompanyNumber")
        name = text(raw.get("CompanyName"), "CompanyName")
        if name is None:
            raise InvalidRecord("CompanyName is empty", "CompanyName")
        origin = text(raw.get("CountryOfOrigin"))
        reg_country = text(raw.get("RegAddress.Country"))
        postcode = text(raw.get("RegAddress.PostCode"))
        address = join_address(raw.get(c) for c in ADDRESS_COLUMNS)
        props: dict[str, Any] = {"name": name, "company_number": number, "registration_numbers": [f"gb-coh:{number}"]}
        for key, column in (("incorporated", "IncorporationDate"), ("dissolved", "DissolutionDate")):
            self.loader.soft(props, key, raw.get(column), self.dates.partial(column))
        extras = {"status": "CompanyStatus", "category": "CompanyCategory", "uri": "URI"}
        props.update({k: v for k, c in extras.items() if (v := text(raw.get(c)))})
        if origin:
            props["jurisdiction"] = origin
        country = country_code(origin) or country_code(reg_country)
        if country:
            props["country"] = country
        if address:
            props["address"] = address
        if postcode:
            props["postcode"] = postcode
        sic = [v for c in SIC_COLUMNS if (v := text(raw.get(c)))]
        if sic:
            props["sic"] = sic
        previous = []
        for i, column in enumerate(PREVIOUS_COLUMNS, 1):
            old = text(raw.get(column))
            if old:
                entry: dict[str, Any] = {"name": old}
                self._until(entry, f"PreviousName_{i}.CONDATE", raw)
                previous.append(entry)
        if previous:
            props["previous_names"] = previous
            props["aliases"] = [p["name"] for p in previous]
        prov = (Provenance(self.ds, self.file, row, SOURCE, f"company {number}", self.at),)
        company = Entity(make_id(self.ds, number), "Company", props, prov, number, self.ds)
        if not (address or postcode):
            return [company]
        full = address or postcode or ""
        addr_props = {k: v for k, v in (("full", full), ("postcode", postcode),
                                         ("country", country_code(reg_country))) if v}
        addr_sid = f"addr:{short_hash(full, postcode, addr_props.get('country'))}"
        addr_id = make_id(self.ds, addr_sid)
        rel_sid = f"reg:{number}"
        link = Relation(make_id(self.ds, rel_sid), "REGISTERED_AT", company.id, addr_id, {}, prov, rel_sid, self.ds)
        if self.recent.seen(addr_id):
            return [company, link]
        return [company, Entity(addr_id, "Address", addr_props, self.shared, addr_sid, self.ds), link]

    def _until(self, entry: dict[str, Any], column: str, raw: dict[str, Any]) -> None:
        """A previous name's end date into ``entry["until"]`` (``until_raw`` when unreadable); the
        quarantine line names the source column, as a whole row would."""
        read: dict[str, Any] = {}
        self.loader.soft(read, column, raw.get(column), self.dates.partial(column))
        entry |= {key: read[f"{column}{suffix}"] for key, suffix in (("until", ""), ("until_raw", "_raw"))
                  if f"{column}{suffix}" in read}


def load_ch_basic(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
                  dataset: str = DATASET) -> LoadReport:
    """Load a Basic Company Data CSV (plain or hard-wrapped); returns the reconciliation.

    Parameters
    ----------
    store : Store
    path : str or Path
        ``BasicCompanyData-*.csv``; some headers have a leading space, which is tolerated.
    quarantine_dir : str or Path
        Where ``<file>.quarantine.csv`` is written when rows are rejected.
    dataset : str
        Namespace of the records (``gb-coh``).
    """
    path = Path(path)
    loader = Loader(store, dataset, "ch-basic", Path(quarantine_dir) / f"{path.name}.quarantine.csv")
    mapper = _BasicMapper(path.name, loader, dataset)
    width = _wrap_width(path)
    with open_text(path) as fh:
        source: Any = unwrapped_lines(fh, width) if width else fh
        loader.run(path.name, _rows(loader, path.name, read_csv(source)), mapper)
    return loader.finish()


def _rows(loader: Loader, file: str, items: Iterator[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for item in items:
        if isinstance(item, BadRow):
            loader.reject(file, item.row, item.reason, None, item.raw)
        elif "CompanyNumber" not in item.data:
            loader.reject(file, item.row, "no CompanyNumber column: not a Basic Company Data file", None, item.data)
        else:
            yield item.row, item.data


def _is_basic(path: Path) -> bool:
    head = head_text(path)
    return "CompanyNumber" in head and "RegAddress." in head


@reader("ch-basic", detect=_is_basic)
def read_ch_basic(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ch-basic`` format for ``assetgraph load``."""
    return load_ch_basic(store, path, quarantine_dir, str(options.get("dataset") or DATASET))
