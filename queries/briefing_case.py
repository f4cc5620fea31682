"""One case's briefing pack: the section model of its summary, every registered rule, new assets, chart, actions.

Every figure is as at one date -- the case's valuation date unless another is asked for -- and
that date is printed in the summary and beside each rule's figures: the report and the case's
revisit entry are computed as at it, so the pack gives the same figures as the report and the
app for the same day. The rule sections come from the registry (:data:`queries.rules.RULES`):
a new rule appears in the pack with its own table. A report or sweep that cannot be computed is
said in the pack, never a reason to have no pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from graph.errors import AssetGraphError, RuleNotApplicable
from graph.model import make_id
from graph.settings import MARKING, Settings
from graph.store import Store
from queries.briefing_actions import recommended_actions
from queries.briefing_notes import Footnotes, place
from queries.dates import as_date
from queries.finding import Rule, cell_text, gbp_text
from queries.network_chart import draw_chart
from queries.report import case_report, valuation_day
from queries.revisit import sweep_case
from queries.rules import RULES

__all__ = ["case_brief_model", "rule_blocks", "chain_edges", "case_chart"]


def _prov_evidence(store: Store, ids: Iterable[str]) -> list[dict[str, Any]]:
    out = []
    for entity in store.get_entities(list(ids)):
        for p in entity.provenance:
            out.append({"citation": p.citation(), "file": p.file, "row": p.row, "dataset": p.dataset})
    return out


def _safely(make: Any) -> tuple[Any, str | None]:
    """The result, or None and why: a pack says what it could not compute instead of failing."""
    try:
        return make(), None
    except AssetGraphError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - a pack must still be written
        return None, f"internal error ({type(exc).__name__}): {exc}"


def _summary_rows(report: dict[str, Any] | None, entry: dict[str, Any] | None, day: date, fig_src: str,
                  case_src: str) -> list[list[str]]:
    f = (entry or {}).get("figures") or {}
    r = (report or {}).get("revisit") or {}
    g = r or f
    rows = [["Figures as at", day.isoformat(), "one date for every figure", case_src]]
    if g:
        rows += [["Order made", g["order_date"], "s.6 confiscation order", fig_src],
                 ["Time to pay ends", g["due"], "s.11", fig_src],
                 ["Benefit found", gbp_text(g.get("benefit")), "s.6, s.7", fig_src],
                 ["Amount ordered", gbp_text(g.get("amount")), "s.7 available amount", fig_src],
                 ["Paid", gbp_text(g.get("paid")), "", fig_src],
                 ["Outstanding", gbp_text(g.get("outstanding")), "", fig_src],
                 [f"Interest ({g.get('interest_days', 0)} days at the judgment rate, "
                  f"{str(g.get('payment_allocation', 'principal_first')).replace('_', ' ')})",
                  gbp_text(g.get("interest")), "s.12", fig_src],
                 ["Outstanding with interest", gbp_text(g.get("outstanding_with_interest")), "s.12", fig_src],
                 ["Headroom (benefit − amount ordered)", gbp_text(g.get("headroom")), "s.22", fig_src]]
    if report:
        days = report["relevant_days"]
        rows += [["Relevant day" if len(days) == 1 else f"Relevant day for {d['purpose']}", d["day"], d["rule"],
                  case_src] for d in days]
        rows += [["Conviction date", report["conviction_date"] or "–", "s.10(10)", case_src],
                 ["Criminal lifestyle", report["lifestyle"], "s.75", case_src]]
    return rows


def _items(report: dict[str, Any], rule: Rule) -> list[dict[str, Any]]:
    """The rule's findings in the report (rules sharing a key are told apart by their section)."""
    items = report.get(rule.key) or []
    shared = sum(1 for r in RULES if r.key == rule.key) > 1
    return [i for i in items if not shared or i.get("rule") == rule.section]


def rule_blocks(report: dict[str, Any] | None, rule: Rule, notes: Footnotes, why_not: str | None) -> list[dict]:
    """A registered rule's section blocks: its table (every figure cited) and, for gifts, the total."""
    if report is None:
        return [{"type": "para", "text": f"Not computed: {why_not}"}]
    items = _items(report, rule)
    if not items:
        return [{"type": "para", "text": "None found."}]
    blocks: list[dict[str, Any]] = [{"type": "table", "headers": [c.header for c in rule.columns] + ["Source"],
                                     "rows": [[cell_text(i, c) for c in rule.columns] + [notes.cite(i["evidence"])]
                                              for i in items]}]
    if rule.key == "tainted_gifts":
        text = (f"Total of tainted-gift candidates at s.81 value as at {report['as_at']}: "
                f"{gbp_text(report['tainted_gifts_total_value_now'])} (s.9(1)(b)).")
        for apart in report.get("tainted_gifts_not_converted") or []:
            text += (f" Not converted (no exchange rate), left out of that total: {apart['count']} gift(s) of "
                     f"{apart['currency']} {apart['value_at_gift']:,.2f}.")
        blocks.append({"type": "para", "text": text})
    return blocks


def case_brief_model(store: Store, case_id: str, settings: Settings | None = None, author: str = "assetgraph",
                     on: date | str | None = None, chart_path: str | Path | None = None) -> dict[str, Any]:
    """The section model of one case's briefing pack, every figure as at ``on`` (default the case's
    valuation date).

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store, or has neither a report nor an order to brief on.
    """
    settings = settings or Settings()
    case_entity = store.get_entity(make_id(case_id, "case"))
    if case_entity is None or case_entity.kind != "Case":
        raise RuleNotApplicable(f"no case {case_id!r} in the store")
    case = dict(case_entity.props)
    day = as_date(on) if on is not None else valuation_day(case)
    report, why_no_report = _safely(lambda: case_report(store, case_id, settings, as_at=day))
    entry, why_no_entry = _safely(lambda: sweep_case(store, case_id, settings, day))
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
             f"Every figure in this pack is as at {day.isoformat()} (order figures, s.12 interest and s.81 gift "
             f"values alike)."]
    if entry:
        intro.append(f"Revisit ranking: {entry['reason']}.")
    sections.append({"title": "Case summary", "blocks": [{"type": "para", "text": t} for t in intro] + [
        {"type": "table", "headers": ["Figure", "Value", "Rule", "Source"],
         "rows": _summary_rows(report, entry, day, fig_src, case_src)}]})

    subjects = (report or entry or {}).get("subjects") or []
    sections.append({"title": "Subjects", "blocks": [{"type": "table", "headers": ["Name", "Records", "Source"],
                     "rows": [[s["name"], ", ".join(s["records"]),
                               notes.cite(_prov_evidence(store, [s["entity_id"]]))] for s in subjects]}]})
    for rule in RULES:
        if rule.brief:
            sections.append({"title": rule.title, "blocks": rule_blocks(report, rule, notes, why_no_report)})

    hits = (entry or {}).get("hits") or []
    rows = [[h["name"], h["kind"], h["route"], h["acquired"] or "–", gbp_text(h["value"]),
             "–" if h["effective_share"] is None else f"{h['effective_share']:.4f}",
             f"{place(h['territory'])}, weight {h['weight']:g}", "yes" if h["new_since_last_sweep"] else "no",
             notes.cite(h["evidence"])] for h in hits]
    new_ids = ((report or {}).get("revisit") or {}).get("new_assets") or []
    blocks = [{"type": "table", "headers": ["Asset", "Kind", "Route", "Acquired", "Value", "Share", "Where",
                                            "New since last sweep", "Source"], "rows": rows}] if rows else [
        {"type": "para", "text": f"Report: {', '.join(new_ids) or 'none'}." if report else "None found."}]
    blocks += [{"type": "para", "text": h["reason"]} for h in hits[:5]]
    sections.append({"title": "New assets since the order (s.22)", "blocks": blocks})

    chart = case_chart(store, case_id, report, entry, chart_path)
    sections.append({"title": "Network chart of the key chains", "blocks": [
        {"type": "image", "path": str(chart), "caption": "Subject on the left; chains of holdings (solid), a "
                                                         "nominee holding for him (dotted), gifts (dashed red) and "
                                                         "new assets (green)."}
        if chart else {"type": "para", "text": "No chains to draw."}]})

    actions = recommended_actions(report, entry)
    sections.append({"title": "Recommended actions", "blocks": [
        {"type": "table", "headers": ["Action", "Power", "Why"],
         "rows": [[a["action"], a["power"], a["why"]] for a in actions]} if actions else
        {"type": "para", "text": "No action recommended on the figures held."}]})
    warnings = ((report or {}).get("warnings") or []) + ((entry or {}).get("warnings") or []) \
        + (((entry or {}).get("figures") or {}).get("warnings") or [])
    warnings += [f"revisit entry not computed: {why_no_entry}"] if entry is None else []
    if warnings:
        sections.append({"title": "Warnings", "blocks": [{"type": "bullets", "items": sorted(set(warnings))}]})
    return {"marking": MARKING, "title": f"Briefing: {case_id}", "subtitle": "Revisit and tasking brief (POCA 2002)",
            "date": day.isoformat(), "author": author, "sections": sections, "footnotes": notes.items,
            "note": "Findings are candidates for an analyst; the Crown Court decides."}


def chain_edges(chain: list[str], evidence: list[dict[str, Any]], last: str = "holding") -> list[tuple[str, str, str]]:
    """Chart edges along a chain; a nominee's link is drawn from her to him ("holds for"), and the
    last link takes the route ``last``.

    >>> chain_edges(["P1", "P4", "C2"], [{"kind": "NOMINEE_FOR"}, {"kind": "OWNS"}], "new")
    [('P4', 'P1', 'holds for'), ('P4', 'C2', 'new')]
    """
    kinds = [e.get("kind") for e in evidence]
    out = []
    for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False)):
        if i < len(kinds) and kinds[i] == "NOMINEE_FOR":
            out.append((b, a, "holds for"))
        else:
            out.append((a, b, last if i == len(chain) - 2 else "holding"))
    return out


def case_chart(store: Store, case_id: str, report: dict[str, Any] | None, entry: dict[str, Any] | None,
               chart_path: str | Path | None) -> Path | None:
    """The key chains of a case (its report and/or revisit entry) drawn as a PNG; None with nothing to draw."""
    if chart_path is None:
        return None
    edges: list[tuple[str, str, str]] = []
    for h in (report or {}).get("overseas_holdings") or []:
        edges += chain_edges(h["chain"], h["evidence"])
    for g in (report or {}).get("tainted_gifts") or []:
        edges.append((g["from"][0], g["to"][0], "gift"))
    for h in (entry or {}).get("hits") or []:  # a gift's evidence is its control path, not its chain
        edges += chain_edges(h["chain"], h["evidence"] if h["route"] in ("holding", "control") else [], "new")
    ids = {n for a, b, _ in edges for n in (a, b)}
    found = {e.source_id if e.dataset == case_id else e.id: e
             for e in store.get_entities([i if "/" in i else make_id(case_id, i) for i in ids])}
    labels = {i: f"{i} {found[i].name}" if i in found else i for i in ids}
    kinds = {i: found[i].kind for i in ids if i in found}
    subjects = [r for s in ((report or entry or {}).get("subjects") or []) for r in s["records"]]
    return draw_chart(edges, subjects, labels, kinds, chart_path, f"{case_id}: key chains")
