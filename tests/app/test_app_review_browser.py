"""In a real browser (Debian's chromium through playwright): the review page refuses an innocent merge.

OP-REVIEW-01: the queued pair S2 / M1 looks harmless (S2 has no date of birth), but S2 is
already merged with the subject S1, born 1984, and M1 was born in 1962. An analyst signs in,
opens Resolution review, and must see both whole entities, the subject, the two dates and a
disabled Accept. The clicks and seconds it took are printed to the test log; any request to a
non-local address fails the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_support import CASE, M1, PASSWORDS, S1, S2, make_review_db, write_review_users
from test_app_browser import ARGS, CHROMIUM, LAUNCH, SHOTS, _free_port, _is_remote, _open, _wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def review_server(tmp_path: Path) -> Iterator[str]:
    """``assetgraph app`` on OP-REVIEW-01 with the review users (no demo account)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI: scripts/setup.sh must apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs this test")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is in the app extra")
    db = make_review_db(tmp_path / "review.db", tmp_path / "q")
    users = write_review_users(tmp_path / "users.toml")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    with (tmp_path / "app.log").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "--db", str(db), "app", "--users", str(users),
                                 "--port", str(port)], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            _wait_for(port, proc)
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def test_review_page_refuses_joining_a_man_born_1962_to_the_subject_born_1984(
        review_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    clicks = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1800})
        page.on("request", lambda r: outside.append(r.url) if _is_remote(r.url) else None)
        page.set_default_timeout(20_000)
        page.goto(review_server)
        started = time.monotonic()
        page.get_by_label("User name").fill("ana")
        page.get_by_role("textbox", name="Password").fill(PASSWORDS["ana"])
        page.get_by_role("button", name="Sign in").click()
        clicks += 1
        expect(page.get_by_text("Signed in as")).to_be_visible()
        _open(page, "Resolution review")
        clicks += 1
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("Accepting is refused")).to_be_visible()
        refusal = main.get_by_test_id("stAlertContentError").first.inner_text()
        assert f"{M1} 1962-11-02 vs {S1} 1984-03-15" in refusal
        expect(main.get_by_text(f"Accepting joins {M1} (Daniel ASHWORTH) to SUBJECT {S1}")).to_be_visible()
        expect(main.get_by_text(f"SUBJECT of case {CASE}: {S1}")).to_be_visible()
        expect(main.get_by_text(f"entity {S1}: 2 record(s)")).to_be_visible()
        expect(page.get_by_role("button", name="Accept (same)")).to_be_disabled()
        expect(page.get_by_role("button", name="Reject (different)")).to_be_enabled()
        expect(main.get_by_text("Only a supervisor can override")).to_be_visible()
        seconds = round(time.monotonic() - started, 2)
        cells = main.get_by_test_id("stDataFrame").locator("[role=gridcell]")
        for text in (S2, "1962-11-02", "1984-03-15"):  # the grids draw their cells after the page settles
            expect(cells.filter(has_text=text).first).to_be_attached()
        page.screenshot(path=str(SHOTS / "review-refused.png"), full_page=True)
        browser.close()
    with capsys.disabled():
        print("\nreview refusal in the browser: " + json.dumps({"clicks": clicks, "seconds": seconds}))
    assert not outside, f"the app asked for non-local addresses: {sorted(set(outside))[:10]}"
