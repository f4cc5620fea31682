"""The case-list CSV (format ``case-list``): a revisit team's ledger of old confiscation orders.

One row per case::

    case_id,subjects,subject_dataset,order_date,due,benefit,amount,payments,status,force,region
    OP-OLD-7,P1;P2,OP-OLD-7,2017-03-01,2017-06-01,"£750,000",120000,2017-05-01:20000;2019-01-10:5000,active,WYP,Yorkshire

Optional columns: ``proceedings_started``, ``convictions`` (``;``-separated), ``lifestyle``,
``valuation_date``. ``payments`` is ``DATE:AMOUNT`` pairs separated by ``;`` (a bare amount is
taken as paid on the due date). ``status`` is ``active`` (default), ``unable_to_proceed``,
``deceased`` or ``abroad``.

How a subject id names a person already in the store (first that exists wins):

1. a full store id ``DATASET/ID`` (``OP-DEMO-01/P1``, ``companies-house/...``);
2. ``ID`` in the row's ``subject_dataset`` column, or the ``subject_dataset`` load option;
3. ``ID`` in the dataset named by the case id (the case's own bundle, loaded earlier).

A row naming a subject that is not a Person in the store is quarantined: load bundles and
registers first, then the case list.

Fields: a row cannot stand without ``case_id``, ``subjects``, ``order_date`` and ``amount``; nor with
an unreadable ``due``, ``payments`` or ``status`` (each changes the figures a revisit team acts
on: the time to pay, what is still owed, whether the case can proceed), so those quarantine the
row. ``benefit``, ``proceedings_started``, ``valuation_date``, ``convictions`` and ``lifestyle``
are optional: unreadable, each costs only itself (kept as ``<field>_raw``, a field-level quarantine
line), and a rule that needs it says it does not apply. Dates are read by the shared parser as
days (``DD/MM/YYYY``, ``YYYY-MM-DD``, month names...), the forms read counted per column in
``notes["date_forms"]``. Each row writes the Case record (id ``CASE_ID/case``, the
id a case bundle uses, so a list row and a bundle describe one case: the list's order figures,
status, force and region are laid over the bundle's case.json) and a SUBJECT_OF link per subject.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store
from graph.types import clean_money, clean_text
from ingest.csvio import BadRow, read_csv, sniff_header
from ingest.date_forms import DateForms
from ingest.formats import reader
from ingest.pipeline import Loader, LoadReport, Record

__all__ = ["load_case_list", "STATUSES", "REQUIRED_COLUMNS"]

STATUSES = ("active", "unable_to_proceed", "deceased", "abroad")
REQUIRED_COLUMNS = ("case_id", "subjects", "order_date", "amount")
_LIFESTYLES = ("yes", "no", "undecided")


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").replace("|", ";").split(";") if p.strip()]


def _gbp(value: Any, column: str) -> str | None:
    money = clean_money(value)
    if money is None:
        return None
    if money.currency != "GBP":
        raise InvalidRecord(f"{column} must be in GBP, got {money.currency}", column)
    return str(money.amount)


def _payments(text: str | None, due: str, day: Callable[[object], str | None]) -> list[dict[str, str]]:
    out = []
    for part in _split(text):
        when, sep, amount = part.partition(":")
        if not sep:
            when, amount = due, part
        try:
            paid, on = _gbp(amount, "payments"), day(when)
        except InvalidRecord as exc:
            raise InvalidRecord(f"payment {part!r} is not DATE:AMOUNT ({exc.reason})", "payments") from None
        if paid is None or on is None:
            raise InvalidRecord(f"payment {part!r} is not DATE:AMOUNT", "payments")
        out.append({"date": on, "amount": paid})
    return sorted(out, key=lambda p: p["date"])


def _lifestyle(value: object) -> str | None:
    lifestyle = (clean_text(value) or "").lower()
    if lifestyle and lifestyle not in _LIFESTYLES:
        raise InvalidRecord(f"lifestyle must be yes, no or undecided, not {lifestyle!r}", "lifestyle")
    return lifestyle or None


class _CaseList:
    """Maps rows to a Case record and its SUBJECT_OF links, checking subjects against the store."""

    def __init__(self, store: Store, loader: Loader, file: str, default_dataset: str | None) -> None:
        self.store, self.loader, self.file, self.default_dataset = store, loader, file, default_dataset
        self.dates = DateForms(loader.report.notes)

    def subject(self, ref: str, dataset: str | None, case_id: str) -> Entity:
        candidates = [ref] if "/" in ref else []
        candidates += [make_id(ds, ref) for ds in (dataset, self.default_dataset, case_id) if ds]
        for found in self.store.get_entities(candidates):
            if found.kind == "Person":
                return found
        raise InvalidRecord(f"subject {ref!r} is not a person in the store (tried {', '.join(candidates)})",
                            "subjects")

    def row(self, row: int, raw: dict[str, Any]) -> list[Record]:
        case_id = clean_text(raw.get("case_id"))
        if not case_id:
            raise InvalidRecord("case_id is empty", "case_id")
        refs = _split(raw.get("subjects"))
        if not refs:
            raise InvalidRecord("subjects is empty", "subjects")
        status = (clean_text(raw.get("status")) or "active").lower().replace(" ", "_")
        if status not in STATUSES:
            raise InvalidRecord(f"status must be one of {', '.join(STATUSES)}, not {status!r}", "status")
        made = self.dates.required(self.dates.day("order_date"), raw.get("order_date"), "order_date")
        due = self.dates.day("due")(raw.get("due")) or made
        amount = _gbp(raw.get("amount"), "amount")
        if amount is None:
            raise InvalidRecord("amount is empty", "amount")
        order: dict[str, Any] = {"date": made, "due": due, "benefit": None, "amount": amount,
                                 "payments": _payments(raw.get("payments"), due, self.dates.day("payments"))}
        self.loader.soft(order, "benefit", raw.get("benefit"), lambda v: _gbp(v, "benefit"))
        subjects = [self.subject(ref, clean_text(raw.get("subject_dataset")), case_id) for ref in refs]
        props: dict[str, Any] = {"case_id": case_id, "subjects": [s.id for s in subjects], "order": order,
                                 "status": status}
        for key in ("force", "region"):
            if clean_text(raw.get(key)):
                props[key] = clean_text(raw.get(key))
        for key in ("proceedings_started", "valuation_date"):
            self.loader.soft(props, key, raw.get(key), self.dates.day(key))
        convicted = self.dates.day("convictions")
        self.loader.soft(props, "convictions", raw.get("convictions"),
                         lambda v: [d for d in (convicted(p) for p in _split(clean_text(v))) if d] or None)
        self.loader.soft(props, "lifestyle", raw.get("lifestyle"), _lifestyle)
        prov = Provenance("case-list", self.file, row, clean_text(raw.get("source")), clean_text(raw.get("source_ref")),
                          self.loader.ingested_at)
        cid = make_id(case_id, "case")
        existing = self.store.get_entity(cid)
        if existing is not None and existing.kind == "Case":
            merged = {**existing.props, **props, "subjects": sorted({*existing.props.get("subjects", []),
                                                                       *props["subjects"]})}
            provs = tuple(p for p in existing.provenance if (p.dataset, p.file) != ("case-list", self.file))
            case = Entity(cid, "Case", merged, (*provs, prov), existing.source_id or case_id,
                          existing.dataset or case_id)
        else:
            case = Entity(cid, "Case", props, (prov,), case_id, case_id)
        links: list[Record] = []
        for person in subjects:
            sid = person.source_id if person.dataset == case_id and person.source_id else person.id
            links.append(Relation(make_id(case_id, f"SUBJECT:{sid}"), "SUBJECT_OF", person.id, cid, {}, (prov,),
                                  f"SUBJECT:{sid}", case_id))
        return [case, *links]


def load_case_list(store: Store, path: str | Path, quarantine_dir: str | Path = "quarantine",
                   subject_dataset: str | None = None) -> LoadReport:
    """Load a case-list CSV; rows with a bad date, amount, status or unknown subject go to quarantine.

    Loading the same list twice writes nothing the second time.
    """
    path = Path(path)
    loader = Loader(store, "case-list", "case-list", Path(quarantine_dir) / f"case-list-{path.stem}.quarantine.csv",
                    batch_size=1)  # each row may read the case record the row before wrote
    mapper = _CaseList(store, loader, path.name, subject_dataset)

    def rows() -> Any:
        for item in read_csv(path):
            if isinstance(item, BadRow):
                loader.reject(path.name, item.row, item.reason, None, item.raw)
            else:
                yield item.row, item.data

    loader.run(path.name, rows(), mapper.row)
    return loader.finish()


def _is_case_list(path: Path) -> bool:
    if path.is_dir() or path.suffix.lower() != ".csv":
        return False
    head = sniff_header(path, lines=1)
    columns = {c.strip().lower() for c in (head[0] if head else [])}
    return all(c in columns for c in REQUIRED_COLUMNS)


@reader("case-list", detect=_is_case_list)
def read_case_list(store: Store, path: Path, quarantine_dir: Path, options: dict[str, Any]) -> LoadReport:
    """The ``case-list`` format for ``assetgraph load`` (option ``subject_dataset``)."""
    dataset = options.get("subject_dataset")
    return load_case_list(store, path, quarantine_dir, str(dataset) if dataset else None)
