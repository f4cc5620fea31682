"""``assetgraph resolve``, ``assetgraph review`` and ``assetgraph entities``.

``review`` is where an analyst overrules the machine: ``list`` the queue, ``show`` a pair as two
whole entities with every conflict across them, ``accept`` or ``reject`` a pair (reject on a
merged pair is the undo), ``unsure`` to park it, ``retract`` to withdraw an earlier verdict.
Verdicts are stored as judgements and win on every later run. ``accept`` is refused (exit code 3,
the conflicts listed) when the union of the two entities holds a hard conflict, unless a
supervisor overrides it with a written reason. ``merges`` lists the resolver's own merges (of one
case's subjects with ``--case``) and ``split`` lets a supervisor undo one.

A supervisor is named with ``--supervisor LOGIN`` and proves it with their app password (asked
for, never taken on the command line), checked against the app's users file (``--users``).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from app.commands.common import console, emit_json, err_console, state_from, store_from, user_errors
from graph.errors import NotAllowed

__all__ = ["register"]

REFUSED_EXIT = 3  # accept refused for a conflict: not a usage error (2), a decision the caller must see


def _resolver() -> ModuleType:
    """The resolver, imported when a command needs it: it brings numpy and pandas, which every
    other command (and ``--help``) would otherwise wait for."""
    import ingest.resolve

    return ingest.resolve


def _review() -> ModuleType:
    import ingest.review

    return ingest.review


def _supervisor(login: str | None, users: Path | None, action: str) -> str:
    """The login of a signed-in supervisor: password asked for and checked against the users file."""
    from app.auth import authenticate, can, load_users
    from app.navigation import APP_DIR

    if not login:
        raise NotAllowed(f"{action} needs a supervisor: give --supervisor LOGIN (the password is asked for)")
    path = users or APP_DIR / "config" / "users.toml"
    table = load_users(path)
    if not table:
        raise NotAllowed(f"no users file at {path}: give --users FILE (python -m app.auth add-user ...)")
    user = authenticate(table, login, typer.prompt(f"password for {login}", hide_input=True, err=True))
    if user is None:
        raise NotAllowed("unknown user or wrong password")
    if not can(user, "supervise"):
        raise NotAllowed(f"{login} is {user.role}: only a supervisor can {action}")
    return user.login


def _verdict(ctx: typer.Context, left: str, right: str, verdict: str, analyst: str | None, as_json: bool,
             override: str | None = None, supervisor: str | None = None, users: Path | None = None) -> None:
    state = state_from(ctx)
    review = _review()
    with user_errors(ValueError), store_from(ctx) as store:
        who = analyst or state.user
        if override is not None:
            who = _supervisor(supervisor, users, "override a refused merge")
        try:
            report = review.judge(store, left, right, verdict, who, state.settings, reason=override,
                                  override=override is not None)
        except review.MergeRefused as refused:
            _refused(refused, as_json)
    if as_json:
        emit_json({"left": left, "right": right, "verdict": verdict, "user": who, "resolution": report.to_dict()})
    else:
        console.print(f"{verdict}: {left} / {right} -> {report.entities} entities, {report.review} to review")


def _refused(refused: Any, as_json: bool) -> None:
    """Say why accepting was refused, then stop with :data:`REFUSED_EXIT`."""
    if as_json:
        emit_json({"left": refused.left, "right": refused.right, "refused": True,
                   "conflicts": [c.to_dict() for c in refused.conflicts]})
    else:
        err_console.print(f"[red]{escape(str(refused))}[/red]", highlight=False)
        err_console.print("A supervisor can accept it anyway: --override 'REASON' --supervisor LOGIN")
    raise typer.Exit(REFUSED_EXIT)


def register(cli: typer.Typer) -> None:
    """Add ``resolve``, ``review`` (a command group) and ``entities`` to ``cli``."""
    review = typer.Typer(no_args_is_help=True, help="The review queue (list, show, accept, reject, unsure, retract) "
                                                          "and the automatic merges (merges, split).")
    cli.add_typer(review, name="review")

    @cli.command("resolve")
    def resolve_cmd(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print the run report as JSON"),
        only_new: bool = typer.Option(False, "--only-new", help="Score only pairs touching new records"),
        workers: int = typer.Option(1, "--workers", min=1, help="Processes scoring pairs (a national sweep: 2+)"),
    ) -> None:
        """Resolve records into entities: SAME_AS links, explained, plus a review queue."""
        state = state_from(ctx)
        with store_from(ctx) as store:
            report = _resolver().resolve(store, state.settings, only_new=only_new, user=state.user, workers=workers)
        if as_json:
            emit_json(report.to_dict())
            return
        table = Table(title="entity resolution")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for key in ("records", "new_records", "pairs_scored", "merged", "auto", "analyst", "review", "refused",
                    "rejected", "vetoed", "links_added", "links_removed", "entities", "seconds"):
            table.add_row(key, str(getattr(report, key)))
        console.print(table)

    @review.command("list")
    def review_list(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="JSON lines, one pair each"),
        pending_only: bool = typer.Option(False, "--pending", help="Hide pairs marked unsure"),
    ) -> None:
        """Pairs scored between the thresholds, best first, with the features behind each score."""
        with store_from(ctx) as store:
            queue = _review().review_queue(store, include_unsure=not pending_only)
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
    supervisor_opt = typer.Option(None, "--supervisor", help="Supervisor's login (their password is asked for)")
    users_opt = typer.Option(None, "--users", help="The app's users file (default app/config/users.toml)")

    @review.command("accept")
    def accept(
        ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt, as_json: bool = json_opt,
        override: str = typer.Option(None, "--override", help="Supervisor only: accept despite hard conflicts, "
                                     "for this written reason (stored on the judgement and audited)"),
        supervisor: str = supervisor_opt, users: Path = users_opt,
    ) -> None:
        """The two records are one entity (positive judgement); refused across a hard conflict (exit 3)."""
        _verdict(ctx, left, right, "positive", analyst, as_json, override, supervisor, users)

    @review.command("reject")
    def reject(ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt, as_json: bool = json_opt) -> None:
        """The two records are different entities (negative judgement; undoes a merge)."""
        _verdict(ctx, left, right, "negative", analyst, as_json)

    @review.command("unsure")
    def unsure(ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt, as_json: bool = json_opt) -> None:
        """Park the pair: it stays in the queue, marked unsure, and is never merged automatically."""
        _verdict(ctx, left, right, "unsure", analyst, as_json)

    @review.command("show")
    def show(ctx: typer.Context, left: str, right: str, as_json: bool = json_opt) -> None:
        """Both whole entities of a pair, the case subjects among them and every conflict across their union."""
        with user_errors(), store_from(ctx) as store:
            view = _review().pair_view(store, left, right)
        if as_json:
            emit_json(view.to_dict())
            return
        for label, side in (("left", view.left), ("right", view.right)):
            table = Table(title=f"{label}: {side.record} — entity {side.entity}, {len(side.members)} record(s)")
            rows = side.rows()
            for col in rows[0]:
                table.add_column(col)
            for row in rows:
                table.add_row(*row.values())
            console.print(table)
        for line in view.warnings():
            console.print(f"[yellow]{escape(line)}[/yellow]")
        if view.same_entity:
            console.print("The two records are already one entity.")
        for c in view.conflicts:
            kind = "REFUSES ACCEPT" if c in view.blocking else ("inside one side" if not c.across else "shown")
            console.print(f"conflict ({kind}): {escape(c.text())}", highlight=False)
        if not view.conflicts:
            console.print("No conflict across the union.")

    @review.command("merges")
    def merges(
        ctx: typer.Context,
        case: str = typer.Option(None, "--case", help="Only the merges in this case's subjects' entities"),
        as_json: bool = typer.Option(False, "--json", help="JSON lines, one merge each"),
    ) -> None:
        """The merges the resolver made by itself (weakest first), with scorer, score and features."""
        with user_errors(), store_from(ctx) as store:
            rows = _review().auto_merges(store, case)
        if as_json:
            for row in rows:
                emit_json(row)
            return
        table = Table(title=f"automatic merges ({len(rows)})" + (f" of case {case}'s subjects" if case else ""))
        for col in ("left", "right", "names", "scorer", "score", "why", "conflicts"):
            table.add_column(col)
        for row in rows:
            why = ", ".join(f"{k}={v.get('weight')}" for k, v in row["features"].items() if isinstance(v, dict))
            table.add_row(row["left"], row["right"], f"{row['left_name']} / {row['right_name']}", row["scorer"],
                          f"{float(row['score'] or 0):.3f}", why, "; ".join(row["conflicts"]))
        console.print(table)

    @review.command("split")
    def split_cmd(
        ctx: typer.Context, left: str, right: str,
        reason: str = typer.Option(..., "--reason", help="Why the merge is wrong (stored and audited)"),
        supervisor: str = supervisor_opt, users: Path = users_opt, as_json: bool = json_opt,
    ) -> None:
        """Supervisor only: undo one merge (a negative judgement between its two records)."""
        state = state_from(ctx)
        with user_errors(ValueError), store_from(ctx) as store:
            who = _supervisor(supervisor, users, "split a merge")
            done = _review().split(store, left, right, who, reason, state.settings)
        if as_json:
            emit_json({"left": done.left, "right": done.right, "user": who, "resolution": done.report.to_dict()})
        else:
            console.print(f"split by {who}: {left} now in {len(done.left)} record(s), {right} in {len(done.right)}",
                          markup=False)

    @review.command("retract")
    def retract_cmd(ctx: typer.Context, left: str, right: str, analyst: str = analyst_opt) -> None:
        """Withdraw the verdicts on a pair (soft delete): the scorer's view applies again."""
        state = state_from(ctx)
        with store_from(ctx) as store:
            n = _review().retract(store, left, right, analyst or state.user, state.settings)
        console.print(f"retracted {n} judgement(s) on {left} / {right}")

    @cli.command("entities")
    def entities_cmd(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="JSON lines: entity_id, kind, name, records"),
        kind: str = typer.Option(None, "--kind", help="Only this entity kind (Person, Company, ...)"),
    ) -> None:
        """The resolved entities: each with the source records it was derived from."""
        with store_from(ctx) as store:
            rows = list(_review().entities(store, kind))
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
