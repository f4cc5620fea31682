"""``assetgraph export``: the store as FollowTheMoney JSON lines, or as Neo4j import CSVs.

``--format ftm``: the data file stays valid FtM (Aleph reads it as is); the handling marking goes
in a sidecar ``FILE.marking.txt``, on the terminal, and in the audit log entry every export writes.
``--format neo4j-import --out DIR``: the CSVs ``neo4j-admin database import full`` takes, with
``DIR/MARKING.txt`` and the exact command to run (:mod:`graph.neo4j_import`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from app.commands.common import console, emit_json, err_console, state_from, store_from, user_errors
from graph.errors import AssetGraphError
from graph.model import AuditEvent, utc_now

if TYPE_CHECKING:
    from queries.ftm_export import FtmExport

__all__ = ["register", "marking_text"]

FORMATS = ("ftm", "neo4j-import")


def marking_text(report: FtmExport, out: Path, user: str, dataset: str | None, at: str) -> str:
    """The sidecar's text: the marking first, then what the file holds."""
    return (f"{report.marking}\n\n"
            f"File: {out.name}\nFormat: FollowTheMoney entities, JSON lines\n"
            f"Exported: {at} by {user}\nDataset: {dataset or 'all'}\n"
            f"Entities: {report.entities}  Relations: {report.relations}\n"
            f"Left out: {dict(report.skipped) or 'nothing'}\n\n"
            f"Handle the data file at {report.marking}; this marking applies to it and to every copy.\n")


def register(cli: typer.Typer) -> None:
    @cli.command()
    def export(
        ctx: typer.Context,
        fmt: str = typer.Option("ftm", "--format", "-f", help="Export format (ftm, neo4j-import)"),
        database: str = typer.Option("neo4j", "--database", help="neo4j-import: the database the command imports into"),
        dataset: str = typer.Option(None, "--dataset", help="Only this dataset (default: everything)"),
        out: Path = typer.Option(None, "--out", "-o", help="Output file (default: standard output)"),
        as_json: bool = typer.Option(False, "--json", help="Print the export summary as JSON"),
    ) -> None:
        """Export entities and relations (FollowTheMoney JSON lines); the marking goes in FILE.marking.txt."""
        if fmt not in FORMATS:
            err_console.print(f"[red]error:[/red] unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
            raise typer.Exit(2)
        state = state_from(ctx)
        at = utc_now()
        if fmt == "neo4j-import":
            _neo4j_import(ctx, out, database, state.user, at, as_json)
            return
        from queries.ftm_export import FtmExport, export_ftm  # lazily: followthemoney is slow to import

        report = FtmExport()
        summary: dict[str, object] = {"dataset": dataset, "out": str(out) if out else "-", "at": at}
        with user_errors(OSError), store_from(ctx) as store:
            try:
                if out is None:
                    report = export_ftm(store, sys.stdout, dataset)
                else:
                    # the sidecar first: a file on disk is never without its marking
                    Path(f"{out}.marking.txt").write_text(marking_text(report, out, state.user, dataset, at),
                                                          encoding="utf-8")
                    with open(out, "w", encoding="utf-8", newline="\n") as fh:
                        report = export_ftm(store, fh, dataset)
                    Path(f"{out}.marking.txt").write_text(marking_text(report, out, state.user, dataset, at),
                                                          encoding="utf-8")
                summary = report.to_dict() | summary | {"status": "complete"}
            except (AssetGraphError, OSError) as exc:
                summary = report.to_dict() | summary | {"status": f"failed: {exc}"}
                raise
            finally:  # an interrupted export may still have released data: log it either way
                store.log(AuditEvent(state.user, "export", summary))
        if as_json and out is not None:
            emit_json(summary)
            return
        show = console if out is not None else err_console  # stdout carries the data when no --out
        show.print(f"[bold red]{report.marking}[/bold red] export: {report.entities} entities, "
                   f"{report.relations} relations" + (f" -> {out} (marking in {out}.marking.txt)" if out else ""))
        if report.skipped:
            show.print(f"left out: {dict(report.skipped)}")


def _neo4j_import(ctx: typer.Context, out: Path | None, database: str, user: str, at: str, as_json: bool) -> None:
    """Write the store as neo4j-admin import CSVs into ``out`` and print the command."""
    from graph.neo4j_import import write_import_files

    if out is None:
        err_console.print("[red]error:[/red] --format neo4j-import needs --out DIR")
        raise typer.Exit(2)
    with user_errors(OSError), store_from(ctx) as store:
        summary: dict[str, object] = {"format": "neo4j-import", "out": str(out), "at": at}
        try:
            files = write_import_files(store, out, database)
            summary |= files.to_dict() | {"status": "complete"}
        except (AssetGraphError, OSError) as exc:
            summary |= {"status": f"failed: {exc}"}
            raise
        finally:
            store.log(AuditEvent(user, "export", summary))
    if as_json:
        emit_json(summary)
        return
    console.print(f"[bold red]{files.to_dict()['marking']}[/bold red] Neo4j import files in {out}: "
                  + ", ".join(f"{k} {v}" for k, v in files.rows.items()))
    console.print(f"Import into an empty database (server stopped) with:\n{files.command}")
