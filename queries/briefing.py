"""NECC briefing packs: one case, or the top N of the last revisit sweep, as PDF, DOCX or Markdown.

The three formats carry the same content because they render one *section model* built here:
a document is a marking, a title, date and author, a list of sections (each a list of blocks:
paragraphs, tables, bullet lists, an image, a page break) and numbered source footnotes. Every
figure in a table carries a footnote number ``[n]`` that points at the exhibit, file and row
the case report's evidence names. Markdown is rendered by the Jinja2 template
``templates/briefing.md.j2``; :mod:`queries.briefing_pdf` (fpdf2) and
:mod:`queries.briefing_docx` (python-docx) walk the same blocks. The marking
OFFICIAL-SENSITIVE is on every page (PDF/DOCX header and footer; top and bottom of the .md).

Nothing here decides anything: actions are *recommendations* with the power behind each.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.settings import MARKING, Settings
from graph.store import Store
from queries.briefing_actions import recommended_actions
from queries.briefing_case import case_brief_model, case_chart
from queries.briefing_notes import Footnotes, place
from queries.finding import gbp_text
from queries.revisit import last_sweep, sweep

__all__ = ["MARKING", "Footnotes", "case_brief_model", "tasking_model", "render", "write_case_brief",
           "write_tasking_pack", "FORMATS"]

FORMATS = (".pdf", ".docx", ".md")


def tasking_model(store: Store, top: int, settings: Settings | None = None, author: str = "assetgraph",
                  on: date | str | None = None, chart_dir: str | Path | None = None) -> dict[str, Any]:
    """The tasking-meeting pack: portfolio figures, a summary table of the top N cases of the last
    sweep (a sweep is run and recorded first if there is none), then one page per case."""
    settings = settings or Settings()
    result = last_sweep(store) or sweep(store, settings, on=on)
    ranked = result["ranked"][:top]
    notes = Footnotes()
    everything = result["ranked"] + result["apart"]
    collected = sum((e["figures"]["paid"] or 0) for e in everything)
    owed = sum((e["figures"]["outstanding_with_interest"] or 0) for e in everything)
    by_area: dict[str, list[float]] = {}
    for e in result["ranked"]:
        area = " / ".join(x for x in (e.get("force"), e.get("region")) if x) or "not recorded"
        row = by_area.setdefault(area, [0, 0.0, 0.0, 0.0])
        row[0] += 1
        row[1] += e["figures"]["paid"] or 0
        row[2] += e["figures"]["outstanding_with_interest"] or 0
        row[3] += e["potential"]
    sections = [{"title": "Portfolio", "blocks": [
        {"type": "para", "text": f"Sweep {result['sweep_id']} as at {result['on']}: {result['cases']} cases, "
                                 f"{result['cases_swept']} swept, {result['hits']} hits, "
                                 f"{result['new_hits_since_last_sweep']} new since the previous sweep; "
                                 f"{len(result['apart'])} listed apart (deceased / unable to proceed)."},
        {"type": "table", "headers": ["Figure", "Value"], "rows": [
            ["Collected (paid on all orders)", gbp_text(collected)],
            ["Outstanding with s.12 interest", gbp_text(owed)],
            ["Revisit yield (sum of recoverable potential)", gbp_text(sum(e["potential"] for e in result["ranked"]))]]},
        {"type": "table", "headers": ["Force / region", "Cases", "Collected", "Outstanding (s.12)", "Revisit yield"],
         "rows": [[k, str(v[0]), gbp_text(v[1]), gbp_text(v[2]), gbp_text(v[3])]
                  for k, v in sorted(by_area.items())]}]}]
    sections.append({"title": f"Top {len(ranked)} cases", "blocks": [
        {"type": "table", "headers": ["#", "Case", "Status", "Potential", "Capacity", "Hits", "Reason"],
         "rows": [[str(e["rank"]), e["case_id"], e["status"], gbp_text(e["potential"]),
                   gbp_text(e["figures"]["capacity"]), str(len(e["hits"])), e["reason"]] for e in ranked]}]})
    if result["apart"]:
        sections.append({"title": "Listed apart (not ranked)", "blocks": [
            {"type": "table", "headers": ["Case", "Status", "Outstanding (s.12)", "Headroom (s.22)"],
             "rows": [[e["case_id"], e["status"], gbp_text(e["figures"]["outstanding_with_interest"]),
                       gbp_text(e["figures"]["headroom"])] for e in result["apart"]]}]})
    for e in ranked:
        f = e["figures"]
        src = notes.cite({"citation": f.get("citation"), "file": f.get("file"), "row": f.get("row")})
        blocks: list[dict[str, Any]] = [{"type": "pagebreak"}, {"type": "para", "text": e["reason"]},
                                        {"type": "table", "headers": ["Figure", "Value", "Rule", "Source"], "rows": [
            ["Order made / due", f"{f['order_date']} / {f['due']}", "s.11", src],
            ["Amount / paid", f"{gbp_text(f['amount'])} / {gbp_text(f['paid'])}", "", src],
            ["Outstanding with interest", gbp_text(f["outstanding_with_interest"]), "s.12", src],
            ["Headroom", gbp_text(f["headroom"]), "s.22", src]]}]
        blocks.append({"type": "table", "headers": ["Asset", "Route", "Acquired", "Value × share", "Where", "Counts",
                                                    "Source"],
                       "rows": [[f"{h['name']} ({h['asset']})", h["route"], h["acquired"] or "–",
                                 gbp_text(h["recoverable"]), f"{place(h['territory'])} w {h['weight']:g}",
                                 gbp_text(h["contribution"]), notes.cite(h["evidence"])] for h in e["hits"][:8]]})
        chart = None
        if chart_dir is not None:
            chart = case_chart(store, e["case_id"], None, e, Path(chart_dir) / f"{e['case_id'].replace('/', '_')}.png")
        if chart:
            blocks.append({"type": "image", "path": str(chart), "caption": "Key chains to the new assets."})
        blocks.append({"type": "bullets", "items": [f"{a['action']} — {a['power']}: {a['why']}"
                                                     for a in recommended_actions(None, e)]})
        sections.append({"title": f"{e['rank']}. {e['case_id']}", "blocks": blocks})
    return {"marking": MARKING, "title": f"Tasking-meeting pack: top {len(ranked)} revisit cases",
            "subtitle": "NECC tasking (POCA 2002)", "date": result["on"],
            "author": author, "sections": sections, "footnotes": notes.items,
            "note": "Findings are candidates for an analyst; the Crown Court decides."}


def render(model: dict[str, Any], out: str | Path) -> Path:
    """Write ``model`` in the format named by ``out``'s extension (.pdf, .docx, .md)."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidRecord(f"briefing format must be one of {', '.join(FORMATS)}, not {suffix or 'none'!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".md":
        from queries.briefing_md import render_markdown
        path.write_text(render_markdown(model, path.parent), encoding="utf-8")
    elif suffix == ".docx":
        from queries.briefing_docx import render_docx
        render_docx(model, path)
    else:
        from queries.briefing_pdf import render_pdf
        render_pdf(model, path)
    return path


def _chart_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}_chart.png")


def write_case_brief(store: Store, case_id: str, out: str | Path, author: str = "assetgraph",
                     settings: Settings | None = None, on: date | str | None = None) -> Path:
    """Build and write one case's pack; the chart PNG is written beside it (and embedded)."""
    out = Path(out)
    model = case_brief_model(store, case_id, settings, author, on, _chart_path(out))
    return render(model, out)


def write_tasking_pack(store: Store, top: int, out: str | Path, author: str = "assetgraph",
                       settings: Settings | None = None, on: date | str | None = None) -> Path:
    """Build and write the top-N tasking-meeting pack (charts in ``<stem>_charts/``)."""
    out = Path(out)
    model = tasking_model(store, top, settings, author, on, out.with_name(f"{out.stem}_charts"))
    return render(model, out)
