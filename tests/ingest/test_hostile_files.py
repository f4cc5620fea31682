"""Hostile files: a load reads only regular files inside the folder or archive it was given.

Each class of hostile file from issue 14 is made for real here (symlinks, a FIFO, a socket,
``/dev/zero``, a directory named like a file, zips with unsafe, linked, colliding and bombing
members) and loaded the way a user would; none may be followed, hang, or end in a traceback,
and every one is named in the report as skipped, which then does not reconcile.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import socket
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import CASE, run_cli, write_bundle

from app.commands.load import load_path
from graph.errors import InvalidRecord
from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle
from ingest.formats import detect_format
from ingest.icij import load_icij
from ingest.source_files import Limits, OverCap, copy_capped

GOOD = {"people.csv": [["id", "name", "dob"], ["P1", "Marcus Ellery VANCE", "1979-09-03"]]}
MiB = 1 << 20
ICIJ_SET = Path(__file__).resolve().parents[1] / "fixtures" / "icij" / "set"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "store.db") as st_:
        yield st_


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    sock = socket.socket(socket.AF_UNIX)
    path = tmp_path / "s.csv"
    sock.bind(str(path))
    try:
        yield path
    finally:
        sock.close()


def _no_traceback(result: object) -> None:
    assert "Traceback" not in result.stderr, result.stderr  # type: ignore[attr-defined]


def test_every_hostile_kind_of_file_in_a_bundle_folder_is_skipped_and_named(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "case", GOOD)
    (folder / "accounts.csv").symlink_to("/etc/passwd")           # outside the folder: the machine's user list
    (folder / "companies.csv").symlink_to(folder / "people.csv")   # inside the folder: refused too (decision)
    (folder / "transfers.csv").symlink_to("/dev/zero")             # an endless device
    _fifo(folder / "relationships.csv")                            # opening it would wait for ever
    (folder / "properties.csv").mkdir()                            # a directory named like a file
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (folder / "notes.txt").write_text("exhibit list")
    (folder / "People.CSV").write_text("id,name\nP9,Someone\n")
    result = run_cli("--db", "x.db", "load", str(folder), "--json", "--no-resolve", cwd=tmp_path, timeout=60)
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    files = out["files"]
    assert files["people.csv"] == {"read": 1, "loaded": 1, "quarantined": 0}
    reasons = {name: f["skipped"] for name, f in files.items() if "skipped" in f}
    assert set(reasons) == {"accounts.csv", "companies.csv", "transfers.csv", "relationships.csv", "properties.csv",
                            ".DS_Store", "notes.txt", "People.CSV"}
    for linked in ("accounts.csv", "companies.csv", "transfers.csv"):
        assert "symbolic link" in reasons[linked]
    assert "named pipe" in reasons["relationships.csv"]
    assert "a folder, not a file" in reasons["properties.csv"]
    assert "hidden" in reasons[".DS_Store"]
    assert "not a bundle file" in reasons["notes.txt"] and "(people.csv)" in reasons["People.CSV"]
    assert out["skipped"] == 8 and out["reconciled"] is False
    assert out["read"] == out["loaded"] + out["quarantined"]
    assert out["quarantine_file"] is None  # nothing of /etc/passwd or /dev/zero was read into it
    stats = json.loads(run_cli("--db", "x.db", "stats", "--json", cwd=tmp_path).stdout)
    assert stats == {"Person": 1, "Case": 1, "SUBJECT_OF": 1}
    table = run_cli("--db", "x.db", "load", str(folder), "--no-resolve", cwd=tmp_path, timeout=60)
    _no_traceback(table)
    assert "skipped: why" in table.stdout and "not reconciled" in table.stdout and "8 file(s)" in table.stdout


def test_a_fifo_named_on_the_command_line_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "statement.csv")
    for args in (("load", str(fifo)), ("load", "--format", "bank", str(fifo))):
        result = run_cli("--db", "x.db", *args, cwd=tmp_path, timeout=60)
        _no_traceback(result)
        assert result.returncode == 2 and "named pipe (FIFO)" in result.stderr


@pytest.mark.parametrize("make, message", [
    (lambda tmp: Path("/dev/zero"), "a device"),
    (lambda tmp: _linked(tmp / "zero.csv", "/dev/zero"), "a device"),
    (lambda tmp: tmp / "missing.csv", "no such file"),
    (lambda tmp: _linked(tmp / "dangling.csv", tmp / "gone.csv"), "no such file"),
])
def test_a_named_path_that_is_not_a_file_or_folder_is_refused(store: SQLiteStore, tmp_path: Path, make: object,
                                                               message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    for fmt in (None, "ppd"):
        with pytest.raises(InvalidRecord, match=message):
            load_path(store, path, fmt, tmp_path / "q", {})
    with pytest.raises(InvalidRecord, match=message):
        detect_format(path)


def test_a_socket_is_refused_named_or_in_a_folder(store: SQLiteStore, tmp_path: Path, unix_socket: Path) -> None:
    with pytest.raises(InvalidRecord, match="a socket"):
        load_path(store, unix_socket, "bank", tmp_path / "q", {})
    folder = write_bundle(tmp_path / "case", GOOD)
    os.rename(unix_socket, folder / "transfers.csv")
    report = load_bundle(store, folder, tmp_path / "q")
    assert "a socket" in report.skipped["transfers.csv"] and not report.reconciled


def _linked(link: Path, target: str | Path) -> Path:
    link.symlink_to(target)
    return link


def test_the_named_path_may_itself_be_a_link(store: SQLiteStore, tmp_path: Path) -> None:
    """Decision: the path the user names is followed (they chose it); links inside it are not."""
    folder = write_bundle(tmp_path / "case", GOOD)
    report = load_path(store, _linked(tmp_path / "link-to-case", folder), None, tmp_path / "q", {})
    assert report.format == "bundle" and report.reconciled and store.counts()["Person"] == 1


def test_size_caps_on_files_in_a_folder_and_named_files(store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "case", {**GOOD, "transfers.csv": [["id", "note"], ["T1", "x" * 4000]]})
    report = load_path(store, folder, None, tmp_path / "q", {"max_file_size": "2K"})
    assert "over the per-file cap of 2.0 KiB" in report.skipped["transfers.csv"]
    assert report.files["people.csv"].loaded == 1 and not report.reconciled
    with pytest.raises(InvalidRecord, match="over the per-file cap"):
        load_path(store, folder / "transfers.csv", "bank", tmp_path / "q", {"max_file_size": "1K"})
    with pytest.raises(InvalidRecord, match="not a size"):
        load_path(store, folder, None, tmp_path / "q", {"max_file_size": "lots"})


def test_a_file_name_that_is_not_utf8_is_reported_printably(store: SQLiteStore, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "case", GOOD)
    with open(os.path.join(os.fsencode(folder), b"\xff\xfe.csv"), "wb") as fh:
        fh.write(b"id\n")
    out = load_bundle(store, folder, tmp_path / "q").to_dict()
    assert out["files"]["\\xff\\xfe.csv"]["skipped"].startswith("not a bundle file")
    json.dumps(out, ensure_ascii=False).encode("utf-8")  # printable and storable


# --- archives ---------------------------------------------------------------------------------
def _member(name: str, mode: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.create_system = 3  # Unix: the high 16 bits of external_attr are st_mode
        info.external_attr = mode << 16
    return info


def _zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes | str]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name if isinstance(name, zipfile.ZipInfo) else _member(name), data)
    return path


CASE_JSON = json.dumps(CASE)
PEOPLE = "id,name\nP1,Marcus Ellery VANCE\n"


def test_unsafe_and_linked_zip_members_are_skipped_and_nothing_lands_outside(
        store: SQLiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    archive = _zip(tmp_path / "bundle.zip", [
        ("OP/case.json", CASE_JSON), ("OP/people.csv", PEOPLE),
        ("../accounts.csv", "id\nA1\n"),                        # escapes upward
        ("OP/../../companies.csv", "id\nC1\n"),                 # escapes from inside
        ("/etc/properties.csv", "id\nPR1\n"),                   # absolute
        ("C:\\Windows\\relationships.csv", "from_id\n"),        # an absolute Windows path
        (_member("OP/transfers.csv", stat.S_IFLNK | 0o777), "/etc/passwd"),  # a symlink member
    ])
    report = load_bundle(store, archive, tmp_path / "q")
    assert sorted(p.name for p in tmp_path.rglob("*.csv")) == []  # nothing was written anywhere
    reasons = report.skipped
    assert "escapes the archive" in reasons["../accounts.csv"]
    assert "escapes the archive" in reasons["OP/../../companies.csv"]
    assert "absolute path" in reasons["/etc/properties.csv"]
    assert "absolute path" in reasons["C:\\Windows\\relationships.csv"]
    assert "symbolic link" in reasons["OP/transfers.csv"]
    assert report.files["people.csv"].loaded == 1 and not report.reconciled
    assert store.counts() == {"Person": 1, "Case": 1, "SUBJECT_OF": 1}


def test_two_members_with_one_name_are_both_refused_not_overwritten(store: SQLiteStore, tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bundle.zip", [
        ("OP/case.json", CASE_JSON), ("OP/people.csv", PEOPLE),
        ("OP/old/people.csv", "id,name\nP1,Someone Else\n"),
        ("OP/transfers.csv", "id\n"),
    ])
    report = load_bundle(store, archive, tmp_path / "q")
    assert set(report.skipped) == {"OP/people.csv", "OP/old/people.csv"}
    assert "2 members are named 'people.csv'" in report.skipped["OP/old/people.csv"]
    assert "'OP/people.csv'" in report.skipped["OP/old/people.csv"]
    assert "Person" not in store.counts()  # neither copy was guessed at
    assert report.files["transfers.csv"].read == 0 and report.files["transfers.csv"].skipped is None
    assert report.files["case.json"].quarantined == 1  # the subject P1 is in no people.csv it read


def _bomb(path: Path, size: int) -> Path:
    """A real zip bomb: ``size`` bytes of one repeated byte deflate to about a thousandth of it."""
    return _zip(path, [("OP/case.json", CASE_JSON), ("OP/people.csv", PEOPLE), ("OP/transfers.csv", b" " * size)])


def test_a_zip_bomb_is_refused_on_its_declared_size_before_anything_is_read(store: SQLiteStore,
                                                                             tmp_path: Path) -> None:
    archive = _bomb(tmp_path / "bomb.zip", 64 * MiB)
    assert archive.stat().st_size < MiB
    with pytest.raises(InvalidRecord, match="over the per-archive cap of 16.0 MiB"):
        load_bundle(store, archive, tmp_path / "q", Limits(max_archive_size=16 * MiB))
    assert store.counts() == {} and not (tmp_path / "q").exists()
    report = load_bundle(store, archive, tmp_path / "q", Limits(max_file_size=16 * MiB))
    assert report.skipped == {"OP/transfers.csv": "declares 64.0 MiB, over the per-file cap of 16.0 MiB "
                                                  "(raise it with --max-file-size)"}
    assert report.files["people.csv"].loaded == 1


def test_the_cli_caps_refuse_a_bomb_and_can_be_raised(tmp_path: Path) -> None:
    archive = _bomb(tmp_path / "bomb.zip", 12 * MiB)
    refused = run_cli("--db", "x.db", "load", str(archive), "--no-resolve", "--max-archive-size", "8M",
                      cwd=tmp_path, timeout=60)
    _no_traceback(refused)
    assert refused.returncode == 2 and "--max-archive-size" in refused.stderr
    raised = run_cli("--db", "x.db", "load", str(archive), "--no-resolve", "--json", "--max-archive-size", "64M",
                     cwd=tmp_path, timeout=60)
    assert raised.returncode == 0, raised.stderr
    out = json.loads(raised.stdout)
    # the 12 MiB line of spaces is read: one unreadable record (the cell is over the CSV field limit)
    assert out["files"]["transfers.csv"] == {"read": 1, "loaded": 0, "quarantined": 1}
    assert out["reconciled"] is True


def test_a_member_whose_header_lies_about_its_size_is_not_trusted(store: SQLiteStore, tmp_path: Path) -> None:
    archive = _bomb(tmp_path / "liar.zip", 8 * MiB)
    data = bytearray(archive.read_bytes())
    entry = data.rfind(b"OP/transfers.csv") - 46  # its central directory entry (the name is its last field)
    assert data[entry: entry + 4] == b"PK\x01\x02"
    data[entry + 24: entry + 28] = (100).to_bytes(4, "little")  # declares 100 bytes; holds 8 MiB
    archive.write_bytes(bytes(data))
    report = load_bundle(store, archive, tmp_path / "q", Limits(max_file_size=MiB, max_archive_size=MiB))
    assert report.skipped["OP/transfers.csv"].startswith("an unreadable member: Bad CRC-32")
    assert report.files["people.csv"].loaded == 1


def test_decompressed_bytes_are_counted_not_the_header(tmp_path: Path) -> None:
    """The streaming count stops a compressed stream at the cap whatever its header says (gzip's
    size field is the size mod 2**32 and is easily forged)."""
    bomb = gzip.compress(b"\0" * (32 * MiB), compresslevel=9)
    assert len(bomb) < 64 * 1024
    target = io.BytesIO()
    with gzip.open(io.BytesIO(bomb)) as stream, pytest.raises(OverCap):
        copy_capped(stream, target, cap=MiB)
    assert target.tell() <= MiB


def test_a_zip_that_is_not_one_is_a_clear_error(store: SQLiteStore, tmp_path: Path) -> None:
    broken = tmp_path / "bundle.zip"
    good = _zip(tmp_path / "good.zip", [("OP/case.json", CASE_JSON)]).read_bytes()
    broken.write_bytes(good[: len(good) // 2] + good[-22:])  # a real end record over a torn body
    with pytest.raises(InvalidRecord):
        load_path(store, broken, "bundle", tmp_path / "q", {})
    with pytest.raises(InvalidRecord, match="cannot tell the format"):
        detect_format(broken)


NAME_PARTS = st.sampled_from(["OP", "a", "..", ".", "", "people.csv", "case.json", "transfers.csv", ".hidden",
                              "__MACOSX", "C:", "x\\..\\y", "\x01", "é.csv", "People.csv", "accounts.csv"])
MODES = st.sampled_from([None, stat.S_IFREG | 0o644, stat.S_IFLNK | 0o777, stat.S_IFIFO | 0o644,
                         stat.S_IFCHR | 0o644])


@pytest.mark.filterwarnings("ignore:Duplicate name")  # two members of one name are a case under test
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.lists(st.tuples(st.lists(NAME_PARTS, min_size=1, max_size=4), st.booleans(), MODES),
                        min_size=1, max_size=8))
def test_hostile_archives_never_escape_and_every_member_is_accounted_for(tmp_path_factory: pytest.TempPathFactory,
                                                                         members: list) -> None:
    tmp = tmp_path_factory.mktemp("zip")
    entries = []
    for parts, absolute, mode in members:
        name = ("/" if absolute else "") + "/".join(parts)
        if not name.strip("/") or name.endswith("/"):
            continue
        base = name.rsplit("/", 1)[-1]
        entries.append((_member(name, mode), CASE_JSON if base == "case.json" else PEOPLE))
    archive = _zip(tmp / "bundle.zip", entries)
    with SQLiteStore(tmp / "store.db") as store:
        try:
            report = load_bundle(store, archive, tmp / "q")
        except InvalidRecord as exc:
            assert "case.json" in str(exc)
            return
    names = [i.filename for i in zipfile.ZipFile(archive).infolist() if not i.is_dir()]
    read = {n for n, f in report.files.items() if f.skipped is None}
    for name in names:
        assert name in report.skipped or name.rsplit("/", 1)[-1] in read, name
    assert set(report.skipped) <= set(names)
    assert report.reconciled == (not report.skipped)
    assert {p.name for p in tmp.iterdir()} <= {"bundle.zip", "q", "store.db", "store.db-wal", "store.db-shm"}
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")


# --- ICIJ folders -----------------------------------------------------------------------------
def test_an_icij_folder_reports_every_file_it_does_not_read(store: SQLiteStore, tmp_path: Path) -> None:
    folder = tmp_path / "icij"
    shutil.copytree(ICIJ_SET, folder)
    (folder / "nodes-copy.csv").symlink_to(folder / "nodes-entities.csv")
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    _fifo(folder / "nodes-officers-more.csv")
    (folder / "nodes-addresses-2.csv").mkdir()
    (folder / "README.txt").write_text("ICIJ Offshore Leaks database")
    (folder / "exchange-rates.csv").write_text("currency,rate\nGBP,1\n")
    report = load_icij(store, folder, tmp_path / "q")
    reasons = report.skipped
    assert "symbolic link" in reasons["nodes-copy.csv"] and "symbolic link" in reasons["passwd.csv"]
    assert "named pipe" in reasons["nodes-officers-more.csv"]
    assert "a folder" in reasons["nodes-addresses-2.csv"]
    assert "not a CSV file" in reasons["README.txt"]
    assert "not an ICIJ Offshore Leaks file" in reasons["exchange-rates.csv"]
    assert len(reasons) == 6 and not report.reconciled
    assert report.files["nodes-entities.csv"].loaded > 0
    assert report.to_dict()["skipped"] == 6


def test_a_line_of_gigabytes_is_one_bad_row_not_a_memory_error(tmp_path: Path) -> None:
    """A line longer than the cell limit is drained in pieces: memory stays bounded, the rows after it load."""
    from ingest.csvio import FIELD_LIMIT, BadRow, CsvRow, read_csv

    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,name\n1,a\n")
        fh.write("2," + "x" * (3 * FIELD_LIMIT + 7) + "\n")
        fh.write("3,c\n")
    rows = list(read_csv(path))
    assert [type(r) for r in rows] == [CsvRow, BadRow, CsvRow]
    assert "longer than" in rows[1].reason and rows[2].data == {"id": "3", "name": "c"}


def test_a_gzip_bomb_in_an_icij_folder_stops_at_the_cap_with_one_clear_line(tmp_path: Path) -> None:
    from ingest.icij import load_icij
    from ingest.source_files import Limits

    folder = tmp_path / "icij"
    folder.mkdir()
    with gzip.open(folder / "nodes-entities.csv.gz", "wb") as gz:
        gz.write(b"node_id,name,sourceID\n")
        for _ in range(64):
            gz.write(b"1" * (1 << 20) + b",x,Panama Papers\n")  # 64 MiB out of a file of ~70 KiB
    assert (folder / "nodes-entities.csv.gz").stat().st_size < 1 << 20
    with SQLiteStore(tmp_path / "db.sqlite") as store, pytest.raises(InvalidRecord, match="once decompressed"):
        load_icij(store, folder, tmp_path / "q", limits=Limits(max_file_size=8 << 20))


def test_a_workbook_bomb_is_refused_before_openpyxl_opens_it(tmp_path: Path) -> None:
    from ingest.source_files import check_zip_size

    book = tmp_path / "statement.xlsx"
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<" * (32 << 20))
    with pytest.raises(InvalidRecord, match="unpacks to"):
        check_zip_size(book, cap=16 << 20)
    check_zip_size(book, cap=64 << 20)  # under the cap it is left to the reader


def test_loading_the_current_folder_passes_over_the_loads_own_outputs(tmp_path: Path, demo_bundle: Path) -> None:
    """``cd case && assetgraph load .``: the quarantine folder and the store file land in the folder
    read; the next load passes over them (named in the notes), and still reconciles."""
    from tests_support import run_cli

    case = tmp_path / "case"
    shutil.copytree(demo_bundle, case)
    with open(case / "transfers.csv", "a", encoding="utf-8") as fh:
        fh.write("TBAD,not a date,P1,P2,10,GBP,,,,,,,\n")  # a quarantine folder is written too
    for _ in range(2):
        done = run_cli("--db", "case.db", "load", ".", "--json", "--no-resolve", cwd=case)
        assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["reconciled"] is True and report.get("skipped", 0) == 0 and report["quarantined"] == 1
    assert set(report["notes"]["own_outputs_passed_over"]) >= {"case.db", "quarantine"}
