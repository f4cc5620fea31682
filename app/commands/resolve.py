"""``assetgraph resolve``, ``assetgraph review`` and ``assetgraph entities``.

``review`` is where an analyst overrules the machine: ``list`` the queue, ``accept`` or
``reject`` a pair (reject on a merged pair is the undo), ``unsure`` to park it, ``retract`` to
withdraw an earlier verdict. Verdicts are stored as judgements and win on every later run.
"""

from __future__ import annotations

from types import ModuleType

import typer
from rich.table import Table

from app.commands.common import console, emit_json, state_from, store_from, user_errors

__all__ = ["register"]


def _resolver() -> ModuleType:
    """The resolver, imported when a command needs it: it brings numpy and pandas, which every
    other command (and ``--help``) would otherwise wait for."""
    import ingest.resolve

    return ingest.resolve


def _verdict(ctx: typer.Context, left: str, right: str, verdict: str, analyst: str | None, as_json: bool) -> None:
    state = state_from(ctx)
    with user_errors(), store_from(ctx) as store:
        report = _resolver().judge(store, left, right, verdict, analyst or state.user, state.settings)
    if as_json:
        emit_json({"left": left, "right": right, "verdict": verdict, "resolution": report.to_dict()})
    else:
        console.print(f"{verdict}: {left} / {right} -> {report.entities} entities, {report.review} to review")


def register(cli: typer.Typer) -> None:
    """Add ``resolve``, ``review`` (a command group) and ``entities`` to ``cli``."""
    review = typer.Typer(no_args_is_help=True, help="The review queue: list, accept, reject, unsure, retract.")
    cli.add_typer(review, name="review")

    @cli.command("resolve")
    def resolve_cmd(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print the run report as JSON"),
        only_new: bool = typer.Option(False, "--only-new", help="Score only pairs touching new records"),
        workers: int = typer.Option(1, "--workers", min=1, help="Processes scoring pairs (a national sweep: 2+)"),
        freeze: bool = typer.Option(
            None, "--freeze-weights/--unfreeze-weights",
            help="Keep the saved evidence weights from now on (or let full runs learn them again)"),
    ) -> None:
        """Resolve records into entities: SAME_AS links, explained, plus a review queue.

        A full run learns the evidence weights from the records (EM) unless they are frozen; the
        JSON report shows them under "weights".
        """
        state = state_from(ctx)
        with store_from(ctx) as store:
            report = _resolver().resolve(store, state.settings, only_new=only_new, user=state.user, workers=workers,
                                         freeze_weights=freeze)
        if as_json:
            emit_json(report.to_dict())
            return
        table = Table(title="entity resolution")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for key in ("records", "new_records", "pairs_scored", "merged", "auto", "analyst", "review", "refused",
                    "rejected", "vetoed", "links_added", "links_removed", "entities", "seconds"):
            table.add_row(key, str(getattr(report, key)))
        w = report.weights
        table.add_row("weights", f"revision {w.get('revision', 0)}" + (" (frozen)" if w.get("frozen") else "")
                      + (", learnt this run" if w.get("learnt_this_run") else ""))
        console.print(table)

    @review.command("list")
    def review_list(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="JSON lines, one pair each"),
        pending_only: bool = typer.Option(False, "--pending", help="Hide pairs marked unsure"),
    ) -> None:
        """Pairs scored between the thresholds, best first, with the features behind each score."""
        with store_from(ctx) as store:
            queue = _resolver().review_queue(store, include_unsure=not pending_only)
        if as_json:
            for item in queue:
                emit_json(item)
            return
        table = Table(title=f"review queue ({len(queue)})")
        for col in ("left", "right", "kind", "score", "status", "why"):
            table.add_column(col)
        for item in queue:
            why = ", ".join(f"{k}={v.get('value')}" for k, v in item["explanation"].items() if isinstance(v, dict))
            table.add_row(item["left"], item["right"], item["kind"], f"{item['score']:.2f}", item["status"], why)
        console.print(table)

    analyst_opt = typer.Option(None, "--analyst", help="Who is judging (recorded with the verdict)")
    json_opt = typer.Option(False, "--json")

    @review.command("accept")
    def accept(ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt, as_json: bool = json_opt) -> None:
        """The two records are one entity (positive judgement)."""
        _verdict(ctx, left, right, "positive", analyst, as_json)

    @review.command("reject")
    def reject(ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt, as_json: bool = json_opt) -> None:
        """The two records are different entities (negative judgement; undoes a merge)."""
        _verdict(ctx, left, right, "negative", analyst, as_json)

    @review.command("unsure")
    def unsure(ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt, as_json: bool = json_opt) -> None:
        """Park the pair: it stays in the queue, marked unsure, and is never merged automatically."""
        _verdict(ctx, left, right, "unsure", analyst, as_json)

    @review.command("retract")
    def retract_cmd(ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt) -> None:
        """Withdraw the verdicts on a pair (soft delete): the scorer's view applies again."""
        state = state_from(ctx)
        with store_from(ctx) as store:
            n = _resolver().retract(store, left, right, analyst or state.user, state.settings)
        console.print(f"retracted {n} judgement(s) on {left} / {right}")

    @cli.command("entities")
    def entities_cmd(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="JSON lines: entity_id, kind, name, records"),
        kind: str = typer.Option(None, "--kind", help="Only this entity kind (Person, Company, ...)"),
    ) -> None:
        """The resolved entities: each with the source records it was derived from."""
        with store_from(ctx) as store:
            rows = list(_resolver().entities(store, kind))
        if as_json:
            for row in rows:
                emit_json(row)
            return
        table = Table(title=f"entities ({len(rows)})")
        for col in ("entity_id", "kind", "name", "records"):
            table.add_column(col)
        for row in rows:
            table.add_row(row["entity_id"], row["kind"], row["name"], " ".join(row["records"]))
        console.print(table)
