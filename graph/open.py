"""Open the configured store: a SQLite file by default, Neo4j when a Bolt URI is given."""

from __future__ import annotations

from graph.settings import StoreTarget
from graph.store import Store

__all__ = ["open_store"]


def open_store(target: StoreTarget) -> Store:
    """Open the store ``target`` names. The Neo4j driver is imported only when it is used."""
    if target.neo4j_uri:
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(target.neo4j_uri, target.neo4j_user or "neo4j", target.neo4j_password or "",
                          target.neo4j_database)
    from graph.sqlite_store import SQLiteStore

    return SQLiteStore(target.db)
