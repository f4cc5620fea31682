"""The command line as a user runs it: a real process on a real store file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests_support import write_bad_bundle


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
                          timeout=120)


def test_load_prints_reconciled_json_and_is_idempotent(tmp_path: Path) -> None:
    bundle = write_bad_bundle(tmp_path / "bundle")
    first = run("--db", "x.db", "load", str(bundle), "--json", "--no-resolve", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert out["read"] == out["loaded"] + out["quarantined"] and out["quarantined"] > 0
    assert Path(out["quarantine_file"]).exists()
    again = json.loads(run("--db", "x.db", "load", str(bundle), "--json", "--no-resolve", cwd=tmp_path).stdout)
    assert (again["entities_written"], again["relations_written"]) == (0, 0)
    stats = json.loads(run("--db", "x.db", "stats", "--json", cwd=tmp_path).stdout)
    assert stats["Person"] == 3 and stats["TRANSFER"] == 2  # two of them without an unreadable dob


def test_a_bad_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = run("--db", "x.db", "load", str(tmp_path / "notes.txt"), cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot tell the format" in result.stderr
