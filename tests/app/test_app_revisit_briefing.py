"""AppTest tests of the Revisit and Briefing pages on the demo case, and the audited pack downloads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from app_support import run_page

from app.auth import User
from app.briefing_export import case_pack, deferred_download, pack_bytes, preview_markdown, tasking_pack
from graph.errors import NotAllowed, RuleNotApplicable
from graph.sqlite_store import SQLiteStore
from queries.revisit import sweep


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _frame(at, key: str):
    """The table whose CSV button has ``key`` (show_table keys its button ``<key>-csv``) — by position."""
    return at.dataframe[key].value


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _record_sweep(db: Path) -> None:
    with SQLiteStore(db) as store:
        sweep(store)


@pytest.mark.parametrize("page", ["revisit", "briefing"])
def test_pages_refuse_an_anonymous_visitor(db: Path, page: str) -> None:
    at = run_page(page, role=None)
    assert any("Sign in" in w.value for w in at.warning)
    assert not at.dataframe and not at.get("download_button") and not at.button


def test_revisit_sweep_finds_apartment_2703_and_is_audited(db: Path) -> None:
    at = run_page("revisit")
    _ok(at)
    assert any("No sweep" in i.value for i in at.info)
    at.button(key="revisit-run").click().run()
    _ok(at)
    assert any("Sweep 1 recorded" in s.value for s in at.success)
    assert "OFFICIAL-SENSITIVE" in " ".join(c.value for c in at.caption)
    cases, hits, history = at.dataframe[0].value, at.dataframe[1].value, at.dataframe[-1].value
    assert list(cases["case"]) == ["OP-DEMO-01"] and cases.iloc[0]["rank"] == 1
    assert "s.22 headroom" in cases.iloc[0]["reason"] and "s.12 interest" in cases.iloc[0]["reason"]
    pr6 = hits.set_index("asset").loc["PR6"]
    assert pr6["name"] == "Apartment 2703, 3 bed" and pr6["class"] == "foreign" and pr6["territory"] == "AE"
    assert pr6["effective share"] == "0.2500" and pr6["value £"] == "430,000.00"
    assert pr6["chain"] == "P1 ← P4 (holds for him) → C2 → C3 → PR6"
    assert pr6["new since last sweep"] == "no"  # the first sweep has nothing to compare with
    assert len(history) == 1 and history.iloc[0]["hits"] == 1
    assert any("OFFICIAL-SENSITIVE" in b.label for b in at.get("download_button"))
    at.button(key="revisit-run").click().run()  # a second sweep: history grows, nothing is new
    _ok(at)
    assert list(at.dataframe[-1].value["sweep"]) == [2, 1]
    assert at.dataframe[1].value.iloc[0]["new since last sweep"] == "no"
    with SQLiteStore(db) as store:
        sweeps = [e for e in store.audit_log(user="analyst1") if e.action == "sweep"]
    by_id = {e.detail["sweep_id"]: e.detail for e in sweeps}
    assert sorted(by_id) == [1, 2] and by_id[1]["hits"] == 1 and by_id[2]["new_hits_since_last_sweep"] == 0


def test_a_viewer_reads_the_last_sweep_but_cannot_run_or_export(db: Path) -> None:
    _record_sweep(db)
    at = run_page("revisit", role="viewer")
    _ok(at)
    assert not at.button and not at.get("download_button")
    assert "PR6" in set(at.dataframe[1].value["asset"])
    at.checkbox(key="revisit-new-only").check().run()
    assert at.dataframe[1].value.empty


def test_briefing_preview_for_the_demo_case(db: Path) -> None:
    at = run_page("briefing")
    _ok(at)
    text = _markdown(at)
    for wanted in ("OFFICIAL-SENSITIVE", "Overseas holdings", "T13", "Apartment 2703", "Author: Test analyst",
                   "s.22", "## Sources"):
        assert wanted in text, wanted
    assert at.get("image"), "the network chart is shown"
    labels = [b.label for b in at.get("download_button")]
    assert [label.split(" ")[0] for label in labels] == ["PDF", "DOCX", "MD"]
    assert all("OFFICIAL-SENSITIVE" in label for label in labels)
    at.text_input(key="brief-author").input("DC Jones").run()
    assert "Author: DC Jones" in _markdown(at)


def test_a_viewer_sees_the_preview_but_no_download(db: Path) -> None:
    at = run_page("briefing", role="viewer")
    _ok(at)
    assert "Overseas holdings" in _markdown(at)
    assert not at.get("download_button")
    assert any("cannot export" in c.value for c in at.caption)


def test_tasking_pack_needs_a_recorded_sweep(db: Path) -> None:
    at = run_page("briefing", state={"brief-mode": "Top N of the last sweep"})
    _ok(at)
    assert any("No revisit sweep" in i.value for i in at.info) and not at.get("download_button")
    _record_sweep(db)
    at = run_page("briefing", state={"brief-mode": "Top N of the last sweep"})
    _ok(at)
    text = _markdown(at)
    assert "Tasking-meeting pack: top 1" in text and "OP-DEMO-01" in text and "OFFICIAL-SENSITIVE" in text
    assert len(at.get("download_button")) == 3


def test_downloads_are_audited_and_carry_the_marking(db: Path) -> None:
    docx = pytest.importorskip("docx")
    analyst, viewer = User("analyst1", "Test analyst", "analyst"), User("viewer1", "Test viewer", "viewer")
    with SQLiteStore(db) as store:
        pack = case_pack(store, "OP-DEMO-01", "Test analyst")
        assert pack[1], "the chart is kept as bytes"
        with pytest.raises(NotAllowed):
            deferred_download(store, viewer, pack, ".pdf", {"case_id": "OP-DEMO-01"})
        made = {fmt: deferred_download(store, analyst, pack, fmt, {"case_id": "OP-DEMO-01"})()
                for fmt in (".pdf", ".docx", ".md")}
        exports = sorted((e.detail for e in store.audit_log(user="analyst1") if e.action == "export"),
                         key=lambda d: d["format"])
        with pytest.raises(RuleNotApplicable):
            tasking_pack(store, 3, "x")  # no sweep recorded: the app must not run one for the user
    assert [(d["kind"], d["format"], d["case_id"], d["marking"]) for d in exports] == [
        ("briefing", f, "OP-DEMO-01", "OFFICIAL-SENSITIVE") for f in ("docx", "md", "pdf")]
    assert made[".pdf"].startswith(b"%PDF")
    document = docx.Document(io.BytesIO(made[".docx"]))
    assert any("Overseas holdings" in p.text for p in document.paragraphs)
    md = made[".md"].decode("utf-8")
    assert md.startswith("**OFFICIAL-SENSITIVE**") and "T13" in md and "](data:image/png;base64," in md
    assert "](data:" not in preview_markdown(pack) and "Overseas holdings" in preview_markdown(pack)
    assert pack_bytes(pack, "md") == made[".md"]
