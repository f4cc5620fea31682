"""The pure scorers: the Vance examples, vetoes on hard conflicts, and explanations."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.features import prepare_props
from ingest.scoring import name_similarity
from ingest.scoring_v3 import compare_birth_dates, score_pair


def person(id: str, **props: Any):
    return prepare_props(id, "Person", props)


def company(id: str, **props: Any):
    return prepare_props(id, "Company", props)


VANCE = [
    person("P1", name="Marcus Ellery VANCE", dob="1979-09-03"),
    person("P1b", name="VANCE MARCUS E", dob="03/09/1979"),
    person("P1c", name="Marcus Vanse", dob="1979-09-03"),
]


@pytest.mark.parametrize("i,j", [(0, 1), (0, 2), (1, 2)])
def test_the_three_vance_rows_match(i: int, j: int) -> None:
    s = score_pair(VANCE[i], VANCE[j])
    assert s.score >= 0.9, s
    assert s.scorer == "person_v3"
    assert s.features["dob"]["value"] == "exact"


@pytest.mark.parametrize("other", VANCE)
def test_marcus_vance_born_1955_is_vetoed(other) -> None:
    older = person("P8", name="Marcus VANCE", dob="1955-04-22", address="31 Newland Park, Hull")
    s = score_pair(older, other)
    assert s.score == 0.0
    assert "date of birth conflict" in s.features["veto"]


def test_dob_conflict_vetoes_even_with_identical_name_and_address() -> None:
    a = person("a", name="John Smith", dob="1980-01-01", address="1 High St", postcode="LS1 1AA")
    b = person("b", name="John Smith", dob="1951-06-30", address="1 High Street", postcode="LS11AA")
    assert score_pair(a, b).score == 0.0


def test_shared_ni_number_outranks_a_dob_conflict() -> None:
    a = person("a", name="John Smith", dob="1980-01-01", ni_number="AB123456C")
    b = person("b", name="John Smith", dob="1951-06-30", ni_number="AB 12 34 56")
    s = score_pair(a, b)
    assert s.score > 0.9 and s.features["dob"]["overridden_by"] == ["ni_number"]


@pytest.mark.parametrize(("a", "b", "verdict"), [
    ("1979-09-03", "1979-09-03", "exact"),
    ("1979-09-03", "1979-09-04", "typo"),          # one digit
    ("1979-09-03", "1979-03-09", "typo"),          # day and month swapped
    ("1933-02-12", "1933-01-22", "typo"),          # adjacent keys swapped across month/day (19330212)
    ("19403407", "19430407", "typo"),              # the slip made month 34: keyed digits still tell
    ("1957-12-04", "1957-10-24", "typo"),
    ("1979-09-03", "1955-09-03", "conflict"),      # Marcus Vance born 1955 is another man
    ("1925-10-30", "1925-07-08", "conflict"),
    ("1972-04-28", "1923-04-04", "conflict"),
    ("03/09/1979", "1979-10-03", "conflict"),      # keyed in two layouts: digits are not compared
    ("2000-02-29", "2000-02-28", "typo"),          # leap day, one digit
    ("29/02/2000", "2000-02-29", "exact"),
    ("1979-09", "1979-09-03", "month"),
    (None, "1979-09-03", "missing"),
])
def test_dates_of_birth_compare_as_keyed(a: str | None, b: str | None, verdict: str) -> None:
    fa, fb = person("a", dob=a), person("b", dob=b)
    assert compare_birth_dates(fa.dob, fb.dob, (fa.dob_keyed, fb.dob_keyed)) == verdict
    vetoed = score_pair(person("a", name="Keaton Webb", dob=a), person("b", name="Keaton Webb", dob=b)).score == 0.0
    assert vetoed == (verdict == "conflict")


@pytest.mark.parametrize(("a", "b", "verdict"), [
    ("3042", "3042", "same"), ("5013", "5031", "near"), ("SW1A 1AA", "SW1A 1AB", "near"),
    ("SW1A 1AA", "HU1 2AB", "different"), ("2606", "2064", "different"),
])
def test_postcodes_one_keystroke_apart_are_near(a: str, b: str, verdict: str) -> None:
    s = score_pair(person("a", name="Erin Krollig", postcode=a), person("b", name="Erin Krollig", postcode=b))
    assert s.features["postcode"]["value"] == verdict


def test_a_postcode_near_miss_still_separates_two_properties() -> None:
    a = prepare_props("t1", "Property", {"address": "Flat 1, 2 High Street", "postcode": "SW1A 1AA"})
    b = prepare_props("t2", "Property", {"address": "Flat 1, 2 High Street", "postcode": "SW1A 1AB"})
    assert score_pair(a, b).features["postcode"]["weight"] < 0


def test_addresses_with_split_or_joined_words_agree() -> None:
    a = person("a", name="Keaton Webb", address="2 mckinleycircuit solitaire lemon tree passage")
    b = person("b", name="Keaton Webb", address="2 mckinley circuit solitaire lemon tree passage")
    assert score_pair(a, b).features["address"]["value"] >= 0.95


def test_a_slipped_ni_number_weighs_less_beside_a_dob_conflict() -> None:
    base = {"name": "Emily Hart", "ni_number": "AB123456C"}
    slip = {"name": "Emily Hart", "ni_number": "AB123465C"}
    agree = score_pair(person("a", dob="1967-02-03", **base), person("b", dob="1967-02-03", **slip))
    clash = score_pair(person("a", dob="1967-02-03", **base), person("b", dob="1995-04-02", **slip))
    assert agree.features["ni_number"]["value"] == clash.features["ni_number"]["value"] == "typo"
    assert clash.features["ni_number"]["weight"] < agree.features["ni_number"]["weight"]
    assert clash.score < 0.9 <= agree.score


def test_an_initial_and_a_surname_at_a_family_home_go_to_review_not_merge() -> None:
    home = {"address": "31 Vouser Road Salford", "postcode": "M5 4WT"}
    initial = person("a", name="S BRAIKAIS", **home)
    sibling = person("b", name="Sheathas Braikais", dob="1933-06-16", **home)
    s = score_pair(initial, sibling)
    assert s.features["name"]["initials_only"] and 0.6 <= s.score < 0.9
    # With the date of birth on both sides the same initial and surname do merge.
    same = score_pair(person("a", name="S BRAIKAIS", dob="1933-06-16"), sibling)
    assert same.score >= 0.9


def test_different_initials_are_not_one_keystroke_apart() -> None:
    home = {"address": "64 Steazan Road", "postcode": "HB28 9WB"}
    s = score_pair(person("a", name="TOSHABIS R", **home), person("b", name="TOSHABIS D", **home))
    assert s.features["name"]["value"] <= 0.5 and s.score < 0.6


def test_partial_psc_date_agrees_with_full_date() -> None:
    assert compare_birth_dates("1979-09-03", "1979-09") == "month"
    s = score_pair(person("a", name="Marcus Vance", dob="1979-09"), person("b", name="VANCE Marcus", dob="1979-09-03"))
    assert s.score >= 0.9


def test_name_similarity_is_order_free_and_knows_initials() -> None:
    assert name_similarity(("vance", "marcus"), ("marcus", "vance")) == 1.0
    assert name_similarity(("vance", "marcus", "e"), ("marcus", "ellery", "vance")) > 0.9
    assert name_similarity(("sasha", "okafor"), ("marcus", "vance")) < 0.5


def test_vance_logistics_limited_and_ltd_match_on_number() -> None:
    a = company("C1", name="VANCE LOGISTICS LIMITED", company_number="07654321", jurisdiction="England and Wales")
    b = company("C1b", name="Vance Logistics Ltd", company_number="7654321")
    s = score_pair(a, b)
    assert s.score >= 0.9 and s.features["company_number"]["value"] == "same"


def test_different_company_numbers_in_one_registry_veto() -> None:
    a = company("a", name="Vance Logistics Ltd", company_number="07654321")
    b = company("b", name="Vance Logistics Ltd", company_number="07654322")
    assert score_pair(a, b).score == 0.0


def test_same_name_different_legal_form_is_not_a_merge() -> None:
    s = score_pair(company("a", name="Vance Logistics Ltd"), company("b", name="Vance Logistics LLP"))
    assert s.score < 0.6 and "legal_form" in s.features


def test_accounts_meet_on_gb_iban_and_sort_code() -> None:
    a = prepare_props("a", "Account", {"iban": "GB82 WEST 1234 5698 7654 32"})
    b = prepare_props("b", "Account", {"sort_code": "12-34-56", "account_number": "98765432"})
    assert score_pair(a, b).score > 0.99


def test_different_iban_vetoes() -> None:
    a = prepare_props("a", "Account", {"iban": "GB82WEST12345698765432", "institution": "Barclays"})
    b = prepare_props("b", "Account", {"iban": "GB33BUKB20201555555555", "institution": "Barclays"})
    s = score_pair(a, b)
    assert s.score == 0.0 and "iban" in s.features["veto"]


def test_properties_title_and_address() -> None:
    p = lambda i, **k: prepare_props(i, "Property", k)  # noqa: E731
    assert score_pair(p("a", title_number="WYK123456"), p("b", title_number="wyk 123456")).score > 0.99
    assert score_pair(p("a", title_number="WYK1"), p("b", title_number="WYK2")).score == 0.0
    flat4 = p("a", address="Flat 4, 21 Water Lane, Leeds", postcode="LS11 5QN")
    flat5 = p("b", address="Flat 5, 21 Water Lane, Leeds", postcode="LS11 5QN")
    assert score_pair(flat4, flat5).score < 0.6


def test_different_kinds_are_never_compared() -> None:
    s = score_pair(person("a", name="Vance"), company("b", name="Vance"))
    assert s.score == 0.0
