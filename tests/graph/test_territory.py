"""Table tests for queries.territory: codes, names and the three overseas classes in LAW.md."""

from __future__ import annotations

import pytest

from graph.errors import InvalidRecord
from graph.territory import (
    CROWN_DEPENDENCIES,
    OVERSEAS_TERRITORIES,
    TERRITORY_CLASSES,
    territory_class,
    territory_code,
    territory_name,
)


@pytest.mark.parametrize(
    ("text", "code", "klass"),
    [
        # the United Kingdom: England and Wales, Scotland, Northern Ireland
        ("United Kingdom", "GB", "uk"),
        ("England", "GB", "uk"),
        ("Wales", "GB", "uk"),
        ("England and Wales", "GB", "uk"),
        ("Scotland", "GB", "uk"),
        ("Northern Ireland", "GB", "uk"),
        ("Great Britain", "GB", "uk"),
        ("GB", "GB", "uk"),
        ("gb", "GB", "uk"),
        ("UK", "GB", "uk"),
        ("U.K.", "GB", "uk"),
        ("GBR", "GB", "uk"),
        (" united kingdom ", "GB", "uk"),
        # Crown Dependencies
        ("Jersey", "JE", "crown_dependency"),
        ("JEY", "JE", "crown_dependency"),
        ("Jersey, Channel Islands", "JE", "crown_dependency"),
        ("Guernsey", "GG", "crown_dependency"),
        ("Guernsey C.I.", "GG", "crown_dependency"),
        ("Sark", "GG", "crown_dependency"),
        ("Alderney", "GG", "crown_dependency"),
        ("Isle of Man", "IM", "crown_dependency"),
        ("IM", "IM", "crown_dependency"),
        # British Overseas Territories
        ("British Virgin Islands", "VG", "overseas_territory"),
        ("BVI", "VG", "overseas_territory"),
        ("Virgin Islands, British", "VG", "overseas_territory"),
        ("VGB", "VG", "overseas_territory"),
        ("Tortola", "VG", "overseas_territory"),
        ("Cayman Islands", "KY", "overseas_territory"),
        ("Cayman Is.", "KY", "overseas_territory"),
        ("Bermuda", "BM", "overseas_territory"),
        ("Gibraltar", "GI", "overseas_territory"),
        ("Turks and Caicos Islands", "TC", "overseas_territory"),
        ("Turks & Caicos", "TC", "overseas_territory"),
        ("Anguilla", "AI", "overseas_territory"),
        ("Montserrat", "MS", "overseas_territory"),
        ("Falkland Islands", "FK", "overseas_territory"),
        ("Falklands", "FK", "overseas_territory"),
        ("St Helena", "SH", "overseas_territory"),
        ("Ascension Island", "SH", "overseas_territory"),
        ("Tristan da Cunha", "SH", "overseas_territory"),
        ("Pitcairn", "PN", "overseas_territory"),
        ("British Indian Ocean Territory", "IO", "overseas_territory"),
        ("Diego Garcia", "IO", "overseas_territory"),
        ("South Georgia", "GS", "overseas_territory"),
        ("GS", "GS", "overseas_territory"),
        # foreign states
        ("UAE", "AE", "foreign"),
        ("United Arab Emirates", "AE", "foreign"),
        ("ARE", "AE", "foreign"),
        ("Dubai", "AE", "foreign"),
        ("Abu Dhabi", "AE", "foreign"),
        ("Emirates", "AE", "foreign"),
        ("Spain", "ES", "foreign"),
        ("Canary Islands", "ES", "foreign"),
        ("Ireland", "IE", "foreign"),
        ("US Virgin Islands", "VI", "foreign"),
        ("Hong Kong", "HK", "foreign"),
        ("Kosovo", "XK", "foreign"),
    ],
)
def test_code_and_class(text: str, code: str, klass: str) -> None:
    assert territory_code(text) == code
    assert territory_class(text) == klass
    assert territory_class(code) == klass


@pytest.mark.parametrize("text", [None, "", "   "])
def test_blank_is_none(text: str | None) -> None:
    assert territory_code(text) is None


@pytest.mark.parametrize(
    "text", ["Narnia", "xx", "ZZ", "EU", "SU", "Channel Islands", "Virgin Islands", "Akrotiri"]
)
def test_unknown_or_ambiguous(text: str) -> None:
    assert territory_code(text) is None
    with pytest.raises(InvalidRecord, match="unknown territory"):
        territory_class(text)
    with pytest.raises(InvalidRecord):
        territory_name(text)


@pytest.mark.parametrize(
    ("code", "name"),
    [("GB", "United Kingdom"), ("England", "United Kingdom"), ("vg", "British Virgin Islands"),
     ("KY", "Cayman Islands"), ("JE", "Jersey"), ("AE", "United Arab Emirates")],
)
def test_territory_name(code: str, name: str) -> None:
    assert territory_name(code) == name


def test_every_listed_code_resolves_to_itself() -> None:
    for code in CROWN_DEPENDENCIES | OVERSEAS_TERRITORIES | {"GB"}:
        assert territory_code(code) == code
        assert territory_code(code.lower()) == code
        assert territory_class(code) in TERRITORY_CLASSES
