"""Bank statements (CSV/XLSX) as TRANSFERs between the statement's account and its counterparties.

The layout of a file is found by :func:`ingest.bank_layouts.detect_layout` (shipped layouts for
the common UK exports, generic column names, or ``--mapping``), which also says why it chose it;
the load records that in its report notes (``layout``). Rows before the header are the preamble
(account name/number are taken from it); footer rows (Nationwide's "Arranged Overdraft Limit")
and blank lines are metadata, not rows. Each row becomes a TRANSFER through
:class:`ingest.statement.StatementBuilder`.

What a row says is kept as it is said, and what is not money that moved is not loaded as if it
were: a row whose ``state`` is not one of the layout's ``loaded_states`` (Revolut's PENDING,
REVERTED, DECLINED, FAILED) or whose date reads "Pending" (John Lewis) is quarantined with
that reason -- a pending card payment may still change or be cancelled, a declined or reverted
one moved nothing. A row with no year in its date (Revolut's older export printed "September
15" for the current year) is quarantined rather than given a guessed year. A running-balance
break is flagged (``balance_mismatch``), never rejected; a fee (Revolut) is kept on the transfer
and counted in the balance check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.store import Store
from graph.types import clean_date, clean_money, clean_text
from ingest.bank_layouts import Detection, Layout, detect_layout, iter_cells, load_layout, norm_header, shipped_layouts
from ingest.counterparty import slug
from ingest.csvio import blank_tail, clean_headers, fit_row
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport
from ingest.statement import StatementBuilder, finish_statement, merged_ids, money_text

__all__ = ["Layout", "load_layout", "shipped_layouts", "detect_layout", "load_statement", "iter_cells", "parse_day"]

SYMBOLS = "£$€"
STATE_REASONS = {"PENDING": "still pending: the payment may change or be cancelled",
                 "REVERTED": "reverted: the payment was undone", "DECLINED": "declined: no money moved",
                 "FAILED": "failed: no money moved", "CANCELLED": "cancelled: no money moved"}
CREDIT_FLAGS = {"CR", "CREDIT", "C"}
DEBIT_FLAGS = {"DR", "DEBIT", "D"}
_NO_YEAR = re.compile(r"^(?:\d{1,2}\.?\s+[A-Za-z]+|[A-Za-z]+\s+\d{1,2})$")


def _rows(loader: Loader, path: Path, found: Detection, encoding: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    layout, file = found.layout, path.name
    header: list[str] | None = [f"column_{i}" for i in range(1, layout.width + 1)] if layout.headerless else None
    optional = 0
    for line, cells in iter_cells(path, encoding or layout.encoding, delimiter=found.delimiter):
        if line < found.line:
            continue
        if header is None:
            header, optional = clean_headers(cells), blank_tail(cells)
            continue
        if cells[:1] == ["\x00csv-error"]:
            loader.reject(file, line, f"unreadable CSV: {cells[1]}")
            return
        if not any(c.strip() for c in cells) or norm_header(cells[0]) in layout.footer:
            continue  # blank lines and footer metadata are not transactions
        fitted = fit_row(cells, len(header), optional)
        if isinstance(fitted, str):
            raw = dict(zip(header, cells, strict=False))
            if len(cells) > len(header):
                raw["_extra"] = "|".join(cells[len(header):])
            loader.reject(file, line, fitted, None, raw)
            continue
        yield line, dict(zip(header, fitted, strict=True))


def parse_day(text: str, formats: tuple[str, ...]) -> str:
    """A statement date in one of the layout's formats, else ISO/UK via :func:`clean_date`.

    >>> parse_day("22. Jan 2021", ("%d. %b %Y",))
    '2021-01-22'
    """
    value = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    if _NO_YEAR.match(value):
        raise InvalidRecord(f"date {value!r} has no year (the export left it out): not guessed", "date")
    try:
        day = clean_date(value)
    except InvalidRecord as exc:
        raise InvalidRecord(f"date: {exc.reason} (layout formats {', '.join(formats)})", "date") from None
    if day is None:
        raise InvalidRecord("date is empty", "date")
    return day


def _decimal_comma(text: str, decimal: str) -> bool:
    """Whether the comma in ``text`` is its decimal point: always for ``decimal: ","``; for
    ``auto``, when it is the last separator and one or two digits follow ("7,99", "23 822,28"
    but not "1,612" or "1,792.49").

    >>> [_decimal_comma(t, "auto") for t in ("7,99", "23 822,28", "1,612", "1,792.49", "1.234,5")]
    [True, True, False, False, True]
    """
    if decimal == ",":
        return True
    comma, dot = text.rfind(","), text.rfind(".")
    return comma > dot and re.search(r",\d{1,2}\s*$", text) is not None


def _money(raw: dict[str, Any], column: str | None, currency: str, decimal: str = ".") -> Decimal | None:
    if not column:
        return None
    text = clean_text(raw.get(column))
    if text is None:
        return None
    if decimal != "." and _decimal_comma(text, decimal):
        text = re.sub(r"[\s.\u00a0\u202f]", "", text).replace(",", ".")
    try:
        money = clean_money(text.replace("+", "", 1) if "+" in text[:3] else text, currency, negative_ok=True)
    except InvalidRecord as exc:
        raise InvalidRecord(f"{column}: {exc.reason}", column) from None
    return None if money is None else money.amount


class _StatementMapper:
    """Maps one statement file's rows, keeping the running balance and account across rows."""

    def __init__(self, layout: Layout, builder: StatementBuilder, account_key: str, account_props: dict[str, Any]):
        self.lay, self.b = layout, builder
        self.account_key, self.account_props = account_key, account_props
        self.prev: tuple[Decimal, Decimal] | None = None  # (balance change, balance) of the last accepted row
        self.direction: str | None = None  # "asc" (oldest first) or "desc" (newest first)

    def col(self, raw: dict[str, Any], role: str) -> str | None:
        column = self.lay.columns.get(role)
        # Lloyds prefixes sort codes with "'" and Amex wraps references in it, so spreadsheets keep
        # them as text.
        value = str(raw.get(column) or "").lstrip("'") if column else ""
        return clean_text(value.rstrip("'") if role == "reference" else value)

    def money(self, raw: dict[str, Any], role: str, currency: str) -> Decimal | None:
        return _money(raw, self.lay.columns.get(role), currency, self.lay.decimal)

    def amount(self, raw: dict[str, Any], currency: str) -> Decimal:
        cols = self.lay.columns
        if "amount" in cols:
            value = self.money(raw, "amount", currency)
            if value is None:
                raise InvalidRecord("amount is empty", cols["amount"])
            value = -value if self.lay.amount_sign == "out_positive" else value
        else:
            out, inn = self.money(raw, "out", currency), self.money(raw, "in", currency)
            if out and inn:
                raise InvalidRecord("both money out and money in on one row", cols.get("out"))
            if not out and not inn:
                raise InvalidRecord("no amount in money out or money in", cols.get("out") or cols.get("in"))
            value = -abs(out) if out else abs(inn)  # type: ignore[arg-type]
        flag = (self.col(raw, "credit_flag") or "").upper()
        if flag in CREDIT_FLAGS:
            return abs(value)
        if flag in DEBIT_FLAGS:
            return -abs(value)
        return value

    def check_balance(self, change: Decimal, balance: Decimal | None) -> str | None:
        """Compare with the previous row in whichever order the statement runs; a break is flagged."""
        prev, mismatch = self.prev, None
        if balance is not None and prev is not None:
            asc_ok, desc_ok = prev[1] + change == balance, balance + prev[0] == prev[1]
            if self.direction is None and asc_ok != desc_ok:
                self.direction = "asc" if asc_ok else "desc"
            ok = {"asc": asc_ok, "desc": desc_ok}.get(self.direction or "", asc_ok or desc_ok)
            if not ok:
                expected = prev[1] - prev[0] if self.direction == "desc" else prev[1] + change
                mismatch = f"expected balance {expected}, statement says {balance}"
        return mismatch

    def refuse_unmoved(self, raw: dict[str, Any]) -> None:
        """Quarantine what is not money that moved: a state outside ``loaded_states``, a pending date."""
        state = self.col(raw, "state")
        if self.lay.loaded_states and "state" in self.lay.columns and (state or "").upper() not in \
                self.lay.loaded_states:
            why = STATE_REASONS.get((state or "").upper(), "not a completed transaction")
            raise InvalidRecord(f"state {state or '(blank)'}: {why}; not loaded as money that moved",
                                self.lay.columns["state"])
        if (self.col(raw, "date") or "").lower() == "pending":
            raise InvalidRecord("pending: not yet posted, so not loaded as money that moved", self.lay.columns["date"])

    def __call__(self, row: int, raw: dict[str, Any]) -> list[Any]:
        self.refuse_unmoved(raw)
        currency = (self.col(raw, "currency") or self.lay.currency).upper()
        day = parse_day(self.col(raw, "date") or "", self.lay.date_formats)
        amount = self.amount(raw, currency)
        fee = self.money(raw, "fee", currency)
        balance = self.money(raw, "balance", currency)
        extra: dict[str, Any] = {"balance": None if balance is None else money_text(balance),
                                 "type": self.col(raw, "type"), "fee": money_text(abs(fee)) if fee else None}
        extra |= {prop: clean_text(raw.get(column)) for prop, column in self.lay.keep.items()}
        change = amount - abs(fee or 0)
        mismatch = self.check_balance(change, balance)
        if mismatch:
            extra["balance_mismatch"] = mismatch
        if self.lay.symbol:
            bare = [c for r in ("amount", "out", "in", "balance") if (c := self.lay.columns.get(r))
                    and clean_text(raw.get(c)) and self.lay.symbol not in str(raw.get(c))]
            if bare:
                extra["format_anomaly"] = f"no {self.lay.symbol} sign in {', '.join(bare)} (the bank always prints it)"
        key, props = self.account_key, self.account_props
        row_account = self.col(raw, "account") or self.col(raw, "account_number")
        if row_account:
            key = " ".join(p for p in (self.col(raw, "sort_code"), row_account) if p)
            props = _account_props(key, self.col(raw, "account_name"), self.lay.currency)
        account_id, account_records = self.b.account(key, props)
        records = self.b.transfer(row, account_id, account_records, day, amount, currency,
                                  self.col(raw, "description") or "", self.col(raw, "type") or "",
                                  self.col(raw, "reference"), self.col(raw, "counterparty"), extra,
                                  describe_type=self.lay.type_in_description)
        self.prev = (change, balance) if balance is not None else None
        return records


_SORT_NUMBER = re.compile(r"(?:(\d{2})-?(\d{2})-?(\d{2})\s+)?([0-9*]{4,})\s*$")


def _account_props(text: str, name: str | None, currency: str) -> dict[str, Any]:
    """Split "Foo current ****12345" / "20-32-06 13152170" into name, sort code and number."""
    match = _SORT_NUMBER.search(text)
    props: dict[str, Any] = {"name": name, "currency": currency}
    if match:
        if match.group(1):
            props["sort_code"] = "-".join(match.group(i) for i in (1, 2, 3))
        props["account_number"] = match.group(4)
        props["name"] = name or clean_text(text[: match.start()])
    else:
        props["name"] = name or text
    return props


def _first_row(path: Path, found: Detection, encoding: str | None) -> dict[str, str]:
    layout = found.layout
    header: list[str] | None = [f"column_{i}" for i in range(1, layout.width + 1)] if layout.headerless else None
    for line, cells in iter_cells(path, encoding or layout.encoding, delimiter=found.delimiter):
        if line < found.line or not any(c.strip() for c in cells):
            continue
        if header is None:
            header = clean_headers(cells)
            continue
        return dict(zip(header, cells, strict=False))
    return {}


def load_statement(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
                   options: dict[str, Any] | None = None) -> LoadReport:
    """Load one statement file; options: ``mapping`` (YAML path or shipped layout name),
    ``holder``, ``account``, ``dataset``, ``institution``, ``encoding``, ``sheet``,
    ``match_transfers`` (default true: merge transfers also seen in another loaded statement)."""
    path, opts = Path(path), dict(options or {})
    encoding = opts.get("encoding")
    given = load_layout(opts["mapping"]) if opts.get("mapping") else None
    found = detect_layout(path, given, encoding)
    layout, preamble = found.layout, found.preamble
    pre = {role: preamble[key] for key, role in layout.preamble.items() if key in preamble}
    account_text = clean_text(opts.get("account")) or pre.get("account_number") or pre.get("account_name") \
        or path.stem
    props = _account_props(account_text, None, layout.currency)
    if pre.get("account_name") and not opts.get("account"):
        props = _account_props(pre["account_name"], None, layout.currency)
        props["account_number"] = pre.get("account_number") or props.get("account_number")
    if not (opts.get("account") or pre) and ({"account", "account_number"} & set(layout.columns)):
        first = _first_row(path, found, encoding)
        number = first.get(layout.columns.get("account") or layout.columns["account_number"], "").lstrip("'")
        sort = first.get(layout.columns.get("sort_code", ""), "").lstrip("'")
        if number.strip():
            props = _account_props(f"{sort} {number}".strip(), first.get(layout.columns.get("account_name", "")),
                                   layout.currency)
    key = " ".join(p for p in (props.get("sort_code"), props.get("account_number")) if p) or account_text
    dataset = clean_text(opts.get("dataset")) or f"bank-{slug(key)}"
    loader = Loader(store, dataset, "bank", Path(quarantine_dir) / f"{dataset}.{slug(path.stem)}.quarantine.csv")
    loader.report.notes["layout"] = {"name": layout.name, "header_line": found.line,
                                     "delimiter": found.delimiter, "currency": layout.currency, "why": found.why}
    institution = clean_text(opts.get("institution")) or layout.institution
    builder = StatementBuilder(dataset, path.name, loader.ingested_at, institution, opts.get("holder"),
                               merged_ids(store, dataset), store)
    mapper = _StatementMapper(layout, builder, key, props)
    loader.run(path.name, _rows(loader, path, found, encoding), mapper)
    loader.count(path.name)
    return finish_statement(loader, store, dataset, opts)


def _detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in (".csv", ".xlsx", ".xlsm", ".txt"):
        return False
    try:
        detect_layout(path)
    except InvalidRecord:
        return False
    return True


@reader("bank", detect=_detect)
def read_bank(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``bank`` format for ``assetgraph load``."""
    return load_statement(store, path, quarantine_dir, options)
