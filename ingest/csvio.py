"""Reading CSV the way investigators' files really are: BOMs, cp1252, ragged rows, blank lines.

Every reader goes through :func:`read_csv`, so hostile input is handled once: a row that cannot
be read as a record comes out as a :class:`BadRow` with the reason, never an exception.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["CsvRow", "BadRow", "read_csv", "open_text", "clean_headers", "fit_row", "blank_tail", "sniff_header",
           "head_text"]

# A cell bigger than this is a broken file, not data. The limit is process-wide in the csv module
# and other libraries change it, so read_csv sets it each time it starts.
FIELD_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True)
class CsvRow:
    """A data row: its 1-based line number in the file (the header is line 1) and its cells."""

    row: int
    data: dict[str, str]


@dataclass(frozen=True)
class BadRow:
    """A row that could not be read, with why; it goes to the quarantine."""

    row: int
    reason: str
    raw: dict[str, str]


def open_text(path: str | Path) -> IO[str]:
    """Open a text file as UTF-8 (BOM or not), falling back to cp1252 as UK bank exports use.

    The first 64 KiB decide; a later stray byte is replaced (and so visible) rather than fatal.
    """
    with open(path, "rb") as fh:
        head = fh.read(65536)
    try:
        head.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 64 KiB edge is still UTF-8.
        encoding = "utf-8-sig" if exc.start >= len(head) - 3 else "cp1252"
    return open(path, encoding=encoding, errors="replace", newline="")


def clean_headers(header: list[str]) -> list[str]:
    """Strip spaces (Companies House has ``' CompanyNumber'``) and make duplicates unique."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        name = name.strip().lstrip("\ufeff") or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}__{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def blank_tail(header: list[str]) -> int:
    """How many cells at the end of a header row are empty (Lloyds ends its header with a comma).

    >>> blank_tail(["Date", "Balance", ""])
    1
    """
    n = 0
    for name in reversed(header):
        if name.strip().lstrip("\ufeff"):
            break
        n += 1
    return n


def fit_row(cells: list[str], width: int, optional_tail: int = 0) -> list[str] | str:
    """The row's cells fitted to a header ``width`` cells wide, or why the row is ragged.

    Exporters drop or add empty cells at the end of a line, so only those are forgiven: extra
    cells are cut when all are empty, and missing cells are padded only when they fall under the
    header's ``optional_tail`` empty names (a header ending ``...,Balance,`` over rows that
    stop at the balance). A row with a real extra cell, or one missing a named column, is
    ragged.

    >>> fit_row(["01/09/2023", "5.00"], 3, optional_tail=1)
    ['01/09/2023', '5.00', '']
    >>> fit_row(["01/09/2023", "5.00", "", ""], 3)
    ['01/09/2023', '5.00', '']
    >>> fit_row(["01/09/2023", "5.00", "x", "y"], 3)
    'ragged row: 4 cells, header has 3'
    """
    if len(cells) > width:
        if any(c.strip() for c in cells[width:]):
            return f"ragged row: {len(cells)} cells, header has {width}"
        return cells[:width]
    if len(cells) < width:
        if width - len(cells) > optional_tail:
            return f"ragged row: {len(cells)} cells, header has {width}"
        return cells + [""] * (width - len(cells))
    return cells


_OVERLONG = "\x00assetgraph: line over the cell limit\x00"


def bounded_lines(fh: IO[str] | Iterable[str], limit: int = FIELD_LIMIT) -> Iterator[str]:
    """The file's lines, none held longer than ``limit`` characters.

    A line of gigabytes with no newline (a broken export, a hostile file) would otherwise be read
    whole into memory before the CSV module could refuse it; here it is drained in ``limit``
    pieces and stands as one marker line, which :func:`read_csv` turns into a bad row. A source
    that is already lines (a reader's re-joined hard-wrapped lines) is passed through, an overlong
    line standing as the marker.
    """
    if not hasattr(fh, "readline"):
        for text in fh:
            yield _OVERLONG + "\n" if len(text) >= limit else text
        return
    while line := fh.readline(limit):
        if len(line) == limit and not line.endswith(("\n", "\r")):
            while (more := fh.readline(limit)) and len(more) == limit and not more.endswith(("\n", "\r")):
                pass
            yield _OVERLONG + "\n"
            continue
        yield line


def read_csv(
    source: str | Path | IO[str], header: list[str] | None = None, skip_lines: int = 0
) -> Iterator[CsvRow | BadRow]:
    """Yield each data row as a :class:`CsvRow`, or a :class:`BadRow` saying what is wrong.

    ``header`` is given for headerless files (Price Paid Data); otherwise the first non-blank
    line is the header. Blank lines are skipped (and not counted as read). Rows are fitted to
    the header by :func:`fit_row`: trailing empty cells the exporter added or dropped are
    forgiven, anything else is a ragged row.
    """
    fh = open_text(source) if isinstance(source, str | Path) else source
    csv.field_size_limit(FIELD_LIMIT)
    try:
        reader = csv.reader(bounded_lines(fh))
        names = header
        optional = 0
        line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # one unreadable record; the reader goes on with the next line
                line = reader.line_num
                yield BadRow(line, f"unreadable CSV: {exc}", {})
                continue
            line = reader.line_num
            if cells and cells[0].startswith(_OVERLONG):
                yield BadRow(line, f"unreadable CSV: a line longer than {FIELD_LIMIT // (1024 * 1024)} MiB", {})
                continue
            if line <= skip_lines:
                continue
            if not any(c.strip() for c in cells):
                continue
            if names is None:
                names, optional = clean_headers(cells), blank_tail(cells)
                continue
            fitted = fit_row(cells, len(names), optional)
            if isinstance(fitted, str):
                raw = dict(zip(names, cells, strict=False))
                if len(cells) > len(names):
                    raw["_extra"] = "|".join(cells[len(names):])
                yield BadRow(line, fitted, raw)
                continue
            yield CsvRow(line, dict(zip(names, fitted, strict=True)))
    finally:
        if isinstance(source, str | Path):
            fh.close()


def head_text(path: Path, size: int = 4096) -> str:
    """The first ``size`` characters of a file (empty for a folder), for readers that detect a
    format from how it opens."""
    if not path.is_file():
        return ""
    with open_text(path) as fh:
        return fh.read(size)


def sniff_header(path: str | Path, lines: int = 20) -> list[list[str]]:
    """The first few rows, for readers that detect a layout from its header."""
    with open_text(path) as fh:
        text = "".join(next(fh, "") for _ in range(lines))
    return list(csv.reader(io.StringIO(text)))
