"""The ``assetgraph`` command line. Commands live in ``app/commands/``; this file wires them."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from app.commands.common import CliState
from graph.settings import Settings, StoreTarget, store_target_from_env

__all__ = ["cli", "main"]

cli = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="assetgraph: an intelligence graph for hidden-asset tracing (POCA 2002).")

COMMAND_MODULES = ("app.commands.load", "app.commands.demo", "app.commands.report", "app.commands.export",
                   "app.commands.revisit", "app.commands.match",
                   "app.commands.app_cmd", "app.commands.resolve")


@cli.callback()
def options(
    ctx: typer.Context,
    db: Path = typer.Option(None, "--db", help="SQLite store file (default ./assetgraph.db or $ASSETGRAPH_DB)"),
    neo4j: str = typer.Option(None, "--neo4j", help="Neo4j Bolt URI (or $NEO4J_URI)"),
    user: str = typer.Option(None, "--user", help="Neo4j user (or $NEO4J_USER)"),
    password: str = typer.Option(None, "--password", help="Neo4j password (or $NEO4J_PASSWORD)"),
    database: str = typer.Option(None, "--database", help="Neo4j database name (or $NEO4J_DATABASE)"),
    settings: Path = typer.Option(None, "--settings", help="Settings JSON (thresholds, price index...)"),
) -> None:
    """Choose the store: --db for the embedded SQLite file, --neo4j for a Neo4j server."""
    env = store_target_from_env()
    if db is not None:  # an explicit --db wins over a NEO4J_URI in the environment
        target = StoreTarget(db=str(db))
    else:
        target = StoreTarget(
            db=env.db, neo4j_uri=neo4j or env.neo4j_uri, neo4j_user=user or env.neo4j_user,
            neo4j_password=password or env.neo4j_password, neo4j_database=database or env.neo4j_database)
    ctx.obj = CliState(target, Settings.load(settings) if settings else Settings())


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    cli()
if __name__ == "__main__":
    main()
