"""Builders shared by several test modules (kept out of conftest so they can be imported)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

CASE = {"case_id": "OP-T-01", "subjects": ["P1"], "proceedings_started": "15/03/2019",
        "convictions": ["2020-06-01"], "lifestyle": "yes",
        "order": {"date": "2020-11-20", "benefit": "£750,000", "amount": 120000,
                  "payments": [{"date": "2021-02-01", "amount": 20000}]}}


def write_bundle(folder: Path, files: dict[str, list[list[str]]], case: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.json").write_text(json.dumps(case or CASE), encoding="utf-8")
    for name, rows in files.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return folder


BAD = {
    "people.csv": [
        ["id", "name", "dob", "nickname", "source", "source_ref"],
        ["P1", "Marcus Ellery VANCE", "03/09/1979", "Mv", "Exhibit MV/1", "p.3"],
        ["P2", "Lena Vance", "1981-02-30", "", "", ""],          # impossible date
        ["P3", "Tom Vance", "09/15/1985", "", "", ""],          # US order
        ["P1", "Duplicate", "", "", "", ""],                    # duplicate id
        ["", "No id", "", "", "", ""],                          # empty id
        ["P4", "Ragged", "", "", "", "", "extra"],              # ragged row
    ],
    "companies.csv": [["id", "name", "company_number"], ["C1", "VANCE LOGISTICS LIMITED", "07654321"],
                      ["P1", "Clash with a person id", "1"]],
    "accounts.csv": [["id", "institution", "sort_code", "account_number"], ["A1", "Barclays", "20-00-00", "1"]],
    "relationships.csv": [
        ["from_id", "to_id", "type", "share_pct", "start_date"],
        ["P1", "C1", "OWNS", "100", "2015-01-01"],
        ["P1", "A1", "holds", "", ""],                         # lower-case type is fine
        ["P1", "C1", "LOVES", "", ""],                         # unknown type
        ["P1", "C9", "OWNS", "50", ""],                        # unknown id
        ["P1", "C1", "OWNS", "150", ""],                       # share out of range
    ],
    "transfers.csv": [
        ["id", "date", "from_id", "to_id", "amount", "currency", "consideration", "asset_id", "asset_value"],
        ["T1", "2019-04-01", "A1", "P1", "£1,250.00", "", "", "", ""],
        ["T2", "2019-04-02", "A1", "P1", "(1,250.00)", "", "", "", ""],   # negative
        ["T3", "2019-04-03", "A1", "P1", "12abc", "", "", "", ""],        # unparseable
        ["T4", "not a date", "A1", "P1", "10", "", "", "", ""],           # bad date
        ["T5", "2019-04-05", "A1", "NOPE", "10", "", "", "", ""],         # unknown id
        ["T1", "2019-04-06", "A1", "P1", "10", "", "", "", ""],           # duplicate id
        ["T6", "2019-04-07", "A1", "P1", "1650000 AED", "GBP", "", "", ""],
    ],
}




def write_bad_bundle(folder: Path) -> Path:
    """A bundle with one bad row of every kind the loader must quarantine."""
    return write_bundle(folder, BAD)


def cli_argv(*args: str) -> list[str]:
    """The command line of ``assetgraph ARGS`` run from this checkout."""
    return [sys.executable, "-m", "app.cli", *args]


CLI_ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``assetgraph ARGS`` as a user runs it: a real process (so a hang or a traceback shows)."""
    return subprocess.run(cli_argv(*args), cwd=cwd, capture_output=True, text=True, env=CLI_ENV, timeout=timeout)
