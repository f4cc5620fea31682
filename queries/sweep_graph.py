"""A small case graph for revisit sweeps: only what holdings, control and post-order gifts need.

:func:`queries.casegraph.load_case_graph` reads a six-hop undirected neighbourhood, every
transfer of every record in it and the whole SAME_AS cluster table, per case. That is right for
one case report and far too much for a sweep over 10^4 cases. Here the clusters are read once
per sweep, the walk follows edges only in the direction ownership runs (subject -> company ->
asset, nominee -> subject, subject <-> family), and transfers are read only from the order date
on. The result is a :class:`~queries.casegraph.CaseGraph`, so the engine's own
:func:`~queries.holdings.holdings`, :func:`~queries.control.controlled_by`,
:func:`~queries.holdings.linked_assets` and :func:`~queries.gifts.tainted_gifts` run on it
unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from graph.canonical import CanonicalView
from graph.model import Entity, Relation
from graph.settings import Settings
from graph.store import Store
from queries.casegraph import CaseGraph, edge_data

__all__ = ["sweep_case_graph", "add_transfers", "FIRST_KINDS", "CHAIN_KINDS"]

# From the subjects: what they hold or control, who holds for them, who their family are.
FIRST_KINDS = ("OWNS", "HOLDS", "CONTROLS", "PSC_OF", "DIRECTOR_OF", "NOMINEE_FOR", "FAMILY", "ASSOCIATE")
# Down a chain (company -> company -> asset), always outwards.
CHAIN_KINDS = ("OWNS", "HOLDS", "CONTROLS", "PSC_OF", "DIRECTOR_OF")
_HOLD = ("OWNS", "HOLDS", "CONTROLS", "PSC_OF", "DIRECTOR_OF")


def _members(clusters: CanonicalView, ids: Iterable[str]) -> list[str]:
    return sorted({m for i in ids for m in clusters.members(i)})


def _capped(rels: Sequence[Relation], end: str, cap: int) -> tuple[list[Relation], set[str]]:
    """Drop the relations of nodes with more than ``cap`` of them (a formation agent's 10^4
    companies); return the rest and the nodes dropped."""
    counts = Counter(getattr(r, end) for r in rels)
    big = {n for n, c in counts.items() if c > cap}
    return [r for r in rels if getattr(r, end) not in big], big


def sweep_case_graph(store: Store, case: Entity, subject_records: Sequence[str], clusters: CanonicalView,
                     settings: Settings, transfers_from: str | None, max_depth: int = 8) -> CaseGraph:
    """The directed holdings/control graph of one case, plus transfers dated on or after
    ``transfers_from`` (the order date) from or to what the subjects hold.

    Parameters
    ----------
    store : Store
    case : Entity
        The Case record.
    subject_records : sequence of str
        Store ids of the subject person records (from SUBJECT_OF links).
    clusters : CanonicalView
        The SAME_AS clusters, read once for the whole sweep.
    settings : Settings
        ``max_degree`` caps super-nodes.
    transfers_from : str or None
        ISO date; None reads no transfers.
    max_depth : int
        Longest chain followed from a subject.

    Returns
    -------
    CaseGraph
    """
    cap = settings.max_degree
    seeds = _members(clusters, subject_records)
    seed_set = set(seeds)
    rels: dict[str, Relation] = {}
    first = store.relations_of(seeds, FIRST_KINDS)  # seeds are always expanded
    frontier: set[str] = set()
    family: set[str] = set()
    for r in first:
        if r.kind in _HOLD and r.source in seed_set:
            rels[r.id] = r
            frontier.add(r.target)
        elif r.kind == "NOMINEE_FOR" and r.target in seed_set:
            rels[r.id] = r
            frontier.add(r.source)
        elif r.kind in ("FAMILY", "ASSOCIATE"):
            rels[r.id] = r
            family.add(r.target if r.source in seed_set else r.source)
    seen = set(seed_set)
    for _ in range(max_depth):
        expand = [n for n in _members(clusters, frontier) if n not in seen]
        if not expand:
            break
        seen.update(expand)
        found, _big = _capped(store.relations_of(expand, CHAIN_KINDS, direction="out"), "source", cap)
        frontier = set()
        for r in found:
            rels[r.id] = r
            frontier.add(r.target)
    relatives = [n for n in _members(clusters, family) if n not in seed_set]
    if relatives:
        found, _big = _capped(store.relations_of(relatives, ("OWNS", "HOLDS"), direction="out"), "source", cap)
        rels.update((r.id, r) for r in found)
    nodes = set(seed_set) | {r.source for r in rels.values()} | {r.target for r in rels.values()}
    transfers: list[Relation] = []
    if transfers_from is not None:
        parties = sorted(seen | set(_members(clusters, nodes - set(relatives))))
        transfers = store.transfers(parties, start=transfers_from)
        nodes |= {t.source for t in transfers} | {t.target for t in transfers}
        nodes |= {t.props["asset_id"] for t in transfers if t.props.get("asset_id")}
    nodes = set(_members(clusters, nodes))
    entities = {e.id: e for e in store.get_entities(sorted(nodes))}
    graph = nx.MultiDiGraph()
    for node in nodes:
        graph.add_node(clusters.cluster_of(node))
    for r in rels.values():
        graph.add_edge(clusters.cluster_of(r.source), clusters.cluster_of(r.target), key=r.id,
                       records=(r.source, r.target), **edge_data(r))
    subjects = sorted({clusters.cluster_of(s) for s in subject_records})
    props: dict[str, Any] = dict(case.props)
    return CaseGraph(props.get("case_id", case.dataset), props, settings, clusters, graph, entities, subjects,
                     transfers, dict(rels))


def add_transfers(store: Store, cg: CaseGraph, payers: Iterable[str], start: str) -> None:
    """Read the transfers dated on or after ``start`` paid by ``payers`` (what he controls, as
    canonical ids) into ``cg``, with the records at their far ends. Reading them only for the
    controlled entities, and only from the order date, keeps a sweep's per-case reads small.
    """
    parties = _members(cg.clusters, payers)
    if not parties:
        return
    # Outgoing only (a gift leaves what he controls), read by payer through relations_of: the payer
    # index answers it, where a date-range scan over every transfer in the store would not.
    out = store.relations_of(parties, ["TRANSFER"], direction="out")
    cg.transfers = sorted((t for t in out if (t.date or "") >= start), key=lambda t: (t.date or "", t.id))
    ends = {t.source for t in cg.transfers} | {t.target for t in cg.transfers}
    ends |= {t.props["asset_id"] for t in cg.transfers if t.props.get("asset_id")}
    missing = [m for m in _members(cg.clusters, ends) if m not in cg.entities]
    for entity in store.get_entities(missing):
        cg.add_entity(entity)
