"""Recommended actions for a briefing pack, each with the power behind it and why it fits.

These are prompts for the briefer and the prosecutor, not decisions: each names the statutory
power and the figures or assets that make it worth considering.
"""

from __future__ import annotations

from typing import Any

from queries.report import gbp_text

__all__ = ["recommended_actions", "UWO_THRESHOLD"]

# Criminal Finances Act 2017 inserted POCA s.362B(2)(b): the property must be worth more than £50,000.
UWO_THRESHOLD = 50000.0


def _names(items: list[dict[str, Any]], limit: int = 4) -> str:
    names = [f"{i['name']} ({i['asset']})" for i in items[:limit]]
    return ", ".join(names) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def recommended_actions(report: dict[str, Any] | None, entry: dict[str, Any] | None) -> list[dict[str, str]]:
    """Actions worth considering on a case's report (may be None) and revisit sweep entry (may be None).

    Returns
    -------
    list of dict
        ``action``, ``power`` and ``why`` for each.

    Examples
    --------
    >>> entry = {"figures": {"headroom": 1000.0, "outstanding_with_interest": 0.0}, "accounts": [],
    ...          "hits": [{"name": "Flat", "asset": "PR1", "kind": "Property", "class": "uk", "value": 9e4,
    ...                    "route": "holding", "chain": ["P1", "PR1"], "counted": True}]}
    >>> [a["power"] for a in recommended_actions(None, entry)]
    ['POCA s.22', 'POCA s.41']

    References
    ----------
    Proceeds of Crime Act 2002, s.22, s.41, s.50, s.74, s.303Z3, s.362A.
    """
    figures = (entry or {}).get("figures") or (report or {}).get("revisit") or {}
    headroom = figures.get("headroom") or 0.0
    owed = figures.get("outstanding_with_interest") or 0.0
    hits = [h for h in (entry or {}).get("hits") or [] if h["route"] != "family"]
    new_ids = ((report or {}).get("revisit") or {}).get("new_assets") or []
    new = hits or [{"name": i, "asset": i} for i in new_ids]
    overseas = (report or {}).get("overseas_holdings") or []
    out: list[dict[str, str]] = []
    if headroom > 0 and new:
        out.append({"action": "Apply to the Crown Court to reconsider the available amount", "power": "POCA s.22",
                    "why": f"headroom {gbp_text(headroom)} (benefit − amount ordered); new assets since the order: "
                           f"{_names(new)}"})
    if new:
        out.append({"action": "Apply for a restraint order over the new assets", "power": "POCA s.41",
                    "why": f"prevent dissipation of {_names(new)} pending reconsideration or enforcement"})
    uk = [h for h in hits if h.get("class") == "uk" and h.get("value")]
    uk += [{"name": h["name"], "asset": h["asset"][0]} for h in overseas if h["class"] == "uk_via_overseas_company"]
    if owed > 0 and uk:
        out.append({"action": "Apply for the appointment of an enforcement receiver", "power": "POCA s.50",
                    "why": f"{gbp_text(owed)} outstanding with s.12 interest; realisable UK property: {_names(uk)}"})
    abroad = [{"name": h["name"], "asset": h["asset"][0], "territory": h["territory"], "class": h["class"]}
              for h in overseas if h["class"] not in ("uk", "uk_via_overseas_company")]
    abroad += [h for h in hits if h.get("class") not in (None, "uk") and h["asset"] not in {a["asset"] for a in abroad}]
    if abroad:
        places = sorted({str(a.get("territory") or "?") for a in abroad})
        out.append({"action": "Send a request for assistance abroad (letter of request)", "power": "POCA s.74",
                    "why": f"property situated in {', '.join(places)}: {_names(abroad)}"})
    hidden = [{"name": h["name"], "asset": h["asset"][0]} for h in overseas
              if (h.get("value") or 0) > UWO_THRESHOLD and len(h["chain"]) > 2]
    hidden += [h for h in hits if (h.get("value") or 0) > UWO_THRESHOLD and len(h.get("chain") or []) > 2
               and h["asset"] not in {x["asset"] for x in hidden}]
    if hidden:
        out.append({"action": "Consider an unexplained wealth order", "power":
                    "POCA s.362A (inserted by the Criminal Finances Act 2017)",
                    "why": f"property over £50,000 held through companies or nominees: {_names(hidden)}"})
    accounts = [a for a in (entry or {}).get("accounts") or [] if a.get("class") in ("uk", None)]
    accounts += [h for h in hits if h.get("kind") == "Account" and h.get("class") == "uk"
                 and h["asset"] not in {a["asset"] for a in accounts}]
    if accounts and owed > 0:
        out.append({"action": "Apply for an account freezing order over UK bank accounts", "power": "POCA s.303Z3",
                    "why": f"accounts held by him or through his companies: {_names(accounts)}"})
    return out
