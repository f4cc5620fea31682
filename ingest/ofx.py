"""OFX / QFX statements (Open Financial Exchange, SGML v1 and XML v2) via ``ofxparse``.

Each cash transaction of each account becomes a TRANSFER exactly as a CSV statement line does
(:class:`ingest.statement.StatementBuilder`: counterparty parsed from the payee, stable row ids,
transfer matching after the load). What is not a cash movement is not silently dropped:

- an error response (a failed sign-on such as ``signon_fail.ofx`` or a statement-level error
  status such as ``error_message.ofx``) is one quarantined row whose reason is the bank's own
  code and message -- the production order came back empty and the analyst must see why;
- investment statements: cash lines (``INVBANKTRAN``: interest, fees, cash transfers) load as
  transfers; security trades/income (``InvestmentTransaction``) and holding positions are
  quarantined with a reason naming the security, units and value, as they are not transfers
  between parties (the holdings are still evidence of assets, kept in the quarantine file);
- entries ``ofxparse`` could not read (empty FITID or NAME tags) are quarantined with its error.

Whole-file parsing: ``ofxparse`` reads a file into memory, which is fine for statements (a
year of a busy account is a few MB) but is the one reader here that is not streaming.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.store import Store
from graph.types import clean_text
from ingest.counterparty import slug
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport
from ingest.statement import StatementBuilder, finish_statement, merged_ids

__all__ = ["load_ofx", "parse_ofx", "bank_error"]

SUFFIXES = (".ofx", ".qfx", ".qbo")


def parse_ofx(path: Path) -> Any:
    """The parsed file, or :class:`InvalidRecord` when it is not OFX at all.

    A file whose header says CHARSET:1252 but holds UTF-8 (re-saved by hand, or exported badly)
    makes ``ofxparse`` fail on the first undefined byte; it is then re-read as UTF-8 and passed
    on as cp1252, characters outside it becoming ``?`` (visible, not dropped).
    """
    import io

    import ofxparse

    data = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4 warns about SGML parsed as XML
        for attempt in (data, data.decode("utf-8", errors="replace").encode("cp1252", errors="replace")):
            try:
                return ofxparse.OfxParser.parse(io.BytesIO(attempt), fail_fast=False)
            except UnicodeError:
                continue
            except Exception as exc:  # ofxparse raises bare exceptions of many kinds on junk
                raise InvalidRecord(f"{path.name} is not a readable OFX file: {type(exc).__name__}: {exc}") from None
    raise InvalidRecord(f"{path.name} is not a readable OFX file: undecodable text")


def bank_error(ofx: Any) -> str | None:
    """The bank's own error (sign-on or statement status), or None when the response is good."""
    signon = getattr(ofx, "signon", None)
    if signon is not None and not getattr(signon, "success", True):
        return f"bank refused the request: code {signon.code} ({signon.severity}): {signon.message}"
    status = getattr(ofx, "status", None)
    if isinstance(status, dict) and status.get("code") not in (None, 0, "0"):
        return (f"bank returned an error: code {status.get('code')} ({status.get('severity')}): "
                f"{status.get('message')}")
    return None


def _account_props(acct: Any, currency: str) -> dict[str, Any]:
    inst = getattr(acct, "institution", None)
    routing = clean_text(getattr(acct, "routing_number", None))
    props: dict[str, Any] = {"account_number": clean_text(acct.account_id), "currency": currency,
                             "institution": clean_text(getattr(inst, "organization", None)) if inst else None,
                             "branch_id": clean_text(getattr(acct, "branch_id", None)),
                             "account_type": clean_text(getattr(acct, "account_type", None))}
    if routing and routing.isdigit() and len(routing) == 6:
        props["sort_code"] = f"{routing[:2]}-{routing[2:4]}-{routing[4:]}"
    elif routing:
        props["routing_number"] = routing
    return props


def load_ofx(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
             options: dict[str, Any] | None = None) -> LoadReport:
    """Load one OFX/QFX file; options ``holder``, ``dataset``, ``currency`` (when the file has
    none), ``match_transfers`` (default true)."""
    path, opts = Path(path), dict(options or {})
    ofx = parse_ofx(path)
    accounts = list(getattr(ofx, "accounts", None) or [])
    ids = [clean_text(a.account_id) or "unknown" for a in accounts]
    dataset = clean_text(opts.get("dataset")) or f"bank-{slug('-'.join(ids) or path.stem)}"
    loader = Loader(store, dataset, "ofx", Path(quarantine_dir) / f"{dataset}.{slug(path.stem)}.quarantine.csv")
    file = path.name
    loader.count(file)
    error = bank_error(ofx)
    if error:
        loader.reject(file, 1, error, "STATUS", {"file": file})
        return loader.finish()
    builder = StatementBuilder(dataset, file, loader.ingested_at, None, opts.get("holder"), merged_ids(store, dataset),
                               store)
    row = 0
    for acct in accounts:
        stmt = getattr(acct, "statement", None)
        if stmt is None:
            continue
        currency = (clean_text(getattr(stmt, "currency", None)) or clean_text(getattr(acct, "curdef", None))
                    or clean_text(opts.get("currency")) or "GBP").upper()
        props = _account_props(acct, currency)
        builder.institution = props.get("institution")
        key = f"{props.get('sort_code') or props.get('routing_number') or ''} {acct.account_id}".strip()
        for entry in getattr(stmt, "discarded_entries", None) or []:
            row += 1
            loader.reject(file, row, f"unreadable entry: {entry.get('error')}", None, {"content": str(entry)[:500]})
        for txn in getattr(stmt, "transactions", None) or []:
            row += 1
            raw = {k: str(v) for k, v in vars(txn).items() if v not in (None, "")}
            if not hasattr(txn, "payee"):  # ofxparse InvestmentTransaction: a trade or security income
                loader.reject(file, row, f"investment transaction ({txn.type}, security {txn.security}, units "
                              f"{txn.units}, total {txn.total}): not a transfer between parties", "type", raw)
                continue
            try:
                account_id, account_records = builder.account(key, props)
                payee, memo = clean_text(txn.payee) or "", clean_text(txn.memo) or ""
                kind = clean_text(txn.type) or ""
                extra = {"memo": memo if memo and memo != payee else None, "check_number": clean_text(txn.checknum),
                         "type": kind or None}
                # TRNTYPE ("debit", "pos") reads the counterparty but is not part of what the bank printed.
                ref = clean_text(txn.id) or clean_text(txn.checknum)
                records = builder.transfer(row, account_id, account_records, txn.date.date().isoformat(), txn.amount,
                                           currency, payee or memo, kind, ref, None, extra,
                                           source_ref=f"FITID {txn.id}" if clean_text(txn.id) else None,
                                           describe_type=False)
            except InvalidRecord as exc:
                loader.reject(file, row, exc.reason, exc.column, raw)
            except (AttributeError, TypeError, ValueError) as exc:
                loader.reject(file, row, f"unreadable transaction: {exc}", None, raw)
            else:
                loader.accept(file, records)
        for pos in getattr(stmt, "positions", None) or []:
            row += 1
            loader.reject(file, row, f"holding position (security {pos.security}, units {pos.units}, market value "
                          f"{pos.market_value}): a holding, not a transfer", "position",
                          {k: str(v) for k, v in vars(pos).items()})
    return finish_statement(loader, store, dataset, opts)


def _detect(path: Path) -> bool:
    if path.is_dir():
        return False
    if path.suffix.lower() in SUFFIXES:
        return True
    with open(path, "rb") as fh:
        head = fh.read(2048).upper()
    return b"OFXHEADER" in head or b"<OFX>" in head


@reader("ofx", detect=_detect)
def read_ofx(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``ofx`` format for ``assetgraph load``."""
    return load_ofx(store, path, quarantine_dir, options)
