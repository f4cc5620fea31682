"""ICIJ Offshore Leaks reader: the complete real intermediaries file, an invented set of every case, hostile rows.

The real corpus of every release's layout is loaded in ``test_icij_corpus.py``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.sqlite_store import SQLiteStore
from graph.store import Store
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
    # "X & Co.", "X & Cie" firms are Companies; "Yu", "IN", "Ku" in East Asian names are not legal forms
    assert sqlite_store.counts() == {"Person": 15227, "Company": 11541}
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
                                  "nodes-officers.csv", "nodes-addresses.csv", "all_edges.csv", "relationships.csv"]
    assert out["files"]["nodes-entities.csv"] == {"read": 7, "loaded": 5, "quarantined": 2, "fields_dropped": 2}
    assert out["files"]["all_edges.csv"] == {"read": 6, "loaded": 5, "quarantined": 1}
    assert out["files"]["relationships.csv"] == {"read": 16, "loaded": 14, "quarantined": 2, "fields_dropped": 1}
    assert (out["read"], out["loaded"], out["quarantined"], out["fields_dropped"]) == (39, 34, 5, 3)
    assert out["reconciled"]
    assert store.counts() == {"Address": 2, "Company": 8, "Person": 5, "ASSOCIATE": 6, "CONTROLS": 2,
                              "DIRECTOR_OF": 2, "LIVES_AT": 1, "OWNS": 5, "REGISTERED_AT": 3}
    solent = store.get_entity("icij/10000001")
    assert solent is not None and solent.kind == "Company"
    assert solent.props["jurisdiction_code"] == "BVI" and solent.props["jurisdiction"] == "British Virgin Islands"
    assert solent.props["incorporated"] == "2006-03-23" and solent.props["dissolved"] == "2013-02-15"
    assert solent.props["company_number"] == "1012345" and solent.props["country"] == "VG"
    bad = store.get_entity("icij/10000003")  # an impossible incorporation date costs the date, not the company
    assert bad is not None and "incorporated" not in bad.props and bad.props["incorporated_raw"] == "31-FEB-2010"
    forms = store.get_entity("icij/10000004")  # "Mar 23, 2006", "23.03.2006", "2006", "23/03/06"
    assert forms is not None and (forms.props["incorporated"], forms.props["inactivation_date"]) == (
        "2006-03-23", "2006-03-23")
    assert (forms.props["struck_off_date"], forms.props["dorm_date"], forms.props["dissolved"]) == (
        "2006", "2006-03-23", "2006")  # a bare year stays a year
    pivot = store.get_entity("icij/10000005")  # data "current through 2015": 19 is 1919; US order refused
    assert pivot is not None and pivot.props["struck_off_date"] == "1919-01-12"
    assert "incorporated" not in pivot.props and pivot.props["incorporated_raw"] == "04/27/05"
    foundation = store.get_entity("icij/85000001")
    assert foundation is not None and foundation.props["company_type"] == "FOUNDATION"
    assert foundation.props["closed_date"] == "2019-06-30"
    assert store.get_entity("icij/12000003").kind == "Company"  # type: ignore[union-attr]
    assert store.get_entity("icij/12000001").kind == "Person"  # type: ignore[union-attr]
    bearer = store.get_entity("icij/12000004")
    assert bearer is not None and bearer.props["bearer"] is True and "bearer" in bearer.props["kind_basis"]
    address = store.get_entity("icij/14000002")
    assert address is not None and address.props["full"] == "7 Larkfield Drive, Leeds LS16 6EL"
    rels = {(r.source, r.target, r.props["link"]): r for r in store.iter_relations()}
    owns = rels[("icij/12000001", "icij/10000001", "shareholder of")]
    assert owns.kind == "OWNS" and owns.props["role"] == "shareholder of" and owns.props["start_date"] == "2006-03-23"
    assert owns.provenance[0].source == "ICIJ Offshore Leaks: Panama Papers"
    director = rels[("icij/12000002", "icij/10000001", "director of")]
    assert director.kind == "DIRECTOR_OF" and director.props["end_date"] == "2013-02-15"
    nominee = rels[("icij/12000003", "icij/10000001", "nominee shareholder of")]
    assert nominee.kind == "OWNS" and nominee.props["nominee"] is True
    nominee_director = rels[("icij/12000003", "icij/10000002", "Nominee Director of")]
    assert nominee_director.kind == "DIRECTOR_OF" and nominee_director.props["status"] == "Resigned"
    assert rels[("icij/11000001", "icij/10000001", "intermediary of")].props["role"] == "intermediary"
    same = rels[("icij/12000002", "icij/12000001", "similar name and address as")]
    assert same.kind == "ASSOCIATE" and same.props["role"] == "icij: similar name and address as"
    assert rels[("icij/12000004", "icij/10000002", "beneficiary of")].kind == "OWNS"
    assert rels[("icij/12000002", "icij/85000001", "Trustee of Trust of")].kind == "CONTROLS"
    assert rels[("icij/10000001", "icij/14000001", "registered address")].kind == "REGISTERED_AT"
    assert rels[("icij/12000002", "icij/14000002", "residential address")].kind == "LIVES_AT"
    unknown_type = rels[("icij/12000001", "icij/10000002", "secret_handshake")]
    assert unknown_type.kind == "ASSOCIATE" and unknown_type.props["role"] == "icij: secret_handshake"
    assert rels[("icij/12000001", "icij/10000002", "shareholder of")].props["start_date_raw"] == "32-JAN-2010"
    # the 2016 layout in the same folder: role text in rel_type, no link column
    assert rels[("icij/12000004", "icij/10000004", "shareholder of")].kind == "OWNS"
    assert rels[("icij/12000001", "icij/12000002", "same name as")].kind == "ASSOCIATE"
    assert not list(store.iter_relations(["SAME_AS"]))
    assert out["notes"]["icij_role_texts"] == {"shareholder of": 1, "auditor of": 1, "secret_handshake": 1}
    assert out["notes"]["date_forms"]["dorm_date"] == {"DD/MM/YY (pivot 15)": 1}
    reasons = _reasons(report.quarantine_file)
    assert "impossible date" in reasons[("nodes-entities.csv", "4")][1]
    assert "only in US order" in reasons[("nodes-entities.csv", "8")][1]
    assert "duplicate node_id" in reasons[("nodes-entities.csv", "5")][1]
    assert reasons[("nodes-entities.csv", "6")] == ("node_id", "node_id is empty")
    assert "unknown node '99999999'" in reasons[("relationships.csv", "11")][1]
    assert "unknown node '88888888'" in reasons[("all_edges.csv", "7")][1]
    assert reasons[("relationships.csv", "13")][0] == "start_date"
    assert reasons[("relationships.csv", "17")] == ("rel_type", "rel_type and link are both empty")
    again = load_icij(store, SET, tmp_path / "q").to_dict()
    assert again["entities_written"] == again["relations_written"] == 0
    assert again["read"] == out["read"] and again["quarantined"] == out["quarantined"]


@pytest.mark.parametrize("name", ["relationships.csv", "all_edges.csv"])
def test_links_alone_need_their_nodes(sqlite_store: SQLiteStore, tmp_path: Path, name: str) -> None:
    """A link file loaded first quarantines every link (ends unknown); after the nodes, they load."""
    alone = load_icij(sqlite_store, SET / name, tmp_path / "q")
    total = alone.read
    assert alone.loaded == 0 and alone.quarantined == total > 0
    reasons = _reasons(alone.quarantine_file)
    assert sum("unknown node" in r for _, r in reasons.values()) >= total - 1
    for node_file in sorted(SET.glob("nodes-*.csv")):
        load_icij(sqlite_store, node_file, tmp_path / "q")
    later = load_icij(sqlite_store, SET / name, tmp_path / "q")
    assert (later.read, later.quarantined) == (total, {"relationships.csv": 2, "all_edges.csv": 1}[name])


def test_address_columns_matched_by_name(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_icij(sqlite_store, FIXTURES / "Addresses_medium.csv", tmp_path / "q")
    assert (report.read, report.loaded) == (2, 2)
    address = sqlite_store.get_entity("icij/14000002")
    assert address is not None and address.kind == "Address"
    assert address.props["full"] == '"Almaly Village" v.5, Almaty Kazakhstan'
    assert address.props["country"] == "KZ" and address.props["icij_id"] == "C65A269424AA1A8BBAC416FA30150938"


def test_detection() -> None:
    assert detect_format(SET) == "icij"
    assert detect_format(SET / "all_edges.csv") == "icij"  # the 2016 link file alone is no longer refused
    assert detect_format(FIXTURES / "Addresses_medium.csv") == "icij"
    assert detect_format(FIXTURES / "nodes-intermediaries-full.csv.gz") == "icij"
    assert node_type_of(Path("x.csv"), ["node_id", "name", "countries", "country_codes", "sourceID"]) == "officer"
    assert node_type_of(Path("x.csv"), ["node_id", "name", "type", "jurisdiction"]) == "other"
    assert node_type_of(Path("x.csv"), ["node_id", "name", "jurisdiction", "ibcRUC"]) == "entity"
    assert node_type_of(Path("x.csv"), ["node_id_start", "node_id_end", "rel_type"]) == "relationship"
    assert node_type_of(Path("x.csv"), ["node_1", "rel_type", "node_2"]) == "relationship"
    assert node_type_of(Path("x.csv"), ["START_ID", "TYPE", "END_ID", "link"]) == "relationship"
    assert node_type_of(Path("x.csv"), [":START_ID", ":END_ID", ":TYPE"]) == "relationship"
    assert node_type_of(Path("Officers.csv"), ["name", "icij_id", "valid_until", "node_id"]) == "officer"
    assert node_type_of(Path("bahamas_leaks.nodes.entity.csv"), ["labels(n)", "node_id", "name"]) == "entity"
    assert node_type_of(Path("x.csv"), ["n.node_id", "n.name", "n.ibcRUC"]) == "entity"
    assert node_type_of(Path("x.csv"), ["node_id:ID", "name", "address"]) == "address"
    assert node_type_of(Path("x.csv"), ["id", "name"]) is None
    assert node_type_of(Path("addresses.csv"), ["id", "address"]) is None  # a name alone is not enough
    assert node_type_of(Path("relationships.csv"), ["from_id", "to_id", "type"]) is None  # a case bundle's


@pytest.mark.parametrize(("cell", "valid_until", "expected", "form"), [
    ("23-MAR-2006", "", "2006-03-23", "DD-Mon-YYYY"),           # full-oldb
    ("23-Mar-06", "The Panama Papers data is current through 2015", "2006-03-23", "DD-Mon-YY (pivot 15)"),  # 2016
    ("Mar 23, 2006", "", "2006-03-23", "Mon DD, YYYY"),
    ("2006", "", "2006", "YYYY"),                                # a bare year stays a year
    ("23.03.2006", "", "2006-03-23", "DD/MM/YYYY"),
    ("23/03/06", "Appleby data is current through 2014", "2006-03-23", "DD/MM/YY (pivot 14)"),
    ("12-Jan-19", "The Offshore Leaks data is current through 2010", "1919-01-12", "DD-Mon-YY (pivot 10)"),
    ("31-DEC-1969", "", "1969-12-31", "DD-Mon-YYYY"),
    # values ICIJ really publishes that cannot be read (OpenSanctions keeps a lookup list of them)
    ("04/27/05", "", None, None), ("29/02/2006", "", None, None), ("18/19/2015", "", None, None),
    ("31-FEB-2010", "", None, None),
])
def test_icij_date_forms(tmp_path: Path, sqlite_store: SQLiteStore, cell: str, valid_until: str,
                         expected: str | None, form: str | None) -> None:
    path = tmp_path / "nodes-entities.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["node_id", "name", "incorporation_date", "valid_until"],
                                  ["1", "DATED LIMITED", cell, valid_until]])
    report = load_icij(sqlite_store, path, tmp_path / "q")
    entity = sqlite_store.get_entity("icij/1")
    assert report.loaded == 1 and entity is not None  # never costs the entity
    assert entity.props.get("incorporated") == expected
    if expected is None:
        assert entity.props["incorporated_raw"] == cell and report.fields_dropped == 1
    else:
        assert report.notes["date_forms"] == {"incorporation_date": {form: 1}}


@pytest.mark.parametrize(("name", "org"), [("Mossack Fonseca & Co (BVI) Ltd", True), ("ABC HOLDINGS LIMITED", True),
                                           ("Trust Services S.A.", True), ("CORFIDUCIA ANSTALT", True),
                                           ("John Smith", False), ("DAVID, RONALD", False), (None, False),
                                           ("THE BEARER", False), ("El Portador", False),
                                           # real names from the intermediaries file that rigour alone misreads
                                           ("KIM SOO IN", False), ("Chiu, Yu-Fa", False), ("Andrew Ku", False),
                                           ("MS. HELENA CHAN NA WAH", False), ("DAVID BROWN & CO", True),
                                           ("THAN PE & CO.", True), ("LOMBARD ODIER DARRIER HENTSCH & CIE", True),
                                           ("UBS AG (SUCC. RUE DU RHÔNE)", True),
                                           ("Citibank, N.A. (HK)", True), ("PT Garuda Metalindo", True)])
def test_organisation_names(name: str | None, org: bool) -> None:
    assert is_organisation(name)[0] is org


# --- hostile rows -----------------------------------------------------------------------------
HOSTILE = st.sampled_from(["", " ", "23-MAR-2006", "2006-03-23", "31-FEB-2010", "32-JAN-2010", "15/03/2019",
                           "garbage", '"', ",", "\n", "a\r\nb", "ÄÖÜ £", "\ufeff", "1", "-1", ";", "BVI", "XXX",
                           "GBR;ESP", "officer_of", "registered_address", "same_as", "intermediary_of", "nope",
                           "shareholder of", "director of", "12", "7", "x" * 300, "a\x00b", "23-Mar-06", "Mar 23, 2006",
                           "04/27/05", "2006", "12-Jan-19", "The Panama Papers data is current through 2015",
                           "Nominee Director of", "THE BEARER"]) | st.text(max_size=12)
ENTITY_HEADER = ["node_id", "name", "jurisdiction", "jurisdiction_description", "incorporation_date",
                 "inactivation_date", "struck_off_date", "status", "ibcRUC", "country_codes", "countries", "sourceID"]
OFFICER_HEADER = ["node_id", "name", "countries", "country_codes", "sourceID", "valid_until", "note"]
REL_HEADER = ["node_id_start", "node_id_end", "rel_type", "link", "status", "start_date", "end_date", "sourceID"]
EDGES_2016_HEADER = ["node_1", "rel_type", "node_2"]
ROWS_PER_FILE = 600  # x 4 files x 5 examples > 10^4 generated rows per CI run


def _write(path: Path, header: list[str], rnd: random.Random, pool: list[str], ids: list[str]) -> int:
    """Write hostile rows; returns how many non-blank data rows the file holds."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for _ in range(ROWS_PER_FILE):
            cells = [rnd.choice(ids) if col.startswith("node") and rnd.random() < 0.8 else rnd.choice(pool)
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
        ("relationships.csv", REL_HEADER), ("all_edges.csv", EDGES_2016_HEADER)))
    with SQLiteStore(work / "db.sqlite") as store:
        first = load_icij(store, folder, work / "q")
        assert all(f.reconciles for f in first.files.values())
        assert first.read == written
        second = load_icij(store, folder, work / "q")
        assert second.entities_written == second.relations_written == 0
        assert (second.read, second.loaded) == (first.read, first.loaded)
