"""Mapped CSV/XLSX (i2-style import specification): checking, loading, quarantine, fuzzing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidRecord
from graph.sqlite_store import SQLiteStore
from ingest.formats import get_reader
from ingest.mapped_csv import load_mapped, load_mapping

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mapped_csv"
MAPPING = FIXTURES / "officers.yaml"


def test_example_mapping_loads(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = load_mapped(store, FIXTURES / "officers.csv", MAPPING, tmp_path / "q").to_dict()
        again = load_mapped(store, FIXTURES / "officers.csv", MAPPING, tmp_path / "q").to_dict()
        counts = store.counts()
        vance = store.get_entity("liquidator-2024/person:O1")
        company = store.get_entity("liquidator-2024/company:07654321")
        links = {(r.source, r.target): r for r in store.iter_relations(["DIRECTOR_OF"])}
    assert (out["read"], out["loaded"], out["quarantined"], out["fields_dropped"]) == (6, 4, 2, 1) and out["reconciled"]
    assert again["entities_written"] == again["relations_written"] == 0
    assert counts == {"Company": 3, "Person": 3, "DIRECTOR_OF": 4}  # a bad date costs the date, not the company
    assert vance is not None and vance.kind == "Person" and vance.props["dob"] == "1979-09-03"
    assert vance.props["aliases"] == ["Mv", "M E Vance"]
    assert company is not None and company.props["incorporated"] == "2014-03-02"
    lena = links[("liquidator-2024/person:O2", "liquidator-2024/company:07654321")]
    assert lena.props == {"role": "secretary", "start_date": "2016-06-01"}


def test_quarantine_reasons(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        report = load_mapped(store, FIXTURES / "officers.csv", MAPPING, tmp_path / "q")
    with open(report.quarantine_file, encoding="utf-8") as fh:
        rows = {r["row"]: r for r in csv.DictReader(fh)}
    assert rows["5"]["level"] == "field" and rows["5"]["column"] == "incorporated"
    assert "impossible date" in rows["5"]["reason"] and "incorporated" in rows["5"]["reason"]
    assert rows["6"]["column"] == "officer_id" and "person end has no id" in rows["6"]["reason"]
    assert "ragged row" in rows["8"]["reason"]


@pytest.mark.parametrize(("mapping", "message"), [
    ({"records": [{"kind": "Vehicle", "id": "reg"}]}, "unknown kind 'Vehicle'"),
    ({"records": [{"kind": "Person", "id": "x", "properties": {"nme": "name"}}]}, "Person has no property 'nme'"),
    ({"records": [{"kind": "Person"}]}, "needs 'id'"),
    ({"records": [{"kind": "OWNS", "from": {"kind": "Person", "id": "p"}}]}, "needs 'to:"),
    ({"records": [{"kind": "Person", "id": "p"}, {"kind": "OWNS", "from": {"kind": "Person", "id": "p"},
                                                   "to": {"kind": "Company", "id": "c"}}]}, "not an entity record"),
    ({"records": [{"kind": "Person", "id": "p", "properties": {"dob": {"column": "d", "type": "when"}}}]},
     "needs a column name and a type"),
    ({"records": []}, "non-empty 'records'"),
    ({"date_order": "myd", "records": [{"kind": "Person", "id": "p"}]}, "date_order must be one of"),
    ({"date_pivot": 1999, "records": [{"kind": "Person", "id": "p"}]}, "date_pivot must be a two-digit year"),
    ({"records": [{"kind": "Person", "id": "p", "properties": {"dob": {"column": "d", "type": "date",
                                                                        "date_order": 3}}}]}, "date_order"),
])
def test_bad_mappings_fail_before_reading(mapping: dict, message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        load_mapping(mapping)


def test_missing_columns_and_missing_mapping(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with SQLiteStore(tmp_path / "db") as store:
        with pytest.raises(InvalidRecord, match="columns not in the header: aliases, appointed, company_name"):
            load_mapped(store, path, MAPPING, tmp_path / "q")
        with pytest.raises(InvalidRecord, match="needs a mapping"):
            get_reader("csv")(store, path, tmp_path / "q", {})


def test_xlsx_and_transfers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Payments"
    ws.append(["payer", "payee", "paid_on", "amount"])
    ws.append(["P1", "P2", "2021-03-01", "£1,500.00"])
    ws.append(["P1", "P3", "01/04/2021", "(12.00)"])
    wb.save(tmp_path / "pay.xlsx")
    mapping = {"sheet": "Payments", "records": [
        {"kind": "Person", "id": "payer", "properties": {}},
        {"kind": "Person", "id": "payee"},
        {"kind": "TRANSFER", "from": {"kind": "Person", "id": "payer"}, "to": {"kind": "Person", "id": "payee"},
         "properties": {"date": {"column": "paid_on", "type": "date"},
                        "amount": {"column": "amount", "type": "money"}}}]}
    with SQLiteStore(tmp_path / "db") as store:
        out = load_mapped(store, tmp_path / "pay.xlsx", mapping, tmp_path / "q").to_dict()
        (transfer,) = list(store.iter_relations(["TRANSFER"]))
    assert (out["loaded"], out["quarantined"]) == (1, 1) and out["dataset"] == "csv-pay"
    assert transfer.props == {"date": "2021-03-01", "amount": "1500.00"}


def test_date_order_pivot_and_partial_dates(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("id,name,born,paid_on,amount,seen\n"
                    "P1,Ann,1984,03/23/2006,10,23-06-01\n"      # a year stays a year; US order as the spec says
                    "P2,Bob,March 1979,12/31/2019,20,99-12-31\n"
                    "P3,Cy,31/02/1980,13/01/2020,30,\n"        # impossible dob: the field; no such US day: the row
                    "P4,Di,,02/30/2020,,\n", encoding="utf-8")
    mapping = {"date_order": "mdy", "date_pivot": 30, "records": [
        {"kind": "Person", "id": "id", "properties": {
            "name": "name", "dob": {"column": "born", "type": "date", "date_order": "dmy"},
            "x_seen": {"column": "seen", "type": "day", "date_order": "ymd"}}},
        {"kind": "Person", "id": "name", "id_prefix": "payee"},
        {"kind": "TRANSFER", "from": {"kind": "Person", "id": "id"}, "to": {"kind": "Person", "id": "name",
                                                                           "id_prefix": "payee"},
         "properties": {"date": {"column": "paid_on", "type": "date"},
                        "amount": {"column": "amount", "type": "money"}}}]}
    with SQLiteStore(tmp_path / "db") as store:
        report = load_mapped(store, path, mapping, tmp_path / "q")
        people = {e.source_id: e.props for e in store.iter_entities(["Person"])}
        transfers = {r.props["date"] for r in store.iter_relations(["TRANSFER"])}
    assert (report.read, report.loaded, report.quarantined, report.fields_dropped) == (4, 2, 2, 0)
    assert people["person:P1"]["dob"] == "1984" and people["person:P2"]["dob"] == "1979-03"
    assert people["person:P1"]["x_seen"] == "2023-06-01" and people["person:P2"]["x_seen"] == "1999-12-31"
    assert transfers == {"2006-03-23", "2019-12-31"}  # a transfer's date is a day, read in the stated order
    with open(report.quarantine_file, encoding="utf-8") as fh:
        rows = {r["row"]: r for r in csv.DictReader(fh)}
    assert rows["4"]["column"] == "paid_on" and "'13/01/2020' is not a date in mdy order" in rows["4"]["reason"]
    assert rows["5"]["column"] == "paid_on" and "02/30/2020" in rows["5"]["reason"]
    assert report.notes["date_forms"]["paid_on"]["DD/MM/YYYY"] == 2


def test_required_field(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,name,born\nP1,Ann,1984-02-30\nP2,,1984\n", encoding="utf-8")
    mapping = {"records": [{"kind": "Person", "id": "id", "properties": {
        "name": {"column": "name", "required": True}, "dob": {"column": "born", "type": "date"}}}]}
    with SQLiteStore(tmp_path / "db") as store:
        report = load_mapped(store, path, mapping, tmp_path / "q")
        (ann,) = list(store.iter_entities(["Person"]))
    assert (report.loaded, report.quarantined, report.fields_dropped) == (1, 1, 1)
    assert ann.props == {"name": "Ann", "dob_raw": "1984-02-30"}


_CELL = st.one_of(st.sampled_from(["", "O1", "07654321", "2020-02-30", "03/09/1979", "a;b", "x" * 50]),
                  st.text(max_size=10))
_ROW = st.one_of(st.lists(_CELL, min_size=9, max_size=9), st.lists(_CELL, min_size=0, max_size=11))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed_rows=st.lists(_ROW, min_size=25, max_size=40), repeat=st.integers(12, 16), rnd=st.randoms())
def test_hostile_rows_never_escape(seed_rows: list, repeat: int, rnd, tmp_path_factory) -> None:
    """~11,000 hostile rows per run through the example mapping."""
    rows = seed_rows * repeat
    rnd.shuffle(rows)
    tmp = tmp_path_factory.mktemp("mapfuzz")
    path = tmp / "officers.csv"
    with open(path, "w", encoding="utf-8", errors="replace", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["company_number", "company_name", "incorporated", "officer_id", "officer_name", "dob",
                         "aliases", "role", "appointed"])
        writer.writerows(rows)
    with SQLiteStore(tmp / "db") as store:
        first = load_mapped(store, path, MAPPING, tmp / "q")
        second = load_mapped(store, path, MAPPING, tmp / "q")
    assert first.read == first.loaded + first.quarantined
    assert second.entities_written == 0 and second.relations_written == 0
