"""``assetgraph revisit`` (sweep old orders for new assets) and ``assetgraph brief`` (NECC packs)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from app.commands.common import (
    RATES_HELP,
    console,
    emit_json,
    err_console,
    state_from,
    store_from,
    user_errors,
    with_rates,
)
from graph.model import AuditEvent
from queries.finding import gbp_text

__all__ = ["register"]

def register(cli: typer.Typer) -> None:
    @cli.command()
    def revisit(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print the whole sweep as JSON"),
        on: str = typer.Option(None, "--as-at", "--on", help="Every figure as at this day (YYYY-MM-DD; "
                                                                 "default today: a sweep asks what can be had now)"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Do not record the sweep in the store's history"),
        rates: Path = typer.Option(None, "--rates", help=RATES_HELP),
    ) -> None:
        """Sweep every case with an unpaid balance or s.22 headroom for assets found since the order."""
        from queries.revisit import sweep

        state = state_from(ctx)
        with user_errors(), store_from(ctx) as store:
            result = sweep(store, with_rates(state.settings, rates), on=on, record=not dry_run)
            store.log(AuditEvent(state.user, "revisit", {"sweep_id": result["sweep_id"], "hits": result["hits"]}))
        if as_json:
            emit_json(result)
            return
        table = Table(title=f"Revisit sweep {result['sweep_id']} as at {result['on']} "
                            f"({result['cases_swept']} of {result['cases']} cases swept, "
                            f"{result['new_hits_since_last_sweep']} new hits since last sweep)")
        for col in ("#", "case", "status", "force/region", "potential", "capacity", "hits", "new", "reason"):
            table.add_column(col, overflow="fold")
        for e in result["ranked"]:
            table.add_row(str(e["rank"]), e["case_id"], e["status"], " / ".join(x for x in (e["force"], e["region"])
                                                                               if x) or "–",
                          gbp_text(e["potential"]), gbp_text(e["figures"]["capacity"]), str(len(e["hits"])),
                          str(e["new_hits_since_last_sweep"]), e["reason"])
        console.print(table)
        if result["apart"]:
            apart = Table(title="Listed apart (not ranked)")
            for col in ("case", "status", "outstanding with s.12 interest", "s.22 headroom"):
                apart.add_column(col)
            for e in result["apart"]:
                apart.add_row(e["case_id"], e["status"], gbp_text(e["figures"]["outstanding_with_interest"]),
                              gbp_text(e["figures"]["headroom"]))
            console.print(apart)
        for s in result["skipped"]:
            console.print(f"skipped {s['case_id']}: {s['reason']}")

    @cli.command()
    def brief(
        ctx: typer.Context,
        case_id: str = typer.Argument(None, help="The case to brief (or use --top N)"),
        top: int = typer.Option(None, "--top", help="A tasking-meeting pack of the top N cases of the last sweep"),
        out: Path = typer.Option(..., "--out", help="Output file: .pdf, .docx or .md"),
        author: str = typer.Option("assetgraph", "--author", help="Author named on the pack"),
        on: str = typer.Option(None, "--as-at", "--on", help="Every figure as at this day (YYYY-MM-DD; default the "
                                                                 "case's valuation date, or the sweep's for --top)"),
        rates: Path = typer.Option(None, "--rates", help=RATES_HELP),
    ) -> None:
        """Write an OFFICIAL-SENSITIVE briefing pack for one case, or a top-N tasking-meeting pack."""
        from queries.briefing import write_case_brief, write_tasking_pack

        if (case_id is None) == (top is None):
            err_console.print("[red]error:[/red] give a CASE_ID or --top N (not both)")
            raise typer.Exit(2)
        state = state_from(ctx)
        settings = with_rates(state.settings, rates)
        with user_errors(), store_from(ctx) as store:
            if case_id is not None:
                path = write_case_brief(store, case_id, out, author=author, settings=settings, on=on)
            else:
                path = write_tasking_pack(store, top, out, author=author, settings=settings, on=on)
            store.log(AuditEvent(state.user, "export", {"brief": case_id or f"top {top}", "out": str(path)}))
        console.print(f"wrote {path}")
