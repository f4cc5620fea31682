"""``assetgraph report CASE_ID``: the law applied to one case."""

from __future__ import annotations

import typer
from rich.table import Table

from app.commands.common import console, emit_json, state_from, store_from, user_errors
from graph.model import AuditEvent
from queries.report import case_report

__all__ = ["register"]


def register(cli: typer.Typer) -> None:
    @cli.command()
    def report(ctx: typer.Context, case_id: str = typer.Argument(..., help="The case id, e.g. OP-DEMO-01"),
               as_json: bool = typer.Option(False, "--json", help="Print the whole report as JSON")) -> None:
        """Tainted gifts, assumptions, overseas holdings, money flows and order figures for a case."""
        state = state_from(ctx)
        with user_errors(), store_from(ctx) as store:
            data = case_report(store, case_id, state.settings)
            store.log(AuditEvent(state.user, "report", {"case_id": case_id}))
        if as_json:
            emit_json(data)
            return
        console.print(f"[bold]{data['case_id']}[/bold]  relevant day {data['relevant_day']} "
                      f"({data['relevant_day_rule']}), conviction {data['conviction_date']} (s.10(10))")
        table = Table(title="Tainted-gift candidates")
        for col in ("transfer", "date", "from", "to", "via", "share", "at gift", "now", "rule"):
            table.add_column(col)
        for g in data["tainted_gifts"]:
            table.add_row(g["transfer"], g["date"], g["from_name"], g["to_name"], g["via"],
                          f"{g['gift_share']:.4f}", f"£{g['value_at_gift']:,.2f}", f"£{g['value_now']:,.2f}",
                          f"{g['rule']}; {g['value_now_basis']}")
        console.print(table)
        table = Table(title="Overseas holdings (s.84)")
        for col in ("asset", "kind", "territory", "class", "share", "chain"):
            table.add_column(col)
        for h in data["overseas_holdings"]:
            table.add_row(h["name"], h["kind"], h["territory"] or "?", h["class"], f"{h['effective_share']:.4f}",
                          " → ".join(h["chain"]))
        console.print(table)
        if data["revisit"]:
            r = data["revisit"]
            console.print(f"Order {r['order_date']}: amount £{r['amount']:,.2f}, paid £{r['paid']:,.2f}, outstanding "
                          f"£{r['outstanding']:,.2f} + s.12 interest £{r['interest']:,.2f}; s.22 headroom "
                          f"£{r['headroom']:,.2f}; new assets {', '.join(r['new_assets']) or 'none'}")
