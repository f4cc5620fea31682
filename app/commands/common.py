"""What every command shares: the store chosen on the command line, JSON and table output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from graph.errors import AssetGraphError
from graph.open import open_store
from graph.settings import Settings, StoreTarget
from graph.store import Store

__all__ = ["CliState", "store_from", "state_from", "emit_json", "user_errors", "console", "err_console",
           "with_rates", "AS_AT_HELP", "RATES_HELP"]

AS_AT_HELP = "Every figure as at this day (YYYY-MM-DD; default the case's valuation date)"
RATES_HELP = "Exchange rates CSV (date,currency,rate) that wins over the ECB's (also a Settings field)"

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    target: StoreTarget
    settings: Settings = field(default_factory=Settings)
    user: str = "cli"


def state_from(ctx: typer.Context) -> CliState:
    state = ctx.find_root().obj
    assert isinstance(state, CliState)
    return state


def store_from(ctx: typer.Context) -> Store:
    """Open the store the global options name (close it with ``with``)."""
    return open_store(state_from(ctx).target)


def with_rates(settings: Settings, rates: Path | None) -> Settings:
    """The settings with ``--rates FILE`` as their rates file (the command line wins)."""
    return settings if rates is None else replace(settings, rates_file=str(rates))


def emit_json(data: Any) -> None:
    """Machine-readable output on stdout, one document."""
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@contextmanager
def user_errors(*also: type[Exception]) -> Iterator[None]:
    """Turn an error the user can act on into one red line and exit code 2, not a traceback."""
    try:
        yield
    except (AssetGraphError, *also) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
