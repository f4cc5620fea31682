"""ICIJ Offshore Leaks reader: the real intermediaries file, a fixture set, hostile rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidRecord
from graph.sqlite_store import SQLiteStore
from graph.store import Store
from graph.types import clean_date
from ingest.formats import detect_format
from ingest.icij import is_organisation, load_icij, node_type_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "icij"
SET = FIXTURES / "set"


def _reasons(report_file: str | None) -> dict[tuple[str, str], tuple[str, str]]:
    assert report_file is not None
    with open(report_file, encoding="utf-8") as fh:
        return {(r["file"], r["row"]): (r["column"], r["reason"]) for r in csv.DictReader(fh)}


def test_full_intermediaries_file_loads_whole(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_icij(sqlite_store, FIXTURES / "nodes-intermediaries-full.csv.gz", tmp_path / "q")
    out = report.to_dict()
    assert (out["read"], out["loaded"], out["quarantined"]) == (26768, 26768, 0)
    assert out["reconciled"] and out["entities_written"] == 26768
    assert sqlite_store.counts() == {"Person": 15898, "Company": 10870}
    person, anstalt = sqlite_store.get_entities(["icij/11000001", "icij/11000002"])
    assert person.kind == "Person" and person.props["name"] == "MICHAEL PAPAGEORGE, MR."
    assert person.props["country"] == "ZA" and person.props["country_codes"] == "ZAF"
    assert person.props["role"] == "intermediary" and person.props["status"] == "ACTIVE"
    assert person.provenance[0].source == "ICIJ Offshore Leaks: Panama Papers"
    assert person.provenance[0].source_ref == "ICIJ node 11000001" and person.source_id == "11000001"
    assert anstalt.kind == "Company" and "ANSTALT" in anstalt.props["kind_basis"]


def test_fixture_set_folder(store: Store, tmp_path: Path) -> None:
    report = load_icij(store, SET, tmp_path / "q")
    out = report.to_dict()
    assert list(out["files"]) == ["nodes-entities.csv", "nodes-others.csv", "nodes-intermediaries.csv",
                                  "nodes-officers.csv", "nodes-addresses.csv", "relationships.csv"]
    assert out["files"]["nodes-entities.csv"] == {"read": 5, "loaded": 2, "quarantined": 3}
    assert out["files"]["relationships.csv"] == {"read": 12, "loaded": 9, "quarantined": 3}
    assert (out["read"], out["loaded"], out["quarantined"]) == (27, 21, 6) and out["reconciled"]
    assert store.counts() == {"Address": 2, "Company": 5, "Person": 5, "ASSOCIATE": 4, "DIRECTOR_OF": 1,
                              "OWNS": 2, "REGISTERED_AT": 2}
    solent = store.get_entity("icij/10000001")
    assert solent is not None and solent.kind == "Company"
    assert solent.props["jurisdiction_code"] == "BVI" and solent.props["jurisdiction"] == "British Virgin Islands"
    assert solent.props["incorporated"] == "2006-03-23" and solent.props["dissolved"] == "2013-02-15"
    assert solent.props["company_number"] == "1012345" and solent.props["country"] == "VG"
    foundation = store.get_entity("icij/85000001")
    assert foundation is not None and foundation.props["company_type"] == "FOUNDATION"
    assert foundation.props["closed_date"] == "2019-06-30"
    assert store.get_entity("icij/12000003").kind == "Company"  # type: ignore[union-attr]
    assert store.get_entity("icij/12000001").kind == "Person"  # type: ignore[union-attr]
    address = store.get_entity("icij/14000002")
    assert address is not None and address.props["full"] == "7 Larkfield Drive, Leeds LS16 6EL"
    rels = {(r.source, r.target): r for r in store.iter_relations()}
    owns = rels[("icij/12000001", "icij/10000001")]
    assert owns.kind == "OWNS" and owns.props["role"] == "shareholder of" and owns.props["start_date"] == "2006-03-23"
    director = rels[("icij/12000002", "icij/10000001")]
    assert director.kind == "DIRECTOR_OF" and director.props["end_date"] == "2013-02-15"
    assert rels[("icij/12000003", "icij/10000001")].props["role"] == "nominee shareholder of"
    assert rels[("icij/11000001", "icij/10000001")].props["role"] == "intermediary"
    same = rels[("icij/12000002", "icij/12000001")]
    assert same.kind == "ASSOCIATE" and same.props["role"] == "icij: similar_name_and_address_as"
    assert rels[("icij/12000004", "icij/10000002")].props["role"] == "icij: beneficiary of"
    assert rels[("icij/10000001", "icij/14000001")].kind == "REGISTERED_AT"
    assert not list(store.iter_relations(["SAME_AS"]))
    reasons = _reasons(report.quarantine_file)
    assert "impossible date" in reasons[("nodes-entities.csv", "4")][1]
    assert "duplicate node_id" in reasons[("nodes-entities.csv", "5")][1]
    assert reasons[("nodes-entities.csv", "6")] == ("node_id", "node_id is empty")
    assert "unknown node '99999999'" in reasons[("relationships.csv", "11")][1]
    assert "unknown rel_type" in reasons[("relationships.csv", "12")][1]
    assert reasons[("relationships.csv", "13")][0] == "start_date"
    again = load_icij(store, SET, tmp_path / "q").to_dict()
    assert again["entities_written"] == again["relations_written"] == 0
    assert again["read"] == out["read"] and again["quarantined"] == out["quarantined"]


def test_relationships_alone_need_their_nodes(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    alone = load_icij(sqlite_store, SET / "relationships.csv", tmp_path / "q")
    assert (alone.read, alone.loaded, alone.quarantined) == (12, 0, 12)
    reasons = _reasons(alone.quarantine_file)
    assert sum("unknown node" in r for _, r in reasons.values()) == 11
    for name in ("nodes-entities.csv", "nodes-officers.csv", "nodes-intermediaries.csv", "nodes-others.csv",
                 "nodes-addresses.csv"):
        load_icij(sqlite_store, SET / name, tmp_path / "q")
    later = load_icij(sqlite_store, SET / "relationships.csv", tmp_path / "q")
    assert (later.read, later.loaded, later.quarantined) == (12, 9, 3)


def test_address_columns_matched_by_name(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_icij(sqlite_store, FIXTURES / "Addresses_medium.csv", tmp_path / "q")
    assert (report.read, report.loaded) == (2, 2)
    address = sqlite_store.get_entity("icij/14000002")
    assert address is not None and address.kind == "Address"
    assert address.props["full"] == '"Almaly Village" v.5, Almaty Kazakhstan'
    assert address.props["country"] == "KZ" and address.props["icij_id"] == "C65A269424AA1A8BBAC416FA30150938"


def test_detection() -> None:
    assert detect_format(SET) == "icij"
    assert detect_format(FIXTURES / "Addresses_medium.csv") == "icij"
    assert detect_format(FIXTURES / "nodes-intermediaries-full.csv.gz") == "icij"
    assert node_type_of(Path("x.csv"), ["node_id", "name", "countries", "country_codes", "sourceID"]) == "officer"
    assert node_type_of(Path("x.csv"), ["node_id", "name", "type", "jurisdiction"]) == "other"
    assert node_type_of(Path("x.csv"), ["node_id", "name", "jurisdiction", "ibcRUC"]) == "entity"
    assert node_type_of(Path("x.csv"), ["node_id_start", "node_id_end", "rel_type"]) == "relationship"
    assert node_type_of(Path("x.csv"), ["id", "name"]) is None


@pytest.mark.parametrize(("text", "iso"), [("23-MAR-2006", "2006-03-23"), ("1-jan-1999", "1999-01-01"),
                                           ("2006-03-23", "2006-03-23"), ("15/03/2019", "2019-03-15"),
                                           ("", None), (None, None)])
def test_icij_dates(text: str | None, iso: str | None) -> None:
    assert clean_date(text) == iso


@pytest.mark.parametrize("text", ["31-FEB-2010", "23-XYZ-2006", "March 2006", "2006"])
def test_bad_icij_dates(text: str) -> None:
    with pytest.raises(InvalidRecord):
        clean_date(text)


@pytest.mark.parametrize(("name", "org"), [("Mossack Fonseca & Co (BVI) Ltd", True), ("ABC HOLDINGS LIMITED", True),
                                           ("Trust Services S.A.", True), ("CORFIDUCIA ANSTALT", True),
                                           ("John Smith", False), ("DAVID, RONALD", False), (None, False)])
def test_organisation_names(name: str | None, org: bool) -> None:
    assert is_organisation(name)[0] is org


# --- hostile rows -----------------------------------------------------------------------------
HOSTILE = st.sampled_from(["", " ", "23-MAR-2006", "2006-03-23", "31-FEB-2010", "32-JAN-2010", "15/03/2019",
                           "garbage", '"', ",", "\n", "a\r\nb", "ÄÖÜ £", "\ufeff", "1", "-1", ";", "BVI", "XXX",
                           "GBR;ESP", "officer_of", "registered_address", "same_as", "intermediary_of", "nope",
                           "shareholder of", "director of", "12", "7", "x" * 300, "a\x00b"]) | st.text(max_size=12)
ENTITY_HEADER = ["node_id", "name", "jurisdiction", "jurisdiction_description", "incorporation_date",
                 "inactivation_date", "struck_off_date", "status", "ibcRUC", "country_codes", "countries", "sourceID"]
OFFICER_HEADER = ["node_id", "name", "countries", "country_codes", "sourceID", "valid_until", "note"]
REL_HEADER = ["node_id_start", "node_id_end", "rel_type", "link", "status", "start_date", "end_date", "sourceID"]
ROWS_PER_FILE = 700  # x 3 files x 5 examples > 10^4 generated rows per CI run


def _write(path: Path, header: list[str], rnd: random.Random, pool: list[str], ids: list[str]) -> int:
    """Write hostile rows; returns how many non-blank data rows the file holds."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for _ in range(ROWS_PER_FILE):
            cells = [rnd.choice(ids) if "node_id" in col and rnd.random() < 0.8 else rnd.choice(pool)
                     for col in header]
            shape = rnd.random()
            if shape < 0.05:
                cells = cells[: rnd.randrange(len(cells))]  # ragged: too few cells
            elif shape < 0.1:
                cells = [*cells, "extra"]  # ragged: too many
            if shape < 0.02:
                fh.write("\n")  # a blank line
            writer.writerow(cells)
            rows += any(c.strip() for c in cells)
    return rows


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), pool=st.lists(HOSTILE, min_size=3, max_size=30))
def test_hostile_rows_never_escape(tmp_path_factory: pytest.TempPathFactory, seed: int, pool: list[str]) -> None:
    rnd = random.Random(seed)
    work = tmp_path_factory.mktemp("icij")
    folder = work / "set"  # the store and quarantine sit beside the set: in it they would be skipped files
    folder.mkdir()
    ids = [str(i) for i in range(1, 400)] + pool
    written = sum(_write(folder / name, header, rnd, pool, ids) for name, header in (
        ("nodes-entities.csv", ENTITY_HEADER), ("nodes-officers.csv", OFFICER_HEADER),
        ("relationships.csv", REL_HEADER)))
    with SQLiteStore(work / "db.sqlite") as store:
        first = load_icij(store, folder, work / "q")
        assert all(f.reconciles for f in first.files.values())
        assert first.read == written
        second = load_icij(store, folder, work / "q")
        assert second.entities_written == second.relations_written == 0
        assert (second.read, second.loaded) == (first.read, first.loaded)
