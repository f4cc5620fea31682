"""End to end in a real browser: Debian's chromium driven by playwright (never a downloaded browser).

Starts ``assetgraph app --demo`` on a free port, signs in, opens each page, checks the demo
case's tainted gifts are shown, saves a screenshot of every page under
``test-output/screenshots/`` and fails if the page asks for anything that is not local
(a CDN script, a web font, telemetry): the app must work on a closed network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = {"127.0.0.1", "localhost", "::1", ""}
PASSWORD = "browser-test-pw"
# Start `assetgraph app` whether or not app/cli.py lists app.commands.app_cmd yet.
LAUNCH = ("from app.cli import cli\nfrom app.commands import app_cmd\n"
          "if 'app' not in [c.name for c in cli.registered_commands]: app_cmd.register(cli)\ncli()")

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"assetgraph app exited early ({proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("assetgraph app did not start in time")


@pytest.fixture
def app_server(tmp_path: Path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI: scripts/setup.sh must apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs this test")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is in the app extra")
    port = _free_port()
    log = (tmp_path / "app.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--db", str(tmp_path / "demo.db"), "app", "--demo", "--port", str(port),
         "--demo-password", PASSWORD], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        _wait_for(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:  # the command forwards SIGTERM to streamlit; the process group catches any straggler
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_demo_case_in_a_real_browser(app_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("request", lambda r: outside.append(r.url) if _is_remote(r.url) else None)
        page.set_default_timeout(20_000)
        page.goto(app_server)
        page.get_by_label("User name").fill("demo")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        _shot(page, "home")

        _open(page, "Case")
        expect(page.get_by_text("2015-03-11").first).to_be_visible()
        expect(page.get_by_text("2022-06-17").first).to_be_visible()
        _shot(page, "case")

        _open(page, "Tainted gifts")
        grid = page.get_by_test_id("stDataFrame").first
        expect(grid).to_be_visible()
        page.locator(".js-plotly-plot").first.wait_for()
        cells = " ".join(grid.locator("[role=gridcell]").all_text_contents())
        for text in ("T3", "T13", "T14", "0.6667", "285,567.36", "320,000.00", "73,590.16"):
            assert text in cells, f"{text} not shown in the tainted-gifts table"
        _shot(page, "gifts")
        readme_shot = ROOT / "docs" / "screenshot.png"
        if os.environ.get("ASSETGRAPH_UPDATE_SCREENSHOT") == "1" or not readme_shot.exists():
            readme_shot.parent.mkdir(exist_ok=True)
            shutil.copy(SHOTS / "gifts.png", readme_shot)

        with page.expect_download() as download:  # the export carries the marking and is audited
            page.get_by_role("button", name="Download tainted gifts").click()
        first_line = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
        assert first_line == "OFFICIAL-SENSITIVE"

        for title, wait in (("Network", "iframe"), ("Overseas holdings", ".js-plotly-plot"),
                            ("Money flow", "[data-testid=stDataFrame]"),
                            ("Resolution review", "[data-testid=stDataFrame]"),
                            ("Search", "input"), ("Revisit", "[data-testid=stButton]"),
                            ("Briefing", "[data-testid=stImage]"),
                            ("Audit log", "[data-testid=stDataFrame]")):  # last: the audit check below reads it
            _open(page, title)
            page.locator(wait).first.wait_for()
            page.wait_for_timeout(1500 if title == "Network" else 0)  # let the graph lay itself out
            _shot(page, title.lower().replace(" ", "-"))
        cells = page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]")
        cells.first.wait_for(state="attached")
        grid = " ".join(cells.all_text_contents())
        assert "export" in grid, "the CSV download was not written to the audit log"
        browser.close()
    assert not outside, f"the app asked for non-local addresses: {sorted(set(outside))[:10]}"


def _is_remote(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme not in ("data", "blob", "about", "chrome", "chrome-extension") and \
        (parsed.hostname or "") not in LOCAL


def _open(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.locator("h1").filter(has_text=title).first.wait_for()
    page.wait_for_function(  # the script has finished: no placeholder or stale element left
        "() => !document.querySelector('[data-testid=stSkeleton], [data-stale=true], [data-testid=stStatusWidget]')")
    page.wait_for_timeout(300)


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
