"""``neo4j-admin database import full`` CSVs: headers as documented, ids consistent, and a database
built from them answers like the store they came from.

No Neo4j server runs here, so the import tool itself is stood in for by a reader of the documented
header syntax (``name:ID(space)``, ``:LABEL``, ``name:type[]``, ``:START_ID(space)``, ``:END_ID``,
``:TYPE``, empty cells absent) that creates the same nodes and relationships through Bolt.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from graph.model import Judgement
from graph.neo4j_import import ARRAY_DELIMITER, FILES, write_import_files
from graph.sqlite_store import SQLiteStore
from graph.store import batched
from ingest.bundle import load_bundle
from ingest.resolve import resolve

_FIELD = re.compile(r"^(?P<name>[^:]*)(?::(?P<type>[A-Za-z_]+)(?P<array>\[\])?(?:\((?P<space>\w+)\))?)?$")


def _columns(header: list[str]) -> list[dict[str, Any]]:
    out = []
    for cell in header:
        match = _FIELD.match(cell)
        assert match, f"not an import header cell: {cell!r}"
        out.append(match.groupdict())
    return out


def _read(path: Path) -> tuple[list[dict[str, Any]], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return _columns(rows[0]), rows[1:]


def _value(column: dict[str, Any], cell: str) -> Any:
    if column["array"]:
        return [v for v in cell.split(ARRAY_DELIMITER) if v]
    if column["type"] == "double":
        return float(cell)
    return cell


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, demo_bundle: Path) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("neo4jimport")
    db = root / "demo.db"
    with SQLiteStore(db) as store:
        load_bundle(store, demo_bundle, root / "q")
        resolve(store)
        store.add_judgement(Judgement("OP-DEMO-01/P1", "OP-DEMO-01/P9", "negative", "analyst1",
                                      "2026-01-01T00:00:00+00:00", 0.7, {"note": 'a "quoted"\nline'}))
        files = write_import_files(store, root / "import")
        assert files.rows["entities.csv"] == sum(v for k, v in store.counts().items() if k[0].isupper()
                                                 and k in ("Person", "Company", "Account", "Property", "Address",
                                                           "Case"))
    return db, root / "import"


def test_headers_are_the_import_tools_and_ids_are_consistent(exported: tuple[Path, Path]) -> None:
    _, folder = exported
    spaces: dict[str, set[str]] = {}
    for name, (option, _) in FILES.items():
        columns, rows = _read(folder / name)
        if option == "nodes":
            (id_col,) = [i for i, c in enumerate(columns) if c["type"] == "ID"]
            assert any(c["type"] == "LABEL" for c in columns)
            ids = [r[id_col] for r in rows]
            assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
            spaces.setdefault(columns[id_col]["space"], set()).update(ids)
    for name, (option, _) in FILES.items():
        if option != "relationships":
            continue
        columns, rows = _read(folder / name)
        kinds = [c["type"] for c in columns]
        assert kinds[:3] == ["START_ID", "END_ID", "TYPE"]
        start, end = columns[0]["space"], columns[1]["space"]
        missing = [r for r in rows if r[0] not in spaces[start] or r[1] not in spaces[end]]
        assert not missing, f"{name}: relationships to ids not in the node files: {missing[:3]}"
    assert "neo4j-admin database import full" in (folder / "MARKING.txt").read_text()
    assert (folder / "MARKING.txt").read_text().startswith("OFFICIAL-SENSITIVE")


def _import_through_bolt(store: Any, folder: Path) -> None:
    """What ``neo4j-admin database import full`` does with these files, done over Bolt."""
    from graph.neo4j_store import _label

    id_props: dict[str, str] = {}
    for name, (option, _) in FILES.items():
        if option != "nodes":
            continue
        columns, rows = _read(folder / name)
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            props: dict[str, Any] = {}
            labels = ""
            for column, cell in zip(columns, row, strict=True):
                if column["type"] == "LABEL":
                    labels = ":".join(_label(x) for x in cell.split(";"))
                elif cell != "":
                    props[column["name"]] = _value(column, cell)
                if column["type"] == "ID":
                    id_props[column["space"]] = column["name"]
            groups.setdefault(labels, []).append(props)
        for labels, items in groups.items():
            for chunk in batched(items, 1000):
                store._run([(f"UNWIND $rows AS row CREATE (n:{labels}) SET n = row", {"rows": chunk})])
    for name, (option, _) in FILES.items():
        if option != "relationships":
            continue
        columns, rows = _read(folder / name)
        start, end = columns[0]["space"], columns[1]["space"]
        groups = {}
        for row in rows:
            props = {c["name"]: _value(c, cell) for c, cell in zip(columns[3:], row[3:], strict=True) if cell != ""}
            groups.setdefault(row[2], []).append({"s": row[0], "e": row[1], "p": props})
        for rel_type, items in groups.items():
            for chunk in batched(items, 1000):
                store._run([(f"UNWIND $rows AS row MATCH (a:{_label(start)} {{{id_props[start]}: row.s}})"
                             f" MATCH (b:{_label(end)} {{{id_props[end]}: row.e}})"
                             f" CREATE (a)-[r:{_label(rel_type)}]->(b) SET r = row.p", {"rows": chunk})])


@pytest.mark.bolt
def test_a_database_built_from_the_files_answers_like_the_source(exported: tuple[Path, Path],
                                                                   request: pytest.FixtureRequest) -> None:
    from bolt_server import fresh_store

    from graph.neo4j_store import Neo4jStore

    db, folder = exported
    server = request.getfixturevalue("bolt_server")
    empty = fresh_store(server, "imported")
    try:
        empty._run([("MATCH (n) DETACH DELETE n", {})])  # as empty as the import tool's new database
        _import_through_bolt(empty, folder)
        imported = Neo4jStore(empty.uri, *empty._auth, empty.database)  # connects as a user would afterwards
    finally:
        empty.close()
    with SQLiteStore(db) as source:
        try:
            assert imported.counts() == source.counts()
            seeds = ["OP-DEMO-01/P1", "OP-DEMO-01/C1"]
            a = source.neighbourhood(seeds, hops=3)
            b = imported.neighbourhood(seeds, hops=3)
            assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))
            assert {n: a.nodes[n]["props"] for n in a} == {n: b.nodes[n]["props"] for n in b}
            assert [e.id for e in imported.candidates("vance")] == [e.id for e in source.candidates("vance")]
            assert [e.id for e in imported.find_by_identifier(["company_number:07654321"])] == \
                   [e.id for e in source.find_by_identifier(["company_number:07654321"])]
            assert [(j.id, json.dumps(dict(j.explanation))) for j in imported.judgements()] == \
                   [(j.id, json.dumps(dict(j.explanation))) for j in source.judgements()]
            assert imported.transfers(seeds) == source.transfers(seeds)
        finally:
            imported.close()


def test_cli_writes_the_files_prints_the_command_and_audits(tmp_path: Path, demo_bundle: Path) -> None:
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", "--db", "x.db", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)

    assert run("load", str(demo_bundle), "--no-resolve").returncode == 0
    done = run("export", "--format", "neo4j-import", "--out", "imp", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["command"].startswith("neo4j-admin database import full neo4j ")
    assert summary["rows"]["entities.csv"] > 0 and summary["marking"] == "OFFICIAL-SENSITIVE"
    with SQLiteStore(tmp_path / "x.db") as store:
        (event,) = [e for e in store.audit_log() if e.action == "export"]
    assert event.detail["format"] == "neo4j-import" and event.detail["status"] == "complete"
    assert run("export", "--format", "neo4j-import").returncode == 2  # needs --out
