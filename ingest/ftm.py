"""FollowTheMoney entities in (JSON lines, as Aleph and OpenSanctions export them).

The ``followthemoney`` model checks every value with its property's type (:mod:`ingest.ftm_values`:
what a type refuses is kept, never dropped without a word); the mapping to our kinds, identifiers
included, is the shared table in :mod:`ingest.ftm_schema`. FtM files are not ordered, so the file
is streamed twice: entities on the first pass, links (Ownership, Payment, ...) on the second, each
link's ends checked against the store a chunk at a time. Every line is counted once: on the pass
that handles it.

Decisions: schemata we do not model (Sanction, Passport, Identification, Vessel, Position ...) are
quarantined with ``schema X not mapped`` (visible and countable, and a later mapping can pick
them up by re-loading). FtM properties with no slot in our kind are kept under ``props["ftm"]``.
An entity's ``addressEntity`` becomes LIVES_AT (people) or REGISTERED_AT (others) on the second
pass when the Address is loaded (these derived links add no count: their line was counted once).
Dates keep the precision given (``birthDate: ["1962"]`` stays ``"1962"``, ``"1962-05"`` a month).
Delta lines (``{"op": "ADD"|"MOD", "entity": {...}}``) are read as their entity; ``DEL`` is
quarantined. An id seen twice in a file (unaggregated fragments) is quarantined after the first:
aggregate with ``ftm aggregate`` first.

What a record cannot stand without (the record is quarantined): an id, a schema we map, both ends
of a link (loaded), a Payment's amount and full day (a transfer needs both; an amount with no
currency gets ``XXX``, ISO 4217 "no currency", never an assumed GBP), and an Ownership's
percentage when one is given (a misread share would misstate control). Any other value that
cannot be read -- a date, a refused identifier, a phone cell holding three numbers -- costs only
that value: kept as ``<field>_raw`` with a field-level quarantine line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import FollowTheMoneyException
from followthemoney.proxy import EntityProxy

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store, batched
from graph.types import clean_share, clean_text
from ingest.formats import reader
from ingest.ftm_schema import (
    ACCOUNT_ENDS,
    COUNTRY_PROPS,
    DATE_PROPS,
    ENTITY_PROPS,
    ENTITY_REF_PROPS,
    LINK_BY_SCHEMA,
    LIST_PROPS,
    SCHEMA_TO_KIND,
    decode_extra,
    identifier_props,
)
from ingest.ftm_values import Refused, checked, ftm_date, payment_values, read_proxy, refusal
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["load_ftm", "read_ftm", "UNKNOWN_LINK_KINDS"]

# Kinds an UnknownLink may carry back (our own export writes the kind into its extra JSON).
UNKNOWN_LINK_KINDS = frozenset({"OWNS", "HOLDS", "CONTROLS", "PSC_OF", "DIRECTOR_OF", "FAMILY", "ASSOCIATE",
                                "LIVES_AT", "REGISTERED_AT", "NOMINEE_FOR"})
_CHUNK = 2000
_RAW_LIMIT = 2000  # characters of a bad line kept in the quarantine


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for row, line in enumerate(fh, start=1):
            if line.strip():
                yield row, line


def _parse(line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
        if "\\ud" in line.lower():  # a lone surrogate escape cannot be stored or written as UTF-8
            data = json.loads(json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidRecord(f"not JSON: {exc}") from None
    if isinstance(data, dict) and "op" in data and "entity" in data:
        if data["op"] == "DEL":
            raise InvalidRecord("delta DEL operation not applied (load the full export)", "op")
        data = data["entity"]
    if not isinstance(data, dict):
        raise InvalidRecord("a line must be one JSON object")
    return data


def _schema_name(data: dict[str, Any]) -> str | None:
    name = data.get("schema")
    schema = model.get(name) if isinstance(name, str) else None
    return schema.name if schema is not None else None


def _proxy(data: dict[str, Any]) -> tuple[EntityProxy, dict[str, list[str]], Refused]:
    """The entity, its values cleaned by their FtM types, and the values refused (see :mod:`ingest.ftm_values`)."""
    if not isinstance(data.get("id"), str) or not data["id"].strip():
        raise InvalidRecord("entity has no id", "id")
    if not isinstance(data.get("properties", {}), dict):
        raise InvalidRecord("properties must be an object", "properties")
    schema = _schema_name(data)
    if schema is None:
        raise InvalidRecord(f"unknown FtM schema {str(data.get('schema'))[:80]!r}", "schema")
    try:
        proxy, refused = read_proxy(data, schema)
        values, refused = checked(proxy, refused)
    except (FollowTheMoneyException, TypeError, ValueError, AttributeError) as exc:
        raise InvalidRecord(f"not a FollowTheMoney entity: {exc}", "schema") from None
    if proxy.id is None:
        raise InvalidRecord(f"not a valid FtM id: {data['id'][:80]!r}", "id")
    return proxy, values, refused


class _Ftm:
    """Maps one FtM file's lines; remembers the ids seen (duplicates are quarantined)."""

    def __init__(self, store: Store, loader: Loader, dataset: str, file: str) -> None:
        self.store = store
        self.loader = loader
        self.ds = dataset
        self.file = file
        self.seen: set[str] = set()
        self.address_rows: set[int] = set()

    # --- shared ------------------------------------------------------------------------
    def _new_id(self, proxy: EntityProxy) -> str:
        assert proxy.id is not None  # checked in _proxy
        if proxy.id in self.seen:
            raise InvalidRecord(f"duplicate id {proxy.id!r} (unaggregated fragments?)", "id")
        self.seen.add(proxy.id)
        return proxy.id

    def provenance(self, row: int, data: dict[str, Any], proxy: EntityProxy,
                   extra: dict[str, Any]) -> tuple[Provenance, ...]:
        datasets = data.get("datasets") if isinstance(data.get("datasets"), list) else []
        publisher = proxy.first("publisher") if "publisher" in proxy.schema.properties else None
        source = publisher or (f"FtM: {', '.join(map(str, datasets))}" if datasets else "FollowTheMoney")
        ref = clean_text(extra.pop("source_ref", None)) or f"FtM {proxy.schema.name} {proxy.id}"
        grading = extra.pop("grading", None)
        try:
            return (Provenance(self.ds, self.file, row, source, ref, self.loader.ingested_at,
                               grading if isinstance(grading, str) else None),)
        except InvalidRecord:
            return (Provenance(self.ds, self.file, row, source, ref, self.loader.ingested_at),)

    def _keep_refused(self, props: dict[str, Any], refused: Refused, table: tuple[tuple[str, str], ...]) -> None:
        """Each value FtM's types refused: kept as ``<field>_raw`` with a field-level quarantine line."""
        ours = {theirs: mine for mine, theirs in table}
        for name, (reason, raw) in refused.items():
            self.loader.soft(props, ours.get(name, name), " | ".join(raw), refusal(f"{name}: {reason}"))

    # --- pass 1: entities ----------------------------------------------------------------
    def entity(self, row: int, data: dict[str, Any]) -> list[Record]:
        proxy, values, refused = _proxy(data)
        schema = proxy.schema.name
        kind = SCHEMA_TO_KIND.get(schema)
        if kind is None:
            raise InvalidRecord(f"schema {schema} not mapped", "schema")
        extra, summaries = decode_extra(values.pop("summary", []))
        prov = self.provenance(row, data, proxy, extra)
        values.pop("publisher", None)
        props: dict[str, Any] = {}
        if kind in ("Person", "Company"):
            ids = identifier_props(proxy.id or "", data, values)
            if not extra:  # an entity of our own export carries its identifiers in extra: none derived twice
                props.update(ids)
        caption = data.get("caption") if isinstance(data.get("caption"), str) else None
        for ours, theirs in ENTITY_PROPS[kind]:
            vals = values.pop(theirs, None)
            if not vals:
                continue
            if ours == "company_number" and len(vals) > 1:  # a merged record: no one number is the company's
                values[theirs] = vals
                continue
            if ours in DATE_PROPS:
                self.loader.soft(props, ours, vals[0], ftm_date)
                if len(vals) > 1:
                    values[theirs] = vals
            elif theirs == "name":
                first = caption if caption in vals else vals[0]
                props[ours] = first
                others = [v for v in vals if v != first]
                if others and kind in ("Person", "Company"):
                    props["aliases"] = others
                elif others:
                    values["name"] = others
            elif ours in LIST_PROPS:
                props[ours] = [*props.get(ours, []), *(v for v in vals if v not in props.get(ours, []))]
            else:
                props[ours] = vals[0].upper() if ours in COUNTRY_PROPS else vals[0]
                if len(vals) > 1:
                    values[theirs] = vals
        if summaries:
            values["summary"] = summaries
        if values:
            props["ftm"] = values
        props["ftm_schema"] = schema
        for key, field in (("referents", "referents"), ("ftm_datasets", "datasets")):
            if isinstance(data.get(field), list) and data[field]:
                props[key] = [str(v) for v in data[field]]
        props.update(extra)  # our own export's originals (values FtM would rewrite) win
        self._keep_refused(props, refused, ENTITY_PROPS[kind])
        sid = self._new_id(proxy)
        if kind != "Address" and values.get("addressEntity"):
            self.address_rows.add(row)  # linked to its Address entities on the second pass
        return [Entity(make_id(self.ds, sid), kind, props, prov, sid, self.ds)]

    # --- pass 2: links -------------------------------------------------------------------
    def link(self, row: int, data: dict[str, Any], known: dict[str, str]) -> list[Record]:
        proxy, values, refused = _proxy(data)
        link = LINK_BY_SCHEMA[proxy.schema.name]
        extra, summaries = decode_extra(values.pop("summary", []))
        prov = self.provenance(row, data, proxy, extra)
        values.pop("publisher", None)
        payment = link.schema == "Payment"
        ends = [self._end(values, refused, prop, known, payment) for prop in (link.source, link.target)]
        kind = link.kind
        if link.schema == "Ownership" and known[ends[1]] == "Account":
            kind = "HOLDS"
        elif link.schema == "UnknownLink":
            wanted = extra.pop("kind", None)
            kind = wanted if wanted in UNKNOWN_LINK_KINDS else "ASSOCIATE"
        extra.pop("kind", None)
        props: dict[str, Any] = {}
        for ours, theirs in link.props:
            if ours in ("amount", "currency"):  # read together by _payment
                continue
            vals = values.pop(theirs, None)
            if vals:
                if ours in DATE_PROPS:  # a Payment without a readable day is refused by _payment
                    self.loader.soft(props, ours, vals[0], ftm_date)
                else:
                    props[ours] = self._link_value(ours, vals[0])
                if len(vals) > 1:
                    values[theirs] = vals
        if link.schema == "Payment":
            props.update(payment_values(values, props))
        for ref in ENTITY_REF_PROPS & extra.keys():
            target = make_id(self.ds, str(extra[ref]))
            extra[ref] = target if target in known else None
        if summaries:
            values["summary"] = summaries
        if values:
            props["ftm"] = values
        props.update({k: v for k, v in extra.items() if v is not None})
        self._keep_refused(props, refused, link.props)
        sid = self._new_id(proxy)
        return [Relation(make_id(self.ds, sid), kind, ends[0], ends[1], props, prov, sid, self.ds)]

    def _end(self, values: dict[str, list[str]], refused: Refused, prop: str, known: dict[str, str],
             payment: bool) -> str:
        """The store id of one end; for a Payment an account that is loaded wins over the party."""
        candidates = values.pop(prop, [])
        if payment:
            accounts = [a for a in values.pop(ACCOUNT_ENDS[prop], []) if make_id(self.ds, a) in known]
            candidates = accounts + candidates
        if not candidates:
            reason, raw = refused.pop(prop, ("", []))
            raise InvalidRecord(f"{prop} {raw[0]!r}: {reason}" if raw else f"{prop} is empty", prop)
        for cand in candidates:
            if make_id(self.ds, cand) in known:
                return make_id(self.ds, cand)
        raise InvalidRecord(f"unknown entity {candidates[0]!r} in {prop}", prop)

    @staticmethod
    def _link_value(ours: str, value: str) -> Any:
        """A share must be read (an ownership cannot stand on a share it misreads); the rest is text."""
        if ours == "share_pct":
            try:
                return clean_share(value)
            except InvalidRecord as exc:
                raise InvalidRecord(f"{ours}: {exc.reason}", ours) from None
        return value

    def run_links(self, rows: Iterator[tuple[int, dict[str, Any]]]) -> None:
        self.loader.flush()  # first-pass entities must be in the store before links are checked
        for chunk in batched(rows, _CHUNK):
            self._run_chunk(chunk)

    def _run_chunk(self, chunk: list[tuple[int, dict[str, Any]]]) -> None:
        wanted: set[str] = set()
        for _, data in chunk:
            try:
                proxy, values, _ = _proxy(data)
            except InvalidRecord:
                continue
            for prop in proxy.schema.properties.values():
                if prop.type.name == "entity":
                    wanted.update(make_id(self.ds, v) for v in values.get(prop.name, []))
            extra, _ = decode_extra(values.get("summary", []))
            wanted.update(make_id(self.ds, str(extra[r])) for r in ENTITY_REF_PROPS & extra.keys() if extra[r])
        known = {e.id: e.kind for e in self.store.get_entities(sorted(wanted))}
        links = [(row, data) for row, data in chunk if row not in self.address_rows]
        self.loader.run(self.file, links, lambda row, data: self.link(row, data, known))
        lived = [self.address_link(row, data, known) for row, data in chunk if row in self.address_rows]
        if lived:
            self.loader.flush()
            relations = [r for group in lived for r in group]
            self.loader.report.relations_written += self.store.upsert_relations(relations)

    def address_link(self, row: int, data: dict[str, Any], known: dict[str, str]) -> list[Relation]:
        """FtM ``addressEntity`` as LIVES_AT (people) or REGISTERED_AT (others), for loaded addresses.

        The entity's line was counted on the first pass; these links are derived from it (an address
        not loaded stays in ``props["ftm"]["addressEntity"]``)."""
        proxy, values, _ = _proxy(data)
        source = make_id(self.ds, str(proxy.id))
        kind = "LIVES_AT" if known.get(source) == "Person" else "REGISTERED_AT"
        out = []
        for address in values.get("addressEntity", []):
            target = make_id(self.ds, address)
            if known.get(target) == "Address" and source in known:
                sid = f"{proxy.id}>addressEntity>{address}"
                out.append(Relation(make_id(self.ds, sid), kind, source, target, {"ftm_property": "addressEntity"},
                                    (Provenance(self.ds, self.file, row, "FollowTheMoney addressEntity",
                                                f"FtM {proxy.schema.name} {proxy.id}", self.loader.ingested_at),),
                                    sid, self.ds))
        return out


def _pass(loader: Loader, path: Path, links: bool,
          address_rows: set[int] | frozenset[int] = frozenset()) -> Iterator[tuple[int, dict[str, Any]]]:
    """One pass over the file: the link lines (``links``, plus entity lines whose addresses are
    linked then) or everything else. Unreadable lines are quarantined on the first pass only."""
    for row, line in _lines(path):
        try:
            data = _parse(line)
        except InvalidRecord as exc:
            if not links:
                loader.reject(path.name, row, exc.reason, exc.column, {"line": line[:_RAW_LIMIT]})
            continue
        if (_schema_name(data) in LINK_BY_SCHEMA) == links or (links and row in address_rows):
            yield row, data


def load_ftm(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
             dataset: str = "ftm") -> LoadReport:
    """Load a FollowTheMoney JSON-lines file (entities, then links); returns the reconciliation."""
    path = Path(path)
    if path.is_dir():
        raise InvalidRecord(f"{path} is a folder; give one FtM JSON-lines file")
    loader = Loader(store, dataset, "ftm", Path(quarantine_dir) / f"{dataset}.{path.stem}.quarantine.csv")
    ftm = _Ftm(store, loader, dataset, path.name)
    mapper: Callable[[int, dict[str, Any]], list[Record]] = ftm.entity
    loader.run(path.name, _pass(loader, path, links=False), mapper)
    ftm.run_links(_pass(loader, path, links=True, address_rows=ftm.address_rows))
    return loader.finish()


def _is_ftm(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in (".json", ".jsonl", ".ijson", ".ftm", ".ndjson"):
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline(65536)
    try:
        data = json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        return False
    if isinstance(data, dict) and data.get("op") in ("ADD", "MOD", "DEL") and isinstance(data.get("entity"), dict):
        data = data["entity"]  # a delta stream, perhaps opening with a deletion (no schema)
        if "schema" not in data:
            return isinstance(data.get("id"), str)
    return isinstance(data, dict) and _schema_name(data) is not None and "id" in data


@reader("ftm", detect=_is_ftm)
def read_ftm(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ftm`` format for ``assetgraph load``."""
    return load_ftm(store, path, quarantine_dir, str(options.get("dataset") or "ftm"))

