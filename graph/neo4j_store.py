"""Neo4j over Bolt: the store for teams and for graphs one machine cannot hold.

Every value travels as a query parameter. The only text ever spliced into Cypher is a node
label or relationship type, and only after it has passed an allow-list: the model's
(:func:`graph.model.check_entity_kind`, :func:`graph.model.check_relation_kind`) or this
module's ``_SYSTEM_LABELS``. Writes go in ``UNWIND $rows`` batches inside managed transactions,
so a failed batch leaves nothing half-written.

The tests run this module against ArcadeDB's Neo4j Bolt plugin as well as real Neo4j; the
Cypher is kept to what both accept, and where they differ Neo4j's behaviour is the one kept.
ArcadeDB quirks met so far are marked ``ArcadeDB:`` in comments.

Graph layout: each entity is a node labelled ``Entity`` plus its kind (``:Entity:Person``) with
properties id, kind, name, dataset, source_id, props (JSON), provenance (JSON), hash, tokens
and identifiers (lists of strings). A relation is a relationship typed by its kind with id,
kind, dataset, source_id, date, start_date, end_date, props, provenance and hash. Judgements,
audit events and key/values are ``Judgement``, ``AuditEvent`` and ``Meta`` nodes.

Identifier and name lookups go through key nodes, because Neo4j cannot index membership of a
list property (``any(i IN n.identifiers ...)`` scans every entity): each normalised identifier is
an ``(:IdKey {key})`` node and each name token a ``(:Token {t})`` node, both unique-constrained,
linked from the entity by ``HAS_ID`` / ``HAS_TOKEN``. A lookup is an index seek on the key, then
the few relationships into it. These system nodes and relationships never appear as entities or
relations: every relation read names the model's types.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from graph.errors import NotAllowed, StoreError
from graph.model import (
    ENTITY_KINDS,
    RELATION_KINDS,
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

if TYPE_CHECKING:  # the driver is imported lazily so graph.store never needs it
    from neo4j import Driver, ManagedTransaction

__all__ = ["Neo4jStore"]

# Labels of the nodes that are not entities; spliced into Cypher only through _label().
_SYSTEM_LABELS = frozenset({"Entity", "Judgement", "AuditEvent", "Meta", "Item", "Sequence", "IdKey", "Token",
                            "HAS_ID", "HAS_TOKEN"})
_KEYS_META = "neo4j_key_nodes"  # set once every entity has its key nodes (stores made before them are backfilled)
_PAGE = 2000  # keyset page size for iter_*; no transaction stays open between pages

_REL_COLUMNS = ("r.id AS id, type(r) AS kind, startNode(r).id AS source, endNode(r).id AS target,"
                " r.props AS props, r.provenance AS provenance, r.source_id AS source_id,"
                " r.dataset AS dataset, r.hash AS hash")
_ENTITY_COLUMNS = ("n.id AS id, n.kind AS kind, n.props AS props, n.provenance AS provenance,"
                   " n.source_id AS source_id, n.dataset AS dataset, n.hash AS hash")


def _label(name: str) -> str:
    """An allow-listed label or relationship type, safe to splice; anything else is refused."""
    if name in _SYSTEM_LABELS or name in ENTITY_KINDS or name in RELATION_KINDS:
        return name
    raise NotAllowed(f"label or type {name!r} is not allow-listed")


def _types(kinds: Sequence[str] | None) -> str:
    """``:OWNS|HOLDS`` for a relationship pattern (None = every model type, never the key links)."""
    return ":" + "|".join(check_relation_kind(k) for k in (kinds or RELATION_KINDS))


def _schema() -> list[str]:
    """Constraints and indexes, Neo4j 5 syntax (ArcadeDB's Bolt plugin accepts it too)."""
    stmts = [
        "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT judgement_id IF NOT EXISTS FOR (n:Judgement) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE",
        "CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (n:Sequence) REQUIRE n.name IS UNIQUE",
        "CREATE CONSTRAINT item_id IF NOT EXISTS FOR (n:Item) REQUIRE n.id IS UNIQUE",
        "CREATE INDEX item_ns IF NOT EXISTS FOR (n:Item) ON (n.ns)",
        "CREATE CONSTRAINT idkey_key IF NOT EXISTS FOR (n:IdKey) REQUIRE n.key IS UNIQUE",
        "CREATE CONSTRAINT token_t IF NOT EXISTS FOR (n:Token) REQUIRE n.t IS UNIQUE",
        "CREATE INDEX entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind)",
        "CREATE INDEX entity_dataset IF NOT EXISTS FOR (n:Entity) ON (n.dataset)",
        "CREATE INDEX audit_seq IF NOT EXISTS FOR (n:AuditEvent) ON (n.seq)",
        "CREATE INDEX transfer_date IF NOT EXISTS FOR ()-[r:TRANSFER]-() ON (r.date)",
    ]
    # Neo4j has no index over several relationship types, so one id index per type.
    stmts += [f"CREATE INDEX rel_{k.lower()}_id IF NOT EXISTS FOR ()-[r:{_label(k)}]-() ON (r.id)"
              for k in RELATION_KINDS]
    return stmts



def _dump(value: Any) -> str:
    # Same encoding as the SQLite store, so both hold byte-identical JSON.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _prov(text: str | None) -> tuple[Provenance, ...]:
    return tuple(Provenance.from_dict(p) for p in json.loads(text or "[]"))


def _entity(row: dict[str, Any]) -> Entity:
    return with_stored_hash(Entity(row["id"], row["kind"], json.loads(row["props"] or "{}"),
                                   _prov(row["provenance"]), row["source_id"] or "", row["dataset"] or ""), row["hash"])


def _relation(row: dict[str, Any]) -> Relation:
    return with_stored_hash(Relation(row["id"], row["kind"], row["source"], row["target"],
                                     json.loads(row["props"] or "{}"), _prov(row["provenance"]),
                                     row["source_id"] or "", row["dataset"] or ""), row["hash"])


def _entity_fields(e: Entity) -> dict[str, Any]:
    return {"id": e.id, "kind": check_entity_kind(e.kind), "name": e.name, "dataset": e.dataset,
            "source_id": e.source_id, "props": _dump(dict(e.props)),
            "provenance": _dump([p.to_dict() for p in e.provenance]), "hash": e.content_hash,
            "tokens": e.tokens(), "identifiers": e.identifiers()}


def _relation_fields(r: Relation) -> dict[str, Any]:
    # None values are simply absent on a Neo4j property map; reading them back gives null.
    return {"id": r.id, "kind": check_relation_kind(r.kind), "dataset": r.dataset, "source_id": r.source_id,
            "date": r.date, "start_date": r.start_date, "end_date": r.end_date, "props": _dump(dict(r.props)),
            "provenance": _dump([p.to_dict() for p in r.provenance]), "hash": r.content_hash}


# Links a node ``n`` just written to the Token nodes of ``row.tokens`` (merged before). A plain UNWIND
# after the write, not a CALL subquery: on ArcadeDB that halves the time, and a row with no tokens
# has already been written when its UNWIND yields nothing.
_LINK_TOKENS = " WITH n, row UNWIND row.tokens AS t MATCH (k:Token {t: t}) CREATE (n)-[:HAS_TOKEN]->(k)"
_LINK_IDS = ("UNWIND $links AS l MATCH (n:Entity {id: l.id}) MATCH (k:IdKey {key: l.key})"
             " CREATE (n)-[:HAS_ID]->(k)")


def _key_rows(entities: Iterable[Entity]) -> list[dict[str, Any]]:
    return [{"id": e.id, "fields": _entity_fields(e), "keys": e.identifiers(), "tokens": e.tokens()} for e in entities]


def _id_links(rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"id": r["id"], "key": k} for r in rows for k in r["keys"]]


def _merge_keys(rows: Sequence[dict[str, Any]], replace: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """Statements that make every key node ``rows`` link to (each distinct key once: a name token
    such as "limited" recurs in most rows) and drop the old links of the ``replace`` ids."""
    keys = sorted({k for r in rows for k in r["keys"]})
    tokens = sorted({t for r in rows for t in r["tokens"]})
    out: list[tuple[str, dict[str, Any]]] = []
    if replace:
        out.append(("MATCH (n:Entity)-[old:HAS_ID|HAS_TOKEN]->() WHERE n.id IN $ids DELETE old",
                    {"ids": list(replace)}))
    if keys:
        out.append(("UNWIND $keys AS key MERGE (:IdKey {key: key})", {"keys": keys}))
    if tokens:
        out.append(("UNWIND $tokens AS t MERGE (:Token {t: t})", {"tokens": tokens}))
    return out


def _item_id(namespace: str, key: str) -> str:
    return f"{namespace}\x1f{key}"


def _last_copies(batch: Sequence[Any]) -> dict[str, Any]:
    """Items by id; when an id repeats in a batch the last copy wins (as in the SQLite store)."""
    return {item.id: item for item in batch}


class Neo4jStore(Store):
    """A store in a Neo4j database (or anything speaking Bolt and Neo4j's Cypher).

    ``Neo4jStore("bolt://localhost:7687", "neo4j", "secret", database="assetgraph")``; the
    constraints and indexes are created on connect (idempotently).
    """

    def __init__(self, uri: str, user: str, password: str, database: str | None = None) -> None:
        try:
            from neo4j import GraphDatabase
        except ImportError as exc:  # pragma: no cover - neo4j is a declared dependency
            raise StoreError("the neo4j driver is not installed: pip install neo4j") from exc
        self.uri, self.database = uri, database
        self._auth = (user, password)  # kept to open a second store on the same database
        self.schema_warnings: list[str] = []
        try:
            self._driver: Driver = GraphDatabase.driver(uri, auth=(user, password))
            self._driver.verify_connectivity()
        except Exception as exc:
            raise StoreError(f"cannot connect to {uri}: {exc}") from exc
        # ArcadeDB: a node's labels may change only once per explicit transaction (a label
        # change copies the record to another type, and a second change, or one on a node made
        # earlier in the same transaction, fails the Entity.id uniqueness check). Neo4j has no
        # such limit, so only there does a kind change share the transaction of the write.
        agent = self._driver.get_server_info().agent or ""
        self._label_change_alone = "arcadedb" in agent.lower()
        self._ensure_schema()
        self._backfill_keys()

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r}, database={self.database!r})"

    # --- plumbing ---------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        """Create constraints and indexes, each in its own auto-commit transaction.

        Schema commands cannot share a transaction with data writes in Neo4j. A server that
        rejects one (an older Neo4j, another Bolt server) is noted in ``schema_warnings`` and
        the store still works, only slower.
        """
        from neo4j.exceptions import Neo4jError

        with self._driver.session(database=self.database) as session:
            for stmt in _schema():
                try:
                    session.run(stmt).consume()
                except Neo4jError as exc:
                    self.schema_warnings.append(f"{stmt}: {exc.message}")

    def _backfill_keys(self) -> None:
        """Give every entity its key nodes once, for a store written before they existed."""
        if self.get_meta(_KEYS_META):
            return
        for batch in batched(self.iter_entities(), DEFAULT_BATCH):
            rows = _key_rows(batch)
            self._run([*_merge_keys(rows, [r["id"] for r in rows]),
                       ("UNWIND $rows AS row MATCH (n:Entity {id: row.id})" + _LINK_TOKENS, {"rows": rows}),
                       (_LINK_IDS, {"links": _id_links(rows)})])
        self.set_meta(_KEYS_META, 1)

    def _run(self, statements: list[tuple[str, dict[str, Any]]], mode: str = "write") -> list[list[dict[str, Any]]]:
        """Rows of each ``(query, params)``: all in one managed ``read``/``write`` transaction
        (retried on transient errors), or with ``auto`` each in its own implicit transaction."""
        from neo4j.exceptions import DriverError, Neo4jError

        def work(tx: ManagedTransaction) -> list[list[dict[str, Any]]]:
            return [tx.run(query, params).data() for query, params in statements]

        try:
            with self._driver.session(database=self.database) as session:
                if mode == "auto":
                    return [session.run(query, params).data() for query, params in statements]
                return session.execute_read(work) if mode == "read" else session.execute_write(work)
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"Neo4j {mode} failed: {exc}") from exc

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self._run([(query, params)], "read")[0]

    # --- writes -----------------------------------------------------------------------------
    def upsert_entities(self, entities: Iterable[Entity], batch_size: int = DEFAULT_BATCH) -> int:
        written = 0
        for batch in batched(entities, max(1, batch_size)):
            fresh = _last_copies(batch)
            known = {row["id"]: row for row in self._read(
                "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id, n.hash AS hash, n.kind AS kind",
                ids=list(fresh))}
            changed = [e for e in fresh.values() if known.get(e.id, {}).get("hash") != e.content_hash]
            relabel: dict[tuple[str, str], list[str]] = {}  # (old kind, new kind) -> ids
            rows: dict[tuple[str, bool], list[dict[str, Any]]] = {}  # (kind, exists) -> rows
            for e in changed:
                old = known.get(e.id, {}).get("kind")
                if old and old != e.kind:
                    relabel.setdefault((check_entity_kind(old), check_entity_kind(e.kind)), []).append(e.id)
            for row in _key_rows(changed):
                rows.setdefault((row["fields"]["kind"], row["id"] in known), []).append(row)
            statements: list[tuple[str, dict[str, Any]]] = [
                (f"MATCH (n:Entity) WHERE n.id IN $ids REMOVE n:{_label(old)} SET n:{_label(new)}", {"ids": ids})
                for (old, new), ids in relabel.items()]
            if self._label_change_alone:  # ArcadeDB: see __init__
                self._run(statements, "auto")
                statements = []
            statements += _merge_keys([r for group in rows.values() for r in group],
                                      [e.id for e in changed if e.id in known])
            # New nodes get both labels as they are made (CREATE: the read above found none, and the
            # unique constraint refuses a racing duplicate; MERGE on two labels scans on ArcadeDB).
            # ArcadeDB: SET n:Kind on a node made earlier in the same explicit transaction fails
            # the Entity.id uniqueness check. SET n = row replaces every property, so a dropped
            # field does not linger.
            statements += [
                ((f"UNWIND $rows AS row MATCH (n:Entity {{id: row.id}}) SET n = row.fields SET n:{_label(kind)}"
                  if exists else f"UNWIND $rows AS row CREATE (n:Entity:{_label(kind)}) SET n = row.fields")
                 + _LINK_TOKENS, {"rows": kind_rows}) for (kind, exists), kind_rows in rows.items()]
            links = _id_links([r for group in rows.values() for r in group])
            if links:
                statements.append((_LINK_IDS, {"links": links}))
            if statements:
                self._run(statements)
            written += len(changed)
        return written

    def upsert_relations(self, relations: Iterable[Relation], batch_size: int = DEFAULT_BATCH) -> int:
        written = 0
        for batch in batched(relations, max(1, batch_size)):
            fresh = _last_copies(batch)
            known = {row["id"]: row for row in self._find_relations(list(fresh))}
            changed = [r for r in fresh.values() if known.get(r.id, {}).get("hash") != r.content_hash]
            if not changed:
                continue
            ends = sorted({r.source for r in changed} | {r.target for r in changed})
            present = {row["id"] for row in self._read(
                "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id", ids=ends)}
            missing = [r.id for r in changed if r.source not in present or r.target not in present]
            if missing:
                raise StoreError(f"relations refer to entities not in the store: {missing[:5]}")
            stale: dict[str, list[str]] = {}  # a changed relation is replaced, since its ends may move
            rows: dict[str, list[dict[str, Any]]] = {}
            for r in changed:
                if r.id in known:
                    stale.setdefault(check_relation_kind(known[r.id]["kind"]), []).append(r.id)
                rows.setdefault(check_relation_kind(r.kind), []).append(
                    {"source": r.source, "target": r.target, "fields": _relation_fields(r)})
            statements: list[tuple[str, dict[str, Any]]] = [
                (f"MATCH ()-[r:{_label(kind)}]->() WHERE r.id IN $ids DELETE r", {"ids": ids})
                for kind, ids in stale.items()]
            statements += [("UNWIND $rows AS row MATCH (a:Entity {id: row.source}) MATCH (b:Entity {id: row.target})"
                            f" CREATE (a)-[r:{_label(kind)}]->(b) SET r = row.fields", {"rows": kind_rows})
                           for kind, kind_rows in rows.items()]
            self._run(statements)
            written += len(changed)
        return written

    def delete_relations(self, ids: Sequence[str]) -> int:
        by_kind: dict[str, list[str]] = {}
        for row in self._find_relations(list(dict.fromkeys(ids))):
            by_kind.setdefault(check_relation_kind(row["kind"]), []).append(row["id"])
        if not by_kind:
            return 0
        results = self._run([(f"MATCH ()-[r:{_label(kind)}]->() WHERE r.id IN $ids DELETE r RETURN count(*) AS c",
                              {"ids": kind_ids}) for kind, kind_ids in by_kind.items()])
        return sum(int(res[0]["c"]) for res in results if res)

    # --- reads ------------------------------------------------------------------------------
    def _find_relations(self, ids: list[str]) -> list[dict[str, Any]]:
        """Relation rows by id: one index-backed branch per type (Neo4j indexes one type each)."""
        if not ids:
            return []
        query = " UNION ALL ".join(f"MATCH ()-[r:{_label(k)}]->() WHERE r.id IN $ids RETURN {_REL_COLUMNS}"
                                   for k in RELATION_KINDS)
        return self._read(query, ids=ids)

    def get_entities(self, ids: Sequence[str]) -> list[Entity]:
        wanted = list(dict.fromkeys(ids))
        found = {row["id"]: _entity(row) for row in self._read(
            f"MATCH (n:Entity) WHERE n.id IN $ids RETURN {_ENTITY_COLUMNS}", ids=wanted)} if wanted else {}
        return [found[i] for i in wanted if i in found]

    def get_relations(self, ids: Sequence[str]) -> list[Relation]:
        wanted = list(dict.fromkeys(ids))
        found = {row["id"]: _relation(row) for row in self._find_relations(wanted)}
        return [found[i] for i in wanted if i in found]

    def iter_entities(self, kinds: Sequence[str] | None = None, dataset: str | None = None) -> Iterator[Entity]:
        kinds = [check_entity_kind(k) for k in kinds] if kinds else None
        query = (f"MATCH (n:Entity) WHERE n.id > $after AND ($kinds IS NULL OR n.kind IN $kinds)"
                 f" AND ($dataset IS NULL OR n.dataset = $dataset) RETURN {_ENTITY_COLUMNS} ORDER BY n.id LIMIT $page")
        for row in self._pages(query, kinds=kinds, dataset=dataset):
            yield _entity(row)

    def iter_relations(self, kinds: Sequence[str] | None = None, dataset: str | None = None) -> Iterator[Relation]:
        query = (f"MATCH ()-[r{_types(kinds)}]->() WHERE r.id > $after AND ($dataset IS NULL OR r.dataset = $dataset)"
                 f" RETURN {_REL_COLUMNS} ORDER BY r.id LIMIT $page")
        for row in self._pages(query, dataset=dataset):
            yield _relation(row)

    def _pages(self, query: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Keyset pagination by id, so a long iteration holds no transaction open."""
        after = ""
        while rows := self._read(query, after=after, page=_PAGE, **params):
            yield from rows
            after = rows[-1]["id"]

    def relations_of(self, ids: Sequence[str], kinds: Sequence[str] | None = None,
                     direction: str = "both") -> list[Relation]:
        if direction not in ("both", "out", "in"):
            raise StoreError(f"direction must be both, out or in: {direction!r}")
        types, wanted = _types(kinds), list(dict.fromkeys(ids))
        patterns = {"out": [f"(x:Entity)-[r{types}]->()"], "in": [f"()-[r{types}]->(x:Entity)"]}
        patterns["both"] = patterns["out"] + patterns["in"]
        found: dict[str, Relation] = {}
        for pattern in patterns[direction]:
            for row in self._read(f"MATCH {pattern} WHERE x.id IN $ids RETURN {_REL_COLUMNS}", ids=wanted):
                found[row["id"]] = _relation(row)
        return [found[k] for k in sorted(found)]

    def degrees(self, ids: Sequence[str], kinds: Sequence[str] | None = None) -> dict[str, int]:
        types = _types(kinds)
        out = {i: 0 for i in ids}
        # Out and in are counted apart, so a self-loop counts twice, as in the SQLite store.
        # ArcadeDB: `o + count(q)` in one RETURN is refused ("Ambiguous aggregation"), and
        # Neo4j 5 refuses it too (implicit grouping key), so both counts come back separately.
        for row in self._read(
                f"MATCH (n:Entity) WHERE n.id IN $ids OPTIONAL MATCH (n)-[r{types}]->() WITH n, count(r) AS o"
                f" OPTIONAL MATCH (n)<-[q{types}]-() RETURN n.id AS id, o, count(q) AS i", ids=list(out)):
            out[row["id"]] = int(row["o"]) + int(row["i"])
        return out

    def find_by_identifier(self, identifiers: Sequence[str]) -> list[Entity]:
        wanted = list(dict.fromkeys(identifiers))
        if not wanted:
            return []
        rows = self._read(f"MATCH (k:IdKey) WHERE k.key IN $keys MATCH (n:Entity)-[:HAS_ID]->(k)"
                          f" WITH DISTINCT n RETURN {_ENTITY_COLUMNS} ORDER BY n.id", keys=wanted)
        return [_entity(row) for row in rows]

    def find_by_tokens(self, tokens: Sequence[str], kinds: Sequence[str] | None = None,
                       limit: int = 200) -> list[Entity]:
        wanted = list(dict.fromkeys(tokens))
        if not wanted:
            return []
        kinds = [check_entity_kind(k) for k in kinds] if kinds else None
        rows = self._read(
            "MATCH (t:Token) WHERE t.t IN $tokens MATCH (n:Entity)-[:HAS_TOKEN]->(t)"
            " WHERE $kinds IS NULL OR n.kind IN $kinds WITH n, count(DISTINCT t) AS shared"
            f" RETURN {_ENTITY_COLUMNS}, shared ORDER BY shared DESC, n.id LIMIT $limit",
            kinds=kinds, tokens=wanted, limit=int(limit))
        return [_entity(row) for row in rows]

    def transfers(self, parties: Sequence[str] | None = None, start: str | None = None,
                  end: str | None = None) -> list[Relation]:
        window = "($start IS NULL OR r.date >= $start) AND ($end IS NULL OR r.date <= $end)"
        if parties is None:
            rows = self._read(f"MATCH ()-[r:TRANSFER]->() WHERE {window} RETURN {_REL_COLUMNS}",
                              start=start, end=end)
        else:  # anchored on the parties' nodes (index seek), then both directions
            rows = self._read(f"MATCH (x:Entity)-[r:TRANSFER]-() WHERE x.id IN $ids AND {window}"
                              f" RETURN DISTINCT {_REL_COLUMNS}", ids=list(dict.fromkeys(parties)),
                              start=start, end=end)
        found = {row["id"]: _relation(row) for row in rows}
        # Sorted here rather than in Cypher: Neo4j puts null dates last, SQLite first; "" first.
        return sorted(found.values(), key=lambda r: (r.date or "", r.id))

    def counts(self) -> dict[str, int]:
        out = {row["k"]: int(row["c"]) for row in self._read(
            "MATCH (n:Entity) RETURN n.kind AS k, count(*) AS c")}
        out.update({row["k"]: int(row["c"]) for row in self._read(
            f"MATCH ()-[r{_types(None)}]->() RETURN type(r) AS k, count(*) AS c")})
        return out

    # --- judgements, audit, meta --------------------------------------------------------------
    def add_judgement(self, judgement: Judgement) -> None:
        j = judgement
        fields = {"id": j.id, "left": j.left, "right": j.right, "verdict": j.verdict, "user": j.user,
                  "created_at": j.created_at, "score": j.score, "explanation": _dump(dict(j.explanation)),
                  "deleted_at": j.deleted_at}
        # ON CREATE only: the same decision recorded twice stays one record, never overwritten.
        self._run([("MERGE (j:Judgement {id: $id}) ON CREATE SET j = $fields", {"id": j.id, "fields": fields})])

    def delete_judgement(self, judgement_id: str, when: str) -> None:
        [rows] = self._run([("MATCH (j:Judgement {id: $id}) WHERE j.deleted_at IS NULL"
                             " SET j.deleted_at = $when RETURN count(j) AS c", {"id": judgement_id, "when": when})])
        if not rows or int(rows[0]["c"]) == 0:
            raise StoreError(f"no live judgement {judgement_id!r}")

    def judgements(self, include_deleted: bool = False) -> list[Judgement]:
        rows = self._read(
            "MATCH (j:Judgement) WHERE $with_deleted OR j.deleted_at IS NULL RETURN j.left AS left, j.right AS right,"
            " j.verdict AS verdict, j.user AS user, j.created_at AS created_at, j.score AS score,"
            " j.explanation AS explanation, j.deleted_at AS deleted_at, j.id AS id ORDER BY j.created_at, j.id",
            with_deleted=include_deleted)
        return [Judgement(r["left"], r["right"], r["verdict"], r["user"], r["created_at"], r["score"],
                          json.loads(r["explanation"] or "{}"), r["deleted_at"], r["id"]) for r in rows]

    def log(self, event: AuditEvent) -> None:
        # Timestamps have one-second resolution, so order comes from a counter node that each
        # append increments in the same transaction (Neo4j locks it, so appends serialise).
        self._run([(
            "MERGE (s:Sequence {name: 'audit'}) SET s.n = coalesce(s.n, 0) + 1 WITH s.n AS seq"
            " CREATE (:AuditEvent {seq: seq, ts: $ts, user: $user, action: $action, detail: $detail})",
            {"ts": event.ts, "user": event.user, "action": event.action, "detail": _dump(dict(event.detail))})])

    def audit_log(self, limit: int = 100, user: str | None = None) -> list[AuditEvent]:
        rows = self._read(
            "MATCH (e:AuditEvent) WHERE $user IS NULL OR e.user = $user RETURN e.user AS user,"
            " e.action AS action, e.detail AS detail, e.ts AS ts ORDER BY e.seq DESC LIMIT $limit",
            user=user, limit=int(limit))
        return [AuditEvent(r["user"], r["action"], json.loads(r["detail"]), r["ts"]) for r in rows]

    def get_meta(self, key: str) -> Any:
        rows = self._read("MATCH (m:Meta {key: $key}) RETURN m.value AS value", key=key)
        return json.loads(rows[0]["value"]) if rows else None

    def set_meta(self, key: str, value: Any) -> None:
        self._run([("MERGE (m:Meta {key: $key}) SET m.value = $value", {"key": key, "value": _dump(value)})])

    # Keyed items: one (:Item {id: ns + US + key}) node per key; the id alone is unique-constrained.
    def put_items(self, namespace: str, items: Mapping[str, Any]) -> None:
        gone = [_item_id(namespace, k) for k, v in items.items() if v is None]
        kept = [{"id": _item_id(namespace, k), "ns": namespace, "key": k, "value": _dump(v)}
                for k, v in items.items() if v is not None]
        statements: list[tuple[str, dict[str, Any]]] = []
        for chunk in batched(gone, DEFAULT_BATCH):
            statements.append(("MATCH (i:Item) WHERE i.id IN $ids DELETE i", {"ids": chunk}))
        for chunk in batched(kept, DEFAULT_BATCH):
            statements.append(("UNWIND $rows AS row MERGE (i:Item {id: row.id}) SET i = row", {"rows": chunk}))
        if statements:
            self._run(statements)

    def get_items(self, namespace: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
        if keys is None:
            rows = self._read("MATCH (i:Item {ns: $ns}) RETURN i.key AS key, i.value AS value", ns=namespace)
        else:
            rows = []
            for chunk in batched(dict.fromkeys(keys), DEFAULT_BATCH):
                rows += self._read("MATCH (i:Item) WHERE i.id IN $ids RETURN i.key AS key, i.value AS value",
                                   ids=[_item_id(namespace, k) for k in chunk])
        return {r["key"]: json.loads(r["value"]) for r in rows}

    def clear_items(self, namespace: str) -> int:
        [rows] = self._run([("MATCH (i:Item {ns: $ns}) DELETE i RETURN count(*) AS c", {"ns": namespace})])
        return int(rows[0]["c"]) if rows else 0

    def close(self) -> None:
        self._driver.close()
