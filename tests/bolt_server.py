"""A Bolt server for tests: ArcadeDB (from ``arcadedb-embedded``) with its Bolt plugin, or a real Neo4j.

Why a child process: the JVM that ArcadeDB runs in keeps the Python interpreter alive after
``stop()``, so the server runs in its own interpreter, started with ``subprocess`` and killed at
teardown. The parent talks to it over a line protocol on the child's stdin/stdout::

    parent -> child   create NAME        child -> parent   ok NAME | err MESSAGE
    (stdin closed)                       child exits (so a crashed test run never leaks a JVM)

Usage from a conftest (session-scoped server, one fresh database per test)::

    server = start_bolt_server(tmp_path_factory.mktemp("bolt"))   # once per session
    database = server.new_database()                               # per test: empty database
    store = Neo4jStore(server.uri, server.user, server.password, database)
    ...
    server.stop()

When ``NEO4J_URI`` is set, :func:`start_bolt_server` starts nothing and returns a server that
points at that Neo4j; ``new_database()`` then wipes every node of the configured database
(Neo4j Community has one user database) and returns its name, so isolation is "empty per test".
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["BoltServer", "start_bolt_server", "bolt_server_from_env", "fresh_store"]

BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
START_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BoltServer:
    """Where the test Bolt server listens, and how to get an empty database on it."""

    uri: str
    user: str
    password: str
    database: str | None = None
    start_seconds: float = 0.0
    process: subprocess.Popen[str] | None = field(default=None, repr=False)
    _counter: int = field(default=0, repr=False)
    create_seconds: list[float] = field(default_factory=list, repr=False)

    @property
    def is_arcadedb(self) -> bool:
        return self.process is not None

    def new_database(self, name: str | None = None) -> str:
        """An empty database: a new ArcadeDB database, or the Neo4j one with every node wiped."""
        if self.process is None:
            return self._wipe_neo4j()
        self._counter += 1
        name = name or f"t{os.getpid()}_{self._counter}_{secrets.token_hex(3)}"
        began = time.perf_counter()
        reply = self._command(f"create {name}")
        if reply != f"ok {name}":
            raise RuntimeError(f"ArcadeDB could not create database {name!r}: {reply}")
        self.create_seconds.append(time.perf_counter() - began)
        return name

    def _command(self, line: str) -> str:
        assert self.process is not None and self.process.stdin and self.process.stdout
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return _read_reply(self.process.stdout, self.process, timeout=60)

    def _wipe_neo4j(self) -> str:
        from neo4j import GraphDatabase

        with GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver, \
                driver.session(database=self.database) as session:
            # Auto-commit, as CALL ... IN TRANSACTIONS requires; schema (constraints) is kept.
            session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        return self.database or "neo4j"

    def stop(self) -> None:
        """Kill the ArcadeDB child (closing stdin first lets it exit cleanly); no-op for Neo4j."""
        proc, self.process = self.process, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(timeout=10)
        finally:
            if proc.stdout:
                proc.stdout.close()


def _read_reply(stdout: IO[str], proc: subprocess.Popen[str], timeout: float) -> str:
    """The next protocol line from the child (JVM log lines on stdout are skipped)."""
    import selectors

    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("ArcadeDB child did not answer in time")
            if not sel.select(left):
                continue
            line = stdout.readline()
            if not line:
                raise RuntimeError(f"ArcadeDB child exited (rc={proc.poll()})")
            if line.startswith("@@ "):
                return line[3:].strip()


def _wait_for_bolt(uri: str, user: str, password: str, database: str, timeout: float) -> None:
    """Block until a Bolt session can run a query (the plugin binds after the HTTP server)."""
    from neo4j import GraphDatabase

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with GraphDatabase.driver(uri, auth=(user, password)) as driver, \
                    driver.session(database=database) as session:
                session.run("RETURN 1 AS x").consume()
            return
        except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
            if type(exc).__name__ == "AuthError":
                # our server has our password: another server took the port between our pick and bind
                raise PortTaken(f"Bolt at {uri} is someone else's server: {exc!r}") from exc
            last = exc
            time.sleep(0.2)
    raise TimeoutError(f"Bolt at {uri} did not answer: {last!r}")


def bolt_server_from_env(environ: dict[str, str] | None = None) -> BoltServer | None:
    """A :class:`BoltServer` for the real Neo4j named by ``NEO4J_URI``, or None when unset."""
    env = os.environ if environ is None else environ
    uri = env.get("NEO4J_URI")
    if not uri:
        return None
    return BoltServer(uri=uri, user=env.get("NEO4J_USER", "neo4j"), password=env.get("NEO4J_PASSWORD", ""),
                      database=env.get("NEO4J_DATABASE") or None)


class PortTaken(RuntimeError):
    """The port we picked was bound by another server before ours could take it."""


def start_bolt_server(root_dir: str | os.PathLike[str], *, verbose: bool = True, attempts: int = 3) -> BoltServer:
    """Start ArcadeDB + Bolt in a child process under ``root_dir`` (or use ``NEO4J_URI``).

    Returns once a Bolt query has succeeded. The measured start time is printed and kept in
    ``start_seconds``. Call :meth:`BoltServer.stop` at teardown. Free ports are picked, released
    and then bound by the server, so another process can take one in between: that start is
    abandoned and tried again on new ports.
    """
    from_env = bolt_server_from_env()
    if from_env is not None:
        return from_env
    for attempt in range(1, attempts + 1):
        try:
            return _start_once(Path(root_dir) / f"try{attempt}", verbose)
        except PortTaken:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _start_once(root_dir: Path, verbose: bool) -> BoltServer:
    root = Path(root_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    password = "test-" + secrets.token_hex(8)
    bolt_port, http_port = _free_port(), _free_port()
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", str(root / "databases"), password,
         str(bolt_port), str(http_port)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1,
        cwd=root,  # ArcadeDB writes ./log relative to the working directory
    )
    server = BoltServer(uri=f"bolt://127.0.0.1:{bolt_port}", user="root", password=password, process=proc)
    try:
        reply = _read_reply(proc.stdout, proc, timeout=START_TIMEOUT)  # type: ignore[arg-type]
        if reply != "ready":
            raise RuntimeError(f"ArcadeDB did not start: {reply}")
        probe = server.new_database("startup_probe")
        _wait_for_bolt(server.uri, server.user, password, probe, timeout=START_TIMEOUT)
    except BaseException:
        server.stop()
        raise
    server.start_seconds = time.perf_counter() - began
    if verbose:
        print(f"[bolt_server] ArcadeDB+Bolt ready at {server.uri} in {server.start_seconds:.1f}s",
              file=sys.stderr)
    return server


def fresh_store(server: BoltServer, name: str | None = None) -> Any:
    """A :class:`graph.neo4j_store.Neo4jStore` on an empty database of ``server`` (close it after)."""
    from graph.neo4j_store import Neo4jStore

    database = server.new_database(name)
    if not server.is_arcadedb:
        database = server.database  # type: ignore[assignment]  # None: the server's default
    return Neo4jStore(server.uri, server.user, server.password, database)


# --- the child ------------------------------------------------------------------------------
def _say(text: str) -> None:
    sys.stdout.write(f"@@ {text}\n")
    sys.stdout.flush()


def _serve(root_path: str, password: str, bolt_port: int, http_port: int) -> None:
    """Run in the child: start the server, then create databases on request until stdin closes."""
    from arcadedb_embedded.server import ArcadeDBServer  # type: ignore[import-untyped]

    config: dict[str, Any] = {"server_plugins": BOLT_PLUGIN, "bolt_port": bolt_port, "http_port": http_port,
                              "host": "127.0.0.1"}
    try:
        server = ArcadeDBServer(root_path=root_path, root_password=password, config=config,
                                jvm_kwargs={"heap_size": "1g"})
        server.start()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        _say(f"err {exc!r}".replace("\n", " "))
        os._exit(1)
    _say("ready")
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        try:
            if cmd == "create":
                server.create_database(arg)
                _say(f"ok {arg}")
            else:
                _say(f"err unknown command {cmd!r}")
        except Exception as exc:  # noqa: BLE001
            _say(f"err {exc!r}".replace("\n", " "))
    # stdin closed: the parent is done (or gone). stop() may hang on JVM threads, so a timer
    # guarantees the exit, and os._exit skips the JVM's hold on the interpreter.
    threading.Timer(5.0, os._exit, (0,)).start()
    try:
        server.stop()
    finally:
        os._exit(0)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        srv = start_bolt_server(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bolt-server-demo")
        t = time.perf_counter()
        db = srv.new_database()
        print(f"start {srv.start_seconds:.2f}s, create database {time.perf_counter() - t:.2f}s ({db})")
        srv.stop()
