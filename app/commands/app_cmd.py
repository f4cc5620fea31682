"""``assetgraph app``: start the Streamlit app on the configured store (loopback, no telemetry).

The store reaches the Streamlit process through the environment (``ASSETGRAPH_DB`` /
``NEO4J_*``, read by ``graph.settings``), the users file through the script's own arguments.
``--demo`` loads the demo case first, makes a one-off demo account and prints its password.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import typer

from app.commands.common import console, state_from, store_from
from graph.settings import StoreTarget

__all__ = ["register", "streamlit_command", "prepare_demo", "store_environment"]

APP_SCRIPT = Path(__file__).resolve().parents[1] / "streamlit_app.py"
DEMO_BUNDLE = Path(__file__).resolve().parents[2] / "ingest" / "demo" / "OP-DEMO-01"


def streamlit_command(port: int, address: str, users: Path | None, demo: bool) -> list[str]:
    """The ``streamlit run`` line: headless, loopback, usage statistics off, no dev tools."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
           "--server.port", str(port), "--server.address", address, "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
           "--client.toolbarMode", "minimal", "--server.fileWatcherType", "none",
           "--theme.base", "light", "--"]
    if users is not None:
        cmd += ["--users", str(users)]
    if demo:
        cmd.append("--demo")
    return cmd


def store_environment(target: StoreTarget) -> dict[str, str]:
    """Environment variables that make ``graph.settings.store_target_from_env`` name ``target``."""
    env = {"ASSETGRAPH_DB": os.path.abspath(target.db)}
    for name, value in (("NEO4J_URI", target.neo4j_uri), ("NEO4J_USER", target.neo4j_user),
                        ("NEO4J_PASSWORD", target.neo4j_password), ("NEO4J_DATABASE", target.neo4j_database)):
        if value:
            env[name] = value
    return env


def prepare_demo(store: object, resolve: bool = True) -> dict[str, object]:
    """Load the demo bundle, and resolve its records when the resolver is there."""
    from ingest.bundle import load_bundle

    report = load_bundle(store, DEMO_BUNDLE, Path(tempfile.gettempdir()) / "assetgraph-quarantine")  # type: ignore[arg-type]
    out: dict[str, object] = {"loaded": report.loaded, "quarantined": report.quarantined}
    if resolve:
        try:
            from ingest.resolve import resolve_after_load
        except ImportError:
            return out
        out["resolution"] = resolve_after_load(store)  # type: ignore[arg-type]
    return out


def register(cli: typer.Typer) -> None:
    @cli.command("app")
    def app_cmd(
        ctx: typer.Context,
        port: int = typer.Option(8501, "--port", help="Port to serve on"),
        address: str = typer.Option("127.0.0.1", "--address", help="Address to bind (loopback by default)"),
        users: Path = typer.Option(None, "--users", help="Users file (TOML, scrypt hashes); see app/auth.py"),
        demo: bool = typer.Option(False, "--demo", help="Load the demo case and enable a demo account"),
        demo_password: str = typer.Option(None, "--demo-password", help="Demo account password (default random)"),
        no_resolve: bool = typer.Option(False, "--no-resolve", help="In demo mode, skip entity resolution"),
    ) -> None:
        """Start the analysts' web app on the configured store (Ctrl-C stops it)."""
        state = state_from(ctx)
        env = {**os.environ, **store_environment(state.target)}
        if demo:
            with store_from(ctx) as store:
                loaded = prepare_demo(store, resolve=not no_resolve)
            res = loaded.get("resolution") or {}
            console.print(f"demo case OP-DEMO-01 loaded into {state.target.neo4j_uri or state.target.db}: "
                          f"{loaded['loaded']} records ({loaded['quarantined']} quarantined)"
                          + (f"; resolution merged {res.get('merged')}, {res.get('review')} to review" if res else ""),
                          markup=False)
            from app.auth import demo_users, write_users

            password = demo_password or secrets.token_urlsafe(9)
            handle, name = tempfile.mkstemp(prefix="assetgraph-demo-users-", suffix=".toml")
            os.close(handle)
            write_users(name, demo_users(password))
            users = Path(name)
            console.print(f"demo sign-in: user [bold]demo[/bold] password [bold]{password}[/bold]", markup=True)
        console.print(f"assetgraph app on http://{address}:{port}/", markup=False)
        proc = subprocess.Popen(streamlit_command(port, address, users, demo), env=env)
        # Stopping this command (Ctrl-C, or SIGTERM from a supervisor) stops the server with it.
        signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            code = proc.wait()
        finally:
            if demo and users is not None:
                users.unlink(missing_ok=True)  # the demo account lives only as long as this run
        raise typer.Exit(code)
