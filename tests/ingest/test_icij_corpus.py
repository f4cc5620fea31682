"""The ICIJ reader on real published files of each release (``tests/fixtures/real/icij``, see SOURCES.md).

Expected counts are per file, loaded as a folder and file by file, with the format detected and
given (``load --format icij``), and once through the command line as a user runs it.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.load import load_path
from graph.sqlite_store import SQLiteStore
from ingest.icij import load_icij
from ingest.icij_links import LinkKind, classify

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "icij"
# folder -> file -> (read, loaded, quarantined); fields_dropped is 0 for every real file
CORPUS: dict[str, dict[str, tuple[int, int, int]]] = {
    "offshore-2016": {"Entities_mini.csv": (13, 13, 0), "Intermediaries_mini.csv": (31, 31, 0),
                      "Officers_mini.csv": (32, 32, 0), "Addresses_medium.csv": (20, 20, 0),
                      "all_edges_mini.csv": (69, 69, 0)},
    "full-oldb": {"nodes-entities.csv": (5, 5, 0), "nodes-others.csv": (5, 5, 0),
                  "nodes-intermediaries.csv": (100, 100, 0), "nodes-officers.csv": (5, 5, 0),
                  "relationships.csv": (5, 0, 5)},  # the file's first rows: their ends are not in this sample
    "spreadsheet-saved": {"nodes-intermediaries_subset.csv": (20, 20, 0)},
}
LINK_FILES = {"all_edges_mini.csv", "relationships.csv"}


def _counts(report: dict[str, object]) -> dict[str, tuple[int, int, int]]:
    files = report["files"]
    assert isinstance(files, dict)
    assert all(f.get("fields_dropped", 0) == 0 for f in files.values())
    return {name: (f["read"], f["loaded"], f["quarantined"]) for name, f in files.items()}


@pytest.mark.parametrize("fmt", [None, "icij"])
@pytest.mark.parametrize("folder", sorted(CORPUS))
def test_real_folders(tmp_path: Path, folder: str, fmt: str | None) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        report = load_path(store, REAL / folder, fmt, tmp_path / "q", {}).to_dict()
        assert _counts(report) == CORPUS[folder] and report["reconciled"]
        again = load_path(store, REAL / folder, fmt, tmp_path / "q", {})
        assert again.entities_written == again.relations_written == 0


@pytest.mark.parametrize("fmt", [None, "icij"])
@pytest.mark.parametrize(("folder", "name"), [(f, n) for f, files in sorted(CORPUS.items()) for n in files])
def test_real_files_alone(tmp_path: Path, folder: str, name: str, fmt: str | None) -> None:
    """One file given on its own: a node file loads the same; a link file without its nodes quarantines
    every link, naming the unknown end."""
    read, loaded, quarantined = CORPUS[folder][name]
    if name in LINK_FILES:
        loaded, quarantined = 0, read
    with SQLiteStore(tmp_path / "db") as store:
        report = load_path(store, REAL / folder / name, fmt, tmp_path / "q", {}).to_dict()
    assert _counts(report) == {name: (read, loaded, quarantined)}
    if quarantined:
        with open(str(report["quarantine_file"]), encoding="utf-8") as fh:
            assert all("unknown node" in r["reason"] for r in csv.DictReader(fh))


def test_2016_release(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_icij(sqlite_store, REAL / "offshore-2016", tmp_path / "q")
    assert report.notes["date_forms"] == {"incorporation_date": {"DD-Mon-YY (pivot 15)": 13},
                                          "inactivation_date": {"DD-Mon-YY (pivot 15)": 11},
                                          "struck_off_date": {"DD-Mon-YY (pivot 15)": 11}}
    assert sqlite_store.counts() == {"Address": 20, "Company": 43, "Person": 33, "ASSOCIATE": 69}
    tiansheng = sqlite_store.get_entity("icij/10000001")  # "23-Mar-06": the whole company, its dates read
    assert tiansheng is not None and tiansheng.props["name"] == "TIANSHENG INDUSTRY AND TRADING CO., LTD."
    assert (tiansheng.props["incorporated"], tiansheng.props["inactivation_date"],
            tiansheng.props["dissolved"]) == ("2006-03-23", "2013-02-18", "2013-02-15")
    assert tiansheng.provenance[0].source == "ICIJ Offshore Leaks: Panama Papers"
    assert tiansheng.props["valid_until"] == "The Panama Papers data is current through 2015"
    diamond = sqlite_store.get_entity("icij/10000006")
    assert diamond is not None and diamond.props["former_name"] == "DIAMOND LIMITED"
    kim = sqlite_store.get_entity("icij/12000001")
    assert kim is not None and kim.kind == "Person" and kim.props["icij_id"] == "E72326DEA50F1A9C2876E112AAEB42BC"
    boshen = sqlite_store.get_entity("icij/12000012")
    assert boshen is not None and boshen.kind == "Company"  # "BOSHEN LTD./135-77"
    first = sqlite_store.get_entity("icij/14000001")  # the real file's tab inside an address
    assert first is not None and first.props["full"] == "- 27 ROSEWOOD DRIVE #16-19 SINGAPORE 737920"
    links = list(sqlite_store.iter_relations())
    assert {(r.kind, r.props["role"], r.props["link"]) for r in links} == {("ASSOCIATE", "intermediary",
                                                                            "intermediary of")}
    assert all(r.provenance[0].source == "ICIJ Offshore Leaks: Panama Papers" for r in links)


def test_one_company_in_two_releases_reads_the_same(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    """``23-Mar-06`` (2016) and ``23-MAR-2006`` (full-oldb) are the same day, whatever the release."""
    load_icij(sqlite_store, REAL / "offshore-2016" / "Entities_mini.csv", tmp_path / "q", dataset="icij2016")
    load_icij(sqlite_store, REAL / "full-oldb" / "nodes-entities.csv", tmp_path / "q")
    for node in ("10000001", "10000002", "10000003", "10000004", "10000005"):
        old, new = sqlite_store.get_entities([f"icij2016/{node}", f"icij/{node}"])
        for prop in ("incorporated", "inactivation_date", "struck_off_date", "name", "company_number"):
            assert old.props[prop] == new.props[prop], (node, prop)


def test_full_oldb_others(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    load_icij(sqlite_store, REAL / "full-oldb" / "nodes-others.csv", tmp_path / "q")
    antam = sqlite_store.get_entity("icij/85004929")
    assert antam is not None and antam.kind == "Company"
    assert (antam.props["incorporated"], antam.props["closed_date"], antam.props["dissolved"]) == (
        "1983-05-18", "2012-11-28", "2012-11-28")
    assert antam.props["jurisdiction_code"] == "AW" and antam.props["company_type"] == "LIMITED LIABILITY COMPANY"
    assert antam.props["note"] == "Closed date stands for Cancelled date."
    assert antam.provenance[0].source == "ICIJ Offshore Leaks: Paradise Papers - Aruba corporate registry"


def test_spreadsheet_saved_copy(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    """A blank first row and an unnamed index column: the header is found, row numbers stay the file's."""
    report = load_icij(sqlite_store, REAL / "spreadsheet-saved", tmp_path / "q")
    assert report.loaded == 20
    first = sqlite_store.get_entity("icij/11000001")
    assert first is not None and first.provenance[0].row == 3
    assert first.props["name"] == "MICHAEL PAPAGEORGE, MR." and "column_1" not in first.props


def test_per_leak_layout(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    """The 2017-18 per-leak zips (``panama_papers.nodes.entity.csv``, ``<leak>.edges.csv`` with
    ``START_ID,TYPE,END_ID``; Bahamas with ``labels(n)`` and ``node_1,rel_type,node_2``). No public copy
    of these is small enough to keep (every one found is a Git-LFS pointer): the headers are the
    published ones (as read by Senzing's ICIJ mapper), the values real rows of the 2016 files."""
    folder = tmp_path / "csv_panama_papers"
    folder.mkdir()
    rows = {
        "panama_papers.nodes.entity.csv": [
            ["node_id", "name", "jurisdiction", "jurisdiction_description", "country_codes", "countries",
             "incorporation_date", "inactivation_date", "struck_off_date", "closed_date", "ibcRUC", "status",
             "company_type", "service_provider", "sourceID", "valid_until", "note"],
            ["10000001", "TIANSHENG INDUSTRY AND TRADING CO., LTD.", "SAM", "Samoa", "HKG", "Hong Kong",
             "23-MAR-2006", "18-FEB-2013", "15-FEB-2013", "", "25221", "Defaulted", "", "Mossack Fonseca",
             "Panama Papers", "The Panama Papers data is current through 2015", ""]],
        "bahamas_leaks.nodes.officer.csv": [
            ["labels(n)", "valid_until", "country_codes", "countries", "node_id", "sourceID", "name", "note"],
            ['["Officer"]', "The Bahamas Leaks data is current through early 2016.", "KOR", "South Korea",
             "12000001", "Bahamas Leaks", "KIM SOO IN", ""]],
        "panama_papers.edges.csv": [
            ["START_ID", "TYPE", "END_ID", "link", "start_date", "end_date", "sourceID", "valid_until"],
            ["12000001", "officer_of", "10000001", "shareholder of", "23-MAR-2006", "", "Panama Papers",
             "The Panama Papers data is current through 2015"]],
        "bahamas_leaks.edges.csv": [["node_1", "rel_type", "node_2", "sourceID"],
                                    ["12000001", "director of", "10000001", "Bahamas Leaks"]],
    }
    for name, table in rows.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(table)
    report = load_icij(sqlite_store, folder, tmp_path / "q")
    assert (report.read, report.loaded, report.quarantined) == (4, 4, 0)
    assert list(report.files) == ["panama_papers.nodes.entity.csv", "bahamas_leaks.nodes.officer.csv",
                                  "bahamas_leaks.edges.csv", "panama_papers.edges.csv"]
    kinds = {(r.kind, r.props["link"], r.props.get("start_date")) for r in sqlite_store.iter_relations()}
    assert kinds == {("OWNS", "shareholder of", "2006-03-23"), ("DIRECTOR_OF", "director of", None)}
    kim = sqlite_store.get_entity("icij/12000001")
    assert kim is not None and kim.props["valid_until"] == "The Bahamas Leaks data is current through early 2016."


def test_command_line_with_and_without_format(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    outputs = []
    for extra in ([], ["--format", "icij"]):
        result = subprocess.run([sys.executable, "-m", "app.cli", "--db", f"x{len(extra)}.db", "load",
                                 str(REAL / "offshore-2016"), "--json", "--no-resolve", *extra],
                                cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads(result.stdout))
    for out in outputs:
        assert _counts(out) == CORPUS["offshore-2016"] and out["reconciled"]
        assert out["format"] == "icij" and out["relations_written"] == 69


@pytest.mark.parametrize(("rel_type", "link", "ends", "expected"), [
    ("officer_of", "shareholder of", None, LinkKind("OWNS", "shareholder of")),
    ("officer_of", "Nominee Shareholder of", None, LinkKind("OWNS", "Nominee Shareholder of", True)),
    ("officer_of", "Beneficial Owner", None, LinkKind("OWNS", "Beneficial Owner")),
    ("officer_of", "beneficiary of", None, LinkKind("OWNS", "beneficiary of")),
    ("officer_of", "Member", None, LinkKind("OWNS", "Member")),  # an LLC's member owns it
    ("officer_of", "Shareholder (through Julex Foundation) of", None,
     LinkKind("OWNS", "Shareholder (through Julex Foundation) of")),
    ("officer_of", "director of", None, LinkKind("DIRECTOR_OF", "director of")),
    ("officer_of", "Nominee Director of", None, LinkKind("DIRECTOR_OF", "Nominee Director of", True)),
    ("officer_of", "Member of the Board of Directors of", None,
     LinkKind("DIRECTOR_OF", "Member of the Board of Directors of")),
    ("officer_of", "Foundation Council of", None, LinkKind("DIRECTOR_OF", "Foundation Council of")),
    ("officer_of", "Secretary of", None, LinkKind("DIRECTOR_OF", "Secretary of")),
    ("officer_of", "Vice President of", None, LinkKind("DIRECTOR_OF", "Vice President of")),
    ("officer_of", "Trustee of Trust of", None, LinkKind("CONTROLS", "Trustee of Trust of")),
    ("officer_of", "Protector of", None, LinkKind("CONTROLS", "Protector of")),
    ("officer_of", "Power of Attorney of", None, LinkKind("CONTROLS", "Power of Attorney of")),
    ("officer_of", "Bank signatory of", None, LinkKind("CONTROLS", "Bank signatory of")),
    ("officer_of", "Nominee Name of", None, LinkKind("ASSOCIATE", "icij: Nominee Name of", True)),
    ("officer_of", "Investment Advisor of", None, LinkKind("ASSOCIATE", "icij: Investment Advisor of")),
    ("officer_of", "Auditor of", None, LinkKind("ASSOCIATE", "icij: Auditor of")),
    ("intermediary_of", "intermediary of", None, LinkKind("ASSOCIATE", "intermediary")),
    ("registered_address", "registered address", ("Company", "Address"),
     LinkKind("REGISTERED_AT", "registered address")),
    ("registered_address", "residential address", ("Person", "Address"),
     LinkKind("LIVES_AT", "residential address")),
    ("registered_address", "registered address", ("Person", "Company"),
     LinkKind("ASSOCIATE", "icij: registered address")),  # an address link needs an Address at its end
    ("same_name_as", "same name as", None, LinkKind("ASSOCIATE", "icij: same name as")),
    ("similar", "similar name and address as", None, LinkKind("ASSOCIATE", "icij: similar name and address as")),
    ("probably_same_officer_as", None, None, LinkKind("ASSOCIATE", "icij: probably_same_officer_as")),
    ("connected_to", "connected to", None, LinkKind("ASSOCIATE", "icij: connected to")),
    ("underlying", "underlying", None, LinkKind("ASSOCIATE", "icij: underlying")),
    # the 2016 all_edges.csv: the role text is the rel_type
    ("shareholder of", None, None, LinkKind("OWNS", "shareholder of")),
    ("registered address", None, ("Company", "Address"), LinkKind("REGISTERED_AT", "registered address")),
    ("same name as", None, None, LinkKind("ASSOCIATE", "icij: same name as")),
])
def test_link_meaning(rel_type: str, link: str | None, ends: tuple[str, str] | None, expected: LinkKind) -> None:
    source, target = ends or (None, None)
    assert classify(rel_type, link, source, target) == expected
