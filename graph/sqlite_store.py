"""The embedded default store: one SQLite file in WAL mode, no server.

WAL lets the app read while an ingest writes. Every value is bound as a parameter; the only
text spliced into SQL is the fixed schema below and ``?`` placeholder lists.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from graph.errors import StoreError
from graph.model import (
    AuditEvent,
    Entity,
    Judgement,
    Provenance,
    Relation,
    check_entity_kind,
    check_relation_kind,
    with_stored_hash,
)
from graph.store import DEFAULT_BATCH, Store, batched

__all__ = ["SQLiteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, dataset TEXT, source_id TEXT,
    props TEXT NOT NULL, provenance TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entities_kind ON entities(kind, id);
CREATE INDEX IF NOT EXISTS entities_dataset ON entities(dataset);
CREATE TABLE IF NOT EXISTS entity_keys (
    entity_id TEXT NOT NULL, key TEXT NOT NULL, is_token INTEGER NOT NULL,
    PRIMARY KEY (key, entity_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_keys_entity ON entity_keys(entity_id);
CREATE TABLE IF NOT EXISTS relations (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,
    date TEXT, dataset TEXT, source_id TEXT, props TEXT NOT NULL, provenance TEXT NOT NULL,
    hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS relations_src_kind_date ON relations(src, kind, date);
CREATE INDEX IF NOT EXISTS relations_dst_kind_date ON relations(dst, kind, date);
CREATE INDEX IF NOT EXISTS relations_kind_date ON relations(kind, date);
CREATE TABLE IF NOT EXISTS judgements (
    id TEXT PRIMARY KEY, left_id TEXT NOT NULL, right_id TEXT NOT NULL, verdict TEXT NOT NULL,
    user TEXT NOT NULL, created_at TEXT NOT NULL, score REAL, explanation TEXT,
    deleted_at TEXT);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID;
"""

_loads = orjson.loads  # several times faster than json.loads on the hot read path

# SQLite allows 32766 bound parameters; stay well below for IN (...) lists.
_CHUNK = 900



def _marks(n: int) -> str:
    return ",".join("?" * n)


def _dump(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str).decode()


def _prov(text: str) -> tuple[Provenance, ...]:
    return tuple(Provenance.from_dict(p) for p in _loads(text))


class SQLiteStore(Store):
    """A store in one SQLite file. ``SQLiteStore(":memory:")`` works for throwaway use."""

    def __init__(self, path: str | Path = "assetgraph.db", timeout: float = 30.0) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=OFF")
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    # --- writes -----------------------------------------------------------------------------
    def _changed(self, table: str, batch: Sequence[Entity | Relation]) -> tuple[list[Any], set[str]]:
        """The records of ``batch`` that are new or differ from what is stored, and the ids of
        those already stored (whose index keys must be replaced)."""
        known: dict[str, str] = {}
        for chunk in batched(dict.fromkeys(item.id for item in batch), _CHUNK):
            known.update(self._db.execute(
                f"SELECT id, hash FROM {table} WHERE id IN ({_marks(len(chunk))})", chunk).fetchall())
        latest = {item.id: item for item in batch}  # the last copy of a repeated id wins, before comparing
        fresh = [item for item in latest.values() if known.get(item.id) != item.content_hash]
        return fresh, {item.id for item in fresh if item.id in known}

    def upsert_entities(self, entities: Iterable[Entity], batch_size: int = DEFAULT_BATCH) -> int:
        written = 0
        for batch in batched(entities, batch_size):  # one transaction per batch
            changed, stored = self._changed("entities", batch)
            if not changed:
                continue
            with self._tx():
                self._db.executemany(
                    "INSERT INTO entities(id, kind, name, dataset, source_id, props, provenance, hash)"
                    " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind,"
                    " name=excluded.name, dataset=excluded.dataset, source_id=excluded.source_id,"
                    " props=excluded.props, provenance=excluded.provenance, hash=excluded.hash",
                    [(e.id, check_entity_kind(e.kind), e.name, e.dataset, e.source_id, _dump(dict(e.props)),
                      _dump([p.to_dict() for p in e.provenance]), e.content_hash) for e in changed])
                for chunk in batched(sorted(stored), _CHUNK):  # a new record has no old keys
                    self._db.execute(f"DELETE FROM entity_keys WHERE entity_id IN ({_marks(len(chunk))})", chunk)
                self._db.executemany(
                    "INSERT OR IGNORE INTO entity_keys(entity_id, key, is_token) VALUES (?,?,?)",
                    [(e.id, key, flag) for e in changed
                     for flag, keys in ((0, e.identifiers()), (1, e.tokens())) for key in keys])
            written += len(changed)
        return written

    def upsert_relations(self, relations: Iterable[Relation], batch_size: int = DEFAULT_BATCH) -> int:
        written = 0
        for batch in batched(relations, batch_size):
            changed, _ = self._changed("relations", batch)
            if not changed:
                continue
            ends = sorted({r.source for r in changed} | {r.target for r in changed})
            present = {row[0] for c in batched(ends, _CHUNK) for row in self._db.execute(
                f"SELECT id FROM entities WHERE id IN ({_marks(len(c))})", c)}
            missing = [r.id for r in changed if r.source not in present or r.target not in present]
            if missing:
                raise StoreError(f"relations refer to entities not in the store: {missing[:5]}")
            with self._tx():
                self._db.executemany(
                    "INSERT INTO relations(id, kind, src, dst, date, dataset, source_id, props,"
                    " provenance, hash) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
                    " kind=excluded.kind, src=excluded.src, dst=excluded.dst, date=excluded.date,"
                    " dataset=excluded.dataset, source_id=excluded.source_id, props=excluded.props,"
                    " provenance=excluded.provenance, hash=excluded.hash",
                    [(r.id, check_relation_kind(r.kind), r.source, r.target, r.date, r.dataset,
                      r.source_id, _dump(dict(r.props)), _dump([p.to_dict() for p in r.provenance]),
                      r.content_hash) for r in changed])
            written += len(changed)
        return written

    def delete_relations(self, ids: Sequence[str]) -> int:
        removed = 0
        with self._tx():
            for chunk in batched(ids, _CHUNK):
                removed += self._db.execute(
                    f"DELETE FROM relations WHERE id IN ({_marks(len(chunk))})", chunk).rowcount
        return removed

    def _tx(self) -> _Transaction:
        return _Transaction(self._db)

    # --- reads ------------------------------------------------------------------------------
    _ENTITY_COLS = "id, kind, props, provenance, source_id, dataset, hash"
    _RELATION_COLS = "id, kind, src, dst, props, provenance, source_id, dataset, hash"

    @staticmethod
    def _entity(row: Sequence[Any]) -> Entity:
        return with_stored_hash(Entity(row[0], row[1], _loads(row[2]), _prov(row[3]), row[4] or "", row[5] or ""),
                                row[6])

    @staticmethod
    def _relation(row: Sequence[Any]) -> Relation:
        return with_stored_hash(Relation(row[0], row[1], row[2], row[3], _loads(row[4]), _prov(row[5]),
                                         row[6] or "", row[7] or ""), row[8])

    def get_entities(self, ids: Sequence[str]) -> list[Entity]:
        found: dict[str, Entity] = {}
        for chunk in batched(dict.fromkeys(ids), _CHUNK):
            for row in self._db.execute(
                    f"SELECT {self._ENTITY_COLS} FROM entities WHERE id IN ({_marks(len(chunk))})", chunk):
                found[row[0]] = self._entity(row)
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def get_relations(self, ids: Sequence[str]) -> list[Relation]:
        found: dict[str, Relation] = {}
        for chunk in batched(dict.fromkeys(ids), _CHUNK):
            for row in self._db.execute(
                    f"SELECT {self._RELATION_COLS} FROM relations WHERE id IN ({_marks(len(chunk))})", chunk):
                found[row[0]] = self._relation(row)
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def _filtered(self, table: str, cols: str, kinds: Sequence[str] | None,
                  dataset: str | None) -> Iterator[Sequence[Any]]:
        where, params = ["1=1"], []  # type: list[str], list[Any]
        if kinds:
            where.append(f"kind IN ({_marks(len(kinds))})")
            params.extend(kinds)
        if dataset is not None:
            where.append("dataset = ?")
            params.append(dataset)
        last = ""
        while True:  # keyset pages so a long iteration holds no read transaction open
            rows = self._db.execute(
                f"SELECT {cols} FROM {table} WHERE {' AND '.join(where)} AND id > ? ORDER BY id LIMIT 2000",
                [*params, last]).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def iter_entities(self, kinds: Sequence[str] | None = None, dataset: str | None = None) -> Iterator[Entity]:
        for row in self._filtered("entities", self._ENTITY_COLS, kinds, dataset):
            yield self._entity(row)

    def iter_relations(self, kinds: Sequence[str] | None = None, dataset: str | None = None) -> Iterator[Relation]:
        for row in self._filtered("relations", self._RELATION_COLS, kinds, dataset):
            yield self._relation(row)

    def relations_of(self, ids: Sequence[str], kinds: Sequence[str] | None = None,
                     direction: str = "both") -> list[Relation]:
        if direction not in ("both", "out", "in"):
            raise StoreError(f"direction must be both, out or in: {direction!r}")
        ends = {"out": ["src"], "in": ["dst"], "both": ["src", "dst"]}[direction]
        kind_sql = f" AND kind IN ({_marks(len(kinds))})" if kinds else ""
        found: dict[str, Relation] = {}
        for chunk in batched(dict.fromkeys(ids), _CHUNK):
            for end in ends:
                for row in self._db.execute(
                        f"SELECT {self._RELATION_COLS} FROM relations WHERE {end} IN ({_marks(len(chunk))})"
                        f"{kind_sql}", [*chunk, *(kinds or ())]):
                    found[row[0]] = self._relation(row)
        return [found[k] for k in sorted(found)]

    def degrees(self, ids: Sequence[str], kinds: Sequence[str] | None = None) -> dict[str, int]:
        kind_sql = f" AND kind IN ({_marks(len(kinds))})" if kinds else ""
        out: dict[str, int] = {i: 0 for i in ids}
        for chunk in batched(dict.fromkeys(ids), _CHUNK):
            for end in ("src", "dst"):
                for node, n in self._db.execute(
                        f"SELECT {end}, count(*) FROM relations WHERE {end} IN ({_marks(len(chunk))})"
                        f"{kind_sql} GROUP BY {end}", [*chunk, *(kinds or ())]):
                    out[node] += n
        return out

    def find_by_identifier(self, identifiers: Sequence[str]) -> list[Entity]:
        ids: list[str] = []
        for chunk in batched(dict.fromkeys(identifiers), _CHUNK):
            ids.extend(r[0] for r in self._db.execute(
                f"SELECT DISTINCT entity_id FROM entity_keys WHERE is_token=0 AND key IN ({_marks(len(chunk))})",
                chunk))
        return self.get_entities(sorted(set(ids)))

    def find_by_tokens(self, tokens: Sequence[str], kinds: Sequence[str] | None = None,
                       limit: int = 200) -> list[Entity]:
        tokens = list(dict.fromkeys(tokens))[:_CHUNK]
        if not tokens:
            return []
        kind_sql = f" AND e.kind IN ({_marks(len(kinds))})" if kinds else ""
        rows = self._db.execute(
            f"SELECT k.entity_id, count(*) AS n FROM entity_keys k JOIN entities e ON e.id = k.entity_id"
            f" WHERE k.is_token=1 AND k.key IN ({_marks(len(tokens))}){kind_sql}"
            f" GROUP BY k.entity_id ORDER BY n DESC, k.entity_id LIMIT ?",
            [*tokens, *(kinds or ()), limit]).fetchall()
        return self.get_entities([r[0] for r in rows])

    def transfers(self, parties: Sequence[str] | None = None, start: str | None = None,
                  end: str | None = None) -> list[Relation]:
        where, params = ["kind = 'TRANSFER'"], []  # type: list[str], list[Any]
        if start is not None:
            where.append("date >= ?")
            params.append(start)
        if end is not None:
            where.append("date <= ?")
            params.append(end)
        cond = " AND ".join(where)
        found: dict[str, Relation] = {}
        if parties is None:
            sql = f"SELECT {self._RELATION_COLS} FROM relations WHERE {cond}"
            found = {row[0]: self._relation(row) for row in self._db.execute(sql, params)}
        else:
            for chunk in batched(dict.fromkeys(parties), _CHUNK):
                for col in ("src", "dst"):
                    # Named index: left to itself the planner may scan every transfer by date instead.
                    sql = (f"SELECT {self._RELATION_COLS} FROM relations INDEXED BY relations_{col}_kind_date"
                           f" WHERE {cond} AND {col} IN ({_marks(len(chunk))})")
                    for row in self._db.execute(sql, [*params, *chunk]):
                        found[row[0]] = self._relation(row)
        return sorted(found.values(), key=lambda r: (r.date or "", r.id))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for table in ("entities", "relations"):
            out.update(dict(self._db.execute(f"SELECT kind, count(*) FROM {table} GROUP BY kind")))
        return out

    # --- judgements, audit, meta --------------------------------------------------------------
    def add_judgement(self, judgement: Judgement) -> None:
        j = judgement
        with self._tx():
            self._db.execute(
                "INSERT OR IGNORE INTO judgements(id, left_id, right_id, verdict, user, created_at, score,"
                " explanation, deleted_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (j.id, j.left, j.right, j.verdict, j.user, j.created_at, j.score, _dump(dict(j.explanation)),
                 j.deleted_at))

    def delete_judgement(self, judgement_id: str, when: str) -> None:
        with self._tx():
            cur = self._db.execute("UPDATE judgements SET deleted_at=? WHERE id=? AND deleted_at IS NULL",
                                   (when, judgement_id))
        if cur.rowcount == 0:
            raise StoreError(f"no live judgement {judgement_id!r}")

    def judgements(self, include_deleted: bool = False) -> list[Judgement]:
        sql = ("SELECT left_id, right_id, verdict, user, created_at, score, explanation, deleted_at, id"
               " FROM judgements")
        if not include_deleted:
            sql += " WHERE deleted_at IS NULL"
        rows = self._db.execute(sql + " ORDER BY created_at, id").fetchall()
        return [Judgement(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "{}"), r[7], r[8]) for r in rows]

    def log(self, event: AuditEvent) -> None:
        with self._tx():
            self._db.execute("INSERT INTO audit(ts, user, action, detail) VALUES (?,?,?,?)",
                             (event.ts, event.user, event.action, _dump(dict(event.detail))))

    def audit_log(self, limit: int = 100, user: str | None = None) -> list[AuditEvent]:
        sql, params = "SELECT user, action, detail, ts FROM audit", []  # type: str, list[Any]
        if user is not None:
            sql += " WHERE user = ?"
            params.append(user)
        rows = self._db.execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit]).fetchall()
        return [AuditEvent(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def get_meta(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        with self._tx():
            self._db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                             " SET value=excluded.value", (key, _dump(value)))

    def put_items(self, namespace: str, items: Mapping[str, Any]) -> None:
        gone = [(namespace, k) for k, v in items.items() if v is None]
        kept = [(namespace, k, _dump(v)) for k, v in items.items() if v is not None]
        with self._tx():
            self._db.executemany("DELETE FROM items WHERE ns = ? AND key = ?", gone)
            self._db.executemany("INSERT INTO items(ns, key, value) VALUES (?, ?, ?) ON CONFLICT(ns, key)"
                                 " DO UPDATE SET value=excluded.value", kept)

    def get_items(self, namespace: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
        if keys is None:
            rows = self._db.execute("SELECT key, value FROM items WHERE ns = ?", (namespace,)).fetchall()
        else:
            rows = []
            for chunk in batched(dict.fromkeys(keys), _CHUNK):
                rows += self._db.execute(f"SELECT key, value FROM items WHERE ns = ? AND key IN ({_marks(len(chunk))})",
                                         (namespace, *chunk)).fetchall()
        return {k: _loads(v) for k, v in rows}

    def clear_items(self, namespace: str) -> int:
        with self._tx():
            return self._db.execute("DELETE FROM items WHERE ns = ?", (namespace,)).rowcount

    def close(self) -> None:
        self._db.close()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error so no half batch is ever visible."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
