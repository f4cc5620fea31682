"""Links: shortest paths, shared identifiers, centrality, super-nodes left out."""

from __future__ import annotations

from pathlib import Path

from graph.model import Entity, Provenance, Relation
from ingest.bundle import load_bundle
from queries.links import centrality, shared_identifiers, shortest_paths

DS = "OP-DEMO-01"


def test_path_from_defendant_to_dubai_flat_goes_through_the_nominee(sqlite_store, demo_bundle: Path, tmp_path):
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    paths = shortest_paths(sqlite_store, f"{DS}/P1", f"{DS}/PR5")
    assert paths, "the chain P1 <- P4 -> C2 -> C3 -> PR5 links them"
    assert paths[0].nodes[1] in (f"{DS}/P4", f"{DS}/A3")  # via the nominee, or via the Jersey purchase money
    assert all(step["relation"] for step in paths[0].steps)


def test_super_node_is_not_a_link(sqlite_store):
    prov = (Provenance("S", "s.csv", 1),)
    hub = Entity("S/hub", "Address", {"full": "1 Formation Agent Way"}, prov, "hub", "S")
    a = Entity("S/a", "Company", {"name": "A Ltd"}, prov, "a", "S")
    b = Entity("S/b", "Company", {"name": "B Ltd"}, prov, "b", "S")
    shells = [Entity(f"S/s{i}", "Company", {"name": f"Shell {i}"}, prov, f"s{i}", "S") for i in range(20)]
    sqlite_store.upsert_entities([hub, a, b, *shells])
    sqlite_store.upsert_relations(
        [Relation(f"S/r{x.source_id}", "REGISTERED_AT", x.id, hub.id, {}, prov, f"r{x.source_id}", "S")
         for x in (a, b, *shells)])
    assert shortest_paths(sqlite_store, a.id, b.id, max_degree=10) == []
    assert len(shortest_paths(sqlite_store, a.id, b.id, max_degree=10, include_supernodes=True)[0].nodes) == 3


def test_shared_identifiers_and_centrality(sqlite_store, demo_bundle: Path, tmp_path):
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    shared = shared_identifiers(sqlite_store, [f"{DS}/P1", f"{DS}/P1b", f"{DS}/P1c", f"{DS}/P8"])
    postcodes = [s for s in shared if s["kind"] == "postcode"]
    assert postcodes and f"{DS}/P8" not in postcodes[0]["entities"]
    graph = sqlite_store.neighbourhood([f"{DS}/P1"], hops=2)
    top = centrality(graph, top=3)
    assert top[0]["entity"] == f"{DS}/P1"
