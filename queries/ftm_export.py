"""Export the store as FollowTheMoney entities (JSON lines) for Aleph and other FtM tools.

Every entity and relation becomes one FtM entity built with the ``followthemoney`` model, using
the shared kind <-> schema table in :mod:`ingest.ftm_schema` (so :mod:`ingest.ftm` reads it back
to the same counts). Our props with no FtM property, and values FtM would rewrite (a
jurisdiction name it turns into a code), travel in one ``summary`` value ``assetgraph {json}``.
The handling marking is not written into the data (FtM has no place for it and the file must
stay valid for Aleph): the caller writes a sidecar ``FILE.marking.txt`` and logs the export.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from followthemoney import model
from followthemoney.proxy import EntityProxy

from graph.model import Entity, Relation
from graph.settings import MARKING
from graph.store import Store
from ingest.ftm_schema import (
    ACCOUNT_ENDS,
    COUNTRY_PROPS,
    DATE_PROPS,
    ENTITY_PROPS,
    ENTITY_REF_PROPS,
    KIND_TO_SCHEMA,
    LIST_PROPS,
    NOT_EXPORTED,
    SCHEMA_TO_KIND,
    encode_extra,
    ftm_id,
    link_for,
    registry_props,
)

__all__ = ["MARKING", "FtmExport", "export_ftm", "entity_proxy", "relation_proxy"]



@dataclass
class FtmExport:
    """What an export wrote, and what it left out and why (the audit log records this)."""

    entities: int = 0
    relations: int = 0
    schemata: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    marking: str = MARKING

    def to_dict(self) -> dict[str, Any]:
        return {"format": "ftm", "marking": self.marking, "entities": self.entities, "relations": self.relations,
                "schemata": dict(sorted(self.schemata.items())), "skipped": dict(sorted(self.skipped.items()))}


def _as_ftm(ours: str, value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if ours in COUNTRY_PROPS else str(v) for v in values if v not in (None, "")]


def _returns_same(ours: str, value: Any, got: list[str]) -> bool:
    """Would the importer read ``got`` back as ``value``?"""
    if ours in LIST_PROPS:
        return list(value if isinstance(value, list) else [value]) == got
    if len(got) != 1:
        return False
    back = got[0].upper() if ours in COUNTRY_PROPS else got[0]
    if ours in DATE_PROPS and len(back) >= 10:
        back = back[:10]
    return back == str(value)


def _provenance(record: Entity | Relation, proxy: EntityProxy, extra: dict[str, Any]) -> None:
    if not record.provenance:
        return
    first = record.provenance[0]
    if first.source:
        proxy.add("publisher", first.source, quiet=True)
    for key in ("source_ref", "grading"):
        if getattr(first, key):
            extra[key] = getattr(first, key)


def _fill(proxy: EntityProxy, props: Mapping[str, Any], table: tuple[tuple[str, str], ...],
          extra: dict[str, Any]) -> None:
    """Put mapped props into FtM props; what FtM rejects or rewrites goes to ``extra`` as is."""
    mapped = set()
    for ours, theirs in table:
        value = props.get(ours)
        if value is None or ours in mapped:
            continue
        mapped.add(ours)
        before = list(proxy.get(theirs))
        proxy.add(theirs, _as_ftm(ours, value), quiet=True)
        got = [v for v in proxy.get(theirs) if v not in before]
        if not _returns_same(ours, value, got):
            extra[ours] = value
    for key, value in props.items():
        if key not in mapped and key not in ("ftm", "ftm_schema") and value is not None:
            extra[key] = ftm_id(value) if key in ENTITY_REF_PROPS and isinstance(value, str) else value


def entity_proxy(entity: Entity) -> EntityProxy:
    """One entity as an FtM entity of the mapped schema."""
    original = entity.props.get("ftm_schema")  # an entity read from FtM keeps its schema (Organization...)
    schema = original if isinstance(original, str) and SCHEMA_TO_KIND.get(original) == entity.kind else None
    proxy = model.make_entity(schema or KIND_TO_SCHEMA[entity.kind])
    proxy.id = ftm_id(entity.id)
    extra: dict[str, Any] = {}
    _fill(proxy, entity.props, ENTITY_PROPS[entity.kind], extra)
    numbers = entity.props.get("registration_numbers")  # travels whole in extra; shown in FtM where it can be
    for prop, values in registry_props(numbers if isinstance(numbers, list) else []).items():
        if prop in proxy.schema.properties:
            proxy.add(prop, values, quiet=True)
    kept = entity.props.get("ftm")  # FtM props we had no slot for go back where they came from
    if isinstance(kept, Mapping):
        for prop, values in kept.items():
            if prop in proxy.schema.properties and isinstance(values, list):  # plain summaries too
                proxy.add(prop, [str(v) for v in values], quiet=True)
    _provenance(entity, proxy, extra)
    if extra:
        proxy.add("summary", encode_extra(extra))
    return proxy


def relation_proxy(relation: Relation, kinds: Mapping[str, str],
                   holders: Mapping[str, list[str]] | None = None) -> EntityProxy:
    """One relation as the FtM link schema for its kind and end kinds (see :func:`link_for`)."""
    src_kind, dst_kind = kinds[relation.source], kinds[relation.target]
    link = link_for(relation.kind, src_kind, dst_kind)
    proxy = model.make_entity(link.schema)
    proxy.id = ftm_id(relation.id)
    extra: dict[str, Any] = {}
    if link.kind != relation.kind:
        extra["kind"] = relation.kind
    for end, kind, prop in ((relation.source, src_kind, link.source), (relation.target, dst_kind, link.target)):
        if link.schema == "Payment" and kind == "Account":
            proxy.add(ACCOUNT_ENDS[prop], ftm_id(end))
            proxy.add(prop, [ftm_id(h) for h in (holders or {}).get(end, [])])
        else:
            proxy.add(prop, ftm_id(end))
    _fill(proxy, relation.props, link.props, extra)
    _provenance(relation, proxy, extra)
    if extra:
        proxy.add("summary", encode_extra(extra))
    return proxy


def _holders(store: Store, account: str, kinds: Mapping[str, str]) -> list[str]:
    """Who holds an account (HOLDS into it): FtM needs a payer/beneficiary beside the account."""
    return sorted({r.source for r in store.relations_of([account], ["HOLDS"], "in") if r.source in kinds})


def export_ftm(store: Store, out: TextIO, dataset: str | None = None) -> FtmExport:
    """Write every exportable entity, then every relation, as FtM JSON lines to ``out``.

    Entities are streamed; the id -> kind map of exported entities is kept (relations need
    their ends' kinds), about 100 bytes per entity. Relations whose end is not exported (the
    Case, or an entity outside ``dataset``) are skipped and counted.
    """
    report = FtmExport()
    kinds: dict[str, str] = {}

    def write(proxy: EntityProxy) -> None:
        out.write(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        report.schemata[proxy.schema.name] += 1

    for entity in store.iter_entities(dataset=dataset):
        if entity.kind in NOT_EXPORTED or entity.kind not in KIND_TO_SCHEMA:
            report.skipped[f"{entity.kind}: not an FtM kind"] += 1
            continue
        kinds[entity.id] = entity.kind
        write(entity_proxy(entity))
        report.entities += 1
    holders: dict[str, list[str]] = {}
    for relation in store.iter_relations(dataset=dataset):
        if relation.kind in NOT_EXPORTED:
            report.skipped[f"{relation.kind}: not exported"] += 1
            continue
        if relation.source not in kinds or relation.target not in kinds:
            report.skipped[f"{relation.kind}: end not in this export"] += 1
            continue
        if relation.kind == "TRANSFER":
            for end in (relation.source, relation.target):
                if kinds[end] == "Account" and end not in holders:
                    holders[end] = _holders(store, end, kinds)
        write(relation_proxy(relation, kinds, holders))
        report.relations += 1
    return report
