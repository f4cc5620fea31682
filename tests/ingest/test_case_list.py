"""The case-list CSV: cases and SUBJECT_OF links from a revisit team's ledger of old orders."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle
from ingest.case_list import _is_case_list, load_case_list
from ingest.formats import get_reader
from queries.revisit import sweep

HEADER = ["case_id", "subjects", "subject_dataset", "order_date", "due", "benefit", "amount", "payments", "status",
          "force", "region"]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def test_rows_become_cases_and_bad_rows_are_quarantined(sqlite_store: SQLiteStore, demo_bundle: Path,
                                                        tmp_path: Path) -> None:
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    path = _write(tmp_path / "cases.csv", [
        ["OP-OLD-1", "P7", "OP-DEMO-01", "10/01/2020", "", "£90,000", "50000", "2020-03-01:10000;2021-01-01:5000",
         "active", "West Yorkshire Police", "Yorkshire and the Humber"],
        ["OP-OLD-2", "OP-DEMO-01/P2 ; OP-DEMO-01/P3", "", "2019-05-01", "2019-08-01", "80000", "20000", "20000",
         "Deceased", "", ""],
        ["OP-OLD-3", "NOPE", "", "2019-05-01", "", "1", "1", "", "active", "", ""],          # unknown subject
        ["OP-OLD-4", "OP-DEMO-01/C1", "", "2019-05-01", "", "1", "1", "", "active", "", ""],  # not a person
        ["OP-OLD-5", "OP-DEMO-01/P7", "", "2019-13-01", "", "1", "1", "", "active", "", ""],  # bad date
        ["OP-OLD-6", "OP-DEMO-01/P7", "", "2019-05-01", "", "1", "1", "", "retired", "", ""],  # bad status
        ["OP-OLD-7", "OP-DEMO-01/P7", "", "2019-05-01", "", "1", "5000 AED", "", "active", "", ""],  # not GBP
        ["OP-OLD-8", "OP-DEMO-01/P7", "", "2019-05-01", "", "1", "1", "May:10", "active", "", ""],  # bad payment
    ])
    assert _is_case_list(path)
    report = load_case_list(sqlite_store, path, tmp_path / "q")
    assert (report.read, report.loaded, report.quarantined) == (8, 2, 6)
    reasons = Path(report.quarantine_file).read_text(encoding="utf-8")
    for text in ("'NOPE' is not a person", "'OP-DEMO-01/C1' is not a person", "status must be one of",
                 "must be in GBP", "not DATE:AMOUNT"):
        assert text in reasons
    one = sqlite_store.get_entity("OP-OLD-1/case")
    assert one.props["order"] == {"date": "2020-01-10", "due": "2020-01-10", "benefit": "90000",
                                  "amount": "50000", "payments": [{"date": "2020-03-01", "amount": "10000"},
                                                                  {"date": "2021-01-01", "amount": "5000"}]}
    assert (one.props["status"], one.props["force"], one.props["subjects"]) == (
        "active", "West Yorkshire Police", ["OP-DEMO-01/P7"])
    assert one.provenance[0].citation() == "cases.csv row 2"
    two = sqlite_store.get_entity("OP-OLD-2/case")
    assert two.props["status"] == "deceased" and two.props["order"]["payments"] == [
        {"date": "2019-08-01", "amount": "20000"}]  # a bare amount is paid on the due date
    links = {(r.source, r.target) for r in sqlite_store.iter_relations(["SUBJECT_OF"])}
    assert {("OP-DEMO-01/P7", "OP-OLD-1/case"), ("OP-DEMO-01/P2", "OP-OLD-2/case"),
            ("OP-DEMO-01/P3", "OP-OLD-2/case")} <= links
    again = load_case_list(sqlite_store, path, tmp_path / "q")
    assert (again.entities_written, again.relations_written) == (0, 0)


def test_a_list_row_lays_its_figures_over_a_bundle_case(sqlite_store: SQLiteStore, demo_bundle: Path,
                                                        tmp_path: Path) -> None:
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    path = _write(tmp_path / "ledger.csv", [
        ["OP-DEMO-01", "P1", "", "2023-02-10", "2023-05-10", "1850000", "400000",
         "2023-04-28:150000;2023-05-09:50000;2025-01-15:100000", "abroad", "WYP", "Yorkshire"]])
    report = get_reader("case-list")(sqlite_store, path, tmp_path / "q", {})
    assert report.quarantined == 0
    case = sqlite_store.get_entity("OP-DEMO-01/case")
    assert case.props["proceedings_started"] == "2021-03-10"  # kept from case.json
    assert case.props["status"] == "abroad" and case.props["region"] == "Yorkshire"
    assert len(case.props["order"]["payments"]) == 3
    assert [p.file for p in case.provenance] == ["case.json", "ledger.csv"]
    assert [r.id for r in sqlite_store.iter_relations(["SUBJECT_OF"])] == ["OP-DEMO-01/SUBJECT:P1"]
    (entry,) = sweep(sqlite_store, on="2026-06-30")["ranked"]
    assert entry["status"] == "abroad" and entry["force"] == "WYP"
    assert entry["figures"]["paid"] == 300000.0 and entry["figures"]["citation"] == "ledger.csv row 2"


def test_subject_dataset_option_and_detection(sqlite_store: SQLiteStore, demo_bundle: Path, tmp_path: Path) -> None:
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    header = ["case_id", "subjects", "order_date", "amount", "benefit"]
    path = _write(tmp_path / "short.csv", [["OP-OLD-9", "P7", "2020-01-01", "1000", "5000"]], header)
    report = get_reader("case-list")(sqlite_store, path, tmp_path / "q", {"subject_dataset": "OP-DEMO-01"})
    assert report.loaded == 1
    assert sqlite_store.get_entity("OP-OLD-9/case").props["status"] == "active"
    other = tmp_path / "people.csv"
    other.write_text("id,name\nP1,X\n", encoding="utf-8")
    assert not _is_case_list(other) and not _is_case_list(tmp_path)


def test_an_unreadable_optional_field_costs_the_field(sqlite_store: SQLiteStore, demo_bundle: Path,
                                                      tmp_path: Path) -> None:
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    header = [*HEADER, "proceedings_started", "lifestyle", "convictions"]
    path = _write(tmp_path / "ledger.csv", [
        # benefit in another currency, a month-13 proceedings date, an unknown lifestyle: the case still loads
        ["OP-OLD-1", "P7", "OP-DEMO-01", "10 Jan 2020", "", "5000 AED", "50000", "", "active", "", "",
         "2019-13-01", "maybe", "2019-06-01;March 2019"],
        ["OP-OLD-2", "P7", "OP-DEMO-01", "10/01/2020", "31/02/2020", "1", "1", "", "active", "", "",
         "", "", ""],  # an impossible due date changes the time to pay: the row is quarantined
    ], header)
    report = load_case_list(sqlite_store, path, tmp_path / "q")
    assert (report.read, report.loaded, report.quarantined, report.fields_dropped) == (2, 1, 1, 4)
    case = sqlite_store.get_entity("OP-OLD-1/case")
    assert case.props["order"]["date"] == "2020-01-10" and case.props["order"]["benefit"] is None
    assert case.props["order"]["benefit_raw"] == "5000 AED"
    assert case.props["proceedings_started_raw"] == "2019-13-01" and "proceedings_started" not in case.props
    assert case.props["lifestyle_raw"] == "maybe" and "lifestyle" not in case.props
    assert case.props["convictions_raw"] == "2019-06-01;March 2019"  # a month is not a day of conviction
    with open(report.quarantine_file, encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    assert {(r["row"], r["level"], r["column"]) for r in lines} == {
        ("2", "field", "benefit"), ("2", "field", "proceedings_started"), ("2", "field", "lifestyle"),
        ("2", "field", "convictions"), ("3", "record", "due")}
    assert report.notes["date_forms"]["order_date"] == {"DD-Mon-YYYY": 1, "DD/MM/YYYY": 1}


_CELL = st.one_of(st.sampled_from(["", "P7", "OP-DEMO-01/P7", "2020-02-30", "10/01/2020", "Jan 2020", "£1,000",
                                   "1000 AED", "(5)", "2020-01-01:10;x", "active", "deceased", "yes", "maybe",
                                   "OP-X", "\x00", "=1+1"]), st.text(max_size=8))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, min_size=0, max_size=16), min_size=20, max_size=60), repeat=st.integers(5, 20))
def test_hostile_case_lists_reconcile(rows: list[list[str]], repeat: int, demo_db_once: Path,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """Hostile ledgers: every row is loaded or quarantined (a field-level line at most), never an exception."""
    import shutil

    tmp = tmp_path_factory.mktemp("caselist")
    db = tmp / "db.sqlite"
    shutil.copy(demo_db_once, db)
    header = [*HEADER, "proceedings_started", "valuation_date", "lifestyle", "convictions", "source"]
    path = _write(tmp / "cases.csv", [[f"OP-H-{i}", *r[1:]] if r else r for i, r in enumerate(rows * repeat)],
                  header)
    with SQLiteStore(db) as store:
        first = load_case_list(store, path, tmp / "q", subject_dataset="OP-DEMO-01")
        again = load_case_list(store, path, tmp / "q", subject_dataset="OP-DEMO-01")
    assert first.read == first.loaded + first.quarantined and all(f.reconciles for f in first.files.values())
    assert (again.read, again.loaded, again.quarantined) == (first.read, first.loaded, first.quarantined)


@pytest.fixture(scope="module")
def demo_db_once(tmp_path_factory: pytest.TempPathFactory, demo_bundle: Path) -> Path:
    root = tmp_path_factory.mktemp("caselist-demo")
    with SQLiteStore(root / "demo.db") as store:
        load_bundle(store, demo_bundle, root / "q")
    return root / "demo.db"
