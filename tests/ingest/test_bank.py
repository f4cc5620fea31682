"""Bank statements: layout detection, Nationwide samples, counterparties, balances, fuzzing, CLI."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidRecord
from graph.sqlite_store import SQLiteStore
from ingest.bank import Layout, detect_layout, load_layout, load_statement, shipped_layouts
from ingest.counterparty import parse_counterparty

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
NATIONWIDE = FIXTURES / "nationwide_uk"
ROOT = Path(__file__).resolve().parents[2]


def _load(store: SQLiteStore, path: Path, tmp: Path, **options: object) -> dict:
    return load_statement(store, path, tmp / "q", options).to_dict()


@pytest.mark.parametrize(("name", "layout", "counts"), [
    ("test-statement.csv", "nationwide-statement", (6, 6, 0)),
    ("statement-with-interest.csv", "nationwide-statement", (8, 8, 0)),
    ("test-midata.csv", "nationwide-midata", (8, 8, 0)),
    ("midata-with-interest.csv", "nationwide-midata", (10, 10, 0)),
    ("bad-statement-1.csv", "nationwide-statement", (3, 2, 1)),
    ("bad-statement-2.csv", "nationwide-statement", (3, 2, 1)),
    ("bad-statement-3.csv", "nationwide-statement", (3, 3, 0)),
    ("bad-statement-4.csv", "nationwide-statement", (3, 2, 1)),
    ("bad-midata-1.csv", "nationwide-midata", (3, 2, 1)),
    ("bad-midata-2.csv", "nationwide-midata", (3, 2, 1)),
    ("bad-midata-3.csv", "nationwide-midata", (3, 3, 0)),
    ("bad-midata-4.csv", "nationwide-midata", (3, 2, 1)),
])
def test_nationwide_samples_load_with_no_options(name: str, layout: str, counts: tuple[int, int, int],
                                                 tmp_path: Path) -> None:
    assert detect_layout(NATIONWIDE / name)[0].name == layout
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, NATIONWIDE / name, tmp_path)
        again = _load(store, NATIONWIDE / name, tmp_path)
    assert (out["read"], out["loaded"], out["quarantined"]) == counts
    assert out["reconciled"] and out["dataset"] == "bank-12345"
    assert again["entities_written"] == again["relations_written"] == 0


def test_bad_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    reasons = {}
    with SQLiteStore(tmp_path / "db") as store:
        for name in ("bad-statement-1.csv", "bad-statement-2.csv", "bad-statement-4.csv", "bad-midata-4.csv"):
            report = load_statement(store, NATIONWIDE / name, tmp_path / "q", {})
            with open(report.quarantine_file, encoding="utf-8") as fh:
                (row,) = list(csv.DictReader(fh))
            reasons[name] = (row["row"], row["column"], row["reason"])
        anomaly = [t for t in store.iter_relations(["TRANSFER"]) if t.props.get("format_anomaly")]
        load_statement(store, NATIONWIDE / "bad-statement-3.csv", tmp_path / "q", {})
        anomaly = [t for t in store.iter_relations(["TRANSFER"]) if t.props.get("format_anomaly")]
    assert reasons["bad-statement-1.csv"][0] == "6" and "ragged row: 7 cells" in reasons["bad-statement-1.csv"][2]
    assert "ragged row: 5 cells" in reasons["bad-statement-2.csv"][2]
    assert reasons["bad-statement-4.csv"][1] == "date" and "'99 Jan 2025'" in reasons["bad-statement-4.csv"][2]
    assert "26/05/2025T12:00:00Z" in reasons["bad-midata-4.csv"][2]
    # A balance printed without the £ the bank always prints loads, flagged for the analyst.
    assert len(anomaly) == 1 and "Balance" in anomaly[0].props["format_anomaly"]


def test_nationwide_values_and_counterparties(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        _load(store, NATIONWIDE / "test-statement.csv", tmp_path, holder="Marcus Ellery VANCE")
        _load(store, NATIONWIDE / "test-midata.csv", tmp_path)
        transfers = {(t.provenance[0].file, t.provenance[0].row): t for t in store.iter_relations(["TRANSFER"])}
        account = store.get_entity("bank-12345/account:12345")
        john = transfers[("test-statement.csv", 10)]
        cp = store.get_entity(john.source)
        coffee = transfers[("test-midata.csv", 4)]
        shop = store.get_entity(coffee.target)
        holds = list(store.iter_relations(["HOLDS"]))
        holder = store.get_entity(holds[0].source)
    assert account is not None and account.props["institution"] == "Nationwide Building Society"
    assert account.props["account_number"] == "****12345" and account.props["name"] == "Foo current"
    assert john.props["date"] == "2025-06-28" and john.props["amount"] == "100.00" and john.props["direction"] == "in"
    assert john.target == account.id and john.props["currency"] == "GBP" and john.props["balance"] == "230.00"
    assert cp is not None and cp.kind == "Account" and cp.props["name"] == "JOHN SMITH"
    assert (cp.props["sort_code"], cp.props["account_number"]) == ("01-23-45", "12345678")
    assert cp.props["parsed_from_description"] is True
    assert coffee.source == account.id and coffee.props["amount"] == "52.00" and coffee.props["date"] == "2025-07-19"
    assert shop is not None and shop.kind == "Company" and shop.props["name"] == "A COFFEE SHOP"
    assert holder is not None and holder.kind == "Person" and holder.props["name"] == "Marcus Ellery VANCE"
    assert holds[0].target == account.id
    assert not any(t.props.get("balance_mismatch") for t in transfers.values())  # midata runs newest first


def test_balance_breaks_are_flagged_not_rejected(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, NATIONWIDE / "statement-with-interest.csv", tmp_path)
        flagged = sorted(t.provenance[0].row for t in store.iter_relations(["TRANSFER"])
                         if t.props.get("balance_mismatch"))
        row12 = [t for t in store.iter_relations(["TRANSFER"]) if t.provenance[0].row == 12][0]
    assert out["quarantined"] == 0 and flagged == [12, 13]
    assert row12.props["balance_mismatch"] == "expected balance 231.00, statement says 101.00"


@pytest.mark.parametrize(("type_text", "description", "expected"), [
    ("", "FPO K WHITLOCK", ("K WHITLOCK", "Person", "FPO")),
    ("FPO", "K WHITLOCK RENT SEPT 300000000123456789", ("K WHITLOCK", "Person", "FPO")),
    ("", "BGC ACME HOLDINGS PLC INV 442", ("ACME HOLDINGS PLC", "Company", "BGC")),
    ("", "DD BRITISH GAS", ("BRITISH GAS", "Company", "DD")),
    ("", "TFR J HARGREAVES DEPOSIT", ("J HARGREAVES", "Person", "TFR")),
    ("", "VIS/POS AMAZON UK", ("AMAZON", "Company", "VIS/POS")),
    ("", "SO MRS J P SMITH HOUSEKEEPING", ("MRS J P SMITH", "Person", "SO")),
    ("Direct debit ABC WATER BILL", "ABC WATER BILL", ("ABC WATER BILL", "Company", "direct debit")),
    ("Transfer from PATRICK BATEMAN", "*******", ("PATRICK BATEMAN", "Person", "transfer from")),
    ("", "*****", (None, "Account", "none")),
])
def test_parse_counterparty(type_text: str, description: str, expected: tuple) -> None:
    assert tuple(parse_counterparty(type_text, description)[:3]) == expected


def test_shipped_layouts_cover_the_three_shapes() -> None:
    layouts = {lay.name: lay for lay in shipped_layouts()}
    assert len(layouts) >= 3
    assert "amount" in layouts["nationwide-midata"].columns  # signed amount
    assert {"out", "in"} <= set(layouts["nationwide-statement"].columns)  # paid out / paid in
    assert {"out", "in", "balance"} <= set(layouts["lloyds"].columns)  # debit / credit with balance
    assert load_layout("barclays").institution == "Barclays Bank UK PLC"


def test_bad_mapping_fails_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InvalidRecord, match="unknown column role 'amout'"):
        Layout.from_dict({"columns": {"date": "Date", "amout": "Amount"}})
    with pytest.raises(InvalidRecord, match="needs 'amount'"):
        Layout.from_dict({"columns": {"date": "Date"}})
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="no known statement header") as refused, \
            SQLiteStore(tmp_path / "db") as store:
        load_statement(store, junk, tmp_path / "q")
    assert "layouts tried: " in str(refused.value) and "revolut" in str(refused.value)


def test_custom_mapping_and_generic_header(tmp_path: Path) -> None:
    card = tmp_path / "card.csv"
    card.write_text("Posted,Details,Charge\n2024-01-03,AMAZON MARKETPLACE,19.99\n2024-01-05,REFUND AMAZON,-5.00\n",
                    encoding="utf-8")
    mapping = tmp_path / "card.yaml"
    mapping.write_text("name: card\ncolumns: {date: Posted, description: Details, amount: Charge}\n"
                       "amount_sign: out_positive\ninstitution: Test Card Co\n", encoding="utf-8")
    generic = tmp_path / "generic.csv"
    generic.write_text("\ufeffTransaction Date,Payee,Money Out,Money In\n03/02/2024,Mr K Whitlock,10.00,\n",
                       encoding="utf-8")
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, card, tmp_path, mapping=str(mapping), account="CARD-1")
        directions = sorted(t.props["direction"] for t in store.iter_relations(["TRANSFER"], out["dataset"]))
        gen = _load(store, generic, tmp_path)
    assert out["loaded"] == 2 and out["dataset"] == "bank-card-1" and directions == ["in", "out"]
    assert gen["loaded"] == 1 and detect_layout(generic)[0].name == "generic"


def test_xlsx_statement_streams_through_openpyxl(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Lloyds Bank statement export"])
    ws.append([])
    ws.append(["Transaction Date", "Transaction Type", "Sort Code", "Account Number", "Transaction Description",
               "Debit Amount", "Credit Amount", "Balance"])
    ws.append([datetime(2023, 9, 1), "BGC", "30-94-57", 12345678, "VANCE LOGISTICS LTD SALARY", None, 4000, 5000])
    ws.append([datetime(2023, 9, 2), "FPO", "30-94-57", 12345678, "K WHITLOCK RENT", 1250.1, None, 3749.9])
    ws.append(["not a date", "FPO", "30-94-57", 12345678, "BAD ROW", 1, None, 3748.9])
    wb.save(tmp_path / "stmt.xlsx")
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, tmp_path / "stmt.xlsx", tmp_path)
        rent = [t for t in store.iter_relations(["TRANSFER"]) if t.props["direction"] == "out"][0]
    assert (out["read"], out["loaded"], out["quarantined"]) == (3, 2, 1)
    assert rent.props["amount"] == "1250.10" and rent.props["date"] == "2023-09-02"
    assert rent.source == "bank-30-94-57-12345678/account:30-94-57-12345678"
    assert "balance_mismatch" not in rent.props


_CELL = st.one_of(
    st.sampled_from(["", "£12.50", "-£3.00", "+£7.00", "(12.00)", "£1,234.56", "12", "abc", "£", "0.00",
                     "13 Jun 2025", "99 Jan 2025", "31/02/2024", "2025-06-01", "FPO K WHITLOCK", "DD",
                     "Transfer from JOHN SMITH", "012345 12345678", "*****", "Arranged Overdraft Limit"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12))
_ROW = st.one_of(st.lists(_CELL, min_size=6, max_size=6), st.lists(_CELL, min_size=6, max_size=6),
                 st.lists(_CELL, min_size=0, max_size=8))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed_rows=st.lists(_ROW, min_size=25, max_size=40), repeat=st.integers(12, 16), rnd=st.randoms(),
       crlf=st.booleans())
def test_hostile_rows_never_escape_and_reconcile(seed_rows: list[list[str]], repeat: int, rnd, crlf: bool,
                                                 tmp_path_factory) -> None:
    """~11,000 hostile rows per run: hypothesis picks the rows, repetition and shuffling make the file big."""
    rows = seed_rows * repeat
    rnd.shuffle(rows)
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / "stmt.csv"
    with open(path, "w", encoding="cp1252", errors="replace", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(["Account Name:", "Foo current ****12345"])
        writer.writerow([])
        writer.writerow(["Date", "Transaction type", "Description", "Paid out", "Paid in", "Balance"])
        writer.writerows(rows)
    with SQLiteStore(tmp / "db") as store:
        first = load_statement(store, path, tmp / "q", {})
        second = load_statement(store, path, tmp / "q", {})
    assert first.read == first.loaded + first.quarantined
    assert all(f.reconciles for f in first.files.values())
    assert second.entities_written == 0 and second.relations_written == 0
    assert (second.read, second.loaded) == (first.read, first.loaded)


def test_cli_loads_a_nationwide_file_with_no_format(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J", "ASSETGRAPH"))}
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "--db", str(tmp_path / "x.db"), "load",
         str(NATIONWIDE / "test-statement.csv"), "--json", "--quarantine-dir", str(tmp_path / "q")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["format"] == "bank" and (out["read"], out["loaded"], out["quarantined"]) == (6, 6, 0)
    assert out["reconciled"] is True
