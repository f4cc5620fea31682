"""The contract every Store passes: SQLite on a temp file and Neo4j over Bolt."""

from __future__ import annotations

import pytest

from graph.errors import NotAllowed, StoreError
from graph.model import AuditEvent, Entity, Judgement, Provenance, Relation

DS = "CASE-1"
HOSTILE = "O'Brien \"Ltd\" '}) DETACH DELETE n // '; DROP TABLE entities; -- \\ back\nslash ✓ £"


def prov(row: int, **kw: object) -> tuple[Provenance, ...]:
    return (Provenance(DS, "people.csv", row, ingested_at="2026-01-01T00:00:00+00:00", **kw),)  # type: ignore[arg-type]


def person(sid: str, name: str, **props: object) -> Entity:
    return Entity(f"{DS}/{sid}", "Person", {"name": name, **props}, prov(1), sid, DS)


def ent(sid: str, kind: str, **props: object) -> Entity:
    return Entity(f"{DS}/{sid}", kind, props, prov(2), sid, DS)


def rel(sid: str, kind: str, a: str, b: str, **props: object) -> Relation:
    return Relation(f"{DS}/{sid}", kind, f"{DS}/{a}", f"{DS}/{b}", props, prov(3), sid, DS)


def small_graph() -> tuple[list[Entity], list[Relation]]:
    """P1 -OWNS-> C1 -OWNS-> PR1; P1 -FAMILY- P2; P2 -OWNS-> C2; transfers between accounts."""
    entities = [
        person("P1", "Marcus Ellery VANCE", dob="1979-09-03", ni_number="QQ123456C"),
        person("P2", "Lena VANCE"),
        person("P3", "Other Person"),
        ent("C1", "Company", name="VANCE LOGISTICS LIMITED", company_number="07654321"),
        ent("C2", "Company", name="Harbour Holdings Ltd", company_number="SC123456"),
        ent("PR1", "Property", description="Flat 4, 10 Quay St", title_number="WYK123456"),
        ent("A1", "Account", institution="Barclays", sort_code="20-00-00", account_number="12345678"),
        ent("A2", "Account", institution="HSBC", iban="GB33BUKB20201555555555"),
    ]
    relations = [
        rel("R1", "OWNS", "P1", "C1", share_pct=100.0, start_date="2015-01-01"),
        rel("R2", "OWNS", "C1", "PR1", share_pct=50.0, start_date="2018-06-01", end_date="2020-01-01"),
        rel("R3", "FAMILY", "P1", "P2", role="sibling"),
        rel("R4", "OWNS", "P2", "C2", share_pct=30.0),
        rel("R5", "HOLDS", "P1", "A1"),
        rel("T1", "TRANSFER", "A1", "A2", date="2019-03-15", amount="1000.00", currency="GBP"),
        rel("T2", "TRANSFER", "A1", "A2", date="2020-02-29", amount="2500.50", currency="GBP"),
        rel("T3", "TRANSFER", "A2", "A1", date="2021-01-01", amount="10.00", currency="GBP"),
    ]
    return entities, relations


@pytest.fixture
def loaded(store):
    entities, relations = small_graph()
    assert store.upsert_entities(entities) == len(entities)
    assert store.upsert_relations(relations) == len(relations)
    return store


def test_upserts_are_idempotent(loaded):
    entities, relations = small_graph()
    before = loaded.counts()
    assert loaded.upsert_entities(entities) == 0
    assert loaded.upsert_relations(relations) == 0
    assert loaded.counts() == before
    assert before["Person"] == 3 and before["TRANSFER"] == 3 and before["OWNS"] == 3


def test_a_changed_record_is_rewritten(loaded):
    changed = person("P2", "Lena VANCE-SMITH")
    assert loaded.upsert_entities([changed]) == 1
    assert loaded.get_entity(changed.id).name == "Lena VANCE-SMITH"
    assert loaded.counts()["Person"] == 3


def test_provenance_round_trips(store):
    many = (
        Provenance(DS, "a.csv", 7, "Exhibit MV/3", "Barclays PO p.4", "2026-01-01T00:00:00+00:00", "1AP"),
        Provenance("ch-psc", "psc.jsonl", None, None, None, "2026-01-02T00:00:00+00:00", None),
    )
    e = Entity(f"{DS}/X", "Person", {"name": "X", "aliases": ["Y", "Z"], "nested": {"a": [1, 2.5, None]}},
               many, "X", DS)
    store.upsert_entities([e])
    back = store.get_entity(e.id)
    assert back == e
    assert back.provenance[0].citation() == "Exhibit MV/3 Barclays PO p.4"


def test_records_read_back_carry_the_hash_they_would_compute(loaded):
    """Resolution compares these hashes to see what changed; a stale primed hash would hide a change."""
    entities, relations = small_graph()
    back = {e.id: e for e in loaded.iter_entities()} | {r.id: r for r in loaded.iter_relations()}
    for record in [*entities, *relations]:
        stored = back[record.id]
        assert "content_hash" in stored.__dict__  # primed from the store, not recomputed
        fresh = type(stored)(**{f: getattr(stored, f) for f in stored.__dataclass_fields__})
        assert stored.content_hash == fresh.content_hash == record.content_hash


def test_grading_must_be_3x5x2():
    with pytest.raises(Exception, match="3x5x2"):
        Provenance(DS, grading="9ZQ")


def test_hostile_values_are_stored_verbatim(store):
    e = Entity(f"{DS}/{HOSTILE}", "Company", {"name": HOSTILE, HOSTILE: HOSTILE}, prov(1, source=HOSTILE),
               HOSTILE, DS)
    other = ent("C9", "Company", name="plain")
    store.upsert_entities([e, other])
    r = Relation(f"{DS}/r-{HOSTILE}", "ASSOCIATE", e.id, other.id, {"role": HOSTILE}, prov(2), HOSTILE, DS)
    store.upsert_relations([r])
    assert store.get_entity(e.id) == e
    assert store.get_relations([r.id]) == [r]
    assert [x.id for x in store.candidates("O'Brien", limit=5)][0] == e.id
    assert store.counts()["Company"] == 2


def test_unknown_kinds_are_refused():
    with pytest.raises(NotAllowed):
        Entity("x", "Person) DETACH DELETE n //", {}, ())
    with pytest.raises(NotAllowed):
        Relation("x", "OWNS]->() DELETE", "a", "b", {}, ())


def test_relation_to_a_missing_entity_is_an_error(loaded):
    with pytest.raises(StoreError):
        loaded.upsert_relations([rel("RX", "OWNS", "P1", "NOPE")])


def test_get_keeps_order_and_skips_unknown(loaded):
    got = loaded.get_entities([f"{DS}/C1", "missing", f"{DS}/P1"])
    assert [e.source_id for e in got] == ["C1", "P1"]


def test_iteration_by_kind_and_dataset(loaded):
    people = list(loaded.iter_entities(["Person"]))
    assert [e.source_id for e in people] == ["P1", "P2", "P3"]
    assert list(loaded.iter_entities(dataset="other")) == []
    owns = list(loaded.iter_relations(["OWNS"]))
    assert [r.source_id for r in owns] == ["R1", "R2", "R4"]


def test_relations_of_by_direction(loaded):
    p1 = f"{DS}/P1"
    assert {r.source_id for r in loaded.relations_of([p1], direction="out")} == {"R1", "R3", "R5"}
    assert {r.source_id for r in loaded.relations_of([f"{DS}/C1"], direction="in")} == {"R1"}
    assert {r.source_id for r in loaded.relations_of([f"{DS}/C1"], ["OWNS"])} == {"R1", "R2"}


def test_neighbourhood_hops_and_kinds(loaded):
    g1 = loaded.neighbourhood([f"{DS}/P1"], hops=1)
    assert set(g1.nodes) == {f"{DS}/{x}" for x in ("P1", "C1", "P2", "A1")}
    assert g1.nodes[f"{DS}/C1"]["kind"] == "Company"
    g2 = loaded.neighbourhood([f"{DS}/P1"], hops=2)
    assert {f"{DS}/PR1", f"{DS}/C2", f"{DS}/A2"} <= set(g2.nodes)
    assert g2.number_of_edges(f"{DS}/A1", f"{DS}/A2") == 2  # two transfers, two parallel edges
    owns = loaded.neighbourhood([f"{DS}/P1"], hops=3, kinds=["OWNS"])
    assert set(owns.nodes) == {f"{DS}/P1", f"{DS}/C1", f"{DS}/PR1"}
    assert owns.edges[f"{DS}/C1", f"{DS}/PR1", f"{DS}/R2"]["props"]["share_pct"] == 50.0


def test_neighbourhood_date_window(loaded):
    g = loaded.neighbourhood([f"{DS}/C1"], hops=1, kinds=["OWNS"], window=("2021-01-01", None))
    assert set(g.nodes) == {f"{DS}/C1", f"{DS}/P1"}  # R2 ended 2020-01-01
    t = loaded.neighbourhood([f"{DS}/A1"], hops=1, kinds=["TRANSFER"], window=("2020-02-29", "2020-02-29"))
    assert [k for _, _, k in t.edges(keys=True)] == [f"{DS}/T2"]


def test_neighbourhood_caps_super_nodes(store):
    hub = ent("ADDR", "Address", full="1 Formation Agent Way")
    subject = person("S", "Subject")
    companies = [ent(f"C{i}", "Company", name=f"Shell {i}") for i in range(30)]
    store.upsert_entities([hub, subject, *companies])
    store.upsert_relations([rel("LIVES", "LIVES_AT", "S", "ADDR")]
                           + [rel(f"REG{i}", "REGISTERED_AT", f"C{i}", "ADDR") for i in range(30)])
    capped = store.neighbourhood([subject.id], hops=2, max_degree=10)
    assert set(capped.nodes) == {subject.id, hub.id}
    assert capped.nodes[hub.id]["supernode"] is True
    full = store.neighbourhood([subject.id], hops=2)
    assert full.number_of_nodes() == 32


def test_transfers_by_party_and_inclusive_dates(loaded):
    a1 = f"{DS}/A1"
    assert [t.source_id for t in loaded.transfers([a1])] == ["T1", "T2", "T3"]
    assert [t.source_id for t in loaded.transfers([a1], "2019-03-15", "2020-02-29")] == ["T1", "T2"]
    assert [t.source_id for t in loaded.transfers(None, "2020-03-01")] == ["T3"]
    assert loaded.transfers([f"{DS}/P3"]) == []
    assert loaded.transfers([a1])[1].props["amount"] == "2500.50"


def test_candidate_search_by_name_and_identifier(loaded):
    assert loaded.candidates("vance marcus")[0].source_id == "P1"
    assert loaded.candidates("07654321")[0].source_id == "C1"
    assert loaded.candidates("qq 12 34 56 c")[0].source_id == "P1"
    assert loaded.candidates("GB33 BUKB 2020 1555 5555 55")[0].source_id == "A2"
    assert [e.kind for e in loaded.candidates("vance", kinds=["Company"])] == ["Company"]
    assert loaded.find_by_identifier(["title_number:WYK123456"])[0].source_id == "PR1"


def test_judgements_are_kept_and_soft_deleted(store):
    j1 = Judgement("b", "a", "negative", "alice", "2026-01-01T10:00:00+00:00")
    j2 = Judgement("a", "c", "positive", "bob", "2026-01-01T11:00:00+00:00", 0.93, {"name": 0.9})
    store.add_judgement(j1)
    store.add_judgement(j2)
    store.add_judgement(j1)  # the same decision twice is one record
    assert store.judgements() == [j1, j2]
    assert (j1.left, j1.right) == ("a", "b")
    store.delete_judgement(j1.id, "2026-01-02T00:00:00+00:00")
    assert store.judgements() == [j2]
    kept = store.judgements(include_deleted=True)
    assert kept[0].deleted_at == "2026-01-02T00:00:00+00:00"
    with pytest.raises(StoreError):
        store.delete_judgement(j1.id, "2026-01-03T00:00:00+00:00")


def test_audit_log_newest_first(store):
    for i in range(5):
        store.log(AuditEvent("alice" if i % 2 else "bob", "search", {"q": f"{HOSTILE}{i}"},
                             f"2026-01-01T00:00:0{i}+00:00"))
    log = store.audit_log(limit=3)
    assert [e.detail["q"][-1] for e in log] == ["4", "3", "2"]
    assert all(e.user == "alice" for e in store.audit_log(user="alice"))
    assert store.audit_log(user="alice")[0].detail["q"] == f"{HOSTILE}3"


def test_meta_round_trip(store):
    assert store.get_meta("sweep") is None
    store.set_meta("sweep", {"at": "2026-01-01", "hits": [1, 2]})
    store.set_meta("sweep", {"at": "2026-02-01", "hits": [HOSTILE]})
    assert store.get_meta("sweep") == {"at": "2026-02-01", "hits": [HOSTILE]}


def test_delete_relations(loaded):
    assert loaded.delete_relations([f"{DS}/R3", "nope"]) == 1
    assert loaded.get_relations([f"{DS}/R3"]) == []
    assert "FAMILY" not in loaded.counts()


def test_a_kind_change_and_a_moved_relation_are_rewritten(loaded):
    assert loaded.upsert_entities([ent("P3", "Company", name="Other Person Ltd")]) == 1
    assert loaded.get_entity(f"{DS}/P3").kind == "Company"
    assert loaded.counts()["Person"] == 2
    moved = rel("R3", "ASSOCIATE", "P1", "P3", role="friend")
    assert loaded.upsert_relations([moved]) == 1
    assert loaded.get_relations([moved.id]) == [moved]
    assert "FAMILY" not in loaded.counts()


def test_a_repeated_id_in_one_batch_keeps_the_last_copy(store):
    first, last = person("X", "First"), person("X", "Last")
    assert store.upsert_entities([first, last]) == 1
    assert store.get_entity(first.id).name == "Last"


def test_iteration_is_complete_beyond_one_page(store):
    people = [person(f"N{i:05d}", f"Name {i}") for i in range(2100)]  # both stores page by 2000
    store.upsert_entities(people)
    assert [e.id for e in store.iter_entities(["Person"])] == sorted(e.id for e in people)


def test_a_repeated_id_whose_last_copy_is_stored_writes_nothing(store):
    first, last = person("X", "First"), person("X", "Last")
    store.upsert_entities([last])
    assert store.upsert_entities([first, last]) == 0
    assert store.get_entity(first.id).name == "Last"


def test_lookups_follow_a_changed_record(loaded):
    """An identifier or name a record no longer carries no longer finds it (indexes kept in step)."""
    changed = person("P1", "Markus Ellery VANSE", dob="1979-09-03", ni_number="AB123456C")
    assert loaded.upsert_entities([changed]) == 1
    assert loaded.find_by_identifier(["ni_number:QQ123456C"]) == []
    assert [e.source_id for e in loaded.find_by_identifier(["ni_number:AB123456C"])] == ["P1"]
    assert "P1" not in [e.source_id for e in loaded.find_by_tokens(["marcus"])]
    assert [e.source_id for e in loaded.find_by_tokens(["vanse", "markus"])] == ["P1"]
    # key links are not relations: counts and iteration see only the model's kinds
    assert set(loaded.counts()) <= {"Person", "Company", "Property", "Account", "OWNS", "FAMILY", "HOLDS", "TRANSFER"}
    assert len(list(loaded.iter_relations())) == 8


def test_token_lookup_ranks_by_shared_tokens_and_filters_kinds(loaded):
    found = loaded.find_by_tokens(["vance", "marcus", "ellery"])
    assert found[0].source_id == "P1"  # three shared tokens before one
    assert {e.source_id for e in found} >= {"P1", "P2", "C1"}
    assert [e.source_id for e in loaded.find_by_tokens(["vance"], kinds=["Company"])] == ["C1"]
    assert loaded.find_by_tokens(["vance"], limit=1)[0].source_id in {"P1", "P2", "C1"}


def test_keyed_items_upsert_read_delete_and_clear(store):
    store.put_items("seen", {"a/1": "h1", "a/2": {"x": [1, 2]}, HOSTILE: HOSTILE})
    store.put_items("other", {"a/1": 7})
    assert store.get_items("seen", ["a/2", "a/1", "missing"]) == {"a/1": "h1", "a/2": {"x": [1, 2]}}
    assert store.get_items("seen")[HOSTILE] == HOSTILE
    store.put_items("seen", {"a/1": "h2", "a/2": None})  # update one key, delete another
    assert store.get_items("seen") == {"a/1": "h2", HOSTILE: HOSTILE}
    assert store.get_items("other") == {"a/1": 7}  # namespaces are apart
    keys = [f"k{i}" for i in range(2500)]  # more than one batch
    store.put_items("many", dict.fromkeys(keys, 1))
    assert len(store.get_items("many", keys)) == 2500
    assert store.clear_items("many") == 2500 and store.get_items("many") == {}
    assert store.get_items("other") == {"a/1": 7}
