"""Neo4j store only: identifier and name lookups go through key nodes, and older stores get them."""

from __future__ import annotations

import pytest
from test_conformance import small_graph

pytestmark = pytest.mark.bolt


@pytest.fixture
def bolt_store(request: pytest.FixtureRequest):
    from conftest import _bolt_store

    st = _bolt_store(request)
    try:
        yield st
    finally:
        st.close()


def test_identifiers_and_tokens_are_key_nodes(bolt_store) -> None:
    entities, _ = small_graph()
    bolt_store.upsert_entities(entities)
    [[row]] = bolt_store._run([("MATCH (k:IdKey {key: $key})<-[:HAS_ID]-(n:Entity) RETURN n.id AS id",
                                {"key": "ni_number:QQ123456C"})], "read")
    assert row["id"] == "CASE-1/P1"
    [tokens] = bolt_store._run([("MATCH (:Entity {id: $id})-[:HAS_TOKEN]->(t:Token) RETURN t.t AS t ORDER BY t",
                                 {"id": "CASE-1/P1"})], "read")
    assert [r["t"] for r in tokens] == ["ellery", "marcus", "vance"]


def test_a_store_written_before_key_nodes_is_backfilled_on_connect(bolt_store) -> None:
    from graph.neo4j_store import _KEYS_META, Neo4jStore

    entities, _ = small_graph()
    bolt_store.upsert_entities(entities)
    bolt_store._run([("MATCH (k) WHERE k:IdKey OR k:Token DETACH DELETE k", {}),
                     ("MATCH (m:Meta {key: $key}) DELETE m", {"key": _KEYS_META})])
    assert bolt_store.find_by_identifier(["company_number:07654321"]) == []
    again = Neo4jStore(bolt_store.uri, *bolt_store._auth, bolt_store.database)
    try:
        assert [e.source_id for e in again.find_by_identifier(["company_number:07654321"])] == ["C1"]
        assert again.find_by_tokens(["harbour"])[0].source_id == "C2"
    finally:
        again.close()
