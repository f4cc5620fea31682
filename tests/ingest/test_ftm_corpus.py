"""FollowTheMoney in: real OpenSanctions/yente/nomenklatura exports, identifiers, partial dates, namesakes.

The corpus (``tests/fixtures/ftm`` and ``tests/fixtures/real/ftm``, see their SOURCES) is loaded with
the format detected and given; identifiers and dates are checked as tables; two namesakes with
different Wikidata ids go through ``assetgraph load`` and ``assetgraph resolve`` as a user runs them.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.commands.load import load_path
from graph.sqlite_store import SQLiteStore
from ingest.ftm import load_ftm

TESTS = Path(__file__).resolve().parents[1]
FTM = TESTS / "fixtures" / "ftm"
REAL = TESTS / "fixtures" / "real" / "ftm"
# file -> (read, loaded, quarantined, fields_dropped)
CORPUS: dict[Path, tuple[int, int, int, int]] = {
    # 41 Sanction + 1 Passport: schemata not mapped; one phone cell holding three numbers, which FtM's
    # phone type refuses (once dropped without a word, now kept as phone_raw with a field line)
    FTM / "zala_entities.ftm.json": (91, 49, 42, 1),
    FTM / "t1_entities.ftm.json": (7, 7, 0, 0),
    FTM / "t2_20240527194702-wnk_entities.delta.json": (2, 2, 0, 0),
    FTM / "donations.ijson": (474, 474, 0, 0),
    REAL / "t2_20240528014702-pfh_entities.delta.json": (2, 2, 0, 0),
    REAL / "npf_entities.delta.json": (1, 0, 1, 0),  # a deletion: not applied, quarantined with why
    REAL / "sa_wiki_peps.entities.ftm.json": (8, 5, 3, 0),  # 3 Position: not mapped
}


@pytest.mark.parametrize("fmt", [None, "ftm"])
@pytest.mark.parametrize("path", sorted(CORPUS), ids=lambda p: p.name)
def test_real_exports(tmp_path: Path, path: Path, fmt: str | None) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        report = load_path(store, path, fmt, tmp_path / "q", {}).to_dict()
        counts = (report["read"], report["loaded"], report["quarantined"], report["fields_dropped"])
        assert counts == CORPUS[path] and report["reconciled"]
        again = load_path(store, path, fmt, tmp_path / "q", {})
        assert again.entities_written == again.relations_written == 0


def test_wikidata_peps(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_ftm(sqlite_store, REAL / "sa_wiki_peps.entities.ftm.json", tmp_path / "q")
    with open(str(report.quarantine_file), encoding="utf-8") as fh:
        assert {r["reason"] for r in csv.DictReader(fh)} == {"schema Position not mapped"}
    hashim = sqlite_store.get_entity("ftm/Q100152453")
    assert hashim is not None and hashim.kind == "Person"
    assert (hashim.props["wikidata_id"], hashim.props["opensanctions_id"]) == ("Q100152453", "Q100152453")
    assert hashim.props["dob"] == "1957-09-12" and hashim.props["nationality"] == "SA"
    padded = sqlite_store.get_entity("ftm/Q100442103")  # the source wrote 1963-01-01: kept as written
    assert padded is not None and padded.props["dob"] == "1963-01-01"


def test_refused_values_are_kept(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    """What FtM's types refuse is kept raw with a field line, never dropped without a word."""
    report = load_ftm(sqlite_store, FTM / "zala_entities.ftm.json", tmp_path / "q")
    company = sqlite_store.get_entity("ftm/NK-abdzbEBkqyT29GyREbiURZ")
    assert company is not None and company.props["phone_raw"].count("+7") == 3
    report = _load_lines(sqlite_store, tmp_path, [{"id": "c9", "schema": "Company", "properties": {
        "name": ["Checked Ltd"], "innCode": ["7704484400", "123"], "email": ["not-an-email"],
        "leiCode": ["NOT-A-LEI"], "nickname": ["no such property"], "alias": [{"name": ["nested"]}]}}])
    checked = sqlite_store.get_entity("ftm/c9")
    assert checked is not None and checked.props["registration_numbers"] == ["ru-inn:7704484400"]
    assert (checked.props["innCode_raw"], checked.props["lei_raw"]) == ("123", "NOT-A-LEI")
    assert checked.props["email_raw"] == "not-an-email" and checked.props["nickname_raw"] == "no such property"
    assert "nested" in checked.props["aliases_raw"]
    assert (report.loaded, report.fields_dropped) == (1, 5)


def test_delta_deletion(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_ftm(sqlite_store, REAL / "npf_entities.delta.json", tmp_path / "q")
    with open(str(report.quarantine_file), encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["level"] == "record" and "DEL" in row["reason"]


def _load_lines(store: SQLiteStore, tmp_path: Path, lines: list[dict[str, Any]]) -> Any:
    path = tmp_path / "lines.ftm.json"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return load_ftm(store, path, tmp_path / "q")


@pytest.mark.parametrize(("entity_id", "extra", "props", "expected"), [
    ("NK-2Tbri3s6GgNtAwsSXh4qpL", {}, {"innCode": ["183116181362"]},
     {"opensanctions_id": "NK-2Tbri3s6GgNtAwsSXh4qpL", "registration_numbers": ["ru-inn:183116181362"]}),
    ("Q7747", {"datasets": ["peps"]}, {"wikidataId": ["Q7747"]},
     {"opensanctions_id": "Q7747", "wikidata_id": "Q7747"}),
    ("Q7747", {}, {}, {}),  # a Q-looking id outside an OpenSanctions export says nothing
    ("ofac-46001", {"datasets": ["us_ofac_sdn"]}, {}, {}),  # a source-dataset id is not canonical
    ("c1", {}, {"registrationNumber": ["7654321"], "jurisdiction": ["gb"]},
     {"company_number": "7654321", "registration_numbers": ["gb-coh:07654321"]}),
    ("c2", {}, {"registrationNumber": ["SC 1234"], "jurisdiction": ["gb-sct"]},
     {"company_number": "SC 1234", "registration_numbers": ["gb-coh:SC001234"]}),
    ("c3", {}, {"registrationNumber": ["1027700070518"], "jurisdiction": ["ru"], "ogrnCode": ["1027700070518"]},
     {"company_number": "1027700070518", "registration_numbers": ["ru:1027700070518", "ru-ogrn:1027700070518"]}),
    ("c4", {}, {"registrationNumber": ["12345"]}, {"company_number": "12345"}),  # registry unknown
    ("c5", {}, {"leiCode": ["HWUPKR0MPOU8FGXBT394"], "wikidataId": ["Q312"], "taxNumber": ["7706107510"]},
     {"lei": "HWUPKR0MPOU8FGXBT394", "wikidata_id": "Q312", "tax_numbers": ["7706107510"]}),
])
def test_company_identifiers(sqlite_store: SQLiteStore, tmp_path: Path, entity_id: str, extra: dict[str, Any],
                             props: dict[str, list[str]], expected: dict[str, Any]) -> None:
    _load_lines(sqlite_store, tmp_path, [{"id": entity_id, "schema": "Company",
                                          "properties": {"name": ["Example Holdings"], **props}, **extra}])
    entity = sqlite_store.get_entity(f"ftm/{entity_id}")
    assert entity is not None
    keys = ("company_number", "registration_numbers", "opensanctions_id", "wikidata_id", "lei", "tax_numbers")
    assert {k: entity.props[k] for k in keys if k in entity.props} == expected


def test_person_identifiers_and_partial_dates(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = _load_lines(sqlite_store, tmp_path, [
        {"id": "p1", "schema": "Person", "properties": {
            "name": ["Example Person"], "birthDate": ["1962"], "passportNumber": ["089132114"],
            "idNumber": ["TIN: 183111242572"], "innCode": ["183111242572"], "wikidataId": ["Q90000001"]}},
        {"id": "p2", "schema": "Person", "properties": {"name": ["Month Person"], "birthDate": ["1962-05"]}},
        {"id": "p3", "schema": "Person", "properties": {"name": ["Timed Person"],
                                                        "birthDate": ["1962-05-14T00:00:00"]}},
        {"id": "p4", "schema": "Person", "properties": {"name": ["Typo Person"], "birthDate": ["1962-86-14"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Dated Ltd"], "incorporationDate": ["2006-03"],
                                                         "dissolutionDate": ["not a date"]}},
    ])
    p1, p2, p3, p4, c1 = sqlite_store.get_entities(["ftm/p1", "ftm/p2", "ftm/p3", "ftm/p4", "ftm/c1"])
    assert p1.props["dob"] == "1962" and p2.props["dob"] == "1962-05" and p3.props["dob"] == "1962-05-14"
    assert (p1.props["passport"], p1.props["id_numbers"], p1.props["wikidata_id"]) == (
        "089132114", ["TIN: 183111242572"], "Q90000001")
    assert p1.props["registration_numbers"] == ["ru-inn:183111242572"] and "ni_number" not in p1.props
    assert "dob" not in p4.props and p4.props["dob_raw"] == "1962-86-14"  # the person loads without it
    assert c1.props["incorporated"] == "2006-03" and c1.props["dissolved_raw"] == "not a date"
    assert (report.loaded, report.quarantined, report.fields_dropped) == (5, 0, 2)


def test_payment_needs_a_day(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = _load_lines(sqlite_store, tmp_path, [
        {"id": "a", "schema": "Person", "properties": {"name": ["A"]}},
        {"id": "b", "schema": "Person", "properties": {"name": ["B"]}},
        {"id": "pay1", "schema": "Payment", "properties": {"payer": ["a"], "beneficiary": ["b"], "amount": ["10"],
                                                           "currency": ["EUR"], "date": ["2011"]}},
        {"id": "pay2", "schema": "Payment", "properties": {"payer": ["a"], "beneficiary": ["b"], "amount": ["10"],
                                                           "currency": ["EUR"], "date": ["2011-02-30"]}},
        {"id": "own", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"],
                                                            "startDate": ["2011-02-30"]}},
    ])
    with open(str(report.quarantine_file), encoding="utf-8") as fh:
        reasons = {int(r["row"]): (r["level"], r["reason"]) for r in csv.DictReader(fh)}
    assert reasons[3] == ("record", "Payment has no full date (YYYY-MM-DD)")  # a year is not a day
    assert reasons[4][0] == "record" and "'2011-02-30'" in reasons[4][1]
    assert reasons[5][0] == "field"  # an ownership stands without its start date
    assert (report.loaded, report.quarantined, report.fields_dropped) == (3, 2, 1)


def _cli(tmp_path: Path, *args: str) -> dict[str, Any]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(TESTS.parent)}
    result = subprocess.run([sys.executable, "-m", "app.cli", "--db", "x.db", *args, "--json"], cwd=tmp_path,
                            capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def _same_as_pairs(tmp_path: Path) -> set[frozenset[str]]:
    with SQLiteStore(tmp_path / "x.db") as store:
        return {frozenset((r.source, r.target)) for r in store.iter_relations(["SAME_AS"])}


def test_year_only_namesakes_are_not_merged(tmp_path: Path) -> None:
    """Two people named alike, both born "1962", with different Wikidata ids: the year stays a year
    (never padded to 1962-01-01, which once scored as an exact date match), so they are not merged."""
    loaded = _cli(tmp_path, "load", str(FTM / "namesakes.ftm.json"), "--no-resolve")
    assert (loaded["read"], loaded["loaded"]) == (4, 4)
    with SQLiteStore(tmp_path / "x.db") as store:
        a, b = store.get_entities(["ftm/Q90000001", "ftm/Q90000002"])
        assert a.props["dob"] == b.props["dob"] == "1962" and a.props["wikidata_id"] != b.props["wikidata_id"]
    _cli(tmp_path, "resolve")
    assert frozenset(("ftm/Q90000001", "ftm/Q90000002")) not in _same_as_pairs(tmp_path)


@pytest.mark.xfail(strict=True, reason="today's person_v2 ignores wikidata_id: the namesakes who also share an "
                                       "address are merged automatically, and the year-only pair waits in the "
                                       "review queue (0.89). The identifier veto of branch names13 "
                                       "(person_v3) should make this pass: flip it to a plain test after merging")
def test_different_wikidata_ids_never_merge_or_queue(tmp_path: Path) -> None:
    _cli(tmp_path, "load", str(FTM / "namesakes.ftm.json"), "--no-resolve")
    resolved = _cli(tmp_path, "resolve")
    assert frozenset(("ftm/Q90000003", "ftm/Q90000004")) not in _same_as_pairs(tmp_path)
    assert resolved["merged"] == 0 and resolved["review"] == 0
