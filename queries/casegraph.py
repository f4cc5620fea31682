"""A case's graph in its canonical form: SAME_AS clusters contracted to one node each.

Every analysis in ``queries/`` starts from a :class:`CaseGraph`. It is read through the Store
protocol only (so SQLite and Neo4j give the same graph) and keeps, for each canonical node, the
source records behind it, and for each edge the source relation, so a finding can always name
its exhibits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.canonical import CanonicalView
from graph.errors import RuleNotApplicable
from graph.model import Entity, Relation, make_id
from graph.settings import Settings
from graph.store import Store

__all__ = ["CaseGraph", "load_case_graph", "STRUCTURAL", "list_cases", "edge_data", "read_holdings_of"]

# Relations that say who owns, controls, holds or is close to whom (TRANSFER is fetched apart:
# a statement can hold 10^5 of them, and they are looked up by party and date instead).
STRUCTURAL = ("OWNS", "CONTROLS", "PSC_OF", "DIRECTOR_OF", "HOLDS", "NOMINEE_FOR", "FAMILY", "ASSOCIATE",
              "LIVES_AT", "REGISTERED_AT")


@dataclass
class CaseGraph:
    """The canonical graph of one case, with the records and relations behind it."""

    case_id: str
    case: dict[str, Any]
    settings: Settings
    clusters: CanonicalView
    graph: nx.MultiDiGraph  # canonical ids; edges keyed by relation id
    entities: dict[str, Entity]  # record id -> source record
    subjects: list[str]  # canonical ids of the defendant(s)
    transfers: list[Relation] = field(default_factory=list)
    relations: dict[str, Relation] = field(default_factory=dict)  # structural relation id -> record
    _evidence: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _labels: dict[str, str] = field(default_factory=dict, repr=False)
    _representative: dict[str, Entity | None] = field(default_factory=dict, repr=False)

    def record_chain(self, start: str, relation_ids: Iterable[str]) -> list[str]:
        """Source ids along a chain of relations from canonical node ``start``.

        The first id is the record of ``start`` that carries the first relation, so a chain
        through the defendant's Jersey account reads ``["P1c", "A3"]``, naming the exhibit rows.
        """
        out: list[str] = []
        current = start
        for rel_id in relation_ids:
            rel = self.relations[rel_id]
            near, far = (rel.source, rel.target) if self.canon(rel.source) == current else (rel.target, rel.source)
            if not out:
                out.append(self.source_id(near))
            out.append(self.source_id(far))
            current = self.canon(far)
        return out

    def source_id(self, record_id: str) -> str:
        entity = self.entities.get(record_id)
        return entity.source_id if entity is not None and entity.source_id else record_id

    def evidence(self, relation: Relation, step: str) -> dict[str, Any]:
        """One step of a finding's evidence: what the relation says and where it came from."""
        base = self._evidence.get(relation.id)
        if base is None:
            prov = relation.provenance[0] if relation.provenance else None
            base = self._evidence[relation.id] = {
                "relation": relation.source_id or relation.id, "kind": relation.kind,
                "from": self.source_id(relation.source), "to": self.source_id(relation.target),
                "date": relation.props.get("date"), "citation": prov.citation() if prov else None,
                "dataset": prov.dataset if prov else None, "file": prov.file if prov else None,
                "row": prov.row if prov else None,
                # a transfer seen in two statements has two sources: cite both
                "also": [p.citation() for p in relation.provenance[1:]]}
        return {"step": step, **base}

    def canon(self, record_id: str) -> str:
        return self.clusters.cluster_of(record_id)

    def records(self, canonical_id: str) -> list[str]:
        """The source ids (as loaded: a bundle id, a company number) behind a canonical node."""
        return [self.entities[r].source_id if r in self.entities else r for r in self.clusters.members(canonical_id)]

    def add_entity(self, entity: Entity) -> None:
        """Take in one more source record (a counterparty read later) and its node."""
        node = self.clusters.cluster_of(entity.id)
        self.entities[entity.id] = entity
        self.graph.add_node(node)
        self._representative.pop(node, None)
        self._labels.pop(node, None)

    def entity(self, canonical_id: str) -> Entity | None:
        """A representative source record: the one with the most properties."""
        if canonical_id not in self._representative:  # asked per edge by every walk: pick once
            members = [self.entities[m] for m in self.clusters.members(canonical_id) if m in self.entities]
            self._representative[canonical_id] = max(members, key=lambda e: (len(e.props), -len(e.id)), default=None)
        return self._representative[canonical_id]

    def kind(self, canonical_id: str) -> str:
        entity = self.entity(canonical_id)
        return entity.kind if entity else "Unknown"

    def name(self, canonical_id: str) -> str:
        entity = self.entity(canonical_id)
        return entity.name if entity else canonical_id

    def label(self, canonical_id: str) -> str:
        """A name a reader recognises: an account is named with whose it is."""
        if canonical_id not in self._labels:
            self._labels[canonical_id] = self._label(canonical_id)
        return self._labels[canonical_id]

    def _label(self, canonical_id: str) -> str:
        name = self.name(canonical_id)
        if self.kind(canonical_id) != "Account":
            return name
        holders = sorted({self.name(u) for u, _, d in self.graph.in_edges(canonical_id, data=True)
                          if d["kind"] == "HOLDS"})
        number = self.prop(canonical_id, "account_number") or self.prop(canonical_id, "iban")
        suffix = f" …{str(number)[-4:]}" if number else ""
        return f"{', '.join(holders)} — {name}{suffix}" if holders else f"{name}{suffix}"

    def prop(self, canonical_id: str, key: str) -> Any:
        """A property from the first member record that has it."""
        for member in self.clusters.members(canonical_id):
            entity = self.entities.get(member)
            if entity is not None and entity.props.get(key) not in (None, ""):
                return entity.props[key]
        return None

    def add_relations(self, relations: Iterable[Relation]) -> None:
        """Take in structural relations read later (a gift recipient's holdings), with their ends."""
        for rel in relations:
            if rel.id in self.relations or rel.kind == "TRANSFER":
                continue
            self.relations[rel.id] = rel
            self.graph.add_edge(self.canon(rel.source), self.canon(rel.target), key=rel.id,
                                records=(rel.source, rel.target), **edge_data(rel))

    def edges(self, kinds: Iterable[str] | None = None) -> list[tuple[str, str, str, dict[str, Any]]]:
        wanted = set(kinds) if kinds else None
        return [(u, v, k, d) for u, v, k, d in self.graph.edges(keys=True, data=True)
                if wanted is None or d["kind"] in wanted]


def edge_data(rel: Relation) -> dict[str, Any]:
    """The attributes a case graph keeps on an edge (as the stores' neighbourhoods give them)."""
    return {"kind": rel.kind, "source_id": rel.source_id, "dataset": rel.dataset, "props": dict(rel.props),
            "provenance": [p.to_dict() for p in rel.provenance]}


def read_holdings_of(store: Store, cg: CaseGraph, nodes: Iterable[str], since: str | None = None) -> None:
    """Read into ``cg`` what ``nodes`` (canonical ids) hold and who holds them (OWNS, HOLDS), and the
    transfers of assets to them from ``since``: enough to follow a gift into a purchase (s.81(1)(b))
    by a recipient the case's neighbourhood did not reach."""
    members = sorted({m for n in nodes for m in cg.clusters.members(n)})
    if not members:
        return
    rels = store.relations_of(members, ["OWNS", "HOLDS"], direction="out")
    rels += store.relations_of(members, ["HOLDS"], direction="in")  # the holders of an account she was paid into
    holders = sorted({m for r in rels if r.kind == "HOLDS" for e in (r.source, r.target)
                      for m in cg.clusters.members(e)} - set(members))
    if holders:
        rels += store.relations_of(holders, ["OWNS", "HOLDS"], direction="out")
    parties = sorted(set(members) | set(holders))
    incoming = [t for t in store.relations_of(parties, ["TRANSFER"], direction="in")
                if t.props.get("asset_id") and (since is None or (t.date or "") >= since)]
    known = {t.id for t in cg.transfers}
    cg.transfers.extend(t for t in incoming if t.id not in known)
    ends = {e for r in [*rels, *incoming] for e in (r.source, r.target)}
    ends |= {t.props["asset_id"] for t in incoming}
    for entity in store.get_entities(sorted(m for m in ends if m not in cg.entities)):
        cg.add_entity(entity)
    cg.add_relations(rels)


def list_cases(store: Store) -> list[Entity]:
    """Every Case record in the store."""
    return list(store.iter_entities(["Case"]))


def _case_entity(store: Store, case_id: str) -> Entity:
    found = store.get_entity(make_id(case_id, "case"))
    if found is None:
        found = next((e for e in store.iter_entities(["Case"]) if e.props.get("case_id") == case_id), None)
    if found is None:
        raise RuleNotApplicable(f"no case {case_id!r} in the store")
    return found


def load_case_graph(store: Store, case_id: str, settings: Settings | None = None, hops: int = 6) -> CaseGraph:
    """Read a case and the network around its subjects, and contract resolved clusters.

    ``hops`` bounds the walk out from the subjects over structural relations (a chain
    defendant -> nominee -> BVI company -> Gibraltar company -> flat is four).
    """
    settings = settings or Settings()
    case_entity = _case_entity(store, case_id)
    subject_links = store.relations_of([case_entity.id], ["SUBJECT_OF"], direction="in")
    subject_records = [r.source for r in subject_links]
    if not subject_records:
        raise RuleNotApplicable(f"case {case_id!r} names no subject found in the store")
    clusters = CanonicalView.from_store(store)
    seeds = sorted({m for s in subject_records for m in clusters.members(s)})
    raw = store.neighbourhood(seeds, hops=hops, kinds=[*STRUCTURAL, "SAME_AS"], max_degree=settings.max_degree)
    records = set(raw.nodes) | {m for n in list(raw.nodes) for m in clusters.members(n)}
    transfers = store.transfers(sorted(records))
    records |= {t.source for t in transfers} | {t.target for t in transfers}
    records |= {t.props["asset_id"] for t in transfers if t.props.get("asset_id")}
    entities = {e.id: e for e in store.get_entities(sorted(records))}
    relations = {r.id: r for r in store.get_relations(
        [k for _, _, k, d in raw.edges(keys=True, data=True) if d["kind"] != "SAME_AS"])}
    graph = nx.MultiDiGraph()
    for record in records:
        graph.add_node(clusters.cluster_of(record))
    for u, v, key, data in raw.edges(keys=True, data=True):
        if data["kind"] == "SAME_AS":
            continue
        graph.add_edge(clusters.cluster_of(u), clusters.cluster_of(v), key=key, records=(u, v), **data)
    subjects = sorted({clusters.cluster_of(s) for s in subject_records})
    return CaseGraph(case_entity.props.get("case_id", case_id), dict(case_entity.props), settings, clusters,
                     graph, entities, subjects, transfers, relations)
