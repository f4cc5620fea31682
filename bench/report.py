"""Benchmark: the case report on a generated case with 10^5 transfers and 10^4 entities.

Prints one JSON line. The baseline, measured in the same run on the same store, is the I/O
floor: reading the case's transfers alone (``store.transfers`` for the subject's accounts),
which any report must do. ``ratio`` = report seconds / floor seconds.

    python bench/report.py [--transfers 100000] [--entities 10000] [--store sqlite|bolt]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.model import Entity, Provenance, Relation, make_id  # noqa: E402
from graph.sqlite_store import SQLiteStore  # noqa: E402
from graph.store import Store  # noqa: E402
from queries.report import case_report  # noqa: E402

DS = "BENCH-01"


def generate(store: Store, n_entities: int, n_transfers: int, seed: int = 7) -> None:
    """A defendant with accounts, companies, family and thousands of counterparties."""
    rnd = random.Random(seed)
    prov = (Provenance(DS, "generated.csv", 1, "bench", None, "2026-01-01T00:00:00+00:00"),)
    ents: list[Entity] = [Entity(make_id(DS, "case"), "Case", {
        "case_id": DS, "subjects": ["S"], "proceedings_started": "2021-03-10", "convictions": ["2022-06-17"],
        "lifestyle": "yes", "valuation_date": "2026-06-30",
        "order": {"date": "2023-02-10", "due": "2023-05-10", "benefit": "900000", "amount": "100000",
                  "payments": [{"date": "2023-04-01", "amount": "10000"}]}}, prov, DS, DS)]
    rels: list[Relation] = []

    def ent(sid: str, kind: str, **props: object) -> str:
        ents.append(Entity(make_id(DS, sid), kind, props, prov, sid, DS))
        return make_id(DS, sid)

    def rel(sid: str, kind: str, a: str, b: str, **props: object) -> None:
        rels.append(Relation(make_id(DS, sid), kind, a, b, props, prov, sid, DS))

    subject = ent("S", "Person", name="Subject Person", dob="1979-09-03")
    rel("SUBJ", "SUBJECT_OF", subject, make_id(DS, "case"))
    accounts = []
    for i in range(20):
        acct = ent(f"A{i}", "Account", institution="Bank", country=rnd.choice(["GB", "GB", "JE", "AE"]),
                   sort_code="200000", account_number=f"{i:08d}")
        rel(f"H{i}", "HOLDS", subject, acct, start_date="2012-01-01")
        accounts.append(acct)
    companies = []
    for i in range(50):
        co = ent(f"C{i}", "Company", name=f"Company {i} Ltd", country=rnd.choice(["GB", "VG", "GI", "JE"]))
        owner = subject if i < 10 else rnd.choice(companies)
        rel(f"O{i}", "OWNS", owner, co, share_pct=rnd.choice([25, 50, 100]), start_date="2014-01-01")
        companies.append(co)
        prop = ent(f"PR{i}", "Property", description=f"Flat {i}", country=rnd.choice(["GB", "AE", "ES"]),
                   value=str(rnd.randint(100, 900) * 1000))
        rel(f"OP{i}", "OWNS", co, prop, share_pct=100, start_date="2016-01-01")
    others = [ent(f"X{i}", rnd.choice(["Person", "Company"]), name=f"Counterparty {i}")
              for i in range(n_entities - len(ents))]
    for i in range(30):
        rel(f"F{i}", "FAMILY", subject, others[i], role="sibling")
    start = date(2010, 1, 1)
    for i in range(n_transfers):
        day = (start + timedelta(days=rnd.randint(0, 5800))).isoformat()
        a, b = rnd.choice(accounts), rnd.choice(others)
        if rnd.random() < 0.5:
            a, b = b, a
        rel(f"T{i}", "TRANSFER", a, b, date=day, amount=f"{rnd.randint(1, 500000) / 100:.2f}", currency="GBP",
            consideration=None if rnd.random() < 0.3 else "0.00")
    store.upsert_entities(ents)
    store.upsert_relations(rels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        generate(store, args.entities, args.transfers)
        gen = time.perf_counter() - t0
        accounts = [make_id(DS, f"A{i}") for i in range(20)]
        floors, runs = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            store.transfers(accounts)
            floors.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            report = case_report(store, DS)
            runs.append(time.perf_counter() - t0)
        store.close()
    print(json.dumps({
        "bench": "report", "store": "sqlite", "transfers": args.transfers, "entities": args.entities,
        "generate_seconds": round(gen, 2), "report_seconds": round(min(runs), 3),
        "report_seconds_all": [round(r, 3) for r in runs], "baseline": "store.transfers(subject accounts)",
        "baseline_seconds": round(min(floors), 3), "ratio": round(min(runs) / min(floors), 2),
        "tainted_gifts": len(report["tainted_gifts"]), "assumptions": len(report["assumptions"]),
        "money_flows": len(report["money_flows"]), "target_seconds": 1.0,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()
