"""Bank statements (CSV/XLSX) as TRANSFERs between the statement's account and its counterparties.

Statements arrive from production orders in each bank's own export layout, so a *layout* (a
small YAML mapping, see ``ingest/bank_mappings/``) names the columns: ``date``, ``description``,
``type``, either one signed ``amount`` or ``paid_out``/``paid_in`` (alias ``debit``/``credit``),
``balance``, ``reference``, ``counterparty``, ``currency`` and the account columns; plus
``date_formats``, ``preamble`` keys, ``footer`` keys, ``institution``, ``currency``, ``encoding``
and ``amount_sign`` (``in_positive`` by default; ``out_positive`` for card-style exports).

When no layout is given the header row is found among the first rows and matched against the
shipped layouts, then against generic column synonyms, so a Nationwide export loads with no
options. Rows before the header are the preamble (account name/number are taken from it);
footer rows (Nationwide's "Arranged Overdraft Limit") and blank lines are metadata, not rows.

Each row becomes a TRANSFER: money out runs from the account to the counterparty, money in the
other way. The counterparty is parsed from the description where the layout allows (see
:func:`parse_counterparty`) into a dataset-scoped Person, Company or Account stub flagged
``parsed_from_description``; when nothing parses it is one ``unknown_counterparty`` Account per
description. A running-balance break is flagged (``balance_mismatch``), never rejected. A row's
id hashes account + date + amount + description + its sequence among identical rows, so the
same statement loaded again writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store
from graph.types import clean_date, clean_money, clean_text
from ingest.counterparty import COMPANY_WORDS, parse_counterparty, slug
from ingest.csvio import clean_headers, open_text
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["Layout", "load_layout", "shipped_layouts", "detect_layout", "load_statement", "StatementBuilder",
           "merged_ids", "register_statement_dataset", "iter_cells", "money_text", "parse_day"]

MAPPINGS_DIR = Path(__file__).parent / "bank_mappings"
ROLE_ALIASES = {"paid_out": "out", "debit": "out", "money_out": "out", "paid_in": "in", "credit": "in",
                "money_in": "in"}
ROLES = {"date", "type", "description", "amount", "out", "in", "balance", "reference", "counterparty", "currency",
         "account", "sort_code", "account_number", "account_name"}
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
SEQ_DAYS = 62  # a statement revisiting a day after 62 other days restarts that day's numbering
EMITTED_CAP = 100_000
SYMBOLS = "£$€"


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "").replace("\ufeff", "")).strip().rstrip(":").strip().lower()


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
            columns[role] = str(column)
        if "date" not in columns:
            raise InvalidRecord(f"{origin}: the mapping needs a 'date' column")
        if "amount" not in columns and not ("out" in columns or "in" in columns):
            raise InvalidRecord(f"{origin}: the mapping needs 'amount' or 'paid_out'/'paid_in' columns")
        if data.get("amount_sign", "in_positive") not in ("in_positive", "out_positive"):
            raise InvalidRecord(f"{origin}: amount_sign must be in_positive or out_positive")
        formats = data.get("date_formats") or data.get("date_format") or cls.date_formats
        header = data.get("header") or [c for r, c in columns.items() if r in ("date", "amount", "out", "in")]
        return cls(
            name=str(data.get("name") or origin), columns=columns, header=tuple(str(h) for h in header),
            date_formats=tuple([formats] if isinstance(formats, str) else formats),
            preamble={_norm(k): str(v) for k, v in (data.get("preamble") or {}).items()},
            footer=tuple(_norm(f) for f in data.get("footer") or ()), institution=data.get("institution"),
            currency=str(data.get("currency") or "GBP").upper(), encoding=data.get("encoding"),
            amount_sign=data.get("amount_sign", "in_positive"), symbol=data.get("symbol"))

    def matches(self, cells: list[str]) -> bool:
        have = {_norm(c) for c in cells}
        return bool(self.header) and all(_norm(h) in have for h in self.header)


def load_layout(spec: str | Path) -> Layout:
    """A layout from a YAML file path or a shipped layout's name (``nationwide-statement``)."""
    for layout in shipped_layouts():
        if layout.name == str(spec):
            return layout
    path = Path(spec)
    if not path.exists():
        raise InvalidRecord(f"bank mapping {spec!r} is neither a file nor a shipped layout "
                            f"({', '.join(lay.name for lay in shipped_layouts())})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRecord(f"bank mapping {path} is not valid YAML: {exc}") from None
    return Layout.from_dict(data, str(path))


@lru_cache(maxsize=1)
def shipped_layouts() -> tuple[Layout, ...]:
    """The layouts in ``ingest/bank_mappings`` (most specific header first)."""
    found = [Layout.from_dict(yaml.safe_load(p.read_text(encoding="utf-8")), p.name)
             for p in sorted(MAPPINGS_DIR.glob("*.yaml"))]
    return tuple(sorted(found, key=lambda lay: -len(lay.header)))


def _generic_layout(cells: list[str]) -> Layout | None:
    """A layout guessed from column synonyms, for banks with no shipped mapping."""
    names = {_norm(c): c for c in cells if c.strip()}
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
    return Layout(name="generic", columns=columns, header=tuple(columns.values()))


# --- reading rows ---------------------------------------------------------------------------------

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


def iter_cells(path: Path, encoding: str | None = None, sheet: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV or of an XLSX sheet, streamed (openpyxl read-only mode)."""
    if _is_excel(path):
        from openpyxl import load_workbook

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
        rows = csv.reader(fh)
        try:
            for cells in rows:
                yield rows.line_num, cells
        except csv.Error as exc:
            yield rows.line_num + 1, ["\x00csv-error", str(exc)]


def detect_layout(path: Path, layout: Layout | None = None,
                  encoding: str | None = None) -> tuple[Layout, int, dict[str, str]]:
    """Find the header: ``(layout, header line, preamble key -> value)``; raise if none is known."""
    preamble: dict[str, str] = {}
    for n, (line, cells) in enumerate(iter_cells(path, encoding or (layout.encoding if layout else None))):
        if n >= HEADER_SEARCH_ROWS:
            break
        if layout is not None and layout.matches(cells):
            return layout, line, preamble
        if layout is None:
            for candidate in shipped_layouts():
                if candidate.matches(cells):
                    return candidate, line, preamble
            generic = _generic_layout(cells)
            if generic is not None:
                return generic, line, preamble
        filled = [c.strip() for c in cells if c.strip()]
        if len(filled) >= 2:
            preamble[_norm(filled[0])] = filled[1]
    wanted = f"the header of layout {layout.name!r}" if layout else "a known statement header"
    raise InvalidRecord(f"{path.name}: no {wanted} in the first {HEADER_SEARCH_ROWS} rows")


def _rows(loader: Loader, path: Path, layout: Layout, header_line: int,
          encoding: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    header: list[str] | None = None
    file = path.name
    for line, cells in iter_cells(path, encoding or layout.encoding):
        if line < header_line:
            continue
        if header is None:
            header = clean_headers(cells)
            continue
        if cells[:1] == ["\x00csv-error"]:
            loader.reject(file, line, f"unreadable CSV: {cells[1]}")
            return
        while cells and not cells[-1].strip() and len(cells) > len(header):
            cells = cells[:-1]
        if not any(c.strip() for c in cells) or _norm(cells[0]) in layout.footer:
            continue  # blank lines and footer metadata are not transactions
        raw = dict(zip(header, cells, strict=False))
        if len(cells) != len(header):
            if len(cells) > len(header):
                raw["_extra"] = "|".join(cells[len(header):])
            loader.reject(file, line, f"ragged row: {len(cells)} cells, header has {len(header)}", None, raw)
            continue
        yield line, raw


# --- statement rows to records --------------------------------------------------------------------

def merged_ids(store: Store, dataset: str) -> set[str]:
    """Relation ids of this dataset already merged by transfer matching (not to be rewritten)."""
    return set((store.get_meta(f"transfer_matches:{dataset}") or {}).keys())


def register_statement_dataset(store: Store, dataset: str) -> None:
    """Remember that ``dataset`` holds statement transfers, so matching can find it later."""
    known = store.get_meta("statement_datasets") or []
    if dataset not in known:
        store.set_meta("statement_datasets", sorted([*known, dataset]))


class StatementBuilder:
    """Turns statement lines into records; shared by the CSV/XLSX and OFX readers.

    Entities (account, holder, counterparty stubs) are emitted once per load, with the first
    accepted row that needs them, so a load that quarantines everything creates nothing.
    """

    def __init__(self, dataset: str, file: str, ingested_at: str, institution: str | None = None,
                 holder: str | None = None, skip: set[str] | None = None, store: Store | None = None) -> None:
        self.ds, self.file, self.at, self.store = dataset, file, ingested_at, store
        self.institution, self.holder = institution, clean_text(holder)
        self.skip = skip or set()
        # Bounded so memory does not grow with the file: re-emitting an entity is a no-op write,
        # and identical lines are numbered within the day, keeping the last SEQ_DAYS days seen.
        self._emitted: OrderedDict[str, None] = OrderedDict()
        self._seq: OrderedDict[str, dict[str, int]] = OrderedDict()

    def _stub_prov(self, source: str) -> tuple[Provenance, ...]:
        # No file/row: the same stub named in January's and February's statements stays unchanged.
        return (Provenance(self.ds, None, None, source, None, self.at),)

    def account(self, key: str, props: dict[str, Any]) -> tuple[str, list[Record]]:
        """The statement's own account (id, records not yet emitted)."""
        aid = make_id(self.ds, f"account:{slug(key)}")
        if aid in self._emitted:
            return aid, []
        body = {k: v for k, v in ({"institution": self.institution} | props).items() if v}
        # Statements of one account in two layouts say different things about it (only one
        # names it): keep what is known, so loading either again changes nothing.
        known = self.store.get_entity(aid) if self.store is not None else None
        if known is not None:
            body = dict(known.props) | body
        out: list[Record] = [Entity(aid, "Account", body, self._stub_prov("bank statement"), f"account:{slug(key)}",
                                    self.ds)]
        if self.holder:
            kind = "Company" if COMPANY_WORDS.search(self.holder) else "Person"
            hid = make_id(self.ds, f"holder:{slug(self.holder)}")
            out.append(Entity(hid, kind, {"name": self.holder}, self._stub_prov("account holder (given at load)"),
                              f"holder:{slug(self.holder)}", self.ds))
            sid = f"HOLDS:{slug(self.holder)}>{slug(key)}"
            out.append(Relation(make_id(self.ds, sid), "HOLDS", hid, aid, {"role": "account holder"},
                                self._stub_prov("account holder (given at load)"), sid, self.ds))
        return aid, out

    def transfer(self, row: int, account_id: str, account_records: list[Record], day: str, amount: Decimal,
                 currency: str, description: str, type_text: str = "", reference: str | None = None,
                 counterparty: str | None = None, extra: dict[str, Any] | None = None,
                 source_ref: str | None = None) -> list[Record]:
        """One statement line: ``amount`` is signed (negative = money out of the account)."""
        if amount == 0:
            raise InvalidRecord("zero amount: not a transfer", "amount")
        shown = "" if description and description.lower() in type_text.lower() else description
        named = counterparty if counterparty and counterparty.lower() not in f"{type_text} {shown}".lower() else ""
        text = " ".join(t for t in (type_text, named, shown) if t).strip()
        parsed = parse_counterparty(type_text, description, counterparty, self.institution)
        records: list[Record] = list(account_records)
        if parsed.kind == "Account" and parsed.account_number:
            cp_sid = f"cp:account:{parsed.sort_code or ''}{parsed.account_number}"
            props: dict[str, Any] = {"name": parsed.name, "sort_code": parsed.sort_code,
                                     "account_number": parsed.account_number}
        elif parsed.name:
            cp_sid = f"cp:{parsed.kind.lower()}:{slug(parsed.name)}"
            props = {"name": parsed.name}
        else:
            cp_sid = f"cp:unknown:{slug(text) or 'blank'}"
            props = {"name": text or "unknown counterparty", "unknown_counterparty": True}
            parsed = parsed._replace(kind="Account")
        props[parsed.flag] = True
        cp_id = make_id(self.ds, cp_sid)
        if cp_id not in self._emitted:
            records.append(Entity(cp_id, parsed.kind, {k: v for k, v in props.items() if v is not None},
                                  self._stub_prov("counterparty named in a bank statement"), cp_sid, self.ds))
        key = "|".join((account_id, day, str(amount), text))
        day_seq = self._seq.get(day)
        seq = (day_seq or {}).get(key, 0) + 1
        sid = "txn:" + hashlib.blake2b(f"{key}|{seq}".encode(), digest_size=12).hexdigest()
        rid = make_id(self.ds, sid)
        tprops = {"date": day, "amount": money_text(abs(amount)), "currency": currency, "description": text or None,
                  "reference": reference or parsed.reference, "direction": "out" if amount < 0 else "in",
                  "statement_account": account_id, "counterparty_parse": parsed.code} | (extra or {})
        src, dst = (account_id, cp_id) if amount < 0 else (cp_id, account_id)
        if rid not in self.skip:
            records.append(Relation(rid, "TRANSFER", src, dst, {k: v for k, v in tprops.items() if v is not None},
                                    (Provenance(self.ds, self.file, row, "bank statement", source_ref, self.at),),
                                    sid, self.ds))
        # Only now is the row certain to be accepted: remember what it emitted.
        if day_seq is None:
            day_seq = self._seq[day] = {}
            if len(self._seq) > SEQ_DAYS:
                self._seq.popitem(last=False)
        day_seq[key] = seq
        for eid in [*(r.id for r in records if isinstance(r, Entity)), account_id]:
            self._emitted[eid] = None
            self._emitted.move_to_end(eid)
        while len(self._emitted) > EMITTED_CAP:
            self._emitted.popitem(last=False)
        return records


def parse_day(text: str, formats: tuple[str, ...]) -> str:
    """A statement date in one of the layout's formats, else ISO/UK via :func:`clean_date`."""
    value = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        day = clean_date(value)
    except InvalidRecord as exc:
        raise InvalidRecord(f"date: {exc.reason} (layout formats {', '.join(formats)})", "date") from None
    if day is None:
        raise InvalidRecord("date is empty", "date")
    return day


def _money(raw: dict[str, Any], column: str | None, currency: str) -> Decimal | None:
    if not column:
        return None
    text = clean_text(raw.get(column))
    if text is None:
        return None
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
        self.prev: tuple[Decimal, Decimal] | None = None  # (amount, balance) of the last accepted row
        self.direction: str | None = None  # "asc" (oldest first) or "desc" (newest first)

    def col(self, raw: dict[str, Any], role: str) -> str | None:
        column = self.lay.columns.get(role)
        # Lloyds prefixes sort codes with "'" so spreadsheets keep them as text.
        return clean_text(str(raw.get(column) or "").lstrip("'")) if column else None

    def amount(self, raw: dict[str, Any], currency: str) -> Decimal:
        cols = self.lay.columns
        if "amount" in cols:
            value = _money(raw, cols["amount"], currency)
            if value is None:
                raise InvalidRecord("amount is empty", cols["amount"])
            return -value if self.lay.amount_sign == "out_positive" else value
        out, inn = _money(raw, cols.get("out"), currency), _money(raw, cols.get("in"), currency)
        if out and inn:
            raise InvalidRecord("both money out and money in on one row", cols.get("out"))
        if not out and not inn:
            raise InvalidRecord("no amount in money out or money in", cols.get("out") or cols.get("in"))
        return -abs(out) if out else abs(inn)  # type: ignore[arg-type]

    def check_balance(self, amount: Decimal, balance: Decimal | None) -> str | None:
        """Compare with the previous row in whichever order the statement runs; a break is flagged."""
        prev, mismatch = self.prev, None
        if balance is not None and prev is not None:
            asc_ok, desc_ok = prev[1] + amount == balance, balance + prev[0] == prev[1]
            if self.direction is None and asc_ok != desc_ok:
                self.direction = "asc" if asc_ok else "desc"
            ok = {"asc": asc_ok, "desc": desc_ok}.get(self.direction or "", asc_ok or desc_ok)
            if not ok:
                expected = prev[1] - prev[0] if self.direction == "desc" else prev[1] + amount
                mismatch = f"expected balance {expected}, statement says {balance}"
        return mismatch

    def __call__(self, row: int, raw: dict[str, Any]) -> list[Record]:
        currency = (self.col(raw, "currency") or self.lay.currency).upper()
        day = parse_day(self.col(raw, "date") or "", self.lay.date_formats)
        amount = self.amount(raw, currency)
        balance = _money(raw, self.lay.columns.get("balance"), currency)
        extra: dict[str, Any] = {"balance": None if balance is None else money_text(balance),
                                 "type": self.col(raw, "type")}
        mismatch = self.check_balance(amount, balance)
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
                                  self.col(raw, "reference"), self.col(raw, "counterparty"), extra)
        self.prev = (amount, balance) if balance is not None else None
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


def _first_row(path: Path, layout: Layout, header_line: int, encoding: str | None) -> dict[str, str]:
    header: list[str] | None = None
    for line, cells in iter_cells(path, encoding or layout.encoding):
        if line < header_line or not any(c.strip() for c in cells):
            continue
        if header is None:
            header = clean_headers(cells)
            continue
        return dict(zip(header, cells, strict=False))
    return {}


def money_text(value: Decimal) -> str:
    """Money as text with at least two decimal places (a spreadsheet's 1250.1 is "1250.10")."""
    exponent = value.as_tuple().exponent
    return str(value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else value)


def load_statement(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
                   options: dict[str, Any] | None = None) -> LoadReport:
    """Load one statement file; options: ``mapping`` (YAML path or shipped layout name),
    ``holder``, ``account``, ``dataset``, ``institution``, ``encoding``, ``sheet``,
    ``match_transfers`` (default true: merge transfers also seen in another loaded statement)."""
    path, opts = Path(path), dict(options or {})
    encoding = opts.get("encoding")
    given = load_layout(opts["mapping"]) if opts.get("mapping") else None
    layout, header_line, preamble = detect_layout(path, given, encoding)
    pre = {role: preamble[key] for key, role in layout.preamble.items() if key in preamble}
    account_text = clean_text(opts.get("account")) or pre.get("account_number") or pre.get("account_name") \
        or path.stem
    props = _account_props(account_text, None, layout.currency)
    if pre.get("account_name") and not opts.get("account"):
        props = _account_props(pre["account_name"], None, layout.currency)
        props["account_number"] = pre.get("account_number") or props.get("account_number")
    if not (opts.get("account") or pre) and ({"account", "account_number"} & set(layout.columns)):
        first = _first_row(path, layout, header_line, encoding)
        number = first.get(layout.columns.get("account") or layout.columns["account_number"], "").lstrip("'")
        sort = first.get(layout.columns.get("sort_code", ""), "").lstrip("'")
        if number.strip():
            props = _account_props(f"{sort} {number}".strip(), first.get(layout.columns.get("account_name", "")),
                                   layout.currency)
    key = " ".join(p for p in (props.get("sort_code"), props.get("account_number")) if p) or account_text
    dataset = clean_text(opts.get("dataset")) or f"bank-{slug(key)}"
    loader = Loader(store, dataset, "bank", Path(quarantine_dir) / f"{dataset}.{slug(path.stem)}.quarantine.csv")
    institution = clean_text(opts.get("institution")) or layout.institution
    builder = StatementBuilder(dataset, path.name, loader.ingested_at, institution, opts.get("holder"),
                               merged_ids(store, dataset), store)
    mapper = _StatementMapper(layout, builder, key, props)
    loader.run(path.name, _rows(loader, path, layout, header_line, encoding), mapper)
    loader.count(path.name)
    return finish_statement(loader, store, dataset, opts)


def finish_statement(loader: Loader, store: Store, dataset: str, opts: dict[str, Any]) -> LoadReport:
    """End a statement load (CSV, XLSX or OFX): write, then merge transfers seen in two statements."""
    report = loader.finish()
    register_statement_dataset(store, dataset)
    if opts.get("match_transfers", True) not in (False, "false", "no", "0"):
        from ingest.transfer_match import merge_matched_transfers

        merge_matched_transfers(store, dataset)
    return report


def _detect(path: Path) -> bool:
    if path.is_dir() or path.suffix.lower() not in (".csv", ".xlsx", ".xlsm", ".txt"):
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


# --- counterparties from descriptions ------------------------------------------------------------
