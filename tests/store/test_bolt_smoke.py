"""Neo4jStore behaviour the conformance suite does not reach: schema, relabelling, paging, isolation.

Runs against ArcadeDB's Bolt plugin (one server for this module) or a real Neo4j when
``NEO4J_URI`` is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import NotAllowed, StoreError
from graph.model import Entity, Provenance, Relation

pytestmark = pytest.mark.bolt

DS = "SMOKE"
HOSTILE = "'}) DETACH DELETE n // '; DROP TABLE entities; -- \" \\ \n ✓"


def _prov() -> tuple[Provenance, ...]:
    return (Provenance(DS, "smoke.csv", 1, ingested_at="2026-01-01T00:00:00+00:00"),)


def _ent(sid: str, kind: str = "Person", **props: object) -> Entity:
    return Entity(f"{DS}/{sid}", kind, {"name": sid, **props}, _prov(), sid, DS)


def _rel(sid: str, kind: str, a: str, b: str, **props: object) -> Relation:
    return Relation(f"{DS}/{sid}", kind, f"{DS}/{a}", f"{DS}/{b}", props, _prov(), sid, DS)


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The conftest's session server when there is one, else a server for this module alone."""
    try:
        yield request.getfixturevalue("bolt_server")
        return
    except pytest.FixtureLookupError:
        pass
    from bolt_server import start_bolt_server

    srv = start_bolt_server(Path(tmp_path_factory.mktemp("bolt-smoke")))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def store(server: object) -> Iterator[object]:
    from bolt_server import fresh_store

    st = fresh_store(server)  # type: ignore[arg-type]
    try:
        yield st
    finally:
        st.close()


def _cypher(store: object, query: str, **params: object) -> list[dict[str, object]]:
    return store._read(query, **params)  # type: ignore[attr-defined,no-any-return]


def test_schema_is_created_on_connect(store):
    assert store.schema_warnings == []
    names = {row["name"] for row in _cypher(store, "SHOW CONSTRAINTS")}
    assert {"entity_id", "judgement_id", "meta_key"} <= names


def test_only_allow_listed_labels_reach_cypher():
    from graph.neo4j_store import _label, _types

    assert _label("Person") == "Person" and _label("AuditEvent") == "AuditEvent"
    with pytest.raises(NotAllowed):
        _label("Person) DETACH DELETE n //")
    with pytest.raises(NotAllowed):
        _types(["OWNS", "OWNS]->() DELETE r //"])


def test_nodes_carry_entity_and_kind_labels(store):
    store.upsert_entities([_ent("P1"), _ent("C1", "Company")])
    rows = _cypher(store, "MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels ORDER BY id")
    assert [(r["id"], sorted(r["labels"])) for r in rows] == [
        (f"{DS}/C1", ["Company", "Entity"]), (f"{DS}/P1", ["Entity", "Person"])]


def test_a_changed_kind_moves_the_label(store):
    store.upsert_entities([_ent("X")])
    assert store.upsert_entities([_ent("X", "Company")]) == 1
    assert _cypher(store, "MATCH (n:Person) RETURN count(n) AS c")[0]["c"] == 0
    assert _cypher(store, "MATCH (n:Company) RETURN n.id AS id") == [{"id": f"{DS}/X"}]
    assert store.counts() == {"Company": 1}


def test_a_changed_relation_can_move_its_ends(store):
    store.upsert_entities([_ent("A"), _ent("B"), _ent("C")])
    store.upsert_relations([_rel("R", "ASSOCIATE", "A", "B")])
    assert store.upsert_relations([_rel("R", "FAMILY", "A", "C", role="spouse")]) == 1
    [moved] = store.get_relations([f"{DS}/R"])
    assert (moved.kind, moved.target, moved.props) == ("FAMILY", f"{DS}/C", {"role": "spouse"})
    assert store.counts() == {"Person": 3, "FAMILY": 1}
    assert store.degrees([f"{DS}/B", f"{DS}/C"]) == {f"{DS}/B": 0, f"{DS}/C": 1}


def test_a_repeated_id_in_one_batch_is_written_once(store):
    assert store.upsert_entities([_ent("D", dob="1970"), _ent("D", dob="1971")]) == 1
    assert store.get_entity(f"{DS}/D").props["dob"] == "1971"


def test_iteration_pages_in_id_order(store, monkeypatch):
    import graph.neo4j_store as mod

    monkeypatch.setattr(mod, "_PAGE", 3)
    store.upsert_entities([_ent(f"E{i:02d}") for i in range(10)])
    store.upsert_relations([_rel(f"R{i:02d}", "ASSOCIATE", f"E{i:02d}", f"E{i + 1:02d}") for i in range(9)])
    assert [e.source_id for e in store.iter_entities()] == [f"E{i:02d}" for i in range(10)]
    assert [r.source_id for r in store.iter_relations(["ASSOCIATE"])] == [f"R{i:02d}" for i in range(9)]


def test_hostile_text_is_stored_as_data(store):
    e = _ent(HOSTILE, "Company", note=HOSTILE, nested={"k": [HOSTILE, 1, 2.5, None, True]})
    store.upsert_entities([e, _ent("Y")])
    assert store.get_entity(e.id) == e
    assert store.find_by_tokens(["drop", "table"])[0].id == e.id
    assert _cypher(store, "MATCH (n:Entity) RETURN count(n) AS c")[0]["c"] == 2


def test_missing_end_writes_nothing(store):
    store.upsert_entities([_ent("A")])
    with pytest.raises(StoreError):
        store.upsert_relations([_rel("OK", "ASSOCIATE", "A", "A"), _rel("BAD", "ASSOCIATE", "A", "NOPE")])
    assert store.counts() == {"Person": 1}


def test_each_fresh_store_is_empty(server, store):
    from bolt_server import fresh_store

    store.upsert_entities([_ent("ONLY_HERE")])
    other = fresh_store(server)
    try:
        assert other.counts() == {}
    finally:
        other.close()
