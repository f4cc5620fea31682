"""The Store protocol: the only way code outside ``graph/`` reaches data.

A store keeps source records (entities), relations between them, judgements and an audit log.
Two implementations pass one conformance suite: :mod:`graph.sqlite_store` (embedded default)
and :mod:`graph.neo4j_store` (Neo4j over Bolt). Work that is the same whatever the database
(the breadth-first neighbourhood, the super-node cap, date windows) lives here once, on top of
a few primitives each store implements, so both stores give the same answers.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import networkx as nx

from graph.model import AuditEvent, Entity, Judgement, Relation, check_relation_kind

__all__ = ["Store", "DEFAULT_BATCH", "batched"]

DEFAULT_BATCH = 2000


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to ``size`` items, in order (``itertools.batched`` arrives only in 3.12).

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Store(abc.ABC):
    """A graph store of source records. Subclasses implement the abstract primitives."""

    # --- writes -------------------------------------------------------------------------
    @abc.abstractmethod
    def upsert_entities(self, entities: Iterable[Entity], batch_size: int = DEFAULT_BATCH) -> int:
        """Insert or update entities by id, in batches; return how many were new or changed.

        An entity whose content (kind, props, provenance less ingest time) is unchanged is left
        alone, so loading the same file twice changes nothing.
        """

    @abc.abstractmethod
    def upsert_relations(self, relations: Iterable[Relation], batch_size: int = DEFAULT_BATCH) -> int:
        """Insert or update relations by id; both ends must exist. Returns new-or-changed count."""

    @abc.abstractmethod
    def delete_relations(self, ids: Sequence[str]) -> int:
        """Remove relations by id (used to undo derived links such as SAME_AS)."""

    # --- reads --------------------------------------------------------------------------
    @abc.abstractmethod
    def get_entities(self, ids: Sequence[str]) -> list[Entity]:
        """The entities with these ids, in the order given; unknown ids are skipped."""

    def get_entity(self, id: str) -> Entity | None:
        found = self.get_entities([id])
        return found[0] if found else None

    @abc.abstractmethod
    def get_relations(self, ids: Sequence[str]) -> list[Relation]:
        """The relations with these ids, in the order given; unknown ids are skipped."""

    @abc.abstractmethod
    def iter_entities(self, kinds: Sequence[str] | None = None, dataset: str | None = None) -> Iterator[Entity]:
        """Every entity (optionally of some kinds / one dataset), ordered by id."""

    @abc.abstractmethod
    def iter_relations(self, kinds: Sequence[str] | None = None, dataset: str | None = None) -> Iterator[Relation]:
        """Every relation (optionally of some kinds / one dataset), ordered by id."""

    @abc.abstractmethod
    def relations_of(
        self, ids: Sequence[str], kinds: Sequence[str] | None = None, direction: str = "both"
    ) -> list[Relation]:
        """Relations touching any of ``ids`` (``out``: from them, ``in``: to them), ordered by id."""

    @abc.abstractmethod
    def degrees(self, ids: Sequence[str], kinds: Sequence[str] | None = None) -> dict[str, int]:
        """How many relations (of ``kinds``) touch each id; used to spot super-nodes cheaply."""

    @abc.abstractmethod
    def find_by_identifier(self, identifiers: Sequence[str]) -> list[Entity]:
        """Entities holding any of these normalised ``scheme:value`` identifiers."""

    @abc.abstractmethod
    def find_by_tokens(
        self, tokens: Sequence[str], kinds: Sequence[str] | None = None, limit: int = 200
    ) -> list[Entity]:
        """Entities sharing at least one name/address token, most shared tokens first."""

    @abc.abstractmethod
    def transfers(
        self, parties: Sequence[str] | None = None, start: str | None = None, end: str | None = None
    ) -> list[Relation]:
        """TRANSFER relations from or to ``parties`` (all when None) dated within
        ``start..end`` inclusive, ordered by (date, id)."""

    @abc.abstractmethod
    def counts(self) -> dict[str, int]:
        """Number of entities per kind and relations per kind (keys like ``Person``, ``OWNS``)."""

    # --- judgements and audit ---------------------------------------------------------------
    @abc.abstractmethod
    def add_judgement(self, judgement: Judgement) -> None:
        """Record a match decision; never overwrites an earlier one (history is kept)."""

    @abc.abstractmethod
    def delete_judgement(self, judgement_id: str, when: str) -> None:
        """Soft-delete a judgement: it stays in history with ``deleted_at`` set."""

    @abc.abstractmethod
    def judgements(self, include_deleted: bool = False) -> list[Judgement]:
        """All judgements, oldest first."""

    @abc.abstractmethod
    def log(self, event: AuditEvent) -> None:
        """Append to the audit log."""

    @abc.abstractmethod
    def audit_log(self, limit: int = 100, user: str | None = None) -> list[AuditEvent]:
        """The newest ``limit`` audit events (optionally one user's), newest first."""

    # --- key/value state (sweep history, settings, load ledger) ----------------------------
    @abc.abstractmethod
    def get_meta(self, key: str) -> Any:
        """A JSON value stored under ``key`` (None when absent)."""

    @abc.abstractmethod
    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON value under ``key``."""

    # --- keyed state (one row per key: resolution hashes, review queue, sweep history) --------
    @abc.abstractmethod
    def put_items(self, namespace: str, items: Mapping[str, Any]) -> None:
        """Upsert JSON values by key within ``namespace``, in one transaction; a None value deletes
        its key. For state with many keys (a hash per record), where one meta blob would be read
        and rewritten whole on every change."""

    @abc.abstractmethod
    def get_items(self, namespace: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
        """The values stored under ``keys`` (every key of the namespace when None); absent keys are
        left out."""

    @abc.abstractmethod
    def clear_items(self, namespace: str) -> int:
        """Delete every key of ``namespace``; returns how many there were."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- shared analysis on top of the primitives ------------------------------------------
    def candidates(self, query: str, kinds: Sequence[str] | None = None, limit: int = 20) -> list[Entity]:
        """Entities that may be what ``query`` names: identifier hits first, then by name tokens.

        The ranking (rapidfuzz token-set ratio on the caption) is the same on every store.
        """
        from rapidfuzz import fuzz

        from graph.model import name_tokens, normalise_identifier

        norm = normalise_identifier(query)
        by_id = self.find_by_identifier([f"{s}:{norm}" for s in _ID_SCHEMES]) if norm else []
        if kinds:
            by_id = [e for e in by_id if e.kind in kinds]
        seen = {e.id for e in by_id}
        pool = [e for e in self.find_by_tokens(name_tokens(query), kinds, limit=limit * 20) if e.id not in seen]
        q = " ".join(name_tokens(query))
        pool.sort(key=lambda e: (-fuzz.token_set_ratio(q, " ".join(e.tokens())), e.id))
        return (by_id + pool)[:limit]

    def neighbourhood(
        self,
        seeds: Sequence[str],
        hops: int = 1,
        kinds: Sequence[str] | None = None,
        window: tuple[str | None, str | None] | None = None,
        max_degree: int | None = None,
    ) -> nx.MultiDiGraph:
        """The subgraph within ``hops`` of ``seeds`` as a MultiDiGraph keyed by relation id.

        Only relations of ``kinds`` (all when None) overlapping ``window`` are followed. A node
        with more than ``max_degree`` relations (a formation agent's address shared by 10^4
        companies) is kept but not expanded, and marked ``supernode=True``; seeds are always
        expanded.
        """
        for kind in kinds or ():
            check_relation_kind(kind)
        start, end = window or (None, None)
        graph = nx.MultiDiGraph()
        seen: set[str] = set(seeds)
        frontier = list(dict.fromkeys(seeds))
        supernodes: set[str] = set()
        for hop in range(hops):
            expand = frontier
            if max_degree is not None and hop > 0:
                deg = self.degrees(frontier, kinds)
                supernodes.update(n for n in frontier if deg.get(n, 0) > max_degree)
                expand = [n for n in frontier if n not in supernodes]
            if not expand:
                break
            next_frontier: list[str] = []
            for rel in self.relations_of(expand, kinds):
                if not rel.in_window(start, end):
                    continue
                graph.add_edge(rel.source, rel.target, key=rel.id, **_edge_attrs(rel))
                for node in (rel.source, rel.target):
                    if node not in seen:
                        seen.add(node)
                        next_frontier.append(node)
            frontier = next_frontier
        if max_degree is not None and frontier:
            deg = self.degrees(frontier, kinds)
            supernodes.update(n for n in frontier if deg.get(n, 0) > max_degree)
        graph.add_nodes_from(seeds)
        for entity in self.get_entities(sorted(graph.nodes)):
            graph.nodes[entity.id].update(_node_attrs(entity))
        for node in supernodes:
            graph.nodes[node]["supernode"] = True
        return graph


_ID_SCHEMES = ("company_number", "ni_number", "passport", "email", "phone", "iban", "account_key",
               "title_number", "postcode", "case_id")


def _node_attrs(entity: Entity) -> dict[str, Any]:
    return {"kind": entity.kind, "name": entity.name, "source_id": entity.source_id,
            "dataset": entity.dataset, "props": dict(entity.props),
            "provenance": [p.to_dict() for p in entity.provenance], "supernode": False}


def _edge_attrs(rel: Relation) -> dict[str, Any]:
    return {"kind": rel.kind, "source_id": rel.source_id, "dataset": rel.dataset,
            "props": dict(rel.props), "provenance": [p.to_dict() for p in rel.provenance]}
