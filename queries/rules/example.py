"""A case written from Python values: the rules' doctests, table tests and generated cases.

The records are the ones a case bundle gives the store (Case, SUBJECT_OF, people, companies,
accounts, properties, relations, transfers), written straight through the Store protocol, so an
example case costs a few milliseconds instead of a bundle on disk. Ids are bundle ids (``P1``).

>>> ctx = ExampleCase().person("P1").account("A1").rel("HOLDS", "P1", "A1").context()
>>> ctx.relevant.day, ctx.as_at
(datetime.date(2013, 3, 16), datetime.date(2024, 1, 31))
"""

from __future__ import annotations

from typing import Any

from graph.model import Entity, Provenance, Relation, make_id
from graph.store import Store
from queries.rules.context import CaseContext, case_context

__all__ = ["ExampleCase", "report_of", "DEFAULT_CASE"]

DEFAULT_CASE = {"proceedings_started": "2019-03-15", "convictions": ["2020-06-01"], "lifestyle": "yes",
                "earlier_orders": [], "valuation_date": "2024-01-31"}


class ExampleCase:
    """One case's records. ``case`` fields override the defaults (D = 15 Mar 2019, LAW.md's example;
    convicted 1 Jun 2020; a criminal lifestyle; valued 31 Jan 2024)."""

    def __init__(self, case_id: str = "OP-T", subjects: tuple[str, ...] = ("P1",), **case: Any) -> None:
        self.ds = case_id
        self.case: dict[str, Any] = {"case_id": case_id, "subjects": list(subjects), **DEFAULT_CASE, **case}
        self.entities: list[Entity] = []
        self.relations: list[Relation] = []
        self._row = 0

    def __repr__(self) -> str:  # a failing generated case reads as its records
        rels = [(r.source_id, r.kind, r.source.split("/")[-1], r.target.split("/")[-1], dict(r.props))
                for r in self.relations]
        ents = [(e.source_id, e.kind, dict(e.props)) for e in self.entities]
        return f"ExampleCase({self.case!r}, entities={ents!r}, relations={rels!r})"

    def _prov(self, file: str) -> tuple[Provenance, ...]:
        self._row += 1
        return (Provenance(self.ds, file, self._row, "Generated", f"{self.ds} {file} row {self._row}"),)

    def entity(self, sid: str, kind: str, **props: Any) -> ExampleCase:
        file = {"Person": "people.csv", "Company": "companies.csv", "Account": "accounts.csv"}.get(kind,
                                                                                                    "properties.csv")
        self.entities.append(Entity(make_id(self.ds, sid), kind, {k: v for k, v in props.items() if v is not None},
                                    self._prov(file), sid, self.ds))
        return self

    def person(self, sid: str, name: str | None = None, **props: Any) -> ExampleCase:
        return self.entity(sid, "Person", name=name or f"Person {sid}", **props)

    def company(self, sid: str, name: str | None = None, **props: Any) -> ExampleCase:
        return self.entity(sid, "Company", name=name or f"{sid} LIMITED", **props)

    def account(self, sid: str, **props: Any) -> ExampleCase:
        return self.entity(sid, "Account", institution=props.pop("institution", f"Bank {sid}"), **props)

    def property(self, sid: str, **props: Any) -> ExampleCase:
        return self.entity(sid, "Property", description=props.pop("description", f"Property {sid}"), **props)

    def rel(self, kind: str, src: str, dst: str, **props: Any) -> ExampleCase:
        sid = f"{kind}:{src}>{dst}#{len(self.relations)}"
        self.relations.append(Relation(make_id(self.ds, sid), kind, make_id(self.ds, src), make_id(self.ds, dst),
                                       {k: v for k, v in props.items() if v is not None},
                                       self._prov("relationships.csv"), sid, self.ds))
        return self

    def transfer(self, sid: str, date: str | None, src: str, dst: str, amount: Any = None, **props: Any) -> ExampleCase:
        """A transfer as the bundle stores it: ``amount`` (text), ``currency`` (GBP unless given), an
        ``asset_id`` named by its bundle id."""
        p: dict[str, Any] = {"date": date, "amount": None if amount is None else str(amount),
                             "currency": props.pop("currency", "GBP"), **props}
        if p.get("asset_id"):
            p["asset_id"] = make_id(self.ds, p["asset_id"])
        self.relations.append(Relation(make_id(self.ds, sid), "TRANSFER", make_id(self.ds, src), make_id(self.ds, dst),
                                       {k: v for k, v in p.items() if v is not None}, self._prov("transfers.csv"),
                                       sid, self.ds))
        return self

    def context(self, **kwargs: Any) -> CaseContext:
        """Write the case to a fresh in-memory store and read its :class:`CaseContext` (kept open)."""
        from graph.sqlite_store import SQLiteStore

        return case_context(self.write(SQLiteStore(":memory:")), self.ds, **kwargs)

    def write(self, store: Store) -> Store:
        case_id = make_id(self.ds, "case")
        case = Entity(case_id, "Case", self.case, (Provenance(self.ds, "case.json"),), self.ds, self.ds)
        links = [Relation(make_id(self.ds, f"SUBJECT:{s}"), "SUBJECT_OF", make_id(self.ds, s), case_id, {},
                          (Provenance(self.ds, "case.json"),), f"SUBJECT:{s}", self.ds)
                 for s in self.case["subjects"] if any(e.source_id == s for e in self.entities)]
        store.upsert_entities([*self.entities, case])
        store.upsert_relations([*self.relations, *links])
        return store


def report_of(builder: ExampleCase, **kwargs: Any) -> dict[str, Any]:
    """Write ``builder`` to a fresh in-memory store and return its case report."""
    from graph.sqlite_store import SQLiteStore
    from queries.report import case_report

    with SQLiteStore(":memory:") as store:
        builder.write(store)
        return case_report(store, builder.ds, **kwargs)
