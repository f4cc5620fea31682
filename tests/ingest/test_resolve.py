"""Resolution through the Store: SAME_AS links, judgements that win, undo, transitivity, increments."""

from __future__ import annotations

from typing import Any

import pytest

from graph.canonical import CanonicalView
from graph.model import Entity, Judgement, Provenance
from graph.settings import Settings
from graph.store import Store
from ingest.resolve import entities, judge, resolve, retract, review_queue, same_as_id
from ingest.review import MergeRefused


def rec(id: str, kind: str = "Person", **props: Any) -> Entity:
    return Entity(f"T/{id}", kind, props, (Provenance("T", file="t.csv", row=1),), source_id=id, dataset="T")


VANCE = [
    rec("P1", name="Marcus Ellery VANCE", dob="1979-09-03", postcode="LS16 6EL"),
    rec("P1b", name="VANCE MARCUS E", dob="1979-09-03"),
    rec("P1c", name="Marcus Vanse", dob="1979-09-03"),
    rec("P8", name="Marcus VANCE", dob="1955-04-22", address="31 Newland Park, Hull"),
    rec("C1", "Company", name="VANCE LOGISTICS LIMITED", company_number="07654321"),
    rec("C1b", "Company", name="Vance Logistics Ltd", company_number="07654321"),
]


def links(store: Store) -> dict[str, dict[str, Any]]:
    return {r.id: dict(r.props) for r in store.iter_relations(["SAME_AS"])}


def cluster(store: Store, id: str) -> list[str]:
    return CanonicalView.from_store(store).members(f"T/{id}")


@pytest.fixture
def vance(sqlite_store: Store) -> Store:
    sqlite_store.upsert_entities(VANCE)
    resolve(sqlite_store)
    return sqlite_store


def test_vance_rows_merge_and_the_1955_man_stays_apart(vance: Store) -> None:
    assert cluster(vance, "P1") == ["T/P1", "T/P1b", "T/P1c"]
    assert cluster(vance, "P8") == ["T/P8"]
    assert cluster(vance, "C1b") == ["T/C1", "T/C1b"]
    link = links(vance)[same_as_id("T/P1", "T/P1b")]
    assert link["judgement"] == "auto" and link["scorer"] == "person_v2"
    assert link["score"] >= 0.9 and link["explanation"]["dob"]["value"] == "exact"
    ents = {e["entity_id"]: e for e in entities(vance, kind="Person")}
    assert ents["T/P1"]["records"] == ["T/P1", "T/P1b", "T/P1c"] and ents["T/P1"]["name"] == "Marcus Ellery VANCE"
    assert ents["T/P8"]["records"] == ["T/P8"]


def test_no_merge_across_a_dob_conflict(sqlite_store: Store) -> None:
    sqlite_store.upsert_entities([
        rec("a", name="John Smith", dob="1980-01-01", address="1 High St", postcode="LS1 1AA"),
        rec("b", name="John Smith", dob="1951-06-30", address="1 High Street", postcode="LS1 1AA"),
    ])
    report = resolve(sqlite_store)
    assert report.pairs_scored == 1 and report.merged == 0 and not review_queue(sqlite_store)
    assert links(sqlite_store) == {}


def test_source_records_are_never_altered(sqlite_store: Store) -> None:
    sqlite_store.upsert_entities(VANCE)
    before = {e.id: e.content_hash for e in sqlite_store.iter_entities()}
    resolve(sqlite_store)
    judge(sqlite_store, "T/P1", "T/P1b", "negative", "analyst")
    assert {e.id: e.content_hash for e in sqlite_store.iter_entities()} == before


def test_undo_restores_both_entities_and_survives_a_rerun(vance: Store) -> None:
    judge(vance, "T/C1", "T/C1b", "negative", "dc.shah")
    assert same_as_id("T/C1", "T/C1b") not in links(vance)
    assert cluster(vance, "C1") == ["T/C1"] and cluster(vance, "C1b") == ["T/C1b"]
    ids = {e["entity_id"] for e in entities(vance, kind="Company")}
    assert {"T/C1", "T/C1b"} <= ids
    resolve(vance)  # a full re-run scores the pair above the threshold again: the analyst still wins
    assert cluster(vance, "C1") == ["T/C1"]


def test_positive_judgement_merges_and_survives_a_rerun(vance: Store) -> None:
    with pytest.raises(MergeRefused, match="date of birth"):  # the DOB conflict refuses a plain accept
        judge(vance, "T/P1", "T/P8", "positive", "dc.shah")
    judge(vance, "T/P1", "T/P8", "positive", "dc.shah", reason="PNC: same man", override=True)  # overrules the veto
    link = links(vance)[same_as_id("T/P1", "T/P8")]
    assert link["judgement"] == "analyst" and link["explanation"]["veto"]
    resolve(vance)
    assert "T/P8" in cluster(vance, "P1b")
    assert retract(vance, "T/P1", "T/P8", "dc.shah") == 1
    assert cluster(vance, "P8") == ["T/P8"]


def test_transitivity_a_not_b_and_b_is_c_means_a_is_never_c(sqlite_store: Store) -> None:
    sqlite_store.upsert_entities(VANCE[:3])
    sqlite_store.add_judgement(Judgement("T/P1", "T/P1b", "negative", "analyst"))
    report = resolve(sqlite_store)
    view = CanonicalView.from_store(sqlite_store)
    assert view.cluster_of("T/P1") != view.cluster_of("T/P1b")
    assert report.refused == 1  # the weaker of P1=P1c, P1b=P1c is refused
    asked = {(q["left"], q["right"]) for q in review_queue(sqlite_store)}
    assert not asked
    assert len({view.cluster_of(x) for x in ("T/P1", "T/P1b", "T/P1c")}) == 2


def test_review_queue_accept_and_reject(sqlite_store: Store) -> None:
    sqlite_store.upsert_entities([
        rec("x", name="Dean Kirby"), rec("y", name="Dean KIRBY", postcode="LS4 2QT"),
        rec("u", name="Sasha Okafor"), rec("v", name="OKAFOR Sasha"),
    ])
    resolve(sqlite_store)
    queue = review_queue(sqlite_store)
    assert {(q["left"], q["right"]) for q in queue} == {("T/x", "T/y"), ("T/u", "T/v")}
    assert all(0.6 <= q["score"] < 0.9 and q["status"] == "pending" for q in queue)
    judge(sqlite_store, "T/x", "T/y", "positive", "analyst")
    judge(sqlite_store, "T/u", "T/v", "negative", "analyst")
    assert review_queue(sqlite_store) == []
    assert cluster(sqlite_store, "y") == ["T/x", "T/y"] and cluster(sqlite_store, "v") == ["T/v"]
    resolve(sqlite_store)
    assert review_queue(sqlite_store) == [] and cluster(sqlite_store, "y") == ["T/x", "T/y"]


def test_unsure_stays_in_the_queue_marked(sqlite_store: Store) -> None:
    sqlite_store.upsert_entities([rec("x", name="Dean Kirby"), rec("y", name="Dean KIRBY")])
    resolve(sqlite_store)
    judge(sqlite_store, "T/x", "T/y", "unsure", "analyst")
    assert [q["status"] for q in review_queue(sqlite_store)] == ["unsure"]
    assert review_queue(sqlite_store, include_unsure=False) == []


def test_incremental_scores_only_pairs_touching_new_records(sqlite_store: Store) -> None:
    sqlite_store.upsert_entities(VANCE[:2] + VANCE[3:])
    first = resolve(sqlite_store)
    assert cluster(sqlite_store, "P1") == ["T/P1", "T/P1b"]
    sqlite_store.upsert_entities([VANCE[2]])
    again = resolve(sqlite_store, only_new=True)
    assert again.new_records == 1 and again.pairs_scored < first.pairs_scored + 3
    assert again.pairs_scored <= 3  # P1c against P1, P1b, P8 at most
    assert cluster(sqlite_store, "P1c") == ["T/P1", "T/P1b", "T/P1c"]
    assert resolve(sqlite_store, only_new=True).pairs_scored == 0


def test_thresholds_come_from_settings(sqlite_store: Store) -> None:
    sqlite_store.upsert_entities([rec("x", name="Dean Kirby"), rec("y", name="Dean KIRBY")])
    report = resolve(sqlite_store, Settings(match_upper=0.5, match_lower=0.2))
    assert report.merged == 1 and report.settings["match_upper"] == 0.5


def _crowd(n: int, seed: int) -> list[Entity]:
    """People drawn from few names, dates and postcodes, with slips: many merges, queued pairs, vetoes."""
    import random

    rng = random.Random(seed)
    given, surnames = ["Marcus", "Mark", "Sasha", "Joanne", "Kyle", "Dean"], ["Vance", "Vanse", "Okafor", "Kirby"]
    out = []
    for i in range(n):
        name = f"{rng.choice(given)} {rng.choice(surnames)}"
        if rng.random() < 0.2:
            name = name[0] + " " + name.split()[1].upper()
        props = {"name": name, "dob": rng.choice([None, "1979-09-03", "1979-03-09", "1955-04-22", "1979-09"]),
                 "postcode": rng.choice([None, "LS16 6EL", "LS16 6EZ", "HU1 2AB"])}
        out.append(rec(f"r{i}", **{k: v for k, v in props.items() if v}))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_runs_end_where_one_full_run_ends(store: Store, tmp_path, seed: int) -> None:
    """Steps on either store (SQLite, Bolt) end where one full run on SQLite ends."""
    from graph.sqlite_store import SQLiteStore

    people = _crowd(120, seed)
    steps = store
    with SQLiteStore(tmp_path / "once.db") as once:
        for lo in range(0, len(people), 30):
            steps.upsert_entities(people[lo:lo + 30])
            report = resolve(steps, only_new=True, max_block=500)  # no windowed blocks: the same pairs as once
        once.upsert_entities(people)
        full = resolve(once, max_block=500)
        assert set(links(steps)) == set(links(once)) and len(links(once)) > 10
        pairs = lambda s: {(q["left"], q["right"]) for q in review_queue(s)}  # noqa: E731
        assert pairs(steps) == pairs(once) and pairs(once)
        assert report.merged == full.merged == len(links(once))
        assert report.entities == full.entities == len(set(CanonicalView.from_store(once).cluster_of(
            e.id) for e in people))
        # A judgement made after loading is applied in the scope of its pair, as a full run would.
        a, b = sorted(links(steps))[0].removeprefix("same:").split("|")
        judge(steps, a, b, "negative", "analyst")
        judge(once, a, b, "negative", "analyst")
        assert set(links(steps)) == set(links(once)) and same_as_id(a, b) not in links(steps)
        view, after = CanonicalView.from_store(steps), resolve(steps, only_new=True)
        assert after.entities == len({view.cluster_of(e.id) for e in people})
        assert after.merged == len(links(steps))
