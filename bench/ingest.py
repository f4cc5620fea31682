"""Ingest benchmark: rows/s per register reader into SQLite (and Bolt), against two floors.

Usage::

    python bench/ingest.py [--rows 1000000] [--formats ch-basic,ch-psc,ccod,ppd] [--bolt] [--bolt-rows 20000]

Prints one JSON line per reader and store. For each format a file of ``--rows`` rows is generated
in a temporary folder (deterministic, realistic shapes: shared registered offices, companies
owning many titles, repeat sales), then, on that same file and in the same run:

* ``rows_per_s``: the reader loading it into a fresh :class:`graph.sqlite_store.SQLiteStore`
  (validation, provenance, content hashes, token index, quarantine, reconciliation);
* ``parse_floor_rows_per_s``: pyarrow reading the file alone (``pyarrow.csv`` / ``pyarrow.json``);
* ``storage_floor_rows_per_s``: the same rows streamed by one ``executemany`` into an unindexed
  SQLite table (one TEXT column per CSV column; the raw line for JSON lines) in one transaction,
  same journal settings, no validation;
* ``ratio`` = rows_per_s / storage_floor_rows_per_s (target >= 0.5);
* ``peak_rss_mib``: the peak RSS (``VmHWM``; ``ru_maxrss`` elsewhere) of a fresh child process
  that did only that load, so it is the reader's own peak (compare two ``--rows`` values to see
  that it does not grow with file size).

``--bolt`` (needs ``graph/neo4j_store.py`` and ``tests/bolt_server.py``; uses ``NEO4J_URI`` when
set, else ArcadeDB's Bolt plugin) loads the first ``--bolt-rows`` rows through
:class:`graph.neo4j_store.Neo4jStore` batched as usual and through a naive loop (one record per
transaction), and reports ``ratio_vs_naive`` (target >= 2).
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = ("ch-basic", "ch-psc", "ccod", "ppd")
BASIC_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, RegAddress.AddressLine2,"
    "RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,CompanyStatus,"
    "CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,"
    "Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,Mortgages.NumMortPartSatisfied,"
    "Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,"
    "LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI"
    + "".join(f",PreviousName_{i}.CONDATE, PreviousName_{i}.CompanyName" for i in range(1, 11))
    + ",ConfStmtNextDueDate, ConfStmtLastMadeUpDate").split(",")
TOWNS = ("LONDON", "LEEDS", "MANCHESTER", "BIRMINGHAM", "HULL", "BRISTOL", "CARDIFF", "EDINBURGH", "GLASGOW")
COUNTRIES = ("British Virgin Islands", "Jersey", "Guernsey", "Isle of Man", "Luxembourg", "Panama", "Cayman Islands")


def _date(rng: random.Random, sep: str = "/") -> str:
    return f"{rng.randrange(1, 29):02d}{sep}{rng.randrange(1, 13):02d}{sep}{rng.randrange(1990, 2025)}"


def gen_basic(path: Path, rows: int, rng: random.Random) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(BASIC_HEADER)
        for i in range(rows):
            office = rng.randrange(max(rows // 20, 1))  # ~20 companies per registered office
            row = [""] * len(BASIC_HEADER)
            row[0:15] = [f"COMPANY {i} LIMITED", f"{i:08d}", "", "", f"{office} HIGH STREET", "",
                         TOWNS[office % len(TOWNS)], "", "ENGLAND", f"LS{office % 99} {office % 9}AB",
                         "Private Limited Company", "Active", "United Kingdom",
                         _date(rng) if i % 10 == 0 else "", _date(rng)]
            row[26] = "99999 - Dormant Company"
            row[32] = f"http://business.data.gov.uk/id/company/{i:08d}"
            if i % 7 == 0:
                row[33:35] = [_date(rng), f"OLD COMPANY {i} LTD"]
            w.writerow(row)


def gen_psc(path: Path, rows: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(rows):
            number = f"{i // 2:08d}"
            roll = rng.random()
            address = {"premises": str(i % 300), "address_line_1": "High Street", "locality": TOWNS[i % 9],
                       "postal_code": f"LS{i % 99} 1AB", "country": "England"}
            if roll < 0.7:
                data: dict[str, Any] = {
                    "kind": "individual-person-with-significant-control", "name": f"Mr John Smith {i}",
                    "name_elements": {"title": "Mr", "forename": "John", "surname": f"Smith {i}"},
                    "nationality": "British", "country_of_residence": "England",
                    "date_of_birth": {"month": rng.randrange(1, 13), "year": rng.randrange(1940, 2000)},
                    "natures_of_control": ["ownership-of-shares-25-to-50-percent", "voting-rights-25-to-50-percent"]}
                kind = "individual"
            elif roll < 0.95:
                data = {"kind": "corporate-entity-person-with-significant-control", "name": f"HOLDCO {i} LIMITED",
                        "identification": {"registration_number": f"{rng.randrange(10**8):08d}",
                                           "country_registered": rng.choice(COUNTRIES), "legal_form": "Limited"},
                        "natures_of_control": ["ownership-of-shares-75-to-100-percent"]}
                kind = "corporate-entity"
            elif roll < 0.96:
                data, kind = {"kind": "super-secure-person-with-significant-control"}, "super-secure"
            else:
                data = {"kind": "persons-with-significant-control-statement",
                        "statement": "no-individual-or-entity-with-signficant-control"}
                kind = "statement"
            if kind not in ("super-secure", "statement"):
                data["address"] = address
            data["notified_on"] = f"{rng.randrange(2016, 2025)}-04-06"
            data["links"] = {"self": f"/company/{number}/persons-with-significant-control/{kind}/id{i}"}
            fh.write(json.dumps({"company_number": number, "data": data}) + "\n")
        fh.write(json.dumps({"data": {"kind": "totals#persons-of-significant-control-snapshot",
                                      "persons_of_significant_control_count": rows}}) + "\n")


def ccod_header() -> list[str]:
    head = ["Title Number", "Tenure", "Property Address", "District", "County", "Region", "Postcode",
            "Multiple Address Indicator", "Price Paid"]
    for i in range(1, 5):
        head += [f"Proprietor Name ({i})", f"Company Registration No. ({i})", f"Proprietorship Category ({i})"]
        head += [f"Proprietor ({i}) Address ({j})" for j in (1, 2, 3)]
    return head + ["Date Proprietor Added", "Additional Proprietor Indicator"]


def gen_ccod(path: Path, rows: int, rng: random.Random) -> None:
    companies = max(rows // 10, 1)  # ~10 titles per proprietor company
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(ccod_header())
        for i in range(rows):
            row = [f"WYK{i:07d}", rng.choice(("Freehold", "Leasehold")),
                   f"{i % 500} Station Road, {TOWNS[i % 9]}",
                   TOWNS[i % 9], "COUNTY", "REGION", f"LS{i % 99} {i % 9}AB", "N",
                   str(rng.randrange(50_000, 5 * 10**6))]
            owners = 1 if rng.random() < 0.85 else rng.randrange(2, 5)
            for n in range(4):
                if n < owners:
                    c = rng.randrange(companies)
                    row += [f"PROPCO {c} LIMITED", f"{c:08d}", "Limited Company or Public Limited Company",
                            f"{c % 700} King Street", TOWNS[c % 9], f"M{c % 60} 2AB"]
                else:
                    row += [""] * 6
            w.writerow([*row, _date(rng, "-"), "N"])


def gen_ppd(path: Path, rows: int, rng: random.Random) -> None:
    houses = max(int(rows * 0.6), 1)  # repeat sales: ~1.7 sales per property
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for i in range(rows):
            h = rng.randrange(houses)
            w.writerow([f"{{{i:08X}-0000-0000-0000-000000000000}}", str(rng.randrange(50_000, 2 * 10**6)),
                        f"{rng.randrange(1995, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} 00:00",
                        f"LS{h % 99} {h % 9}{chr(65 + h % 26)}B", rng.choice("DSTF"), "N", rng.choice("FL"),
                        str(h // 891), "", "STATION ROAD", "", TOWNS[h % 9], TOWNS[h % 9], "COUNTY", "A", "A"])


GENERATORS: dict[str, Callable[[Path, int, random.Random], None]] = {
    "ch-basic": gen_basic, "ch-psc": gen_psc, "ccod": gen_ccod, "ppd": gen_ppd}
SUFFIX = {"ch-basic": ".csv", "ch-psc": ".jsonl", "ccod": ".csv", "ppd": ".csv"}


def parse_floor(fmt: str, path: Path) -> float:
    """Seconds for pyarrow to read the whole file."""
    started = time.perf_counter()
    if fmt == "ch-psc":
        import pyarrow.json as pj

        pj.read_json(path, read_options=pj.ReadOptions(block_size=1 << 24))
    else:
        import pyarrow.csv as pc

        read = pc.ReadOptions(autogenerate_column_names=fmt == "ppd", block_size=1 << 24)
        pc.read_csv(path, read_options=read)
    return time.perf_counter() - started


def storage_floor(fmt: str, path: Path, db: Path) -> tuple[int, float]:
    """(rows, seconds) to stream the file's rows by one executemany into an unindexed table."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    count = 0
    started = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as fh:
        if fmt == "ch-psc":
            con.execute("CREATE TABLE raw (line TEXT)")
            rows: Any = ((line,) for line in fh)
            marks = "?"
        else:
            reader = csv.reader(fh)
            first = next(reader)
            width = len(first)
            con.execute(f"CREATE TABLE raw ({', '.join(f'c{i} TEXT' for i in range(width))})")
            rows = reader if fmt != "ppd" else _with_first(first, reader)
            marks = ",".join("?" * width)
        con.execute("BEGIN")
        cur = con.executemany(f"INSERT INTO raw VALUES ({marks})", rows)
        con.execute("COMMIT")
        count = cur.rowcount
    seconds = time.perf_counter() - started
    con.close()
    return count, seconds


def _with_first(first: list[str], rest: Any) -> Any:
    yield first
    yield from rest


def _load(fmt: str, store: Any, path: Path, qdir: Path) -> Any:
    from ingest.ch_basic import load_ch_basic
    from ingest.ch_psc import load_ch_psc
    from ingest.land_registry import load_ccod, load_ppd

    loaders = {"ch-basic": load_ch_basic, "ch-psc": load_ch_psc, "ccod": load_ccod, "ppd": load_ppd}
    return loaders[fmt](store, path, qdir)


def _sqlite_child(fmt: str, path: str, db: str, out: Any) -> None:
    """Runs in a fresh process: load into SQLite, report time and this process's peak RSS."""
    from graph.sqlite_store import SQLiteStore
    from ingest.companies_house import country_code

    warm = time.perf_counter()
    country_code("England")  # rigour's territory table loads on first use (~1-3 s): not per-row cost
    warmup = time.perf_counter() - warm
    store = SQLiteStore(db)
    started = time.perf_counter()
    report = _load(fmt, store, Path(path), Path(db).parent / "quarantine")
    seconds = time.perf_counter() - started
    store.close()
    out.put({"seconds": seconds, "read": report.read, "loaded": report.loaded, "quarantined": report.quarantined,
             "reconciled": report.to_dict()["reconciled"], "entities_written": report.entities_written,
             "relations_written": report.relations_written, "warmup_seconds": round(warmup, 2),
             "peak_rss_mib": _peak_rss_mib()})


def _peak_rss_mib() -> float:
    """This process's own peak RSS. ``ru_maxrss`` is carried over fork/exec on Linux (a child
    spawned by a parent that just read a 350 MiB file with pyarrow reports the parent's peak), so
    read ``VmHWM`` from /proc, which starts afresh with the new process image."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sqlite_run(fmt: str, path: Path, db: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_sqlite_child, args=(fmt, str(path), str(db), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return dict(result)


class _OneRecordPerTransaction:
    """Wraps a store so every upsert writes one record per transaction (the naive loop)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def upsert_entities(self, entities: Any, batch_size: int = 1) -> int:
        return int(sum(self.inner.upsert_entities([e], 1) for e in entities))

    def upsert_relations(self, relations: Any, batch_size: int = 1) -> int:
        return int(sum(self.inner.upsert_relations([r], 1) for r in relations))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def bolt_run(fmt: str, path: Path, rows: int, work: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    from bolt_server import fresh_store, start_bolt_server

    head = work / f"{fmt}-head{SUFFIX[fmt]}"
    with open(path, encoding="utf-8") as src, open(head, "w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n > rows:
                break
            dst.write(line)
    server = start_bolt_server(work / "bolt")
    try:
        out: dict[str, Any] = {"format": fmt, "store": "bolt", "rows": rows}
        for label, wrap in (("batched", lambda s: s), ("naive", _OneRecordPerTransaction)):
            store = fresh_store(server, f"bench{label}{fmt.replace('-', '')}")
            started = time.perf_counter()
            report = _load(fmt, wrap(store), head, work / "quarantine")
            seconds = time.perf_counter() - started
            store.close()
            out[f"{label}_rows_per_s"] = round(report.read / seconds, 1)
        out["ratio_vs_naive"] = round(out["batched_rows_per_s"] / out["naive_rows_per_s"], 2)
        return out
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--bolt", action="store_true", help="also load into the Bolt store vs a naive loop")
    parser.add_argument("--bolt-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown formats {sorted(unknown)}; choose from {FORMATS}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        for fmt in formats:
            path = work / f"{fmt}{SUFFIX[fmt]}"
            started = time.perf_counter()
            GENERATORS[fmt](path, args.rows, random.Random(args.seed))
            generated = time.perf_counter() - started
            parse_s = parse_floor(fmt, path)
            floor_rows, floor_s = storage_floor(fmt, path, work / f"{fmt}-floor.db")
            result = sqlite_run(fmt, path, work / f"{fmt}.db")
            rows_per_s = result["read"] / result["seconds"]
            floor = floor_rows / floor_s
            print(json.dumps({
                "format": fmt, "store": "sqlite", "rows": args.rows, "file_mib": round(path.stat().st_size / 2**20, 1),
                "seconds": round(result["seconds"], 2), "rows_per_s": round(rows_per_s, 1),
                "parse_floor_rows_per_s": round(args.rows / parse_s, 1), "storage_floor_rows_per_s": round(floor, 1),
                "ratio": round(rows_per_s / floor, 3), "generate_seconds": round(generated, 1),
                **{k: result[k] for k in ("read", "loaded", "quarantined", "reconciled", "entities_written",
                                          "relations_written", "warmup_seconds", "peak_rss_mib")}}),
                  flush=True)
            if args.bolt:
                if not (ROOT / "graph" / "neo4j_store.py").exists() or not (ROOT / "tests" / "bolt_server.py").exists():
                    print(json.dumps({"format": fmt, "store": "bolt", "skipped": "no Neo4jStore / bolt_server"}))
                else:
                    try:
                        line = bolt_run(fmt, path, min(args.bolt_rows, args.rows), work)
                    except Exception as exc:  # noqa: BLE001 - report the failed run, keep the others
                        line = {"format": fmt, "store": "bolt", "error": repr(exc)}
                    print(json.dumps(line), flush=True)
            for leftover in work.glob(f"{fmt}*"):
                if leftover.is_file():
                    leftover.unlink()


if __name__ == "__main__":
    main()
