"""``assetgraph demo``: load the shipped demo case so the rest can be tried at once."""

from __future__ import annotations

from pathlib import Path

import typer

from app.commands.common import console, emit_json, store_from
from app.commands.load import load_path

__all__ = ["register", "DEMO_BUNDLE"]

DEMO_BUNDLE = Path(__file__).resolve().parents[2] / "ingest" / "demo" / "OP-DEMO-01"


def register(cli: typer.Typer) -> None:
    @cli.command()
    def demo(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
        """Load the invented demo case OP-DEMO-01 into the store and show what it holds."""
        with store_from(ctx) as store:
            report = load_path(store, DEMO_BUNDLE, "bundle", Path("quarantine"), {})
            counts = store.counts()
        if as_json:
            emit_json({"load": report.to_dict(), "counts": counts})
            return
        console.print(f"loaded demo case {report.dataset}: read {report.read}, loaded {report.loaded},"
                      f" quarantined {report.quarantined}")
        console.print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
