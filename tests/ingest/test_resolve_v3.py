"""person_v3 / company_v3: partial dates, unreadable dates as keyed digits, external identifiers, name
frequency, the numpy veto on partial dates, and properties no input may break."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.canonical import CanonicalView
from graph.model import Entity, Provenance
from graph.store import Store
from ingest.dob_veto import PersonVeto
from ingest.features import apply_frequencies, prepare_props
from ingest.resolve import resolve
from ingest.scoring_v3 import compare_birth_dates, score_pair


def person(id: str, **props: Any):
    return prepare_props(id, "Person", props)


@pytest.mark.parametrize(("a", "b", "level"), [
    ("1984", "1984-03-15", "year"),            # a year-only date never conflicts with a day in that year
    ("1984", "1984", "year"),
    ("1984-03", "1984-03-15", "month"),
    ("1984-03-15", "1984-03-15", "exact"),
    ("1984", "1985-07-01", "near"),            # at year precision one year apart is an estimate
    ("1984", "1948", "near"),                  # one keystroke
    ("1962", "1984", "conflict"),              # two years far apart: a conflict at any precision
    ("1962", "1984-03-15", "conflict"),
    ("1984-03", "1984-04", "near"),            # one keystroke at month precision
    ("1984-03", "1984-11-02", "conflict"),
    ("1984-03-15", "1984-03-16", "typo"),
    ("1984-03-09", "1984-09-03", "typo"),      # day and month swapped
    ("1984-03-15", "1962-08-01", "conflict"),
    (None, "1984-03-15", "missing"),
])
def test_birth_dates_compare_at_the_coarser_precision(a: str | None, b: str | None, level: str) -> None:
    fa, fb = person("a", name="Ann Lee", dob=a), person("b", name="Ann Lee", dob=b)
    assert compare_birth_dates(fa.dob, fb.dob, (fa.dob_keyed, fb.dob_keyed)) == level
    s = score_pair(fa, fb)
    assert (s.score == 0.0) == (level == "conflict"), s
    assert bool(PersonVeto([fa, fb]).vetoed(np.array([0]), np.array([1]))[0]) == (level == "conflict")


def test_a_year_agreeing_weighs_far_less_than_a_day() -> None:
    weight = {dob: score_pair(person("a", name="Ann Lee", dob=dob), person("b", name="Ann Lee", dob="1984-03-15"))
              .features["dob"]["weight"] for dob in ("1984", "1984-03", "1984-03-15")}
    assert weight["1984"] * 4 <= weight["1984-03-15"] and weight["1984"] < weight["1984-03"] < weight["1984-03-15"]


def test_an_unreadable_date_counts_only_as_keyed_digits() -> None:
    raw = person("a", name="Keaton Webb", dob_raw="1984-86-12")
    assert raw.dob is None and raw.dob_keyed == "19848612" and raw.dob_raw
    slip = score_pair(raw, person("b", name="Keaton Webb", dob="1984-06-12"))
    other = score_pair(raw, person("b", name="Keaton Webb", dob="1951-01-30"))
    assert slip.features["dob"]["level"] == "raw_typo" and 0 < slip.features["dob"]["weight"] < 8
    assert other.features["dob"]["level"] == "raw_other" and other.score > 0  # never a veto


@pytest.mark.parametrize(("scheme", "a", "b"), [
    ("wikidata_id", "Q7747", "Q1234"),
    ("opensanctions_id", "NK-abc", "NK-xyz"),
    ("registration_numbers", ["gb-coh:07654321"], ["gb-coh:07654322"]),
])
def test_a_different_identifier_in_one_scheme_vetoes_whatever_the_name(scheme: str, a: Any, b: Any) -> None:
    for kind in ("Person", "Company"):
        left = prepare_props("a", kind, {"name": "Vladimir Putin", scheme: a, "dob": "1952-10-07"})
        right = prepare_props("b", kind, {"name": "Vladimir Putin", scheme: b, "dob": "1952-10-07"})
        s = score_pair(left, right)
        assert s.score == 0.0 and "different" in s.features["veto"]
        same = score_pair(left, prepare_props("b", kind, {"name": "V. Putin", scheme: a}))
        assert same.features["external_id"]["weight"] >= 12


def test_registration_numbers_conflict_only_within_one_registry() -> None:
    a = prepare_props("a", "Company", {"name": "Acme Ltd", "registration_numbers": ["gb-coh:07654321"]})
    b = prepare_props("b", "Company", {"name": "Acme Ltd", "registration_numbers": ["ie-cro:123456"]})
    c = prepare_props("c", "Company", {"name": "Acme Ltd", "lei": "5493001KJTIIGC8Y1R12"})
    d = prepare_props("d", "Company", {"name": "Acme Ltd", "lei": "529900T8BM49AURSDO55"})
    assert "veto" not in score_pair(a, b).features
    assert score_pair(c, d).features["veto"].startswith("different lei")


def test_a_rare_surname_agreeing_weighs_more_than_a_common_one() -> None:
    people = [person(f"s{i}", name=f"{g} Smith") for i, g in enumerate(["John", "Ann", "Mark"] * 30)]
    people += [person("q1", name="John Quibbleworth"), person("q2", name="John Quibbleworth")]
    people += [person("c1", name="John Smith"), person("c2", name="John Smith")]
    apply_frequencies(people)
    rare = score_pair(people[-4], people[-3])
    common = score_pair(people[-2], people[-1])
    assert rare.features["name_frequency"]["value"] == "quibbleworth"
    assert rare.score > common.score and rare.score < 0.9  # a name alone still never merges


def rec(id: str, **props: Any) -> Entity:
    return Entity(f"FTM/{id}", "Person", props, (Provenance("ftm", file="os.ftm.json", row=1),), source_id=id,
                  dataset="ftm")


def test_year_only_dates_and_different_qids_never_merge(sqlite_store: Store) -> None:
    """An FtM export (OpenSanctions style) with year-only birth dates: people who share a name and a
    birth year but carry different Wikidata ids stay apart; the same QID joins its records."""
    sqlite_store.upsert_entities([
        rec("a1", name="Ali Hassan", dob="1962", wikidata_id="Q1001", nationality="iq"),
        rec("a2", name="Ali Hassan", dob="1962", wikidata_id="Q2002", nationality="iq"),
        rec("a3", name="HASSAN, Ali", dob="1962-05-01", wikidata_id="Q1001", nationality="iq"),
        rec("b1", name="Sergei Ivanov", dob="1984", wikidata_id="Q3003"),
        rec("b2", name="Sergei Ivanov", dob="1984", wikidata_id="Q4004"),
        rec("b3", name="Sergei IVANOV", dob="1962"),
    ])
    report = resolve(sqlite_store)
    view = CanonicalView.from_store(sqlite_store)
    assert view.cluster_of("FTM/a1") == view.cluster_of("FTM/a3")
    for x, y in [("a1", "a2"), ("a2", "a3"), ("b1", "b2"), ("b1", "b3"), ("b2", "b3")]:
        assert view.cluster_of(f"FTM/{x}") != view.cluster_of(f"FTM/{y}"), (x, y)
    queued = {(q["left"], q["right"]) for q in sqlite_store.get_meta("resolution:review") or []}
    assert ("FTM/b1", "FTM/b2") not in queued  # a veto, not a question for an analyst
    assert report.weights["revision"] == 1


names = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz -.'АБВГДабвгд김정은习近平محمد"), max_size=30)
dates = st.one_of(st.none(), st.sampled_from(["1984", "1984-03", "1984-03-15", "1962", "1985-01-02", "19843015",
                                              "1984-86-12", "not a date"]))
idents = st.one_of(st.none(), st.sampled_from(["Q1", "Q2", "AB123456C", "ab 12 34 56 c"]))


def _record(id: str, name: str, dob: Any, qid: Any, nino: Any, kind: str) -> Any:
    return prepare_props(id, kind, {"name": name, "dob": dob, "dob_raw": dob, "wikidata_id": qid, "ni_number": nino,
                                    "company_number": nino})


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["Person", "Company"]), names, names, dates, dates, idents, idents, idents, idents)
def test_scores_are_symmetric_and_in_range(kind, na, nb, da, db, qa, qb, ia, ib) -> None:
    a, b = _record("a", na, da, qa, ia, kind), _record("b", nb, db, qb, ib, kind)
    ab, ba = score_pair(a, b), score_pair(b, a)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == pytest.approx(ba.score)
    assert ("veto" in ab.features) == ("veto" in ba.features)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Person", "Company"]), names, dates)
def test_no_name_evidence_overrides_a_veto(kind, name, dob) -> None:
    """The same name, date and everything else: a different Wikidata id still vetoes; for people a
    conflicting full date of birth vetoes too."""
    a = prepare_props("a", kind, {"name": name, "dob": dob, "wikidata_id": "Q1", "postcode": "SW1A 1AA"})
    b = prepare_props("b", kind, {"name": name, "dob": dob, "wikidata_id": "Q2", "postcode": "SW1A 1AA"})
    assert score_pair(a, b).score == 0.0
    if kind == "Person":
        c = prepare_props("c", kind, {"name": name, "dob": "1984-03-15", "postcode": "SW1A 1AA"})
        d = prepare_props("d", kind, {"name": name, "dob": "1962-08-01", "postcode": "SW1A 1AA"})
        assert score_pair(c, d).score == 0.0


def test_no_entity_joins_two_dates_of_birth_through_a_third_record(sqlite_store: Store) -> None:
    """A (born 1984) = B (no date) = C (born 1962): each link alone would merge; the entity would
    hold two people. The weaker link is refused and the refusal is decided again later."""
    home = {"address": "31 Vouser Road Salford", "postcode": "M5 4WT", "ni_number": None}
    sqlite_store.upsert_entities([
        rec("A", name="Sheathas Braikais", dob="1984-03-15", email="s.braikais@example.org", **home),
        rec("B", name="Sheathas Braikais", email="s.braikais@example.org", phone="0161 496 0000", **home),
        rec("C", name="Sheathas Braikais", dob="1962-08-01", phone="0161 496 0000", **home),
    ])
    report = resolve(sqlite_store)
    view = CanonicalView.from_store(sqlite_store)
    assert view.cluster_of("FTM/A") != view.cluster_of("FTM/C")
    assert report.refused == 1 and report.merged == 1
    assert len(sqlite_store.get_meta("resolution:refused")) == 1


def test_placeholder_names_are_never_matched_on_name(sqlite_store) -> None:
    """Ten super-secure PSCs and two bearers share their placeholder names: none is merged or queued."""
    from graph.model import Entity, Provenance
    from ingest.resolve import resolve, review_queue

    prov = (Provenance("ds", "f", 1),)
    people = [Entity(f"ds/s{i}", "Person", {"name": "Protected individual", "super_secure": True}, prov, f"s{i}", "ds")
              for i in range(10)]
    people += [Entity(f"ds/b{i}", "Person", {"name": "THE BEARER", "bearer": True}, prov, f"b{i}", "ds")
               for i in range(2)]
    sqlite_store.upsert_entities(people)
    report = resolve(sqlite_store)
    assert report.merged == 0
    assert review_queue(sqlite_store) == []
