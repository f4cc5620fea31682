"""Builders for revisit and briefing tests: small generated portfolios written straight to a store."""

from __future__ import annotations

from typing import Any

import typer

from graph.model import Entity, Provenance, Relation, make_id
from graph.settings import Settings, StoreTarget
from graph.store import Store


def entity(ds: str, sid: str, kind: str, row: int = 1, **props: Any) -> Entity:
    return Entity(make_id(ds, sid), kind, props, (Provenance(ds, f"{ds}.csv", row, "Generated", f"{ds} {sid}"),),
                  sid, ds)


def relation(ds: str, kind: str, src: str, dst: str, row: int = 1, **props: Any) -> Relation:
    sid = f"{kind}:{src}>{dst}"
    return Relation(make_id(ds, sid), kind, make_id(ds, src), make_id(ds, dst), props,
                    (Provenance(ds, f"{ds}.csv", row, "Generated", f"{ds} {sid}"),), sid, ds)


def add_case(store: Store, case_id: str, *, benefit: str, amount: str, paid: str = "0", country: str = "GB",
             value: str | None = "100000", share: float = 100.0, acquired: str = "2024-01-10",
             status: str = "active", force: str | None = None, via_company: bool = False) -> None:
    """One case: subject P1 owns (or owns through company C1) property PR1 in ``country`` bought after
    the order of 2020-01-10."""
    order = {"date": "2020-01-10", "due": "2020-01-10", "benefit": benefit, "amount": amount,
             "payments": [{"date": "2020-01-10", "amount": paid}] if paid != "0" else []}
    case_props: dict[str, Any] = {"case_id": case_id, "subjects": ["P1"], "order": order, "status": status,
                                  "lifestyle": "yes", "proceedings_started": "2018-05-01"}
    if force:
        case_props["force"] = force
    prop = {"description": f"Property of {case_id}", "country": country, "acquired": acquired}
    if value is not None:
        prop["value"] = value
    ents = [entity(case_id, "P1", "Person", name=f"Subject {case_id}", country="GB"),
            entity(case_id, "PR1", "Property", **prop),
            Entity(make_id(case_id, "case"), "Case", case_props, (Provenance(case_id, "case.json"),), case_id,
                   case_id)]
    rels = [Relation(make_id(case_id, "SUBJECT:P1"), "SUBJECT_OF", make_id(case_id, "P1"), make_id(case_id, "case"),
                     {}, (Provenance(case_id, "case.json"),), "SUBJECT:P1", case_id)]
    if via_company:
        ents.append(entity(case_id, "C1", "Company", name=f"{case_id} HOLDINGS LTD", country=country))
        rels += [relation(case_id, "OWNS", "P1", "C1", share_pct=share, start_date="2015-01-01"),
                 relation(case_id, "OWNS", "C1", "PR1", share_pct=100, start_date=acquired)]
    else:
        rels.append(relation(case_id, "OWNS", "P1", "PR1", share_pct=share, start_date=acquired))
    store.upsert_entities(ents)
    store.upsert_relations(rels)


def portfolio(store: Store) -> None:
    """Four ranked cases, one deceased, one paid in full with no headroom.

    Expected potentials (default weights uk 1.0, crown 0.8, overseas territory 0.6, foreign 0.4):
    FOREIGN 1,000,000 × 0.4 = 400,000; UK min(150,000 capacity, 200,000) × 1.0 = 150,000;
    BVI 300,000 × 0.5 share × 0.6 = 90,000; JERSEY 100,000 × 0.8 = 80,000.
    """
    add_case(store, "OP-UK", benefit="200000", amount="50000", paid="50000", value="200000", force="WYP")
    add_case(store, "OP-FOREIGN", benefit="2000000", amount="1000000", paid="1000000", country="AE",
             value="1000000", force="MET")
    add_case(store, "OP-BVI", benefit="900000", amount="100000", paid="100000", country="VG", value="300000",
             via_company=True, share=50.0, force="WYP")
    add_case(store, "OP-JERSEY", benefit="600000", amount="100000", paid="100000", country="JE", value="100000")
    add_case(store, "OP-DEAD", benefit="600000", amount="100000", status="deceased")
    add_case(store, "OP-DONE", benefit="100000", amount="100000", paid="100000")


def cli_app(db: str, settings: Settings | None = None) -> typer.Typer:
    """A Typer app with only the revisit commands, on the store file ``db``."""
    from app.commands.common import CliState
    from app.commands.revisit import register

    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = CliState(StoreTarget(db=db), settings or Settings())

    register(app)
    return app
