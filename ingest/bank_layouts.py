"""Bank statement layouts: which column plays which role, and finding the header in a real export.

Statements arrive in each bank's own export layout, so a *layout* (a small YAML mapping, see
``ingest/bank_mappings/``) names the columns: ``date``, ``description``, ``type``, either one
signed ``amount`` or ``paid_out``/``paid_in`` (alias ``debit``/``credit``), ``balance``,
``reference``, ``counterparty``, ``currency``, ``fee``, ``state``, ``credit_flag`` and the
account columns; plus ``date_formats``, ``preamble`` keys, ``footer`` keys, ``institution``,
``currency``, ``encoding``, ``amount_sign`` (``in_positive`` by default; ``out_positive`` for
card exports where a purchase is positive), ``loaded_states``, ``keep`` (columns carried onto
the transfer as text), ``decimal`` (``.``, ``,`` or ``auto``) and ``type_in_description``
(whether the type column leads the description, as Nationwide's "Transfer from" does; false
where the type is the bank's category, as Revolut's CARD_PAYMENT is).

Real exports are untidy, so matching is tolerant: header names are compared without case,
spacing, BOMs or quotes; a column may be named with a ``{currency}`` placeholder
(``Amount ({currency})`` matches Starling's ``Amount (GBP)`` and ``Amount (EUR)`` and sets the
statement currency); ``#N`` names a column by position (a header cell left blank, as John
Lewis leaves the one holding ``CR``); the header row is looked for among the first rows, after
any preamble of account details, with comma, semicolon or tab delimiters (Revolut's older export
used ``;``). A ``headerless`` layout (Barclaycard) is recognised from its rows instead: the
number of cells and a ``signature`` regex per position.

:func:`detect_layout` says which layout it chose and why, so a load can print it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from graph.errors import InvalidRecord
from ingest.csvio import clean_headers, open_text
from ingest.source_files import check_zip_size

__all__ = ["Layout", "Detection", "load_layout", "shipped_layouts", "detect_layout", "iter_cells", "norm_header",
           "DELIMITERS"]

MAPPINGS_DIR = Path(__file__).parent / "bank_mappings"
ROLE_ALIASES = {"paid_out": "out", "debit": "out", "money_out": "out", "paid_in": "in", "credit": "in",
                "money_in": "in"}
ROLES = {"date", "type", "description", "amount", "out", "in", "balance", "reference", "counterparty", "currency",
         "account", "sort_code", "account_number", "account_name", "fee", "state", "credit_flag"}
SYNONYMS = {
    "date": ("date", "transaction date", "posting date", "posted date", "value date", "booking date"),
    "description": ("description", "transaction description", "merchant/description", "details", "memo",
                    "narrative", "transaction details"),
    "type": ("type", "transaction type", "subcategory"),
    "amount": ("amount", "value", "amount (gbp)", "debit/credit", "transaction amount"),
    "out": ("paid out", "debit", "debit amount", "money out", "withdrawals", "payments"),
    "in": ("paid in", "credit", "credit amount", "money in", "deposits", "receipts"),
    "balance": ("balance", "running balance", "balance (gbp)"),
    "reference": ("reference", "ref", "transaction id"),
    "counterparty": ("counterparty", "counter party", "payee", "name"),
    "currency": ("currency",),
}
HEADER_SEARCH_ROWS = 50
DELIMITERS = (",", ";", "\t")
_CURRENCY = "{currency}"


def norm_header(text: object) -> str:
    """A header cell as compared: no BOM, quotes, case, doubled or bracket-hugging spaces, or colon.

    >>> norm_header('\\ufeff"Amount(GBP)" ')
    'amount (gbp)'
    """
    text = str(text or "").replace("\ufeff", "").strip().strip('"').strip()
    text = re.sub(r"\s*\(\s*", " (", re.sub(r"\s*\)", ")", text))
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().lower()


def _spec(column: object) -> str:
    """A column as given in YAML: a name, a 1-based position (``#3``) or alternative names."""
    if isinstance(column, int):
        return f"#{column}"
    if isinstance(column, list):
        return "\n".join(_spec(c) for c in column)
    return str(column)


def _pattern(spec: str) -> re.Pattern[str]:
    """A header name with a ``{currency}`` placeholder as a regex capturing the ISO code."""
    head, _, tail = norm_header(spec).partition(_CURRENCY)
    return re.compile(re.escape(head) + r"(?P<currency>[a-z]{3})" + re.escape(tail) + "$")


@dataclass(frozen=True)
class Layout:
    """One bank's export layout: which column plays which role, and how to read its values."""

    name: str
    columns: dict[str, str]
    header: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ("%d/%m/%Y", "%d %b %Y", "%Y-%m-%d")
    preamble: dict[str, str] = field(default_factory=dict)
    footer: tuple[str, ...] = ()
    institution: str | None = None
    currency: str = "GBP"
    encoding: str | None = None
    amount_sign: str = "in_positive"
    symbol: str | None = None
    keep: dict[str, str] = field(default_factory=dict)
    loaded_states: tuple[str, ...] = ()
    decimal: str = "."
    headerless: bool = False
    width: int = 0
    signature: dict[int, str] = field(default_factory=dict)
    type_in_description: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "mapping") -> Layout:
        """Check a mapping before any row is read, so a typo fails the load with its name."""
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise InvalidRecord(f"{origin}: a bank mapping needs a 'columns' table")
        columns: dict[str, str] = {}
        for role, column in data["columns"].items():
            role = ROLE_ALIASES.get(role, role)
            if role not in ROLES:
                raise InvalidRecord(f"{origin}: unknown column role {role!r} (known: {', '.join(sorted(ROLES))})")
            columns[role] = _spec(column)
        if "date" not in columns:
            raise InvalidRecord(f"{origin}: the mapping needs a 'date' column")
        if "amount" not in columns and not ("out" in columns or "in" in columns):
            raise InvalidRecord(f"{origin}: the mapping needs 'amount' or 'paid_out'/'paid_in' columns")
        if data.get("amount_sign", "in_positive") not in ("in_positive", "out_positive"):
            raise InvalidRecord(f"{origin}: amount_sign must be in_positive or out_positive")
        if data.get("decimal", ".") not in (".", ",", "auto"):
            raise InvalidRecord(f"{origin}: decimal must be '.', ',' or auto")
        headerless = bool(data.get("headerless"))
        width = int(data.get("width") or 0)
        if headerless and not (width and data.get("signature")):
            raise InvalidRecord(f"{origin}: a headerless layout needs 'width' and a 'signature'")
        formats = data.get("date_formats") or data.get("date_format") or cls.date_formats
        header = data.get("header") or [c for r, c in columns.items() if r in ("date", "amount", "out", "in")]
        signature = {int(k): str(v) for k, v in (data.get("signature") or {}).items()}
        for position, regex in signature.items():
            try:
                re.compile(regex)
            except re.error as exc:
                raise InvalidRecord(f"{origin}: signature for column {position} is not a regex: {exc}") from None
        return cls(
            name=str(data.get("name") or origin), columns=columns,
            header=() if headerless else tuple(str(h) for h in header),
            date_formats=tuple([formats] if isinstance(formats, str) else formats),
            preamble={norm_header(k): str(v) for k, v in (data.get("preamble") or {}).items()},
            footer=tuple(norm_header(f) for f in data.get("footer") or ()), institution=data.get("institution"),
            currency=str(data.get("currency") or "GBP").upper(), encoding=data.get("encoding"),
            amount_sign=data.get("amount_sign", "in_positive"), symbol=data.get("symbol"),
            keep={str(k): _spec(v) for k, v in (data.get("keep") or {}).items()},
            loaded_states=tuple(str(s).upper() for s in data.get("loaded_states") or ()),
            decimal=str(data.get("decimal", ".")), headerless=headerless, width=width, signature=signature,
            type_in_description=bool(data.get("type_in_description", True)))

    def bind(self, cells: list[str], check: bool = True) -> tuple[Layout, list[str]] | None:
        """This layout with its columns named as in ``cells`` (a header row, or a first data row
        of a headerless layout), and the header names that matched; None when it does not fit.
        ``check=False`` takes a headerless layout without testing the row's shape."""
        if self.headerless:
            return self._bind_rows(cells, check)
        names = clean_headers(cells)
        normed = [norm_header(c) for c in cells]
        currency: str | None = None

        def find(spec: str) -> str | None:
            nonlocal currency
            if "\n" in spec:  # alternatives: the first the file has
                return next((n for alt in spec.split("\n") if (n := find(alt)) is not None), None)
            if spec.startswith("#") and spec[1:].isdigit():
                position = int(spec[1:])
                return names[position - 1] if 0 < position <= len(names) else None
            if _CURRENCY in spec:
                regex = _pattern(spec)
                for i, cell in enumerate(normed):
                    found = regex.match(cell)
                    if found:
                        currency = currency or found.group("currency").upper()
                        return names[i]
                return None
            wanted = norm_header(spec)
            return names[normed.index(wanted)] if wanted in normed else None

        matched = [find(h) for h in self.header]
        if not self.header or any(m is None for m in matched):
            return None
        columns = {role: col for role, spec in self.columns.items() if (col := find(spec)) is not None}
        keep = {prop: col for prop, spec in self.keep.items() if (col := find(spec)) is not None}
        bound = replace(self, columns=columns, keep=keep, currency=currency or self.currency)
        return bound, [m for m in matched if m]

    def _bind_rows(self, cells: list[str], check: bool) -> tuple[Layout, list[str]] | None:
        while len(cells) > self.width and not cells[-1].strip():
            cells = cells[:-1]
        if check and len(cells) != self.width:
            return None
        for position, regex in self.signature.items() if check else ():
            if not 0 < position <= len(cells) or not re.fullmatch(regex, cells[position - 1].strip()):
                return None
        names = [f"column_{i}" for i in range(1, self.width + 1)]

        def name(spec: str) -> str:
            return names[int(spec[1:]) - 1] if spec[1:].isdigit() and int(spec[1:]) <= self.width else spec

        columns = {role: name(spec) for role, spec in self.columns.items()}
        return replace(self, columns=columns, keep={p: name(s) for p, s in self.keep.items()}), []


class Detection(NamedTuple):
    """What :func:`detect_layout` found: the layout bound to the file's columns, the header line
    (for a headerless layout, the first data line), the preamble, the delimiter and why."""

    layout: Layout
    line: int
    preamble: dict[str, str]
    delimiter: str
    why: str


def load_layout(spec: str | Path) -> Layout:
    """A layout from a YAML file path or a shipped layout's name (``nationwide-statement``)."""
    for layout in shipped_layouts():
        if layout.name == str(spec):
            return layout
    path = Path(spec)
    if not path.is_file():
        raise InvalidRecord(f"bank mapping {spec!r} is neither a file nor a shipped layout "
                            f"({', '.join(lay.name for lay in shipped_layouts())})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRecord(f"bank mapping {path} is not valid YAML: {exc}") from None
    return Layout.from_dict(data, str(path))


@lru_cache(maxsize=1)
def shipped_layouts() -> tuple[Layout, ...]:
    """The layouts in ``ingest/bank_mappings`` (most specific header first, headerless last)."""
    found = [Layout.from_dict(yaml.safe_load(p.read_text(encoding="utf-8")), p.name)
             for p in sorted(MAPPINGS_DIR.glob("*.yaml"))]
    return tuple(sorted(found, key=lambda lay: (lay.headerless, -len(lay.header), lay.name)))


def _generic_layout(cells: list[str]) -> tuple[Layout, list[str]] | None:
    """A layout guessed from column synonyms, for banks with no shipped mapping."""
    names = {norm_header(c): n for c, n in zip(cells, clean_headers(cells), strict=True) if c.strip()}
    columns: dict[str, str] = {}
    for role, words in SYNONYMS.items():
        for word in words:
            if word in names and names[word] not in columns.values():
                columns[role] = names[word]
                break
    has_money = "amount" in columns or ("out" in columns and "in" in columns)
    if "date" not in columns or not has_money or not ({"description", "counterparty", "type"} & set(columns)):
        return None
    if "amount" in columns and "out" in columns:
        columns.pop("out"), columns.pop("in", None)
    return Layout(name="generic", columns=columns, header=tuple(columns.values())), list(columns.values())


# --- reading cells ---------------------------------------------------------------------------------

def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value)


def _is_excel(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def iter_cells(path: Path, encoding: str | None = None, sheet: str | None = None,
               delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV or of an XLSX sheet, streamed (openpyxl read-only mode)."""
    if _is_excel(path):
        from openpyxl import load_workbook

        check_zip_size(path)  # a workbook is a zip: no bomb reaches openpyxl
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise InvalidRecord(f"{path.name} is not a readable workbook: {exc}") from None
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
            for i, row in enumerate(ws.iter_rows(values_only=True), 1):
                yield i, [_cell(v) for v in row]
        finally:
            wb.close()
        return
    with open(path, encoding=encoding, errors="replace", newline="") if encoding else open_text(path) as fh:
        rows = csv.reader(fh, delimiter=delimiter)
        try:
            for cells in rows:
                yield rows.line_num, cells
        except csv.Error as exc:
            yield rows.line_num + 1, ["\x00csv-error", str(exc)]


def _head_rows(path: Path, encoding: str | None) -> dict[str, list[tuple[int, list[str]]]]:
    """The first rows read with each delimiter (one read of the file's opening)."""
    if _is_excel(path):
        rows: list[tuple[int, list[str]]] = []
        for n, (line, cells) in enumerate(iter_cells(path, encoding)):
            if n >= HEADER_SEARCH_ROWS:
                break
            rows.append((line, cells))
        return {",": rows}
    with open(path, encoding=encoding, errors="replace", newline="") if encoding else open_text(path) as fh:
        text = "".join(line for _, line in zip(range(HEADER_SEARCH_ROWS), fh, strict=False))
    out: dict[str, list[tuple[int, list[str]]]] = {}
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        parsed: list[tuple[int, list[str]]] = []
        try:
            for cells in reader:
                parsed.append((reader.line_num, cells))
        except csv.Error:
            pass  # a quoted field cut at the end of the opening, or junk: what was read still counts
        out[delimiter] = parsed
    return out


def _why(layout: Layout, line: int, matched: list[str], delimiter: str, given: bool) -> str:
    shown = {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
    source = "given with --mapping" if given else ("guessed from the column names" if layout.name == "generic"
                                                    else "shipped layout")
    if layout.headerless:
        return (f"{layout.name} ({source}): no header; the rows from line {line} have {layout.width} cells "
                f"shaped as it exports them ({shown}-separated)")
    return f"{layout.name} ({source}): the header on line {line} has {', '.join(matched)} ({shown}-separated)"


def detect_layout(path: Path, layout: Layout | None = None, encoding: str | None = None) -> Detection:
    """Find the header row among the first rows: the layout bound to it, its line and why.

    With ``layout`` only that one is tried; otherwise the shipped layouts (most specific first),
    then generic column names. Rows before the header are the preamble (``first cell -> second``).

    Raises
    ------
    InvalidRecord
        When no layout fits the first rows; the message lists the layouts tried.
    """
    candidates = (layout,) if layout is not None else shipped_layouts()
    heads = _head_rows(path, encoding or (layout.encoding if layout else None))
    for delimiter, rows in heads.items():
        preamble: dict[str, str] = {}
        first = True
        for line, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            for candidate in candidates:
                # A file without a header is one from its first row on: rows before a match would
                # otherwise vanish as a preamble. Named explicitly, it is taken as it comes.
                if candidate.headerless and not first:
                    continue
                bound = candidate.bind(cells, check=layout is None)
                if bound is not None:
                    return Detection(bound[0], line, preamble, delimiter,
                                     _why(bound[0], line, bound[1], delimiter, layout is not None))
            generic = _generic_layout(cells) if layout is None else None
            if generic is not None:
                return Detection(generic[0], line, preamble, delimiter,
                                 _why(generic[0], line, generic[1], delimiter, False))
            first = False
            filled = [c.strip() for c in cells if c.strip()]
            if len(filled) >= 2:
                preamble[norm_header(filled[0])] = filled[1]
    if layout is not None:
        needs = f"a header with {', '.join(layout.header)}" if layout.header else f"rows shaped as {layout.name}"
        raise InvalidRecord(f"{path.name}: the first {HEADER_SEARCH_ROWS} rows do not fit layout {layout.name!r} "
                            f"(it needs {needs})")
    tried = ", ".join(sorted(lay.name for lay in shipped_layouts()))
    raise InvalidRecord(f"{path.name}: no known statement header in the first {HEADER_SEARCH_ROWS} rows "
                        f"(layouts tried: {tried}; then generic column names: a date, an amount or money "
                        f"out/in, and a description, type or counterparty)")
