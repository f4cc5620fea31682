"""HM Land Registry readers (ccod, ocod, ppd): invented fixtures, hostile files, the CLI."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from corpus_support import REAL as CORPUS
from corpus_support import check_corpus_file, corpus_params
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from graph.sqlite_store import SQLiteStore
from graph.store import Store
from ingest.formats import detect_format
from ingest.land_registry import PPD_COLUMNS, load_ccod, load_ppd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "land_registry"
ROOT = Path(__file__).resolve().parents[2]
HOSTILE_ROWS = 5000  # per example; 2 examples per reader -> 10^4 generated rows per reader per run, each loaded twice
# Each example is a file of thousands of rows: shrinking one would take minutes, so failures are
# reported as generated (the seed and cells are printed).
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def _title(row: int, name: str = "ccod_sample.csv") -> str:
    """The title number on a fixture's line ``row`` (1-based, the header is line 1)."""
    with open(FIXTURES / name, encoding="utf-8") as fh:
        return list(csv.reader(fh))[row - 1][0]


def _reasons(report: Any) -> dict[int, tuple[str, str]]:
    with open(report.quarantine_file, encoding="utf-8") as fh:
        return {int(r["row"]): (r["column"], r["reason"]) for r in csv.DictReader(fh)}


def test_ccod_sample(store: Store, tmp_path: Path) -> None:
    report = load_ccod(store, FIXTURES / "ccod_sample.csv", tmp_path / "q")
    out = report.to_dict()
    assert (out["read"], out["loaded"], out["quarantined"], out["reconciled"]) == (29, 25, 4, True)
    assert out["fields_dropped"] == 3  # a bad price or date costs the field, not the title
    counts = store.counts()
    assert counts["Property"] == 25 and counts["OWNS"] == 34
    assert counts["Company"] == 13  # 12 companies; ACME has two proprietor addresses -> two records
    title = store.get_entity("gb-hmlr-ccod/NGL200003")
    assert title is not None and title.kind == "Property"
    assert title.props["acquisition_price"] == "4200000" and title.props["acquired"] == "2020-01-07"
    assert title.props["tenure"] == "Freehold" and title.props["postcode"] == "N1 7LB"
    assert title.props["country"] == "GB" and title.props["additional_proprietors"] is True
    owners = store.relations_of([title.id], ["OWNS"], "in")
    assert len(owners) == 4 and {o.props["share_pct"] for o in owners} == {25.0}
    assert all(o.props["start_date"] == "2020-01-07" for o in owners)
    numbers = {e.props["company_number"] for e in store.get_entities([o.source for o in owners])}
    assert numbers == {"03456789", "OC301234", "SC198765", "09871234"}
    vance = [e for e in store.iter_entities(["Company"]) if e.props.get("company_number") == "07654321"]
    assert len(vance) == 1 and len(store.relations_of([vance[0].id], ["OWNS"])) == 7
    assert vance[0].props["country"] == "GB" and vance[0].provenance[0].row is None
    assert vance[0].props["registration_numbers"] == ["gb-coh:07654321"]
    reasons = _reasons(report)
    assert reasons[25][0] == "Title Number"
    assert reasons[26][0] == "acquired" and "impossible date" in reasons[26][1]
    assert reasons[27][0] == "acquisition_price" and "not an amount" in reasons[27][1] and "negative" in reasons[29][1]
    assert "no proprietor" in reasons[28][1] and "no name" in reasons[30][1]
    assert "ragged row" in reasons[31][1]
    dated = store.get_entity("gb-hmlr-ccod/" + _title(26))
    assert dated is not None and dated.props["acquired_raw"] == "31-02-2019" and "acquired" not in dated.props
    assert report.notes["date_forms"]["Date Proprietor Added"] == {"DD/MM/YYYY": 25, "unreadable": 1}
    again = load_ccod(store, FIXTURES / "ccod_sample.csv", tmp_path / "q")
    assert (again.entities_written, again.relations_written) == (0, 0)


def test_ocod_sample(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_ccod(sqlite_store, FIXTURES / "ocod_sample.csv", tmp_path / "q", overseas=True)
    assert (report.read, report.loaded, report.quarantined, report.fields_dropped) == (23, 20, 3, 2)
    companies = list(sqlite_store.iter_entities(["Company"], dataset="gb-hmlr-ocod"))
    by_name = {}
    for c in companies:
        by_name.setdefault(c.props["name"], []).append(c)
    solent = by_name["SOLENT BAY HOLDINGS LIMITED"]
    assert len(solent) == 1 and solent[0].props["country"] == "VG"
    assert solent[0].props["jurisdiction"] == "British Virgin Islands"
    assert {c.props["country"] for c in by_name["ST HELIER NOMINEES LIMITED"]} == {"JE"}
    assert len(by_name["ST HELIER NOMINEES LIMITED"]) == 2  # two spellings of the jurisdiction
    assert by_name["TORTOLA TRADING CORP"][0].props["country"] == "VG"
    assert by_name["WEALD HOLDINGS INC"][0].props["country"] == "US"
    assert "company_number" not in by_name["ATLANTIS FOUNDATION"][0].props
    countries = {c.props.get("country") for c in companies}
    assert {"GG", "IM", "KY", "LU", "PA", "AE", "HK", "GI", "SC", "KN"} <= countries
    mansion = sqlite_store.relations_of(["gb-hmlr-ocod/NGL800005"], ["OWNS"], "in")
    assert len(mansion) == 4
    reasons = _reasons(report)
    assert reasons[23][0] == "acquisition_price" and "EUR" in reasons[23][1] and "ragged row" in reasons[24][1]


def test_ppd_sample_applies_changes_and_deletes(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    path = FIXTURES / "pp-sample.csv"
    report = load_ppd(sqlite_store, path, tmp_path / "q")
    assert (report.read, report.loaded, report.quarantined) == (28, 22, 6)
    props = {e.props["ppd_key"]: e.props for e in sqlite_store.iter_entities(["Property"])}
    assert len(props) == 15
    house = props["LS166EL|7||"]
    assert house["address"] == "7 LARKFIELD DRIVE, LEEDS"
    assert [s["price"] for s in house["sales"]] == ["99000", "210000", "365000"]
    assert (house["value"], house["value_date"]) == ("365000", "2021-03-01")
    assert house["tenure"] == "Freehold" and house["property_type"] == "Detached"
    changed = props["S102TN|88||"]
    assert [s["price"] for s in changed["sales"]] == ["330000"]  # C replaced 320000
    flat = props["N17GR|12|FLAT 3|"]
    assert [s["date"] for s in flat["sales"]] == ["2022-06-30"]  # D removed the 2019 sale
    assert props["|2||MILL LANE|SKIPTON"]["sales"][0]["date"] == "2009-12-11"  # no postcode: street + town
    reasons = _reasons(report)
    assert reasons[23][0] == "price" and reasons[24][0] == "date" and reasons[25][0] == "paon"
    assert reasons[26][0] == "record_status" and reasons[27][0] == "postcode" and "ragged" in reasons[28][1]
    again = load_ppd(sqlite_store, path, tmp_path / "q")
    assert again.entities_written == 0


def test_formats_are_detected() -> None:
    assert detect_format(FIXTURES / "ccod_sample.csv") == "ccod"
    assert detect_format(FIXTURES / "ocod_sample.csv") == "ocod"
    assert detect_format(FIXTURES / "pp-sample.csv") == "ppd"


def test_cli_loads_ocod(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--db", "x.db", "load", "--format", "ocod",
         str(FIXTURES / "ocod_sample.csv"), "--json", "--no-resolve"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["read"], out["loaded"], out["quarantined"], out["reconciled"]) == (23, 20, 3, True)


def _titles_file(path: Path, overseas: bool, rows: list[dict[str, str]]) -> Path:
    """A CCOD/OCOD file with the published header and ``rows`` (unnamed columns empty)."""
    header = _ccod_header(overseas)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([(dict.fromkeys(header, "") | row)[h] for h in header] for row in rows)
    return path


def test_a_title_repeated_in_one_file_is_last_row_wins(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    path = _titles_file(tmp_path / "dup.csv", False, [
        {"Title Number": "DUP1", "Price Paid": price, "Proprietor Name (1)": "A LTD"} for price in ("100", "200")])
    first = load_ccod(sqlite_store, path, tmp_path / "q")
    assert (first.read, first.loaded) == (2, 2)
    title = sqlite_store.get_entity("gb-hmlr-ccod/DUP1")
    assert title is not None and title.props["acquisition_price"] == "200"


# --- the real corpus (tests/fixtures/real/land-registry, see SOURCES.md there) -------------------

REAL = CORPUS / "land-registry"
# file, format, read, loaded, quarantined, fields_dropped
REAL_CORPUS = [
    ("pp-complete-prefix.csv", "ppd", 30, 30, 0, 0),
    ("pp-monthly-update-prefix.csv", "ppd", 30, 30, 0, 0),
    ("pp-monthly-update-resaved-prefix.csv", "ppd", 29, 29, 0, 0),  # + its header row, not a sale
    ("CCOD_FULL_built.csv", "ccod", 10, 10, 0, 0),  # built: no real CCOD/OCOD extract is public
    ("OCOD_FULL_built.csv", "ocod", 10, 10, 0, 0),
]


@pytest.mark.parametrize("case", corpus_params("land-registry", REAL_CORPUS))
def test_real_corpus_loads_with_expected_counts(case: Any, sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    check_corpus_file(sqlite_store, tmp_path / "q", *case)


def test_real_price_paid_values(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    load_ppd(sqlite_store, REAL / "pp-complete-prefix.csv", tmp_path / "q")
    resaved = load_ppd(sqlite_store, REAL / "pp-monthly-update-resaved-prefix.csv", tmp_path / "q")
    props = {e.props["ppd_key"]: e.props for e in sqlite_store.iter_entities(["Property"])}
    flat = props["SW82PH|10|41|"]  # PAON 10, SAON 41: a flat, keyed by both
    assert flat["value"] == "110995" and flat["value_date"] == "1995-11-09" and flat["tenure"] == "Leasehold"
    assert flat["sales"][0]["new_build"] is True and flat["sales"][0]["transaction_id"].startswith("{60CF8CE4")
    honeycomb = props["B311RA|15||"]
    assert honeycomb["value_date"] == "2025-10-31"  # DD-MM-YYYY 00:00 of a spreadsheet copy, read as a day
    assert resaved.notes["header_row"]["row"] == 1 and resaved.notes["header_row"]["cells"][0] == "Transaction_ID"
    assert resaved.notes["date_forms"] == {"date": {"DD/MM/YYYY hh:mm": 29}}


def test_row_count_trailer(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_ccod(sqlite_store, REAL / "CCOD_FULL_built.csv", tmp_path / "q")
    assert report.notes["row_count"] == {"file": "CCOD_FULL_built.csv", "stated": 10, "read": 10, "matches": True}
    short = tmp_path / "CCOD_short.csv"
    lines = (REAL / "CCOD_FULL_built.csv").read_text(encoding="utf-8").splitlines()
    short.write_text("\n".join([*lines[:4], lines[-1]]) + "\n", encoding="utf-8")  # 3 titles, trailer says 10
    cut = load_ccod(sqlite_store, short, tmp_path / "q")
    assert (cut.read, cut.quarantined) == (3, 0) and cut.notes["row_count"]["matches"] is False


def test_cli_loads_a_resaved_price_paid_file_without_format(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--db", "x.db", "load", str(REAL / "pp-monthly-update-resaved-prefix.csv"),
         "--json", "--no-resolve"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["format"], out["read"], out["loaded"], out["quarantined"], out["reconciled"]) == ("ppd", 29, 29, 0,
                                                                                                  True)


def test_ocod_numbers_are_not_padded_into_uk_numbers(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    path = _titles_file(tmp_path / "ocod.csv", True, [
        {"Title Number": title, "Proprietor Name (1)": f"CO {title}", "Company Registration No. (1)": number,
         "Country Incorporated (1)": "British Virgin Islands"}
        for title, number in (("T1", "1234567"), ("T2", "FC31362"), ("T3", "oe 123"))])
    load_ccod(sqlite_store, path, tmp_path / "q", overseas=True)
    numbers = {e.props["name"]: (e.props.get("company_number"), e.props.get("registration_numbers"))
               for e in sqlite_store.iter_entities(["Company"])}
    assert numbers == {"CO T1": ("1234567", None),  # a BVI number stays as the register wrote it
                       "CO T2": ("FC031362", ["gb-coh:FC031362"]), "CO T3": ("OE000123", ["gb-coh:OE000123"])}


# --- hostile input -------------------------------------------------------------------------------

HOSTILE = st.text(alphabet=st.sampled_from('aZ9 ,"\n\r;-£\ufeff\x00é()/.'), max_size=12)


def _pick(rng: random.Random, cells: list[str], good: str, p: float = 0.1) -> str:
    return rng.choice(cells) if rng.random() < p else good


def _ccod_header(overseas: bool) -> list[str]:
    with open(FIXTURES / ("ocod_sample.csv" if overseas else "ccod_sample.csv"), encoding="utf-8") as fh:
        return next(csv.reader(fh))


def _write_titles(path: Path, cells: list[str], seed: int, overseas: bool) -> None:
    rng = random.Random(seed)
    header = _ccod_header(overseas)
    companies = [(f"CO {n}", f"{n:08d}", rng.choice(["Jersey", "BVI", "Narnia", ""])) for n in range(50)]
    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(HOSTILE_ROWS):
            row = {h: _pick(rng, cells, "", 0.05) for h in header}
            # unique titles: a title repeated in one file is "last row wins" (see the next test)
            row["Title Number"] = "" if rng.random() < 0.02 else f"{_pick(rng, cells, 'T')}#{i}"
            row["Price Paid"] = _pick(rng, cells + ["£1,250.00", "(12.00)", "1 AED"], str(rng.randrange(10**7)))
            row["Date Proprietor Added"] = _pick(rng, cells + ["31-02-2019", "2019-01-01"], "01-02-2019")
            for n in range(1, rng.randrange(1, 5) + 1):
                name, number, country = rng.choice(companies)
                row[f"Proprietor Name ({n})"] = _pick(rng, cells, name, 0.05)
                row[f"Company Registration No. ({n})"] = _pick(rng, cells, number, 0.05)
                if overseas:
                    row[f"Country Incorporated ({n})"] = _pick(rng, cells, country, 0.05)
            values = [row[h] for h in header]
            if rng.random() < 0.02:
                values = values[: rng.randrange(len(values))] if rng.random() < 0.5 else [*values, "x"]
            writer.writerow(values)


@pytest.mark.parametrize("overseas", [False, True], ids=["ccod", "ocod"])
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), phases=NO_SHRINK)
@given(cells=st.lists(HOSTILE, min_size=3, max_size=30), seed=st.integers(0, 2**32))
def test_hostile_titles(overseas: bool, cells: list[str], seed: int,
                        tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp_path = tmp_path_factory.mktemp("hostile-titles")
    path = tmp_path / "titles.csv"
    _write_titles(path, cells, seed, overseas)
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        first = load_ccod(store, path, tmp_path / "q", overseas=overseas)
        assert first.read == first.loaded + first.quarantined and first.loaded > 0
        again = load_ccod(store, path, tmp_path / "q", overseas=overseas)
        assert (again.read, again.quarantined) == (first.read, first.quarantined)
        assert (again.entities_written, again.relations_written) == (0, 0)


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), phases=NO_SHRINK)
@given(cells=st.lists(HOSTILE, min_size=3, max_size=30), seed=st.integers(0, 2**32))
def test_hostile_price_paid(cells: list[str], seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp_path = tmp_path_factory.mktemp("hostile-ppd")
    rng = random.Random(seed)
    path = tmp_path / "pp.csv"
    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as fh:
        writer = csv.writer(fh)
        for i in range(HOSTILE_ROWS):
            good = {"transaction_id": f"{{T-{i}}}", "price": str(rng.randrange(1, 10**6)),
                    "date": f"20{rng.randrange(10, 25)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 9)} 00:00",
                    "postcode": f"LS{rng.randrange(30)} 1AA", "paon": str(rng.randrange(40)),
                    "record_status": rng.choice("AAAAAACD")}
            row = [_pick(rng, cells, good.get(c, rng.choice(["", "F", "L", "D", "Y"]))) for c in PPD_COLUMNS]
            # transaction ids stay unique (they are GUIDs): a repeated id is "last row wins"
            row[0] = "" if rng.random() < 0.02 else f"{{{_pick(rng, cells, 'T')}#{i}}}"
            if rng.random() < 0.02:
                row = row[: rng.randrange(len(row))] if rng.random() < 0.5 else [*row, "x"]
            writer.writerow(row)
    with SQLiteStore(tmp_path / "db.sqlite") as store:
        first = load_ppd(store, path, tmp_path / "q")
        assert first.read == first.loaded + first.quarantined and first.loaded > 0
        again = load_ppd(store, path, tmp_path / "q")
        assert (again.read, again.quarantined) == (first.read, first.quarantined)
        assert again.entities_written == 0
