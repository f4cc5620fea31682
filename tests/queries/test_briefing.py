"""Briefing packs: the demo case's pack in three formats with the same sections, and a top-N pack."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from revisit_support import portfolio

from graph.errors import InvalidRecord, RuleNotApplicable
from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle
from queries.briefing import MARKING, Footnotes, case_brief_model, render, write_case_brief, write_tasking_pack
from queries.revisit import sweep
from queries.rules import RULES

ON = "2026-06-30"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture
def demo_store(sqlite_store: SQLiteStore, demo_bundle: Path, tmp_path: Path) -> SQLiteStore:
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    return sqlite_store


@pytest.fixture
def demo_model(demo_store: SQLiteStore, tmp_path: Path) -> dict:
    return case_brief_model(demo_store, "OP-DEMO-01", author="DC Shah", on=ON, chart_path=tmp_path / "chart.png")


def _pdf_pages(path: Path, layout: bool = True) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    mode = ["-layout"] if layout else []
    return [subprocess.run(["pdftotext", *mode, "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, pages + 1)]


def _words(pages: list[str]) -> str:
    """Page text with whitespace folded, so a table cell wrapped over two lines reads as one."""
    return " ".join(" ".join(pages).split())


def test_model_carries_summary_holdings_gifts_actions_and_sources(demo_model: dict) -> None:
    titles = [s["title"] for s in demo_model["sections"]]
    # the summary, then one section per registered rule (queries.rules.RULES), then new assets, chart, actions
    assert titles == ["Case summary", "Subjects", *[r.title for r in RULES if r.brief],
                      "New assets since the order (s.22)", "Network chart of the key chains", "Recommended actions"]
    assert {"Overseas holdings (s.84; enforcement abroad s.74)", "Tainted-gift candidates (s.77, s.78, s.81)",
            "Transfers at an undervalue: every ratio (s.78)"} <= set(titles)
    sections = {s["title"]: s for s in demo_model["sections"]}
    summary = {r[0]: r for r in sections["Case summary"]["blocks"][-1]["rows"]}
    assert summary["Figures as at"][1] == "2026-06-30"
    assert summary["Outstanding with interest"][1:3] == ["£250,279.45", "s.12"]
    assert summary["Headroom (benefit − amount ordered)"][1:3] == ["£1,450,000.00", "s.22"]
    assert summary["Relevant day"][1:3] == ["2015-03-11", "s.10(8); s.77(9)"]
    s78 = sections["Transfers at an undervalue: every ratio (s.78)"]["blocks"][0]["rows"]
    assert any(row[0] == "T5" and row[-2].startswith("not a gift at the setting of 80 %") for row in s78)
    gifts = sections["Tainted-gift candidates (s.77, s.78, s.81)"]["blocks"]
    assert "Total of tainted-gift candidates at s.81 value as at 2026-06-30: £" in gifts[-1]["text"]
    actions = {row[1] for row in sections["Recommended actions"]["blocks"][0]["rows"]}
    assert {"POCA s.22", "POCA s.41", "POCA s.50", "POCA s.74", "POCA s.303Z3"} <= actions
    assert any("s.362A" in a for a in actions)
    image = sections["Network chart of the key chains"]["blocks"][0]
    assert image["type"] == "image" and Path(image["path"]).stat().st_size > 10000
    # every table row that shows a figure cites a numbered source that exists
    for section in demo_model["sections"]:
        for block in section["blocks"]:
            if block["type"] == "table" and block["headers"][-1] == "Source":
                for row in block["rows"]:
                    numbers = [int(n) for n in row[-1].strip("[]").split(", ")]
                    assert all(1 <= n <= len(demo_model["footnotes"]) for n in numbers), row
    assert any("Exhibit MV/16" in note and "relationships.csv row 26" in note for note in demo_model["footnotes"])


@needs_poppler
def test_pdf_has_marking_on_every_page_and_the_findings(demo_store: SQLiteStore, tmp_path: Path) -> None:
    path = write_case_brief(demo_store, "OP-DEMO-01", tmp_path / "brief.pdf", author="DC Shah", on=ON)
    pages = _pdf_pages(path)
    assert len(pages) >= 2
    for text in pages:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        assert lines[0] == MARKING and lines[-1].endswith(MARKING)  # header and footer
    text = _words(_pdf_pages(path, layout=False))
    for needle in ("SOLENT BAY HOLDINGS LIMITED", "CALPE MARINA INVESTMENTS LIMITED", "Apartment 2703",
                   "United Arab Emirates", "British Virgin Islands", "T13", "£285,567.36", "£320,000.00",
                   "£50,279.45", "£1,450,000.00", "DC Shah", "POCA s.74", "Exhibit MV/16"):
        assert needle in text, needle
    assert (tmp_path / "brief_chart.png").exists()


def test_docx_and_markdown_have_the_same_sections(demo_store: SQLiteStore, demo_model: dict,
                                                  tmp_path: Path) -> None:
    from docx import Document

    docx_path = write_case_brief(demo_store, "OP-DEMO-01", tmp_path / "brief.docx", author="DC Shah", on=ON)
    doc = Document(str(docx_path))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    expected = [s["title"] for s in demo_model["sections"]] + ["Sources"]
    assert headings == expected
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == MARKING and section.footer.paragraphs[0].text == MARKING
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "SOLENT BAY HOLDINGS LIMITED" in cells and "£285,567.36" in cells and "POCA s.303Z3" in cells
    assert doc.inline_shapes and len(doc.inline_shapes) == 1  # the network chart
    md = write_case_brief(demo_store, "OP-DEMO-01", tmp_path / "brief.md", author="DC Shah", on=ON).read_text()
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == expected
    assert md.startswith(f"**{MARKING}**") and md.rstrip().endswith(f"**{MARKING}**")
    assert "](brief_chart.png)" in md and "| T13 | 2019-08-16 |" in md


@needs_poppler
def test_tasking_pack_one_page_per_case_after_the_summary(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    portfolio(sqlite_store)
    sweep(sqlite_store, on=ON)
    path = write_tasking_pack(sqlite_store, 3, tmp_path / "tasking.pdf", author="NECC briefer", on=ON)
    pages = _pdf_pages(path)
    first = _words(_pdf_pages(path, layout=False)[:1])
    assert "Top 3 cases" in first and first.index("OP-FOREIGN") < first.index("OP-UK") < first.index("OP-BVI")
    assert "Revisit yield" in first and "WYP" in first and "MET" in first and "OP-DEAD" in first
    starts = [next(n for n, p in enumerate(pages) if f"{rank}. {case}" in _words([p]))
              for rank, case in ((1, "OP-FOREIGN"), (2, "OP-UK"), (3, "OP-BVI"))]
    assert starts == sorted(set(starts)) and starts[0] >= 1  # each case opens its own page
    assert all(MARKING in p for p in pages)
    docx = write_tasking_pack(sqlite_store, 3, tmp_path / "tasking.docx", on=ON)
    assert docx.stat().st_size > 5000


def test_errors_are_named(demo_store: SQLiteStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidRecord, match="format"):
        render({"sections": []}, tmp_path / "brief.txt")
    with pytest.raises(RuleNotApplicable, match="NOPE"):
        case_brief_model(demo_store, "NOPE")


def test_footnotes_number_each_source_once() -> None:
    notes = Footnotes()
    a = {"citation": "Exhibit MV/3", "file": "transfers.csv", "row": 4, "dataset": "OP-1"}
    assert notes.cite([a, a]) == "[1]"
    assert notes.cite({"citation": "x.csv row 2", "file": "x.csv", "row": 2}) == "[2]"
    assert notes.items == ["Exhibit MV/3 — OP-1: transfers.csv row 4", "x.csv row 2"]
    assert notes.cite(None) == ""
