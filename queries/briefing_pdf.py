"""PDF rendering of a briefing section model with fpdf2 (pure Python).

The marking goes in the page header AND footer of every page (fpdf2 calls ``header`` and
``footer`` on each page it makes, including the ones a long table spills onto). Text needs a
Unicode TrueType font for "£", "→" and "−": DejaVu Sans from Debian's ``fonts-dejavu-core``,
else the copy matplotlib ships.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from graph.errors import InvalidRecord

__all__ = ["render_pdf", "font_files"]

_DEBIAN = Path("/usr/share/fonts/truetype/dejavu")


def font_files() -> tuple[Path, Path]:
    """(regular, bold) DejaVu Sans TTF files."""
    folders = [_DEBIAN]
    try:
        import matplotlib

        folders.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:  # pragma: no cover - matplotlib is a dependency of the chart
        pass
    for folder in folders:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise InvalidRecord("no DejaVu Sans font found: apt-get install fonts-dejavu-core")


class _Pack(FPDF):
    """An A4 page with the handling marking above and below, and page numbers."""

    def __init__(self, marking: str, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.marking, self.doc_title = marking, title
        regular, bold = font_files()
        self.add_font("DejaVu", "", str(regular))
        self.add_font("DejaVu", "B", str(bold))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 18, 15)
        self.set_title(title)

    def header(self) -> None:
        self.set_y(7)
        self.set_font("DejaVu", "B", 9)
        self.set_text_color(160, 0, 0)
        self.cell(0, 5, self.marking, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_y(18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 4, f"{self.doc_title} · page {self.page_no()}/{{nb}}", align="L")
        self.set_x(self.l_margin)
        self.set_font("DejaVu", "B", 9)
        self.set_text_color(160, 0, 0)
        self.cell(0, 4, self.marking, align="C")
        self.set_text_color(0, 0, 0)


def _widths(pdf: _Pack, headers: list[str], rows: list[list[str]]) -> tuple[float, ...]:
    """Column widths: every column gets its longest word; the rest of the page goes to long text."""
    columns = [[str(h)] + [str(r[i]) if i < len(r) else "" for r in rows] for i, h in enumerate(headers)]
    pad = 2.6
    least = [max(pdf.get_string_width(w) for c in col for w in (c.split() or [""])) + pad for col in columns]
    want = [max(min(max(pdf.get_string_width(c) for c in col), 75.0) + pad, lo) for col, lo in zip(columns, least,
                                                                                                    strict=True)]
    total = pdf.epw
    if sum(want) <= total:
        return tuple(w * total / sum(want) for w in want)
    if sum(least) >= total:
        return tuple(w * total / sum(least) for w in least)
    spare = (total - sum(least)) / (sum(want) - sum(least))
    return tuple(lo + (w - lo) * spare for lo, w in zip(least, want, strict=True))


def _table(pdf: _Pack, block: dict[str, Any]) -> None:
    headers, rows = block["headers"], block["rows"]
    pdf.set_font("DejaVu", "", 7)
    heading = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
    with pdf.table(col_widths=_widths(pdf, headers, rows), width=pdf.epw, line_height=3.6,
                   headings_style=heading, text_align="LEFT", padding=0.8) as table:
        head = table.row()
        for h in headers:
            head.cell(str(h))
        for r in rows:
            row = table.row()
            for cell in r:
                row.cell(str(cell))
    pdf.ln(2)


def render_pdf(model: dict[str, Any], path: Path) -> None:
    """Write the pack as a PDF at ``path``."""
    pdf = _Pack(model["marking"], model["title"])
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, model["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, f"{model['subtitle']}\nDate: {model['date']}    Author: {model['author']}    "
                         f"Handling: {model['marking']}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4, model["note"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in model["sections"]:
        if section["blocks"] and section["blocks"][0]["type"] == "pagebreak":
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 6, section["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for block in section["blocks"]:
            kind = block["type"]
            if kind == "para":
                pdf.set_font("DejaVu", "", 9)
                pdf.multi_cell(0, 4.5, block["text"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(1)
            elif kind == "bullets":
                pdf.set_font("DejaVu", "", 9)
                for item in block["items"]:
                    pdf.multi_cell(0, 4.5, f"•  {item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            elif kind == "table":
                _table(pdf, block)
            elif kind == "image":
                if pdf.will_page_break(90):
                    pdf.add_page()
                pdf.image(block["path"], w=min(pdf.epw, 175))
                pdf.set_font("DejaVu", "", 7)
                pdf.multi_cell(0, 4, block.get("caption", ""), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 6, "Sources", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 7.5)
    for n, note in enumerate(model["footnotes"], start=1):
        pdf.multi_cell(0, 3.8, f"[{n}] {note}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.output(str(path))
