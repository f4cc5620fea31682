"""DOCX rendering of a briefing section model with python-docx.

Word repeats a section's header and footer on every page, so the marking is written once into
each and shows on all pages; a page break block starts a new page within the same section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt, RGBColor

__all__ = ["render_docx"]


def _marking(paragraph: Any, text: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0xA0, 0, 0)


def _table(doc: Any, block: dict[str, Any]) -> None:
    table = doc.add_table(rows=1, cols=len(block["headers"]))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block["headers"], strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
        run.font.size = Pt(7.5)
    for row in block["rows"]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = ""
            cell.paragraphs[0].add_run(str(text)).font.size = Pt(7.5)
    doc.add_paragraph()


def render_docx(model: dict[str, Any], path: Path) -> None:
    """Write the pack as a Word document at ``path``."""
    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(1.8)
    _marking(section.header.paragraphs[0], model["marking"])
    _marking(section.footer.paragraphs[0], model["marking"])
    doc.add_heading(model["title"], level=0)
    doc.add_paragraph(f"{model['subtitle']}\nDate: {model['date']}    Author: {model['author']}    "
                      f"Handling: {model['marking']}")
    doc.add_paragraph(model["note"]).runs[0].italic = True
    for part in model["sections"]:
        if part["blocks"] and part["blocks"][0]["type"] == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(part["title"], level=1)
        for block in part["blocks"]:
            kind = block["type"]
            if kind == "para":
                doc.add_paragraph(block["text"])
            elif kind == "bullets":
                for item in block["items"]:
                    doc.add_paragraph(item, style="List Bullet")
            elif kind == "table":
                _table(doc, block)
            elif kind == "image":
                doc.add_picture(block["path"], width=Cm(16))
                doc.add_paragraph(block.get("caption", "")).runs[0].italic = True
    doc.add_heading("Sources", level=1)
    for n, note in enumerate(model["footnotes"], start=1):
        doc.add_paragraph(f"[{n}] {note}").runs[0].font.size = Pt(8)
    doc.save(str(path))
