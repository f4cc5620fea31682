"""The canonical view is derived from SAME_AS links and splits again when one goes."""

from __future__ import annotations

from graph.canonical import CanonicalView, canonical_ids
from graph.model import Provenance, Relation


def link(a: str, b: str, kind: str = "SAME_AS") -> Relation:
    return Relation(f"{kind}:{a}|{b}", kind, a, b, {}, (Provenance("resolution"),))


def test_components_take_the_smallest_id() -> None:
    view = CanonicalView([link("c", "b"), link("b", "d"), link("x", "y")])
    assert view.mapping == {"b": "b", "c": "b", "d": "b", "x": "x", "y": "x"}
    assert view.members("d") == ["b", "c", "d"]
    assert view.cluster_of("zz") == "zz" and view.members("zz") == ["zz"]
    assert view.clusters() == {"b": ["b", "c", "d"], "x": ["x", "y"]}


def test_other_relation_kinds_are_ignored() -> None:
    assert canonical_ids([link("a", "b", "OWNS")]) == {}


def test_removing_a_link_splits_the_entity() -> None:
    links = [link("a", "b"), link("b", "c")]
    assert CanonicalView(links).cluster_of("c") == "a"
    assert CanonicalView(links[:1]).cluster_of("c") == "c"


def test_from_store(sqlite_store) -> None:
    from graph.model import Entity

    prov = (Provenance("t"),)
    sqlite_store.upsert_entities([Entity(x, "Person", {"name": x}, prov) for x in ("p", "q")])
    sqlite_store.upsert_relations([link("q", "p")])
    assert CanonicalView.from_store(sqlite_store).members("q") == ["p", "q"]
