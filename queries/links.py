"""Links between entities: who is connected to whom, through what, since when.

Shortest paths between any two entities, identifiers they share (addresses, phones, emails,
company numbers, directors), and centrality on a case's subgraph. Super-nodes -- a formation
agent's address shared by 10^4 companies -- are not walked through unless asked for, since a
path through one says nothing about a relationship.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.canonical import CanonicalView
from graph.errors import RuleNotApplicable
from graph.store import Store
from queries.casegraph import STRUCTURAL

__all__ = ["LinkPath", "shortest_paths", "shared_identifiers", "centrality"]

_SHARED_PROPS = ("address", "postcode", "phone", "email", "company_number", "iban", "passport", "ni_number")


@dataclass(frozen=True)
class LinkPath:
    """A path of entities and the relations between them, with their sources."""

    nodes: tuple[str, ...]
    relations: tuple[str, ...]
    steps: tuple[dict[str, Any], ...]


def _undirected(graph: nx.MultiDiGraph, skip: set[str]) -> nx.Graph:
    """A simple undirected view for path finding, without super-nodes (except the ends)."""
    out = nx.Graph()
    for u, v, key, data in graph.edges(keys=True, data=True):
        if u in skip or v in skip:
            continue
        if not out.has_edge(u, v):
            out.add_edge(u, v, key=key, kind=data["kind"])
    return out


def shortest_paths(store: Store, a: str, b: str, hops: int = 6, kinds: Sequence[str] | None = None,
                   max_degree: int | None = 500, include_supernodes: bool = False, limit: int = 5) -> list[LinkPath]:
    """Up to ``limit`` shortest paths between entities ``a`` and ``b`` (store ids).

    Resolved duplicates count as one entity (SAME_AS edges are walked). The walk goes out from
    both ends ``hops // 2 + 1`` steps.

    Raises
    ------
    RuleNotApplicable
        When either entity is not in the store.
    """
    if not store.get_entities([a]) or not store.get_entities([b]):
        raise RuleNotApplicable(f"no entity {a!r} or {b!r} in the store")
    wanted = list(kinds or (*STRUCTURAL, "TRANSFER")) + ["SAME_AS"]
    reach = hops // 2 + 1
    graph = store.neighbourhood([a], hops=reach, kinds=wanted, max_degree=max_degree)
    graph = nx.compose(graph, store.neighbourhood([b], hops=reach, kinds=wanted, max_degree=max_degree))
    skip = set() if include_supernodes else {n for n, d in graph.nodes(data=True) if d.get("supernode")} - {a, b}
    simple = _undirected(graph, skip)
    if a not in simple or b not in simple:
        return []
    try:
        found = []
        for path in nx.all_shortest_paths(simple, a, b):
            keys = tuple(simple.edges[u, v]["key"] for u, v in zip(path, path[1:], strict=False))
            steps = tuple({"from": u, "to": v, "relation": simple.edges[u, v]["key"],
                           "kind": simple.edges[u, v]["kind"]} for u, v in zip(path, path[1:], strict=False))
            found.append(LinkPath(tuple(path), keys, steps))
            if len(found) >= limit:
                break
        return found
    except nx.NetworkXNoPath:
        return []


def shared_identifiers(store: Store, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Values that two or more of these entities share: the same address, phone, director...

    Directors are shared when two companies have a DIRECTOR_OF edge from one (resolved) person.
    """
    entities = store.get_entities(ids)
    clusters = CanonicalView.from_store(store)
    by_value: dict[tuple[str, str], set[str]] = {}
    for e in entities:
        for key in _SHARED_PROPS:
            value = e.props.get(key)
            if value:
                norm = " ".join(str(value).upper().replace(",", " ").split())
                by_value.setdefault((key, norm), set()).add(e.id)
    for rel in store.relations_of(list(ids), ["DIRECTOR_OF"], direction="in"):
        by_value.setdefault(("director", clusters.cluster_of(rel.source)), set()).add(rel.target)
    return [{"kind": k, "value": v, "entities": sorted(members)}
            for (k, v), members in sorted(by_value.items()) if len(members) > 1]


def centrality(graph: nx.MultiDiGraph, top: int = 10) -> list[dict[str, Any]]:
    """Degree and betweenness on a case subgraph, most central first; super-nodes left out."""
    keep = [n for n, d in graph.nodes(data=True) if not d.get("supernode")]
    simple = nx.Graph(graph.subgraph(keep).to_undirected())
    if simple.number_of_nodes() == 0:
        return []
    between = nx.betweenness_centrality(simple)
    degree = dict(simple.degree())
    ranked = sorted(simple.nodes, key=lambda n: (-between[n], -degree[n], n))[:top]
    return [{"entity": n, "name": graph.nodes[n].get("name"), "degree": degree[n],
             "betweenness": round(between[n], 4)} for n in ranked]
