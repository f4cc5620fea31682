"""Case bundle loading: validation, quarantine, reconciliation, idempotence."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import BAD, CASE, write_bundle

from graph.errors import InvalidRecord
from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle


@pytest.fixture
def bad_bundle(tmp_path: Path) -> Path:
    return write_bundle(tmp_path / "bad", BAD)


def test_bad_rows_are_quarantined_with_reasons(bad_bundle: Path, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        report = load_bundle(store, bad_bundle, tmp_path / "q")
        counts = store.counts()
    out = report.to_dict()
    # a bad date of birth costs the field, not the person (one bad field costs the field)
    assert out["files"]["people.csv"] == {"read": 6, "loaded": 3, "quarantined": 3, "fields_dropped": 2}
    assert out["files"]["companies.csv"] == {"read": 2, "loaded": 1, "quarantined": 1}
    assert out["files"]["relationships.csv"] == {"read": 5, "loaded": 2, "quarantined": 3}
    assert out["files"]["transfers.csv"] == {"read": 7, "loaded": 2, "quarantined": 5}
    assert out["fields_dropped"] == 2
    assert out["reconciled"] is True
    assert out["read"] == out["loaded"] + out["quarantined"]
    assert counts == {"Person": 3, "Company": 1, "Account": 1, "Case": 1, "OWNS": 1, "HOLDS": 1,
                      "TRANSFER": 2, "SUBJECT_OF": 1}
    with open(report.quarantine_file, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    reasons = {(r["file"], r["row"]): (r["column"], r["reason"]) for r in rows}
    levels = {(r["file"], r["row"]): r["level"] for r in rows}
    assert reasons[("people.csv", "3")][0] == "dob" and "impossible date" in reasons[("people.csv", "3")][1]
    assert reasons[("people.csv", "4")][0] == "dob" and "US order" in reasons[("people.csv", "4")][1]
    assert levels[("people.csv", "3")] == levels[("people.csv", "4")] == "field"
    assert levels[("people.csv", "5")] == "record"
    assert "duplicate id 'P1'" in reasons[("people.csv", "5")][1]
    assert "ragged row" in reasons[("people.csv", "7")][1]
    assert "duplicate id 'P1'" in reasons[("companies.csv", "3")][1]
    assert "unknown relation type" in reasons[("relationships.csv", "4")][1]
    assert "unknown id 'C9'" in reasons[("relationships.csv", "5")][1]
    assert reasons[("relationships.csv", "6")][0] == "share_pct"
    assert "negative" in reasons[("transfers.csv", "3")][1]
    assert "not an amount" in reasons[("transfers.csv", "4")][1]
    assert reasons[("transfers.csv", "5")][0] == "date"
    assert "unknown id 'NOPE'" in reasons[("transfers.csv", "6")][1]
    assert "duplicate id 'T1'" in reasons[("transfers.csv", "7")][1]
    assert json.loads(rows[0]["raw"]) == {"dob": "1981-02-30"}


def test_a_bad_date_of_birth_keeps_the_person_with_the_raw_text(bad_bundle: Path, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        load_bundle(store, bad_bundle, tmp_path / "q")
        lena, tom = store.get_entity("OP-T-01/P2"), store.get_entity("OP-T-01/P3")
    assert lena.props == {"name": "Lena Vance", "dob_raw": "1981-02-30"}
    assert tom.props == {"name": "Tom Vance", "dob_raw": "09/15/1985"}


def test_partial_dates_of_birth_stay_partial(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "b", {"people.csv": [["id", "name", "dob"], ["P1", "A", "1984"],
                                                          ["P2", "B", "March 1984"], ["P3", "C", "23 Mar 1984"]]})
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        report = load_bundle(store, folder, tmp_path / "q")
        dobs = [store.get_entity(f"OP-T-01/P{i}").props["dob"] for i in (1, 2, 3)]
    assert dobs == ["1984", "1984-03", "1984-03-23"]
    assert report.fields_dropped == 0


def test_values_are_cleaned_and_provenance_kept(bad_bundle: Path, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        load_bundle(store, bad_bundle, tmp_path / "q")
        p1 = store.get_entity("OP-T-01/P1")
        t1, t6 = store.get_relations(["OP-T-01/T1", "OP-T-01/T6"])
        case = store.get_entity("OP-T-01/case")
    assert p1.props == {"name": "Marcus Ellery VANCE", "dob": "1979-09-03", "nickname": "Mv"}
    assert p1.provenance[0].citation() == "Exhibit MV/1 p.3"
    assert (p1.provenance[0].file, p1.provenance[0].row) == ("people.csv", 2)
    assert t1.props["amount"] == "1250.00" and t1.props["currency"] == "GBP"
    assert t6.props["amount"] == "1650000" and t6.props["amount_currency"] == "AED"
    assert case.props["proceedings_started"] == "2019-03-15"
    assert case.props["order"]["benefit"] == "750000" and case.props["order"]["due"] == "2020-11-20"


def test_loading_twice_changes_nothing(bad_bundle: Path, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        first = load_bundle(store, bad_bundle, tmp_path / "q")
        before = (store.counts(), list(store.iter_entities()), list(store.iter_relations()))
        second = load_bundle(store, bad_bundle, tmp_path / "q")
        after = (store.counts(), list(store.iter_entities()), list(store.iter_relations()))
    assert before == after
    assert first.entities_written > 0 and second.entities_written == 0 and second.relations_written == 0
    assert second.to_dict()["files"] == first.to_dict()["files"]


def test_zip_bundle_loads_and_unsafe_zip_is_refused(bad_bundle: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in bad_bundle.iterdir():
            zf.write(f, f"OP-T-01/{f.name}")
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        assert load_bundle(store, archive, tmp_path / "q").to_dict()["files"]["transfers.csv"]["loaded"] == 2
        assert store.counts()["TRANSFER"] == 2 and store.counts()["Person"] == 3
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../case.json", "{}")
    with SQLiteStore(tmp_path / "db2.sqlite") as store, pytest.raises(InvalidRecord, match="unsafe"):
        load_bundle(store, evil, tmp_path / "q")


@pytest.mark.parametrize("case, message", [
    ({"subjects": []}, "case_id"),
    ({**CASE, "lifestyle": "maybe"}, "lifestyle"),
    ({**CASE, "proceedings_started": "the ides of March 2019"}, "not a date"),
])
def test_broken_case_json_is_a_clear_error(tmp_path: Path, case: dict, message: str) -> None:
    folder = write_bundle(tmp_path / "b", {}, case)
    with SQLiteStore(tmp_path / "db.sqlite") as store, pytest.raises(InvalidRecord, match=message):
        load_bundle(store, folder, tmp_path / "q")


def test_unknown_subject_is_quarantined(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "b", {"people.csv": [["id", "name"], ["P2", "Someone"]]})
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        report = load_bundle(store, folder, tmp_path / "q").to_dict()
    assert report["files"]["case.json"] == {"read": 2, "loaded": 1, "quarantined": 1}


cell = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", "P1", "C1", "A1", "OWNS", "TRANSFER", "(12.00)", "£1,234.56", "29/02/2020", "2019-02-29", "1e9",
     "\x00", "\ufeff", '"', "\r\n", "NaN", "-0", "100%"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.lists(cell, min_size=1, max_size=5), max_size=25),
       rels=st.lists(st.lists(cell, min_size=1, max_size=6), max_size=25),
       transfers=st.lists(st.lists(cell, min_size=1, max_size=9), max_size=25))
def test_hostile_rows_never_crash_and_always_reconcile(tmp_path_factory, people, rels, transfers) -> None:
    tmp = tmp_path_factory.mktemp("h")
    folder = write_bundle(tmp / "b", {
        "people.csv": [["id", "name", "dob", "aliases", "x"], *people],
        "relationships.csv": [["from_id", "to_id", "type", "share_pct", "start_date", "end_date"], *rels],
        "transfers.csv": [["id", "date", "from_id", "to_id", "amount", "currency", "consideration", "asset_id",
                           "asset_value"], *transfers],
    })
    with SQLiteStore(tmp / "db.sqlite") as store:
        report = load_bundle(store, folder, tmp / "q").to_dict()
        again = load_bundle(store, folder, tmp / "q").to_dict()
    assert report["reconciled"] and report["read"] == report["loaded"] + report["quarantined"]
    assert again["entities_written"] == 0 and again["relations_written"] == 0


def test_an_unreadable_csv_record_does_not_hide_the_rows_after_it(tmp_path: Path) -> None:
    from ingest.csvio import BadRow, CsvRow, read_csv

    big = "x" * (11 * 1024 * 1024)
    (tmp_path / "f.csv").write_text(f'id,name\n1,ok\n2,"{big}"\n3,after\n', encoding="utf-8")
    rows = list(read_csv(tmp_path / "f.csv"))
    assert isinstance(rows[1], BadRow) and "unreadable" in rows[1].reason
    assert isinstance(rows[-1], CsvRow) and rows[-1].data == {"id": "3", "name": "after"}
