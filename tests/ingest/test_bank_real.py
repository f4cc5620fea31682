"""Real bank exports from public repositories (tests/fixtures/real/bank, see its SOURCES.md).

Each loads with no ``--format`` and no ``--mapping``: the format and the layout are detected, the
counts are the ones SOURCES.md states, and loading again writes nothing.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.sqlite_store import SQLiteStore
from ingest.bank import detect_layout, load_statement
from ingest.formats import detect_format

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "bank"
ROOT = Path(__file__).resolve().parents[2]

CORPUS = [
    ("lloyds-sample-statement.csv", "lloyds", (6, 6, 0)),
    ("account-statement_2021-04-01_2021-04-06_en_234567.eur.csv", "revolut", (4, 4, 0)),
    ("account-statement_2022-01-05_2022-01-05_en_234567.eur.csv", "revolut", (2, 1, 1)),
    ("revolut-csv-transactions.eur.csv", "revolut-legacy", (10, 10, 0)),
    ("MonzoDataExport_February2018_2018-02-26_174335.csv", "monzo-2018", (1, 1, 0)),
    ("starling-v2-get-statement.csv", "starling", (2, 2, 0)),
    ("jlp-sample-statement.csv", "jlp-card", (8, 8, 0)),
    ("barclaycard-statement_1.csv", "barclaycard", (1, 1, 0)),
]


def _load(store: SQLiteStore, name: str, tmp: Path) -> dict:
    return load_statement(store, REAL / name, tmp / "q", {}).to_dict()


def _quarantine(report: dict) -> list[dict[str, str]]:
    with open(report["quarantine_file"], encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _transfers(store: SQLiteStore, dataset: str) -> list:
    return sorted(store.iter_relations(["TRANSFER"], dataset), key=lambda t: t.provenance[0].row or 0)


def test_every_real_file_is_listed_in_sources() -> None:
    listed = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    files = {p.name for p in REAL.glob("*.csv")}
    assert files == {name for name, _, _ in CORPUS}
    assert all(f"| {name} |" in listed for name in files)


@pytest.mark.parametrize(("name", "layout", "counts"), CORPUS)
def test_real_exports_load_with_no_options(name: str, layout: str, counts: tuple[int, int, int],
                                           tmp_path: Path) -> None:
    assert detect_format(REAL / name) == "bank"
    assert detect_layout(REAL / name).layout.name == layout
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, name, tmp_path)
        again = _load(store, name, tmp_path)
    assert (out["read"], out["loaded"], out["quarantined"]) == counts
    assert out["reconciled"] is True and out["notes"]["layout"]["name"] == layout
    assert again["entities_written"] == again["relations_written"] == 0


def test_lloyds_header_ending_in_a_comma_loads_every_row(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "lloyds-sample-statement.csv", tmp_path)
        transfers = _transfers(store, out["dataset"])
        account = store.get_entity(transfers[0].source)
    assert out["dataset"] == "bank-99-88-74-1515152252"
    assert account is not None and (account.props["sort_code"], account.props["account_number"]) == \
        ("99-88-74", "1515152252")
    assert [(t.props["direction"], t.props["amount"]) for t in transfers[:4]] == \
        [("out", "8.99"), ("out", "4.79"), ("out", "5975.12"), ("in", "2000.00")]
    # The sample's balances were anonymised out of step on its last row: flagged, not refused.
    assert [t.provenance[0].row for t in transfers if t.props.get("balance_mismatch")] == [7]


def test_revolut_loads_completed_rows_and_quarantines_pending_with_the_state(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "account-statement_2022-01-05_2022-01-05_en_234567.eur.csv", tmp_path)
        (paid,) = _transfers(store, out["dataset"])
    (pending,) = _quarantine(out)
    assert pending["row"] == "3" and pending["column"] == "State"
    assert pending["reason"].startswith("state PENDING: still pending") and "Capperi" in pending["raw"]
    # The money moved on the Completed Date; when it was started is kept beside it.
    assert paid.props["date"] == "2022-01-04" and paid.props["started_date"] == "2022-01-03 10:53:10"
    assert (paid.props["currency"], paid.props["amount"], paid.props["direction"]) == ("EUR", "9.99", "out")
    assert paid.props["description"] == "apple.com/bill" and paid.props["type"] == "CARD_PAYMENT"
    assert paid.props["product"] == "Current" and "balance_mismatch" not in paid.props


def test_revolut_running_balance_holds_across_the_export(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "account-statement_2021-04-01_2021-04-06_en_234567.eur.csv", tmp_path)
        transfers = _transfers(store, out["dataset"])
    assert [t.props["balance"] for t in transfers] == ["113.00", "63.00", "163.00", "114.31"]
    assert not any(t.props.get("balance_mismatch") for t in transfers)
    assert out["notes"]["layout"]["currency"] == "GBP"  # the layout default; each row names EUR
    assert {t.props["currency"] for t in transfers} == {"EUR"}


def test_revolut_legacy_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "revolut-csv-transactions.eur.csv", tmp_path)
        transfers = _transfers(store, out["dataset"])
    assert out["notes"]["layout"]["delimiter"] == ";" and out["notes"]["layout"]["currency"] == "EUR"
    first, bought, ten = transfers[0], transfers[6], transfers[9]
    assert (first.props["date"], first.props["amount"], first.props["balance"]) == ("2021-01-22", "7.99", "-4.19")
    assert (bought.props["direction"], bought.props["amount"], bought.props["balance"]) == \
        ("in", "23802.27", "23822.28")
    assert bought.props["exchange_in"] == "SEK 250 000,00" and bought.props["category"] == "General"
    assert (ten.props["date"], ten.props["direction"], ten.props["currency"]) == ("2020-09-21", "in", "EUR")


def test_monzo_2018_export(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "MonzoDataExport_February2018_2018-02-26_174335.csv", tmp_path)
        (tesco,) = _transfers(store, out["dataset"])
        shop = store.get_entity(tesco.target)
    assert (tesco.props["date"], tesco.props["amount"], tesco.props["direction"]) == ("2018-02-25", "10.00", "out")
    assert tesco.props["reference"] == "tx_00009TziTeST1NG1ZWIPGS" and tesco.props["category"] == "general"
    assert shop is not None and shop.props["name"] == "Tesco"


def test_starling_api_statement(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "starling-v2-get-statement.csv", tmp_path)
        salary, rent = _transfers(store, out["dataset"])
        landlord = store.get_entity(rent.target)
    assert (salary.props["direction"], salary.props["amount"], salary.props["balance"]) == ("in", "1500.00", "5500.00")
    assert salary.props["spending_category"] == "INCOME" and rent.props["reference"] == "Rent"
    assert landlord is not None and landlord.props["name"] == "Landlord"


def test_john_lewis_card_credit_flag_and_pound_signs(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "jlp-sample-statement.csv", tmp_path)
        transfers = _transfers(store, out["dataset"])
    directions = [(t.props["direction"], t.props["amount"]) for t in transfers]
    # Purchases are unsigned on a card statement (money out); "+ £1,234.56" with CR is a payment in.
    assert directions[0] == ("out", "99.99") and directions[5] == ("in", "1234.56")
    assert sum(d == "in" for d, _ in directions) == 1
    assert transfers[0].props["date"] == "2020-03-28" and not any(t.props.get("format_anomaly") for t in transfers)


def test_barclaycard_without_a_header(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        out = _load(store, "barclaycard-statement_1.csv", tmp_path)
        (shop,) = _transfers(store, out["dataset"])
    assert (shop.props["date"], shop.props["direction"], shop.props["amount"]) == ("2018-02-10", "out", "20.59")
    assert (shop.props["category"], shop.props["card_scheme"], shop.props["cardholder"]) == \
        ("Household", "Visa", "MR A SURNAME")
    assert "no header" in out["notes"]["layout"]["why"]


def test_cli_prints_the_layout_and_why(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J", "ASSETGRAPH"))} | {"COLUMNS": "200"}
    base = [sys.executable, "-m", "app.cli", "--db", str(tmp_path / "x.db"), "load",
            str(REAL / "lloyds-sample-statement.csv"), "--no-resolve", "--quarantine-dir", str(tmp_path / "q")]
    shown = subprocess.run(base, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    as_json = subprocess.run([*base, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and as_json.returncode == 0, shown.stderr + as_json.stderr
    assert "layout: lloyds (shipped layout): the header on line 1 has Transaction Date" in shown.stdout
    assert json.loads(as_json.stdout)["notes"]["layout"]["name"] == "lloyds"
