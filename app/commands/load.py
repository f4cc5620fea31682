"""``assetgraph load`` and ``assetgraph stats``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.commands.common import console, emit_json, err_console, store_from, user_errors
from graph.model import AuditEvent
from graph.settings import Settings
from graph.store import Store
from ingest.formats import detect_format, get_reader
from ingest.pipeline import LoadReport
from ingest.source_files import DEFAULT_MAX_ARCHIVE_SIZE, DEFAULT_MAX_FILE_SIZE, Limits, check_path, size_text

__all__ = ["register", "load_path"]

_FILE_CAP_HELP = ("Largest file to read or archive member to unpack, e.g. 100G"
                  f" (default {size_text(DEFAULT_MAX_FILE_SIZE)})")
_ARCHIVE_CAP_HELP = f"Most an archive may unpack to, e.g. 8G (default {size_text(DEFAULT_MAX_ARCHIVE_SIZE)})"


def load_path(store: Store, path: Path, fmt: str | None, quarantine_dir: Path, options: dict[str, object],
              show_progress: bool = False) -> LoadReport:
    """Load one file or bundle with the reader for ``fmt`` (detected when None).

    The path is checked before anything opens it: a folder, or a regular file within the
    per-file cap (``options["max_file_size"]``); a device, FIFO or socket is refused.
    """
    check_path(path, Limits.from_options(options))
    name = fmt or detect_format(path)
    read = get_reader(name)
    if not show_progress:
        return read(store, path, quarantine_dir, options)
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        progress.add_task(f"loading {path.name} as {name}", total=None)
        return read(store, path, quarantine_dir, options)


def _summary(report: LoadReport) -> Table:
    table = Table(title=f"{report.dataset} ({report.format})")
    for col in ("file", "read", "loaded", "quarantined"):
        table.add_column(col, justify="left" if col == "file" else "right")
    skipped = report.skipped
    if skipped:
        table.add_column("skipped: why")
    for name, c in report.files.items():
        table.add_row(name, *(("", "", "") if c.skipped else (str(c.read), str(c.loaded), str(c.quarantined))),
                      *([c.skipped or ""] if skipped else []))
    table.add_row("[bold]total", str(report.read), str(report.loaded), str(report.quarantined),
                  *([f"[bold]{len(skipped)} files"] if skipped else []))
    return table


def _closing_lines(report: LoadReport) -> list[str]:
    """What the analyst must know after the table: where the quarantine is, and whether it reconciles."""
    lines = [f"{report.quarantined} rows quarantined: {report.quarantine_file}"] if report.quarantine_file else []
    if report.skipped:
        lines.append(f"[bold yellow]not reconciled:[/bold yellow] {len(report.skipped)} file(s) of the folder or "
                     "archive were not read (see 'skipped: why')")
    elif not report.reconciled:
        lines.append("[bold yellow]not reconciled:[/bold yellow] read != loaded + quarantined")
    else:
        lines.append("reconciled: every file read, every row loaded or quarantined")
    return lines


def register(cli: typer.Typer) -> None:
    @cli.command()
    def load(
        ctx: typer.Context,
        path: Path = typer.Argument(..., exists=True, help="A file, folder or .zip to load"),
        fmt: str = typer.Option(None, "--format", "-f", help="Reader to use (detected when omitted)"),
        as_json: bool = typer.Option(False, "--json", help="Print the reconciliation as JSON"),
        quarantine_dir: Path = typer.Option(Path("quarantine"), help="Where rejected rows are written"),
        holder: str = typer.Option(None, help="Account holder for statement formats"),
        dataset: str = typer.Option(None, help="Dataset name the records are filed under (reader default if omitted)"),
        mapping: Path = typer.Option(None, "--mapping", help="YAML: bank layout (bank) or import specification (csv)"),
        account: str = typer.Option(None, "--account", help="Account id when the statement does not name it"),
        option: list[str] = typer.Option(None, "--option", "-o", help="Extra reader option KEY=VALUE (repeatable)"),
        no_match: bool = typer.Option(False, "--no-match", help="Do not merge transfers seen in two statements"),
        no_resolve: bool = typer.Option(False, "--no-resolve", help="Skip entity resolution after loading"),
        max_file_size: str = typer.Option(None, "--max-file-size", metavar="SIZE", help=_FILE_CAP_HELP),
        max_archive_size: str = typer.Option(None, "--max-archive-size", metavar="SIZE", help=_ARCHIVE_CAP_HELP),
    ) -> None:
        """Load a source file (case bundle, registry extract, statement) into the store.

        Only regular files are read: links, devices, pipes and files a reader does not know in a
        folder or archive are listed as skipped (the load then does not reconcile).
        """
        options: dict[str, object] = {k: v for k, v in (("holder", holder), ("dataset", dataset), ("account", account),
                                                        ("mapping", str(mapping) if mapping else None),
                                                        ("max_file_size", max_file_size),
                                                        ("max_archive_size", max_archive_size)) if v}
        options |= dict(o.split("=", 1) for o in option or [] if "=" in o)
        if no_match:
            options["match_transfers"] = False
        with user_errors(), store_from(ctx) as store:
            report = load_path(store, path, fmt, quarantine_dir, options, show_progress=not as_json)
            store.log(AuditEvent(ctx.find_root().obj.user, "load", {"path": str(path), **report.to_dict()}))
            resolved = None if no_resolve else _resolve_after_load(store, ctx.find_root().obj.settings)
        out = report.to_dict() | ({"resolution": resolved} if resolved else {})
        if as_json:
            emit_json(out)
        else:
            console.print(_summary(report))
            for key, note in report.notes.items():  # a reader says what it chose and why (a bank layout)
                if isinstance(note, dict) and note.get("why"):
                    console.print(f"{key}: {note['why']}", markup=False, highlight=False)
            for line in _closing_lines(report):
                console.print(line)

    @cli.command()
    def stats(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
        """Count entities and relations by kind."""
        with store_from(ctx) as store:
            counts = store.counts()
        if as_json:
            emit_json(counts)
            return
        table = Table(title="store contents")
        table.add_column("kind")
        table.add_column("count", justify="right")
        for kind, n in sorted(counts.items()):
            table.add_row(kind, str(n))
        console.print(table)


def _resolve_after_load(store: Store, settings: Settings) -> dict[str, object]:
    """Resolve the new records against what the store holds (incremental)."""
    from ingest.resolve import resolve_after_load

    return resolve_after_load(store, settings)
