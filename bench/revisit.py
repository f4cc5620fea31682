"""Benchmark: a revisit sweep over N cases against M entities on the embedded (SQLite) store.

Generates a portfolio straight into the store with batched ``upsert_entities`` /
``upsert_relations`` (no CSV parsing): per case a subject, family, sometimes a nominee, a chain
of companies, properties at home and abroad and accounts, plus unrelated "register" records
(companies owning properties, as in a Companies House / Land Registry load) up to M entities.
Then sweeps twice in a fresh process: once cold, and once after a small new "Land Registry
load" so the second sweep reports new hits since the last. Prints one JSON document.

    python bench/revisit.py --cases 10000 --entities 1000000     # the issue's target (<= 5 min sweep)
    python bench/revisit.py --cases 200 --entities 20000          # quick
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.model import Entity, Provenance, Relation, make_id  # noqa: E402
from graph.sqlite_store import SQLiteStore  # noqa: E402

COUNTRIES = ["GB"] * 14 + ["JE", "GG", "IM", "VG", "KY", "GI", "AE", "ES", "FR", "CY"]
STATUSES = ["active"] * 90 + ["abroad"] * 5 + ["deceased"] * 3 + ["unable_to_proceed"] * 2


def _prov(ds: str, row: int) -> tuple[Provenance, ...]:
    return (Provenance(ds, "bench.csv", row, "Generated", f"{ds} row {row}"),)


def _date(rng: random.Random, start: int, end: int) -> str:
    return f"{rng.randint(start, end)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _case(rng: random.Random, n: int) -> tuple[list[Entity], list[Relation]]:
    """One case and the network of its subject: ~20 entities."""
    ds = f"OP-B-{n:06d}"
    ents: list[Entity] = []
    rels: list[Relation] = []
    row = iter(range(1, 10_000))

    def ent(sid: str, kind: str, **props: Any) -> str:
        ents.append(Entity(make_id(ds, sid), kind, props, _prov(ds, next(row)), sid, ds))
        return sid

    def rel(kind: str, a: str, b: str, **props: Any) -> None:
        sid = f"{kind}:{a}>{b}"
        rels.append(Relation(make_id(ds, sid), kind, make_id(ds, a), make_id(ds, b), props, _prov(ds, next(row)),
                             sid, ds))

    made = _date(rng, 2012, 2022)
    amount = rng.randint(10, 500) * 1000
    benefit = amount + rng.choice([0, 0, rng.randint(1, 2000) * 1000])
    paid = rng.choice([0, amount // 4, amount // 2, amount])
    order = {"date": made, "due": made, "benefit": str(benefit), "amount": str(amount),
             "payments": [{"date": made, "amount": str(paid)}] if paid else []}
    ent("P1", "Person", name=f"Subject {n}", dob="1975-01-01", country="GB")
    ents.append(Entity(make_id(ds, "case"), "Case",
                       {"case_id": ds, "subjects": ["P1"], "order": order, "status": rng.choice(STATUSES),
                        "lifestyle": "yes", "proceedings_started": "2010-01-01",
                        "force": f"Force {n % 43}", "region": f"Region {n % 9}"},
                       _prov(ds, 0), ds, ds))
    rels.append(Relation(make_id(ds, "SUBJECT:P1"), "SUBJECT_OF", make_id(ds, "P1"), make_id(ds, "case"), {},
                         _prov(ds, 0), "SUBJECT:P1", ds))
    for i in (2, 3):
        ent(f"P{i}", "Person", name=f"Relative {n}-{i}", country="GB")
        rel("FAMILY", "P1", f"P{i}", role=rng.choice(["sibling", "partner", "parent"]))
        ent(f"PRF{i}", "Property", description="family home", country=rng.choice(COUNTRIES),
            acquired=_date(rng, 2005, 2026), value=str(rng.randint(100, 900) * 1000))
        rel("OWNS", f"P{i}", f"PRF{i}", share_pct=100, start_date=_date(rng, 2005, 2026))
    owner = "P1"
    if rng.random() < 0.2:
        owner = ent("P4", "Person", name=f"Nominee {n}", country=rng.choice(COUNTRIES))
        rel("NOMINEE_FOR", "P4", "P1", role="nominee")
    parent = owner
    for c in range(1, rng.randint(2, 4)):
        country = rng.choice(COUNTRIES)
        ent(f"C{c}", "Company", name=f"Bench {n} Holdings {c} Ltd", company_number=f"B{n:06d}{c}",
            country=country, incorporated=_date(rng, 2005, 2025))
        rel("OWNS", parent, f"C{c}", share_pct=rng.choice([25, 50, 100]), start_date=_date(rng, 2005, 2025))
        for k in range(rng.randint(1, 3)):
            acquired = _date(rng, 2005, 2026)
            ent(f"PR{c}{k}", "Property", description=f"Property {c}{k}", country=rng.choice(COUNTRIES),
                acquired=acquired, value=str(rng.randint(50, 1500) * 1000))
            rel("OWNS", f"C{c}", f"PR{c}{k}", share_pct=100, start_date=acquired)
        parent = f"C{c}" if rng.random() < 0.5 else parent
    for a in range(rng.randint(1, 3)):
        ent(f"A{a}", "Account", institution="Bank", sort_code="20-00-00", account_number=f"{n:06d}{a:02d}",
            country=rng.choice(COUNTRIES), opened=_date(rng, 2005, 2026))
        rel("HOLDS", "P1", f"A{a}", start_date=_date(rng, 2005, 2026))
    for t in range(rng.randint(0, 3)):
        sid = f"T{t}"
        rels.append(Relation(make_id(ds, sid), "TRANSFER", make_id(ds, "P1"), make_id(ds, "P2"),
                             {"date": _date(rng, 2010, 2026), "amount": f"{rng.randint(1, 90) * 1000}.00",
                              "currency": "GBP"}, _prov(ds, next(row)), sid, ds))
    return ents, rels


def _register(rng: random.Random, start: int, count: int) -> tuple[list[Entity], list[Relation]]:
    """Unrelated registry records: a company and the property it owns (two entities, one relation)."""
    ents, rels = [], []
    for i in range(start, start + count // 2):
        ds = "register"
        ents.append(Entity(make_id(ds, f"C{i}"), "Company", {"name": f"Register Co {i} Ltd",
                                                             "company_number": f"R{i:08d}",
                                                             "country": rng.choice(COUNTRIES)}, _prov(ds, i),
                           f"C{i}", ds))
        ents.append(Entity(make_id(ds, f"PR{i}"), "Property", {"description": f"Title {i}", "title_number": f"T{i}",
                                                               "country": "GB", "acquired": _date(rng, 1995, 2026),
                                                               "value": str(rng.randint(80, 900) * 1000)},
                           _prov(ds, i), f"PR{i}", ds))
        rels.append(Relation(make_id(ds, f"OWNS:{i}"), "OWNS", make_id(ds, f"C{i}"), make_id(ds, f"PR{i}"),
                             {"share_pct": 100}, _prov(ds, i), f"OWNS:{i}", ds))
    return ents, rels


def _chunks(n_cases: int, rng: random.Random) -> Iterator[tuple[list[Entity], list[Relation]]]:
    ents: list[Entity] = []
    rels: list[Relation] = []
    for n in range(n_cases):
        e, r = _case(rng, n)
        ents += e
        rels += r
        if len(ents) >= 20000:
            yield ents, rels
            ents, rels = [], []
    if ents:
        yield ents, rels


def generate(db: Path, cases: int, entities: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    started = time.perf_counter()
    store = SQLiteStore(db)
    made = 0
    for ents, rels in _chunks(cases, rng):
        store.upsert_entities(ents, batch_size=5000)
        store.upsert_relations(rels, batch_size=5000)
        made += len(ents)
    next_id = 0
    while made < entities:
        count = min(20000, entities - made)
        ents, rels = _register(rng, next_id, count + (count % 2))
        next_id += len(ents)
        store.upsert_entities(ents, batch_size=5000)
        store.upsert_relations(rels, batch_size=5000)
        made += len(ents)
    counts = store.counts()
    store.close()
    return {"entities": sum(v for k, v in counts.items() if not k.isupper()),  # relation kinds are upper case
            "counts": counts, "generate_seconds": round(time.perf_counter() - started, 1)}


def second_load(db: Path, cases: int, new: int, seed: int) -> None:
    """A new 'Land Registry load': ``new`` properties bought in 2025 by companies in random cases."""
    rng = random.Random(seed + 1)
    store = SQLiteStore(db)
    ents, rels = [], []
    for i in range(new):
        ds = f"OP-B-{rng.randrange(cases):06d}"
        title = f"NEW{i:06d}"
        ents.append(Entity(make_id("land-registry", title), "Property",
                           {"description": f"New title {title}", "country": "GB", "acquired": "2025-06-01",
                            "value": "300000"}, _prov("land-registry", i), title, "land-registry"))
        rels.append(Relation(make_id("land-registry", f"OWNS:{title}"), "OWNS", make_id(ds, "C1"),
                             make_id("land-registry", title), {"share_pct": 100, "start_date": "2025-06-01"},
                             _prov("land-registry", i), f"OWNS:{title}", "land-registry"))
    store.upsert_entities(ents)
    store.upsert_relations(rels)
    store.close()


def sweep_only(db: Path, on: str) -> dict[str, Any]:
    from queries.revisit import sweep

    store = SQLiteStore(db)
    started = time.perf_counter()
    result = sweep(store, on=on)
    seconds = time.perf_counter() - started
    store.close()
    return {"seconds": round(seconds, 2), "cases_swept": result["cases_swept"], "hits": result["hits"],
            "new_hits_since_last_sweep": result["new_hits_since_last_sweep"], "apart": len(result["apart"]),
            "skipped": len(result["skipped"]),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=100, help="properties in the second load")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--on", default="2026-06-30", help="sweep day")
    parser.add_argument("--db", type=Path, default=None, help="store file (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="sweep an existing --db without generating")
    parser.add_argument("--sweep-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sweep_only:
        print(json.dumps(sweep_only(args.db, args.on)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-revisit-") as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if args.reuse and db.exists():
            with SQLiteStore(db) as store:
                counts = store.counts()
            gen = {"entities": sum(v for k, v in counts.items() if not k.isupper()), "counts": counts,
                   "generate_seconds": None}
        else:
            gen = generate(db, args.cases, args.entities, args.seed)

        def child() -> dict[str, Any]:
            out = subprocess.run([sys.executable, __file__, "--sweep-only", "--db", str(db), "--on", args.on],
                                 capture_output=True, text=True, check=True)
            return json.loads(out.stdout)

        first = child()
        second_load(db, args.cases, args.new, args.seed)
        second = child()
    print(json.dumps({"store": "sqlite", "cases": args.cases, "entities": gen["entities"],
                      "relations": sum(v for k, v in gen["counts"].items() if k.isupper()),
                      "generate_seconds": gen["generate_seconds"], "seconds": first["seconds"],
                      "hits": first["hits"], "cases_swept": first["cases_swept"], "apart": first["apart"],
                      "skipped": first["skipped"], "peak_memory_mb": max(first["peak_memory_mb"],
                                                                         second["peak_memory_mb"]),
                      "second_sweep": second}, indent=None))


if __name__ == "__main__":
    main()
