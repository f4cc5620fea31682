"""Neo4j's own bulk path: the store written as ``neo4j-admin database import full`` CSV files.

Loading a national register through Bolt, even in ``UNWIND`` batches, costs a transaction per
batch and an index update per row; ``neo4j-admin database import full`` builds a new database
from CSV files offline, orders of magnitude faster. It is for a first load into an empty
database (Neo4j server, not Aura); after it, ``assetgraph --neo4j ...`` connects, creates the
constraints and indexes (:class:`graph.neo4j_store.Neo4jStore` does so on connect), and further
loads go through Bolt as usual.

The files follow the layout :mod:`graph.neo4j_store` writes, row for row (the same field
functions make both), so a database imported from them is the one ``Neo4jStore`` would have
built: ``:Entity:<Kind>`` nodes, relationships typed by kind, the ``IdKey`` / ``Token`` key nodes
behind identifier and name lookups, judgements, and the ``Meta`` node saying the key nodes exist.
Headers use the import tool's typed form (``id:ID(Entity)``, ``:LABEL``, ``:START_ID(Entity)``,
``:END_ID(IdKey)``, ``:TYPE``, ``tokens:string[]``, ``score:double``).

These CSVs are for the import tool, not a spreadsheet: cells are written verbatim (a formula-like
name stays as it is). The handling marking goes in ``MARKING.txt`` beside them.
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.model import Judgement
from graph.neo4j_store import _KEYS_META, _dump, _entity_fields, _relation_fields
from graph.settings import MARKING
from graph.store import Store

__all__ = ["ARRAY_DELIMITER", "FILES", "ImportFiles", "write_import_files", "import_command"]

ARRAY_DELIMITER = "\x1f"  # the unit separator: never in a name token or a normalised identifier
_ARRAY_OPTION = "U+001F"

ENTITY_HEADER = ("id:ID(Entity)", ":LABEL", "kind", "name", "dataset", "source_id", "props", "provenance", "hash",
                 "tokens:string[]", "identifiers:string[]")
RELATION_HEADER = (":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "id", "kind", "dataset", "source_id", "date",
                   "start_date", "end_date", "props", "provenance", "hash")
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    # file: (--nodes or --relationships, header)
    "entities.csv": ("nodes", ENTITY_HEADER),
    "idkeys.csv": ("nodes", ("key:ID(IdKey)", ":LABEL")),
    "tokens.csv": ("nodes", ("t:ID(Token)", ":LABEL")),
    "judgements.csv": ("nodes", ("id:ID(Judgement)", ":LABEL", "left", "right", "verdict", "user", "created_at",
                                 "score:double", "explanation", "deleted_at")),
    "meta.csv": ("nodes", ("key:ID(Meta)", ":LABEL", "value")),
    "relations.csv": ("relationships", RELATION_HEADER),
    "has_id.csv": ("relationships", (":START_ID(Entity)", ":END_ID(IdKey)", ":TYPE")),
    "has_token.csv": ("relationships", (":START_ID(Entity)", ":END_ID(Token)", ":TYPE")),
}


@dataclass
class ImportFiles:
    """What was written: rows per file, and the command that imports them."""

    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "rows": dict(self.rows), "command": self.command, "marking": MARKING}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, "") for v in value)
    return value


def _entity_rows(store: Store, keys: dict[str, None], tokens: dict[str, None], writers: dict[str, Any],
                 rows: dict[str, int]) -> Iterator[list[Any]]:
    """Entity rows; their key links are written (and counted) on the way."""
    for entity in store.iter_entities():
        row = _entity_fields(entity)
        for key in row["identifiers"]:
            keys.setdefault(key)
            writers["has_id.csv"].writerow((entity.id, key, "HAS_ID"))
        for token in row["tokens"]:
            tokens.setdefault(token)
            writers["has_token.csv"].writerow((entity.id, token, "HAS_TOKEN"))
        rows["has_id.csv"] += len(row["identifiers"])
        rows["has_token.csv"] += len(row["tokens"])
        yield [_cell(row[h.split(":")[0]]) if h != ":LABEL" else f"Entity;{row['kind']}" for h in ENTITY_HEADER]


def _relation_rows(store: Store) -> Iterator[list[Any]]:
    for rel in store.iter_relations():
        row = _relation_fields(rel)
        yield [rel.source, rel.target, rel.kind, *(_cell(row[h]) for h in RELATION_HEADER[3:])]


def _judgement_rows(judgements: Iterable[Judgement]) -> Iterator[list[Any]]:
    for j in judgements:
        yield [j.id, "Judgement", j.left, j.right, j.verdict, j.user, j.created_at,
               "" if j.score is None else j.score, _dump(dict(j.explanation)), _cell(j.deleted_at)]


def import_command(folder: Path, database: str = "neo4j") -> str:
    """The ``neo4j-admin`` command that builds ``database`` from the files in ``folder``."""
    parts = ["neo4j-admin", "database", "import", "full", database, "--overwrite-destination",
             "--multiline-fields=true", f"--array-delimiter={_ARRAY_OPTION}", "--ignore-empty-strings=true"]
    for name, (option, _) in FILES.items():
        parts.append(f"--{option}={folder / name}")
    return " ".join(shlex.quote(p) for p in parts)


def write_import_files(store: Store, folder: str | Path, database: str = "neo4j") -> ImportFiles:
    """Write the whole store as ``neo4j-admin database import full`` CSVs into ``folder``.

    Entities and relations stream from the store (one pass each), so memory holds only the
    distinct identifier keys and name tokens.

    Parameters
    ----------
    store : Store
        Any store (typically the SQLite file a national register was bulk-loaded into).
    folder : str or Path
        Created if missing; existing files of the same names are replaced.
    database : str
        The Neo4j database name the printed command imports into.

    Returns
    -------
    ImportFiles
        Rows per file and the exact command to run.

    Examples
    --------
    >>> import tempfile
    >>> from graph.sqlite_store import SQLiteStore
    >>> with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "x.db") as store:
    ...     write_import_files(store, Path(tmp) / "out").rows["entities.csv"]
    0
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    result = ImportFiles(out, command=import_command(out.resolve(), database))
    with ExitStack() as stack:
        writers = {}
        for name, (_, header) in FILES.items():
            fh = stack.enter_context(open(out / name, "w", encoding="utf-8", newline=""))
            writers[name] = csv.writer(fh)
            writers[name].writerow(header)
        keys: dict[str, None] = {}
        tokens: dict[str, None] = {}
        result.rows.update({"has_id.csv": 0, "has_token.csv": 0})
        sections: list[tuple[str, Iterable[list[Any]]]] = [
            ("entities.csv", _entity_rows(store, keys, tokens, writers, result.rows)),
            ("relations.csv", _relation_rows(store)),
            ("judgements.csv", _judgement_rows(store.judgements(include_deleted=True))),
        ]
        for name, rows in sections:
            count = 0
            for row in rows:
                writers[name].writerow(row)
                count += 1
            result.rows[name] = count
        writers["idkeys.csv"].writerows((k, "IdKey") for k in keys)
        writers["tokens.csv"].writerows((t, "Token") for t in tokens)
        writers["meta.csv"].writerow((_KEYS_META, "Meta", _dump(1)))
        result.rows.update({"idkeys.csv": len(keys), "tokens.csv": len(tokens), "meta.csv": 1})
    (out / "MARKING.txt").write_text(
        f"{MARKING}\n\nNeo4j import files written from the assetgraph store.\nImport with:\n{result.command}\n"
        f"Handle these files at {MARKING}; this marking applies to every copy.\n", encoding="utf-8")
    return result

