"""Conflicts across the union of two entities: dates of birth at their precision, identifiers by scheme."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.model import Entity, Provenance
from ingest.conflicts import Conflict, blocking, conflicts, record_conflicts


def rec(id: str, kind: str = "Person", **props: Any) -> Entity:
    return Entity(f"T/{id}", kind, props, (Provenance("T", file="t.csv", row=1),), source_id=id, dataset="T")


def fields(a: Entity, b: Entity) -> list[str]:
    return [c.field for c in record_conflicts(a, b)]


# --- dates of birth ------------------------------------------------------------------------------

DOB_TABLE = [
    # (left dob, right dob, conflict?, why)
    ("1984", "1984-03-15", False, "a year agrees with a day in that year"),
    ("1984-03", "1984-03-15", False, "a month agrees with a day in that month"),
    ("1984", "1984-03", False, "a year agrees with a month in that year"),
    ("1984", "1985", True, "two years that differ, at year precision"),
    ("1984-03", "1984-04", True, "two months that differ, at month precision (no slip rule below a day)"),
    ("1984-03", "1984-04-01", True, "a month against a day in another month"),
    ("1962", "1984-03-15", True, "a man born 1962 is not the subject born 1984"),
    ("1979-09-03", "1979-09-03", False, "the same day"),
    ("1979-09-03", "1979-09-08", False, "one digit keyed wrong"),
    ("1979-09-03", "1979-09-30", False, "two adjacent digits swapped"),
    ("1979-09-03", "1979-03-09", False, "day and month swapped"),
    ("1933-02-12", "1933-01-22", False, "a swap across the month/day boundary (keyed digits)"),
    ("03/09/1979", "1979-09-03", False, "the same day written two ways"),
    ("1979-09-03", "1955-02-11", True, "two different days"),
    ("1979-09-03", "1979-10-14", True, "two keystrokes apart is a different day"),
]


@pytest.mark.parametrize(("left", "right", "conflict", "why"), DOB_TABLE)
def test_dates_of_birth(left: str, right: str, conflict: bool, why: str) -> None:
    got = fields(rec("a", dob=left), rec("b", dob=right))
    assert got == (["dob"] if conflict else []), why
    assert fields(rec("a", dob=right), rec("b", dob=left)) == got


def test_an_unreadable_date_of_birth_still_counts_by_its_keyed_digits() -> None:
    # 1940-34-07 has no month 34: a reader keeps it as dob_raw; it is one swap from 1943-04-07.
    assert fields(rec("a", dob_raw="1940-34-07"), rec("b", dob="1943-04-07")) == []
    assert fields(rec("a", dob_raw="1940-34-07"), rec("b", dob="1962-04-07")) == ["dob"]
    assert fields(rec("a", dob_raw="not known"), rec("b", dob="1962-04-07")) == []


def test_several_dates_conflict_only_when_none_agrees() -> None:
    assert fields(rec("a", dob=["1984-03-15", "1985"]), rec("b", dob="1985-07-01")) == []
    assert fields(rec("a", dob=["1984-03-15", "1985"]), rec("b", dob="1962")) == ["dob"]


def test_a_shared_national_identifier_outranks_a_date_of_birth() -> None:
    [c] = record_conflicts(rec("a", dob="1962-11-02", ni_number="AB123456C"),
                           rec("b", dob="1984-03-15", ni_number="AB 12 34 56"))
    assert c.field == "dob" and not c.hard and c.note == "outranked by the shared NI number"
    assert blocking([c]) == []
    [c] = record_conflicts(rec("a", dob="1962-11-02", passport="123456789"),
                           rec("b", dob="1984-03-15", passport="123456798"))  # the passport slipped
    assert not c.hard and c.note == "outranked by the shared passport"


# --- identifiers ---------------------------------------------------------------------------------

ID_TABLE = [
    # (kind, left props, right props, conflicting fields)
    ("Person", {"ni_number": "AB123456C"}, {"ni_number": "ab 12 34 56 c"}, []),
    ("Person", {"ni_number": "AB123456C"}, {"ni_number": "AB123465C"}, []),  # one swap: a slip
    ("Person", {"ni_number": "AB123456C"}, {"ni_number": "CE987654A"}, ["ni_number"]),
    ("Person", {"passport": "533401122"}, {"passport": "120098765"}, ["passport"]),
    ("Person", {"wikidata_id": "Q42"}, {"wikidata_id": "Q43"}, ["wikidata_id"]),  # no slip rule for QIDs
    ("Person", {"wikidata_id": "Q42"}, {"wikidata_id": ["Q7", "q42"]}, []),
    ("Person", {"opensanctions_id": "NK-abc"}, {"opensanctions_id": "NK-xyz"}, ["opensanctions_id"]),
    ("Person", {"email": "a@x.org"}, {"email": "b@y.org"}, []),  # people have several addresses
    ("Company", {"company_number": "7654321"}, {"company_number": "07654321"}, []),
    ("Company", {"company_number": "07654321"}, {"company_number": "07654322"}, ["company_number"]),
    ("Company", {"company_number": "118842", "jurisdiction": "Gibraltar"},
     {"company_number": "1897654", "jurisdiction": "British Virgin Islands"}, []),  # two registries
    ("Company", {"company_number": "118842", "jurisdiction": "Gibraltar"},
     {"company_number": "118843", "jurisdiction": "GIBRALTAR"}, ["company_number"]),
    ("Company", {"lei": "5493001KJTIIGC8Y1R12"}, {"lei": "529900T8BM49AURSDO55"}, ["lei"]),
    ("Company", {"registration_numbers": ["GB-COH:07654321", "GI:118842"]},
     {"registration_numbers": ["GB-COH:07654329"]}, ["registration_numbers:GB-COH"]),
    ("Company", {"registration_numbers": ["GB-COH:07654321"]}, {"registration_numbers": ["GI:118842"]}, []),
    ("Account", {"iban": "GB82 WEST 1234 5698 7654 32"}, {"iban": "GB33BUKB20201555555555"}, ["iban"]),
    ("Account", {"iban": "GB82WEST12345698765432"}, {"sort_code": "12-34-56", "account_number": "98765432"}, []),
    ("Account", {"iban": "GB82WEST12345698765432"}, {"sort_code": "12-34-56", "account_number": "98765433"},
     ["account_key"]),
    ("Property", {"title_number": "WYK123456"}, {"title_number": "wyk 123456"}, []),
    ("Property", {"title_number": "WYK123456"}, {"title_number": "WYK577031"}, ["title_number"]),
]


@pytest.mark.parametrize(("kind", "left", "right", "expected"), ID_TABLE)
def test_identifiers_of_one_scheme(kind: str, left: dict, right: dict, expected: list[str]) -> None:
    assert fields(rec("a", kind, **left), rec("b", kind, **right)) == expected


def test_a_person_is_never_a_company() -> None:
    [c] = record_conflicts(rec("a", name="Vance"), rec("b", "Company", name="Vance"))
    assert (c.field, c.left_value, c.right_value, c.hard) == ("kind", "Person", "Company", True)


# --- the union -----------------------------------------------------------------------------------

def test_the_union_shows_what_the_pair_hides() -> None:
    """The pair (S2, M1) looks harmless: S2 has no date. S2 is already the subject S1, born 1984."""
    subject, alias = rec("S1", name="Daniel Mark ASHWORTH", dob="1984-03-15"), rec("S2", name="Daniel Ashworth")
    man = rec("M1", name="Daniel ASHWORTH", dob="1962-11-02")
    assert record_conflicts(alias, man) == []
    [c] = conflicts([subject, alias], [man])
    assert c == Conflict("dob", "T/M1", "T/S1", "1962-11-02", "1984-03-15", across=True, hard=True)
    assert c.text() == "date of birth: T/M1 1962-11-02 vs T/S1 1984-03-15" and blocking([c]) == [c]


def test_a_conflict_inside_one_side_is_shown_but_refuses_nothing() -> None:
    a, b = rec("a", dob="1962-11-02", ni_number="AB123456C"), rec("b", dob="1962-11-02", ni_number="CE987654A")
    c = rec("c", dob="1962")
    found = conflicts([a, b], [c])
    assert [(x.field, x.across) for x in found] == [("ni_number", False)] and blocking(found) == []
    assert [x.across for x in conflicts([a, b], [b, c])] == [False]  # sides sharing a record are one entity


# --- properties ------------------------------------------------------------------------------------

DAYS = st.dates(date(1900, 1, 1), date(2010, 12, 31))


def _slip(keyed: str, op: int, i: int, digit: str) -> str:
    """One keystroke on 8 keyed digits: a digit replaced (op 0) or two neighbours swapped (op 1)."""
    if op == 0:
        return keyed[:i] + digit + keyed[i + 1:]
    i = min(i, 6)
    return keyed[:i] + keyed[i + 1] + keyed[i] + keyed[i + 2:]


@settings(max_examples=300, deadline=None)
@given(DAYS, st.integers(0, 1), st.integers(0, 7), st.sampled_from("0123456789"))
def test_a_slip_is_never_a_conflict(day: date, op: int, i: int, digit: str) -> None:
    keyed = day.strftime("%Y%m%d")
    slipped = _slip(keyed, op, i, digit)
    typed = f"{slipped[:4]}-{slipped[4:6]}-{slipped[6:]}"  # may be impossible (month 34): kept as keyed digits
    assert record_conflicts(rec("a", dob=day.isoformat()), rec("b", dob=typed)) == []


@settings(max_examples=200, deadline=None)
@given(DAYS)
def test_day_and_month_swapped_is_a_slip(day: date) -> None:
    if day.day <= 12:
        swapped = f"{day.year:04d}-{day.day:02d}-{day.month:02d}"
        assert record_conflicts(rec("a", dob=day.isoformat()), rec("b", dob=swapped)) == []


@settings(max_examples=200, deadline=None)
@given(DAYS, st.sampled_from([4, 7]), st.integers(1, 20000))
def test_partial_dates_conflict_only_at_their_precision(day: date, precision: int, shift: int) -> None:
    full = day.isoformat()
    part = full[:precision]
    assert record_conflicts(rec("a", dob=part), rec("b", dob=full)) == []  # agrees at its precision
    other = (day + timedelta(days=shift)).isoformat()
    assert bool(record_conflicts(rec("a", dob=part), rec("b", dob=other))) == (other[:precision] != part)
    assert bool(record_conflicts(rec("a", dob=part), rec("b", dob=other[:precision]))) == (other[:precision] != part)


VALUES = st.one_of(st.none(), st.text(max_size=12), st.integers(-10, 10**9), st.booleans(),
                   st.lists(st.text(max_size=10), max_size=3), st.dictionaries(st.text(max_size=3), st.text(max_size=3),
                                                                               max_size=2),
                   st.sampled_from(["1984", "1984-03", "1984-03-15", "1962-11-02", "15/03/1984", "AB123456C",
                                    "GB82WEST12345698765432", "GB-COH:07654321", ":", "Q42", "19843415"]))
PROPS = st.dictionaries(st.sampled_from(["dob", "dob_raw", "ni_number", "passport", "company_number", "jurisdiction",
                                         "iban", "sort_code", "account_number", "title_number", "wikidata_id",
                                         "opensanctions_id", "lei", "registration_numbers", "name"]), VALUES,
                        max_size=6)
RECORD = st.tuples(st.sampled_from(["Person", "Company", "Account", "Property"]), PROPS)


def _records(prefix: str, specs: list[tuple[str, dict]]) -> list[Entity]:
    return [rec(f"{prefix}{n}", kind, **props) for n, (kind, props) in enumerate(specs)]


@settings(max_examples=200, deadline=None)
@given(st.lists(RECORD, min_size=1, max_size=4), st.lists(RECORD, min_size=1, max_size=4))
def test_hostile_records_never_break_it_and_sides_are_symmetric(left: list, right: list) -> None:
    a, b = _records("l", left), _records("r", right)
    found = conflicts(a, b)
    assert found == conflicts(b, a)  # the same list whichever side is which
    assert all(c.left < c.right for c in found)
    assert all(c.across == (c.left[2] != c.right[2]) for c in found)  # "T/l..." vs "T/r..."
    pairs = {(c.left, c.right) for c in found if c.across}
    for x in a:
        for y in b:
            assert bool(record_conflicts(x, y)) == (tuple(sorted((x.id, y.id))) in pairs)
