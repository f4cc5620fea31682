"""Statement lines as TRANSFERs: what the CSV/XLSX and OFX statement readers share.

Each line becomes a TRANSFER between the statement's account and its counterparty: money out
runs from the account to the counterparty, money in the other way. The counterparty is parsed
from the description (:func:`ingest.counterparty.parse_counterparty`) into a dataset-scoped
Person, Company or Account stub flagged ``parsed_from_description``; when nothing parses it is
one ``unknown_counterparty`` Account per description. A line's id hashes account + date +
amount + description + its sequence among identical lines, so the same statement loaded again
writes nothing.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store
from graph.types import clean_text
from ingest.counterparty import COMPANY_WORDS, parse_counterparty, slug
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["StatementBuilder", "merged_ids", "register_statement_dataset", "finish_statement", "money_text"]

SEQ_DAYS = 62  # a statement revisiting a day after 62 other days restarts that day's numbering
EMITTED_CAP = 100_000


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
                 source_ref: str | None = None, describe_type: bool = True) -> list[Record]:
        """One statement line: ``amount`` is signed (negative = money out of the account).

        ``type_text`` helps read the counterparty; it leads the description only when
        ``describe_type`` (a CSV's "FPO"/"Transfer from" is part of what the bank printed, OFX's
        TRNTYPE "DEBIT" is not).
        """
        if amount == 0:
            raise InvalidRecord("zero amount: not a transfer", "amount")
        lead = type_text if describe_type else ""
        shown = "" if description and lead and description.lower() in lead.lower() else description
        named = counterparty if counterparty and counterparty.lower() not in f"{lead} {shown}".lower() else ""
        text = " ".join(t for t in (lead, named, shown) if t).strip()
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


def money_text(value: Decimal) -> str:
    """Money as text with at least two decimal places (a spreadsheet's 1250.1 is "1250.10")."""
    exponent = value.as_tuple().exponent
    return str(value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else value)


def finish_statement(loader: Loader, store: Store, dataset: str, opts: dict[str, Any]) -> LoadReport:
    """End a statement load (CSV, XLSX or OFX): write, then merge transfers seen in two statements."""
    report = loader.finish()
    register_statement_dataset(store, dataset)
    if opts.get("match_transfers", True) not in (False, "false", "no", "0"):
        from ingest.transfer_match import merge_matched_transfers

        merge_matched_transfers(store, dataset)
    return report
