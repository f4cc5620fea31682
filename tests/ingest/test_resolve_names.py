"""person_v3 / company_v3 on names alone: one table per class, matches and hard non-matches.

A record carrying only a name never merges automatically; a true pair must reach the review
queue (score >= match_lower) and a hard non-match must stay below it. Names are real public
names (ICIJ intermediaries, OpenSanctions, Companies House) or the way another source writes them.
"""

from __future__ import annotations

import pytest

from graph.settings import Settings
from ingest.features import prepare_props
from ingest.names import fold_spelling, org_name, strict_script
from ingest.scoring_v3 import score_pair

LOWER = Settings().match_lower


def score(kind: str, a: str, b: str):
    return score_pair(prepare_props("a", kind, {"name": a}), prepare_props("b", kind, {"name": b}))


COMPANIES = [
    # legal forms written differently
    ("KESTON MOTORS LIMITED", "Keston Motors Ltd", True),
    ("ZAO Severstroy", "Closed Joint Stock Company Severstroy", True),
    ("OOO Romashka", "Limited Liability Company Romashka", True),
    ("VENOGE WEALTH ADVISORY LTD", "VENOGE WEALTH ADVISORY LLP", False),
    ("OOO Romashka", "Closed Joint Stock Company Romashka", False),
    ("BETA INCORPORATION MANAGEMENT LIMITED", "BETA INCORPORATION MANAGEMENT LLP", False),
    # glued or split words, glued legal forms
    ("NorthgateAG", "Northgate AG", True),
    ("Brook Field Holdings Ltd", "Brookfield Holdings Limited", True),
    ("UNIVERSAL TREASURE HOLDINGS LTD", "UNIVERSAL TREASUREHOLDINGS LTD", True),
    ("UNIVERSAL TREASUREHOLDINGS LTD", "Universal Textile Co. Ltd", False),
    # numbers and ordinals
    ("2nd Avenue Holdings Ltd", "Second Avenue Holdings Ltd", True),
    ("Unit 7 Trading Ltd", "Unit Seven Trading Ltd", True),
    ("Unit 7 Trading Ltd", "Unit 8 Trading Ltd", False),
    ("3rd Street Partners LLP", "2nd Street Partners LLP", False),
    # abbreviations and symbols
    ("Intl Trade Finance Ltd", "International Trade Finance Limited", True),
    ("Apex Mgmt Services Inc", "Apex Management Services Incorporated", True),
    ("Smith & Sons Ltd", "Smith and Sons Limited", True),
    ("Harris & Trotter LLP", "Harris & Partners LLP", False),
    # en-GB / en-US spellings
    ("Dubai Trade Centre Ltd", "Dubai Trade Center Ltd", True),
    ("Global Colour Organisation Ltd", "Global Color Organization Ltd", True),
    ("Dubai Trade Centre Ltd", "Doha Trade Centre Ltd", False),
    # one company in two scripts
    ("Aeroscan LLC", "ООО «Аэроскан»", True),
    ("Aeroscan LLC", "ООО «Аэропорт»", False),
]


@pytest.mark.parametrize(("a", "b", "same"), COMPANIES)
def test_company_names_by_class(a: str, b: str, same: bool) -> None:
    s = score("Company", a, b)
    assert (s.score >= LOWER) == same, s
    assert s.scorer == "company_v3" and s.score < Settings().match_upper  # a name alone never merges


PEOPLE = [
    # initials and abbreviations
    ("Marie-Louise Fontaine", "M.-L. Fontaine", True),
    ("CLIVE ANDREW SUTHERLAND", "C. A. SUTHERLAND", True),
    ("CLIVE ANDREW SUTHERLAND", "F. A. SUTHERLAND", False),
    ("Marie-Louise Fontaine", "M.-C. Fontaine", False),
    # titles and honorifics removed
    ("Stephen Holland", "Mr Stephen Holland", True),
    ("Frank Chatburn", "Dr. Frank Chatburn", True),
    ("Michael Barnes", "Dr Stephen Barnes", False),
    # order, patronymics, middle names
    ("Nikita Zakharov", "ZAKHAROV, Nikita Aleksandrovich", True),
    ("Nikita Zakharov", "Aleksandr Vyacheslavovich Zakharov", False),
    # one name in two scripts (transliteration; rigour's Wikidata name symbols)
    ("Vladimir Putin", "Владимир Путин", True),
    ("Vladimir Putin", "블라디미르 푸틴", True),
    ("Svetlana Nikolaevna ZAKHAROVA", "Светлана Николаевна Захарова", True),
    ("Svetlana Nikolaevna ZAKHAROVA", "Мария Александровна Захарова", False),
    # one character apart in a script where it changes the name
    ("김정은", "김정은", True),
    ("김정은", "김정운", False),
    ("习近平", "习近萍", False),
    ("محمد علي", "محمود علي", False),
    ("فلاديمير بوتين", "فلادمير بوتن", True),  # the same name without its long-vowel letters
    ("ウラジーミル・プーチン", "ウラジーミル プーチン", True),
]


@pytest.mark.parametrize(("a", "b", "same"), PEOPLE)
def test_person_names_by_class(a: str, b: str, same: bool) -> None:
    s = score("Person", a, b)
    assert (s.score >= LOWER) == same, s
    assert s.scorer == "person_v3" and s.score < Settings().match_upper


def test_a_name_in_another_script_is_explained_with_both_originals() -> None:
    s = score("Person", "Vladimir Putin", "블라디미르 푸틴")
    assert s.features["name"]["original"] == ["Vladimir Putin", "블라디미르 푸틴"]
    assert s.features["name"]["how"] == "across scripts"
    strict = score("Person", "김정은", "김정운")
    assert "Hangul" in strict.features["name"]["how"]


def test_org_name_reads_legal_form_numbers_and_symbols() -> None:
    o = org_name("The 2nd Intl Holdings Limited")
    assert o.legal == {"LLC"} and o.numbers == {"2"} and "INTL" in o.tokens
    assert org_name("ZAO Severstroy").legal == org_name("Closed Joint Stock Company Severstroy").legal == {"JSC"}


@pytest.mark.parametrize(("a", "b"), [("colour", "color"), ("organisation", "organization"), ("centre", "center"),
                                      ("licence", "license"), ("analyse", "analyze"), ("harbours", "harbors")])
def test_british_and_american_spellings_fold_to_one(a: str, b: str) -> None:
    assert fold_spelling(a) == fold_spelling(b)


@pytest.mark.parametrize(("text", "script"), [("김정은", "Hangul"), ("习近平", "Han"), ("محمد", "Arabic"),
                                              ("Владимир", ""), ("Ιωάννης", ""), ("Vance", "")])
def test_strict_scripts_are_those_where_a_character_changes_the_name(text: str, script: str) -> None:
    assert strict_script(text) == script
