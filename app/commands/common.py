"""What every command shares: the store chosen on the command line, JSON and table output."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console

from graph.open import open_store
from graph.settings import Settings, StoreTarget
from graph.store import Store

__all__ = ["CliState", "store_from", "state_from", "emit_json", "console", "err_console"]

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


def emit_json(data: Any) -> None:
    """Machine-readable output on stdout, one document."""
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))
