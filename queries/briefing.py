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

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from graph.errors import AssetGraphError, InvalidRecord, RuleNotApplicable
from graph.model import make_id
from graph.settings import MARKING, Settings
from graph.store import Store
from graph.territory import territory_name
from queries.briefing_actions import recommended_actions
from queries.dates import as_date
from queries.holdings import chain_text
from queries.network_chart import draw_chart
from queries.report import case_report, gbp_text
from queries.revisit import last_sweep, sweep, sweep_case

__all__ = ["MARKING", "Footnotes", "case_brief_model", "tasking_model", "render", "write_case_brief",
           "write_tasking_pack", "FORMATS"]

FORMATS = (".pdf", ".docx", ".md")


class Footnotes:
    """Numbered sources: the same exhibit row cited twice keeps one number."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, evidence: dict[str, Any] | None) -> int | None:
        if not evidence:
            return None
        cite = evidence.get("citation") or ""
        dataset = evidence.get("dataset") or next((s.get("dataset") for s in evidence.get("sources") or []), None)
        where = ""
        if evidence.get("file"):
            where = f"{dataset + ': ' if dataset else ''}{evidence['file']}"
            where += f" row {evidence['row']}" if evidence.get("row") is not None else ""
        if cite in (evidence.get("file"), where):
            cite = ""
        text = cite if not where or where in cite else (f"{cite} — {where}" if cite else where)
        if not text:
            return None
        if text not in self._index:
            self.items.append(text)
            self._index[text] = len(self.items)
        return self._index[text]

    def cite(self, evidence: Iterable[dict[str, Any]] | dict[str, Any] | None) -> str:
        """``"[1, 4]"`` for the evidence given (one item or a list), or ``""``."""
        items = [evidence] if isinstance(evidence, dict) else list(evidence or [])
        numbers = sorted({n for n in (self.add(e) for e in items) if n is not None})
        return f"[{', '.join(str(n) for n in numbers)}]" if numbers else ""

def _place(code: str | None) -> str:
    if not code:
        return "unknown"
    try:
        return f"{territory_name(code)} ({code})"
    except InvalidRecord:
        return code


def _prov_evidence(store: Store, ids: Iterable[str]) -> list[dict[str, Any]]:
    out = []
    for entity in store.get_entities(list(ids)):
        for p in entity.provenance:
            out.append({"citation": p.citation(), "file": p.file, "row": p.row, "dataset": p.dataset})
    return out


def _safe_report(store: Store, case_id: str, settings: Settings) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return case_report(store, case_id, settings), None
    except RuleNotApplicable as exc:
        return None, str(exc)


def _safe_entry(store: Store, case_id: str, settings: Settings, day: date) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return sweep_case(store, case_id, settings, day), None
    except AssetGraphError as exc:
        return None, str(exc)


def _summary_rows(case: dict[str, Any], report: dict[str, Any] | None, entry: dict[str, Any] | None,
                  fig_src: str, case_src: str) -> list[list[str]]:
    f = (entry or {}).get("figures") or {}
    r = (report or {}).get("revisit") or {}
    g = f or r
    rows = []
    if g:
        days = (as_date(g.get("valuation_date") or case.get("valuation_date") or date.today())
                - as_date(g["due"])).days if g.get("due") else 0
        rows += [["Order made", g["order_date"], "s.6 confiscation order", fig_src],
                 ["Time to pay ends", g["due"], "s.11", fig_src],
                 ["Benefit found", gbp_text(g.get("benefit")), "s.6, s.7", fig_src],
                 ["Amount ordered", gbp_text(g.get("amount")), "s.7 available amount", fig_src],
                 ["Paid", gbp_text(g.get("paid")), "", fig_src],
                 ["Outstanding", gbp_text(g.get("outstanding")), "", fig_src],
                 [f"Interest ({max(days, 0)} days at the judgment rate)", gbp_text(g.get("interest")), "s.12", fig_src],
                 ["Outstanding with interest", gbp_text(g.get("outstanding_with_interest")), "s.12", fig_src],
                 ["Headroom (benefit − amount ordered)", gbp_text(g.get("headroom")), "s.22", fig_src]]
    if report:
        rows += [["Relevant day", report["relevant_day"], report["relevant_day_rule"], case_src],
                 ["Conviction date", report["conviction_date"] or "–", "s.10(10)", case_src],
                 ["Criminal lifestyle", report["lifestyle"], "s.75", case_src]]
    return rows


def case_brief_model(store: Store, case_id: str, settings: Settings | None = None, author: str = "assetgraph",
                     on: date | str | None = None, chart_path: str | Path | None = None) -> dict[str, Any]:
    """The section model of one case's briefing pack.

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store, or has neither a report nor an order to brief on.
    """
    settings = settings or Settings()
    day = as_date(on) if on is not None else date.today()
    case_entity = store.get_entity(make_id(case_id, "case"))
    if case_entity is None or case_entity.kind != "Case":
        raise RuleNotApplicable(f"no case {case_id!r} in the store")
    case = dict(case_entity.props)
    report, why_no_report = _safe_report(store, case_id, settings)
    entry, why_no_entry = _safe_entry(store, case_id, settings, day)
    if report is None and entry is None:
        raise RuleNotApplicable(f"nothing to brief on for {case_id!r}: {why_no_report}; {why_no_entry}")
    notes = Footnotes()
    provs = [{"citation": p.citation(), "file": p.file, "row": p.row, "dataset": p.dataset}
             for p in case_entity.provenance]
    fig_src = notes.cite(provs[-1:])  # the order figures come from the last source laid over the case
    case_src = notes.cite(provs[:1])
    sections: list[dict[str, Any]] = []

    status = (entry or {}).get("status") or case.get("status") or "active"
    intro = [f"Case {case_id}. Status: {status}."
             + (f" Force: {case['force']}." if case.get("force") else "")
             + (f" Region: {case['region']}." if case.get("region") else ""),
             f"Order figures as at {day.isoformat()}"
             + (f"; s.81 gift values as at the valuation date {report['valuation_date']}." if report else ".")]
    if entry:
        intro.append(f"Revisit ranking: {entry['reason']}.")
    sections.append({"title": "Case summary", "blocks": [
        {"type": "para", "text": t} for t in intro] + [
        {"type": "table", "headers": ["Figure", "Value", "Rule", "Source"],
         "rows": _summary_rows(case, report, entry, fig_src, case_src)}]})

    subjects = (report or entry or {}).get("subjects") or []
    sections.append({"title": "Subjects", "blocks": [{"type": "table", "headers": ["Name", "Records", "Source"],
                     "rows": [[s["name"], ", ".join(s["records"]),
                               notes.cite(_prov_evidence(store, [s["entity_id"]]))] for s in subjects]}]})

    overseas = (report or {}).get("overseas_holdings") or []
    rows = [[h["name"], h["kind"], _place(h["territory"]), h["class"].replace("_", " "), f"{h['effective_share']:.4f}",
             gbp_text(h["value"]) if h["value"] is not None else "–", chain_text(h["chain"], h["evidence"]),
             notes.cite(h["evidence"])]
            for h in overseas]
    sections.append({"title": "Overseas holdings (s.84; enforcement abroad s.74)", "blocks": [
        {"type": "table", "headers": ["Asset", "Kind", "Territory", "Class", "Share", "Value", "Chain", "Source"],
         "rows": rows} if rows else {"type": "para", "text": "None found." if report else f"Not computed:"
                                                                                       f" {why_no_report}"}]})

    gifts = (report or {}).get("tainted_gifts") or []
    rows = [[g["transfer"], g["date"], f"{g['from_name']} → {g['to_name']}", gbp_text(g["value_at_gift"]),
             gbp_text(g["value_now"]), g["value_now_basis"], g["rule"], notes.cite(g["evidence"])] for g in gifts]
    blocks: list[dict[str, Any]] = [{"type": "table", "headers": ["Transfer", "Date", "From → to", "Value at gift",
                                                                 "s.81 value", "Basis", "Rule", "Source"],
                                     "rows": rows}] if rows else [{"type": "para", "text": "None found." if report
                                                                   else f"Not computed: {why_no_report}"}]
    if gifts:
        blocks.append({"type": "para", "text": f"Total of tainted-gift candidates at s.81 value: "
                                               f"{gbp_text(report['tainted_gifts_total_value_now'])} (s.9(1)(b))."})
    sections.append({"title": "Tainted-gift candidates (s.77, s.78, s.81)", "blocks": blocks})

    hits = (entry or {}).get("hits") or []
    rows = [[h["name"], h["kind"], h["route"], h["acquired"] or "–", gbp_text(h["value"]),
             "–" if h["effective_share"] is None else f"{h['effective_share']:.4f}",
             f"{_place(h['territory'])}, weight {h['weight']:g}", "yes" if h["new_since_last_sweep"] else "no",
             notes.cite(h["evidence"])] for h in hits]
    new_ids = ((report or {}).get("revisit") or {}).get("new_assets") or []
    blocks = [{"type": "table", "headers": ["Asset", "Kind", "Route", "Acquired", "Value", "Share", "Where",
                                            "New since last sweep", "Source"], "rows": rows}] if rows else [
        {"type": "para", "text": f"Report: {', '.join(new_ids) or 'none'}." if report else "None found."}]
    blocks += [{"type": "para", "text": h["reason"]} for h in hits[:5]]
    sections.append({"title": "New assets since the order (s.22)", "blocks": blocks})

    chart = _chart(store, case_id, report, entry, chart_path)
    sections.append({"title": "Network chart of the key chains", "blocks": [
        {"type": "image", "path": str(chart), "caption": "Subject on the left; chains of holdings (solid), gifts "
                                                         "(dashed red) and new assets (green)."}
        if chart else {"type": "para", "text": "No chains to draw."}]})

    actions = recommended_actions(report, entry)
    sections.append({"title": "Recommended actions", "blocks": [
        {"type": "table", "headers": ["Action", "Power", "Why"],
         "rows": [[a["action"], a["power"], a["why"]] for a in actions]} if actions else
        {"type": "para", "text": "No action recommended on the figures held."}]})
    warnings = ((report or {}).get("warnings") or []) + (((entry or {}).get("figures") or {}).get("warnings") or [])
    if warnings:
        sections.append({"title": "Warnings", "blocks": [{"type": "bullets", "items": sorted(set(warnings))}]})
    return {"marking": MARKING, "title": f"Briefing: {case_id}", "subtitle": "Revisit and tasking brief (POCA 2002)",
            "date": day.isoformat(), "author": author, "sections": sections, "footnotes": notes.items,
            "note": "Findings are candidates for an analyst; the Crown Court decides."}


def _chart(store: Store, case_id: str, report: dict[str, Any] | None, entry: dict[str, Any] | None,
           chart_path: str | Path | None) -> Path | None:
    if chart_path is None:
        return None
    edges: list[tuple[str, str, str]] = []
    for h in (report or {}).get("overseas_holdings") or []:
        edges += [(a, b, "holding") for a, b in zip(h["chain"], h["chain"][1:], strict=False)]
    for g in (report or {}).get("tainted_gifts") or []:
        edges.append((g["from"][0], g["to"][0], "gift"))
    for h in (entry or {}).get("hits") or []:
        chain = h["chain"]
        edges += [(a, b, "new" if i == len(chain) - 2 else "holding")
                  for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))]
    ids = {n for a, b, _ in edges for n in (a, b)}
    found = {e.source_id if e.dataset == case_id else e.id: e
             for e in store.get_entities([i if "/" in i else make_id(case_id, i) for i in ids])}
    labels = {i: f"{i} {found[i].name}" if i in found else i for i in ids}
    kinds = {i: found[i].kind for i in ids if i in found}
    subjects = [r for s in ((report or entry or {}).get("subjects") or []) for r in s["records"]]
    return draw_chart(edges, subjects, labels, kinds, chart_path, f"{case_id}: key chains")


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
                                 gbp_text(h["recoverable"]), f"{_place(h['territory'])} w {h['weight']:g}",
                                 gbp_text(h["contribution"]), notes.cite(h["evidence"])] for h in e["hits"][:8]]})
        chart = None
        if chart_dir is not None:
            chart = _chart(store, e["case_id"], None, e, Path(chart_dir) / f"{e['case_id'].replace('/', '_')}.png")
        if chart:
            blocks.append({"type": "image", "path": str(chart), "caption": "Key chains to the new assets."})
        blocks.append({"type": "bullets", "items": [f"{a['action']} — {a['power']}: {a['why']}"
                                                     for a in recommended_actions(None, e)]})
        sections.append({"title": f"{e['rank']}. {e['case_id']}", "blocks": blocks})
    return {"marking": MARKING, "title": f"Tasking-meeting pack: top {len(ranked)} revisit cases",
            "subtitle": "NECC tasking (POCA 2002)", "date": (as_date(on) if on else date.today()).isoformat(),
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
