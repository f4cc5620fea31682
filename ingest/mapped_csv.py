"""Any CSV/XLSX with a YAML mapping to entity and relation kinds (i2's "import specification").

Analysts receive spreadsheets nobody has a reader for: a liquidator's list of directors, a
police export of phone subscribers. Rather than code, a mapping names, per output record, the
kind, the id column(s), property <- column assignments and, for relations, the two ends. It is
checked against :data:`graph.model.ENTITY_KINDS` / :data:`RELATION_KINDS` before a row is read,
so a typo in a kind or property fails at once with its name, not after an hour of loading.

Example (``tests/fixtures/mapped_csv/officers.yaml``)::

    dataset: liquidator-2024        # optional; default: "csv-" + the file name
    sheet: Officers                  # XLSX only (default: the first sheet)
    skip_lines: 0                    # lines before the header
    records:
      - kind: Company
        id: [company_number]         # column(s) joined into the source id "company:<value>"
        properties:
          name: company_name
          company_number: company_number
          incorporated: {column: incorporated, type: date}
      - kind: Person
        id: [officer_id]
        properties:
          name: officer_name
          dob: {column: dob, type: date}
          aliases: {column: aliases, type: list}
      - kind: DIRECTOR_OF
        from: {kind: Person, id: [officer_id]}
        to: {kind: Company, id: [company_number]}
        properties:
          role: role
          start_date: {column: appointed, type: date}

Value types: ``text`` (default), ``date`` (kept at the precision given: ``1984``, ``1984-03`` or
a day), ``day`` (a full day is needed), ``money`` (``£1,250.00``), ``share`` (0-100), ``list``
(``;``-separated), ``int``, ``bool``. A ``TRANSFER``'s ``date`` always needs a day. A property name
must belong to the kind (relations also take ``start_date``/``end_date``/``date``); custom ones
start with ``x_``.

Dates are read by the shared parser (:mod:`graph.partial_date`): day first, as UK files write them,
month names, ``YYYY-MM-DD``. A file written another way says so in its spec, for the whole file or
for one field (``{column: paid, type: day, date_order: mdy}``)::

    date_order: mdy     # dmy (default) | mdy (US: 03/23/2006) | ymd (06-03-23: two-digit year first)
    date_pivot: 30      # two-digit years up to 30 are 20yy, above 19yy (default: this year)

A numeric date of the stated order is put in day-first order before the parser reads it; an
ambiguous or impossible one is refused with the parser's reason. The forms read per column are
in the report's ``notes["date_forms"]``.

Required and optional fields: a row is quarantined whole only when it cannot stand without a
value -- an id column of a record it must produce, a field marked ``required: true``, and a
``TRANSFER``'s ``date`` and ``amount`` (a payment without a day or an amount is not one). Any other
field that cannot be read costs only itself: it is left out, its raw text kept as
``<property>_raw``, and a field-level line goes to the quarantine file.
Each relation end must be an entity record of the same mapping (its ``kind`` and ``id`` columns),
emitted in the same row, so no relation ever points at a missing entity. A row with an empty id
column for a relation end or entity is quarantined with the column named; an entity record whose
id columns are all empty is simply not produced by that row (optional records), unless it is
``required: true``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InvalidRecord
from graph.model import ENTITY_KINDS, RELATION_KINDS, Entity, Provenance, Relation, make_id
from graph.store import Store
from graph.types import clean_money, clean_share, clean_text
from ingest.bank import iter_cells
from ingest.counterparty import slug
from ingest.csvio import clean_headers
from ingest.date_forms import DateForms
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["FieldSpec", "RecordSpec", "Mapping", "load_mapping", "load_mapped", "day_first"]

TYPES = ("text", "date", "day", "money", "share", "list", "int", "bool")
RELATION_DATES = ("start_date", "end_date", "date")
DATE_ORDERS = ("dmy", "mdy", "ymd")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(\s.*)?$")
_SHORT_YEAR_FIRST = re.compile(r"^(\d{2})([/.\-])(\d{1,2})\2(\d{1,2})$")


@dataclass(frozen=True)
class FieldSpec:
    prop: str
    column: str
    type: str = "text"
    required: bool = False
    date_order: str | None = None  # None: the mapping's
    date_pivot: int | None = None


@dataclass(frozen=True)
class RecordSpec:
    kind: str
    id: tuple[str, ...] = ()
    prefix: str = ""
    fields: tuple[FieldSpec, ...] = ()
    source: tuple[str, tuple[str, ...]] | None = None  # relation from: (prefix, id columns)
    target: tuple[str, tuple[str, ...]] | None = None
    required: bool = False

    @property
    def is_relation(self) -> bool:
        return self.kind in RELATION_KINDS


@dataclass(frozen=True)
class Mapping:
    records: tuple[RecordSpec, ...]
    dataset: str | None = None
    sheet: str | None = None
    skip_lines: int = 0
    encoding: str | None = None
    date_order: str = "dmy"
    date_pivot: int | None = None

    def columns(self) -> set[str]:
        cols = {f.column for r in self.records for f in r.fields} | {c for r in self.records for c in r.id}
        for r in self.records:
            for end in (r.source, r.target):
                if end:
                    cols.update(end[1])
        return cols


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InvalidRecord(f"{where}: 'id' must be a column name or a list of them")


def _record(spec: dict[str, Any], n: int) -> RecordSpec:
    where = f"records[{n}]"
    if not isinstance(spec, dict) or "kind" not in spec:
        raise InvalidRecord(f"{where}: each record needs a 'kind'")
    kind = str(spec["kind"])
    if kind not in ENTITY_KINDS and kind not in RELATION_KINDS:
        raise InvalidRecord(f"{where}: unknown kind {kind!r}; entity kinds: {', '.join(ENTITY_KINDS)}; "
                            f"relation kinds: {', '.join(RELATION_KINDS)}")
    allowed = set(ENTITY_KINDS[kind].properties) if kind in ENTITY_KINDS else \
        set(RELATION_KINDS[kind].properties) | set(RELATION_DATES)
    fields = []
    for prop, value in (spec.get("properties") or {}).items():
        options = {"column": value} if isinstance(value, str) else (value or {})
        column, typ = options.get("column"), options.get("type", "text")
        if prop not in allowed and not str(prop).startswith("x_"):
            raise InvalidRecord(f"{where}: {kind} has no property {prop!r} (known: {', '.join(sorted(allowed))}; "
                                f"custom properties start with x_)")
        if not isinstance(column, str) or typ not in TYPES:
            raise InvalidRecord(f"{where}.{prop}: needs a column name and a type in {TYPES}")
        essential = kind == "TRANSFER" and prop in ("date", "amount")
        if essential and prop == "date":
            typ = "day"
        fields.append(FieldSpec(str(prop), column, typ, bool(options.get("required")) or essential,
                                _date_order(options.get("date_order"), f"{where}.{prop}"),
                                _pivot(options.get("date_pivot"), f"{where}.{prop}")))
    if kind in ENTITY_KINDS:
        if "id" not in spec:
            raise InvalidRecord(f"{where}: entity record {kind} needs 'id' column(s)")
        return RecordSpec(kind, _ids(spec["id"], where), str(spec.get("id_prefix") or kind.lower()), tuple(fields),
                          required=bool(spec.get("required")))
    ends = []
    for side in ("from", "to"):
        end = spec.get(side)
        if not isinstance(end, dict) or end.get("kind") not in ENTITY_KINDS or "id" not in end:
            raise InvalidRecord(f"{where}: relation {kind} needs '{side}: {{kind: <entity kind>, id: [columns]}}'")
        ends.append((str(end.get("id_prefix") or end["kind"].lower()), _ids(end["id"], f"{where}.{side}")))
    return RecordSpec(kind, (), "", tuple(fields), ends[0], ends[1])


def load_mapping(spec: str | Path | dict[str, Any]) -> Mapping:
    """Read and check a mapping (a YAML path or an already-parsed dict)."""
    if isinstance(spec, dict):
        data = spec
    else:
        path = Path(spec)
        if not path.exists():
            raise InvalidRecord(f"mapping file {path} not found")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InvalidRecord(f"mapping {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list) or not data["records"]:
        raise InvalidRecord("a mapping needs a non-empty 'records' list")
    records = tuple(_record(r, n) for n, r in enumerate(data["records"]))
    entity_prefixes = {r.prefix for r in records if not r.is_relation}
    for n, r in enumerate(records):
        for end in (r.source, r.target):
            if end and end[0] not in entity_prefixes:
                raise InvalidRecord(f"records[{n}]: relation end {end[0]!r} is not an entity record of this mapping")
    return Mapping(records, clean_text(data.get("dataset")), data.get("sheet"), int(data.get("skip_lines") or 0),
                   data.get("encoding"), _date_order(data.get("date_order"), "mapping") or "dmy",
                   _pivot(data.get("date_pivot"), "mapping"))


def _date_order(value: object, where: str) -> str | None:
    if value is None:
        return None
    if value not in DATE_ORDERS:
        raise InvalidRecord(f"{where}: date_order must be one of {', '.join(DATE_ORDERS)}, not {value!r}")
    return str(value)


def _pivot(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
        raise InvalidRecord(f"{where}: date_pivot must be a two-digit year (0-99), not {value!r}")
    return value


def day_first(text: str, order: str) -> str:
    """A numeric date of the stated order rewritten day first, as the shared parser reads dates.

    The rewrite uses ``/``: the spec has settled the order, so the parser must not refuse
    ``NN-NN-NN`` as possibly year first.

    >>> day_first("03/23/2006", "mdy"), day_first("06-03-23", "ymd"), day_first("23/03/2006", "dmy")
    ('23/03/2006', '23/03/06', '23/03/2006')
    """
    if order == "mdy" and (m := _NUMERIC_DATE.match(text)):
        return f"{m.group(3)}/{m.group(1)}/{m.group(4)}{m.group(5) or ''}"
    if order == "ymd" and (m := _SHORT_YEAR_FIRST.match(text)):
        return f"{m.group(4)}/{m.group(3)}/{m.group(1)}"
    return text


class _Values:
    """Cleans one field's cell by its type; dates through the shared parser in the spec's order."""

    def __init__(self, mapping: Mapping, notes: dict[str, Any]) -> None:
        self.mapping, self.notes = mapping, notes
        self._dates: dict[int | None, DateForms] = {}

    def dates(self, pivot: int | None) -> DateForms:
        if pivot not in self._dates:
            self._dates[pivot] = DateForms(self.notes, pivot)
        return self._dates[pivot]

    def clean(self, f: FieldSpec, value: object) -> Any:
        text = clean_text(value)
        if text is None:
            return None
        try:
            if f.type in ("date", "day"):
                forms = self.dates(f.date_pivot if f.date_pivot is not None else self.mapping.date_pivot)
                cleaner = forms.day(f.column) if f.type == "day" else forms.partial(f.column)
                order = f.date_order or self.mapping.date_order
                ordered = day_first(text, order)
                if ordered == text:
                    return cleaner(text)
                try:
                    return cleaner(ordered)
                except InvalidRecord:  # say what the cell held, not the day-first rewrite
                    raise InvalidRecord(f"{f.column}: {text!r} is not a date in {order} order", f.column) from None
            if f.type == "money":
                money = clean_money(text)
                return None if money is None else str(money.amount)
            if f.type == "share":
                return clean_share(text)
            if f.type == "list":
                return [p.strip() for p in text.split(";") if p.strip()] or None
            if f.type == "int":
                return int(text.replace(",", ""))
            if f.type == "bool":
                if text.lower() not in ("true", "false", "yes", "no", "y", "n", "1", "0"):
                    raise InvalidRecord(f"not a yes/no value: {text!r}")
                return text.lower() in ("true", "yes", "y", "1")
        except InvalidRecord as exc:
            reason = exc.reason if exc.reason.startswith(f"{f.column}:") else f"{f.column}: {exc.reason}"
            raise InvalidRecord(reason, f.column) from None
        except ValueError:
            raise InvalidRecord(f"{f.column}: not a whole number: {text!r}", f.column) from None
        return text


def _sid(prefix: str, cols: tuple[str, ...], raw: dict[str, Any]) -> str | None:
    values = [clean_text(raw.get(c)) for c in cols]
    if not any(values):
        return None
    return f"{prefix}:" + "|".join(v or "" for v in values)


class _Mapper:
    def __init__(self, mapping: Mapping, dataset: str, file: str, loader: Loader) -> None:
        self.m, self.ds, self.file, self.at, self.loader = mapping, dataset, file, loader.ingested_at, loader
        self.values = _Values(mapping, loader.report.notes)
        self.seen: set[str] = set()  # ids already emitted in this load (first row wins)

    def props(self, spec: RecordSpec, raw: dict[str, Any]) -> dict[str, Any]:
        """A record's properties: a required field that cannot be read quarantines the row, any
        other costs only itself (kept as ``<property>_raw``, a field-level quarantine line)."""
        props: dict[str, Any] = {}
        for f in spec.fields:
            if f.required:
                value = self.values.clean(f, raw.get(f.column))
                if value is None:
                    raise InvalidRecord(f"{f.column} is empty ({spec.kind} {f.prop} is required)", f.column)
                props[f.prop] = value
            else:
                self.loader.soft(props, f.prop, raw.get(f.column), lambda v, f=f: self.values.clean(f, v))
        return props

    def __call__(self, row: int, raw: dict[str, Any]) -> list[Record]:
        prov = (Provenance(self.ds, self.file, row, ingested_at=self.at),)
        entities: list[Entity] = []
        relations: list[Relation] = []
        made: set[str] = set()
        for spec in self.m.records:
            props = self.props(spec, raw)
            if not spec.is_relation:
                sid = _sid(spec.prefix, spec.id, raw)
                if sid is None:
                    if spec.required:
                        raise InvalidRecord(f"{spec.kind} id is empty", spec.id[0])
                    continue
                made.add(sid)
                if make_id(self.ds, sid) not in self.seen:
                    entities.append(Entity(make_id(self.ds, sid), spec.kind, props, prov, sid, self.ds))
                continue
            ends = []
            for prefix, cols in (spec.source, spec.target):  # type: ignore[misc]
                sid = _sid(prefix, cols, raw)
                if sid is None or sid not in made:
                    raise InvalidRecord(f"{spec.kind}: the {prefix} end has no id in {', '.join(cols)}", cols[0])
                ends.append(sid)
            when = props.get("date") or props.get("start_date") or ""
            rsid = f"{spec.kind}:{ends[0]}>{ends[1]}:{when}" if spec.kind != "TRANSFER" else f"TRANSFER:row{row}"
            if make_id(self.ds, rsid) not in self.seen:  # the same link on a later row: first row wins
                relations.append(Relation(make_id(self.ds, rsid), spec.kind, make_id(self.ds, ends[0]),
                                          make_id(self.ds, ends[1]), props, prov, rsid, self.ds))
        if not entities and not relations and not made:
            raise InvalidRecord("the row produced no record (all id columns empty)")
        self.seen.update(r.id for r in [*entities, *relations])
        return [*entities, *relations]


def load_mapped(store: Store, path: str | Path, mapping: str | Path | dict[str, Any] | Mapping,
                quarantine_dir: str | Path = "quarantine", dataset: str | None = None) -> LoadReport:
    """Load ``path`` (CSV or XLSX) with ``mapping``; the mapping is checked before any row is read."""
    path = Path(path)
    spec = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    ds = clean_text(dataset) or spec.dataset or f"csv-{slug(path.stem)}"
    loader = Loader(store, ds, "csv", Path(quarantine_dir) / f"{ds}.{slug(path.stem)}.quarantine.csv")
    loader.count(path.name)
    loader.run(path.name, _rows(loader, path, spec), _Mapper(spec, ds, path.name, loader))
    return loader.finish()


def _rows(loader: Loader, path: Path, spec: Mapping) -> Any:
    header: list[str] | None = None
    for line, cells in iter_cells(path, spec.encoding, spec.sheet):
        if line <= spec.skip_lines:
            continue
        if cells[:1] == ["\x00csv-error"]:
            loader.reject(path.name, line, f"unreadable CSV: {cells[1]}")
            return
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = clean_headers(cells)
            missing = sorted(spec.columns() - set(header))
            if missing:
                raise InvalidRecord(f"{path.name}: the mapping names columns not in the header: {', '.join(missing)}")
            continue
        while len(cells) > len(header) and not cells[-1].strip():
            cells = cells[:-1]
        raw = dict(zip(header, cells, strict=False))
        if len(cells) != len(header):
            loader.reject(path.name, line, f"ragged row: {len(cells)} cells, header has {len(header)}", None, raw)
            continue
        yield line, raw


@reader("csv")
def read_mapped(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``csv`` format for ``assetgraph load`` (needs the ``mapping`` option)."""
    if not options.get("mapping"):
        raise InvalidRecord("format csv needs a mapping (YAML): pass --mapping FILE")
    return load_mapped(store, path, options["mapping"], quarantine_dir, options.get("dataset"))
