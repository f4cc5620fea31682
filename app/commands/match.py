"""``assetgraph match-transfers``: merge the same payment seen in two loaded statements.

Loading a statement already runs the matcher against every statement loaded before; this
command re-runs it by hand, e.g. with a wider window for slow international transfers.
"""

from __future__ import annotations

import typer

from app.commands.common import console, emit_json, state_from, store_from, user_errors
from ingest.transfer_match import MatchParams, merge_matched_transfers

__all__ = ["register"]


def register(cli: typer.Typer) -> None:
    @cli.command("match-transfers")
    def match_transfers(
        ctx: typer.Context,
        dataset: str = typer.Option(None, help="Only pairs with one side in this statement dataset"),
        max_lag: int = typer.Option(MatchParams.max_lag_days, help="Most days between money out and money in"),
        tolerance: float = typer.Option(MatchParams.amount_tolerance, help="Relative amount difference (fees/FX)"),
        min_score: float = typer.Option(MatchParams.min_score, help="Lowest score (0-1) that is merged"),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON"),
    ) -> None:
        """Match money out of one statement to money in on another and merge each pair."""
        params = MatchParams(max_lag_days=max_lag, amount_tolerance=tolerance, min_score=min_score)
        with user_errors(), store_from(ctx) as store:
            summary = merge_matched_transfers(store, dataset, params=params, user=state_from(ctx).user)
        if as_json:
            emit_json(summary)
        else:
            console.print(f"merged {summary['merged']} transfers seen in two statements "
                          f"({summary['candidates_out']} out / {summary['candidates_in']} in considered)")
