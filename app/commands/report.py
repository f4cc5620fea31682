"""``assetgraph report CASE_ID``: the law applied to one case, as at one date."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from app.commands.common import (
    AS_AT_HELP,
    RATES_HELP,
    console,
    emit_json,
    state_from,
    store_from,
    user_errors,
    with_rates,
)
from graph.model import AuditEvent
from queries.finding import gbp_text
from queries.report import case_report

__all__ = ["register"]


def register(cli: typer.Typer) -> None:
    @cli.command()
    def report(ctx: typer.Context, case_id: str = typer.Argument(..., help="The case id, e.g. OP-DEMO-01"),
               as_json: bool = typer.Option(False, "--json", help="Print the whole report as JSON"),
               as_at: str = typer.Option(None, "--as-at", help=AS_AT_HELP),
               rates: Path = typer.Option(None, "--rates", help=RATES_HELP)) -> None:
        """Tainted gifts, assumptions, overseas holdings, money flows and order figures for a case."""
        state = state_from(ctx)
        with user_errors(), store_from(ctx) as store:
            data = case_report(store, case_id, with_rates(state.settings, rates), as_at=as_at)
            store.log(AuditEvent(state.user, "report", {"case_id": case_id, "as_at": data["as_at"]}))
        if as_json:
            emit_json(data)
            return
        console.print(f"[bold]{data['case_id']}[/bold]  figures as at {data['as_at']}; conviction "
                      f"{data['conviction_date']} (s.10(10))")
        for day in data["relevant_days"]:
            console.print(f"  relevant day for {day['purpose']}: {day['day']} ({day['rule']})")
        table = Table(title=f"Tainted-gift candidates (s.81 values as at {data['as_at']})")
        for col in ("transfer", "date", "from", "to", "via", "share", "at gift", "now", "rule"):
            table.add_column(col)
        for g in data["tainted_gifts"]:
            at_gift = gbp_text(g["value_at_gift"]) if g["converted"] else \
                f"{g['currency']} {g['original_value_at_gift']:,.2f} (not converted)"
            table.add_row(g["transfer"], g["date"], g["from_name"], g["to_name"], g["via"],
                          f"{g['gift_share']:.4f}", at_gift, gbp_text(g["value_now"]),
                          f"{g['rule']}; {g['value_now_basis']}")
        console.print(table)
        table = Table(title="Overseas holdings (s.84)")
        for col in ("asset", "kind", "territory", "class", "share", "chain"):
            table.add_column(col)
        for h in data["overseas_holdings"]:
            table.add_row(h["name"], h["kind"], h["territory"] or "?", h["class"], f"{h['effective_share']:.4f}",
                          h["chain_text"])
        console.print(table)
        if data["revisit"]:
            r = data["revisit"]
            console.print(f"Order {r['order_date']}: amount {gbp_text(r['amount'])}, paid {gbp_text(r['paid'])}, "
                          f"outstanding {gbp_text(r['outstanding'])} + s.12 interest {gbp_text(r['interest'])} as at "
                          f"{r['as_at']}; s.22 headroom {gbp_text(r['headroom'])}; new assets "
                          f"{', '.join(r['new_assets']) or 'none'}")
        for warning in data["warnings"]:
            console.print(f"[yellow]warning:[/yellow] {warning}")
