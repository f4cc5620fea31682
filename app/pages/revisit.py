"""Revisit page (s.22, s.12, s.74): run or show the last sweep of old orders for assets found since.

Everyone may read the last sweep; only an analyst or supervisor may run one, because a sweep is
recorded in the store's history (the next sweep's "new since last sweep" is measured against it)
and written to the audit log. The ranking and every reason come from ``queries.revisit``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from app import ui
from app.auth import can
from queries.holdings import chain_text
from queries.revisit import last_sweep, sweep, sweep_history

# Running a sweep writes to the store, as a judgement does: the same role (analyst and up).
RUN_PERMISSION = "judge"

user = ui.require_user()
store = ui.get_store()

st.title("Revisit")
ui.marking_banner()
st.markdown("Old orders with money left to get — an unpaid balance (s.12 interest running) or headroom between "
            "the benefit found and the amount ordered (s.22) — searched for assets acquired after the order or new "
            "since the last sweep. Cases are ranked by recoverable potential: min(headroom + outstanding with "
            "interest, value × effective share), discounted by enforcement difficulty where the asset sits (s.74).")

if can(user, RUN_PERMISSION):
    c1, c2 = st.columns([1, 2])
    on = c1.date_input("Sweep as at", value=date.today(), key="revisit-on")
    c2.write("")
    if c2.button("Run a sweep now", key="revisit-run", type="primary"):
        with st.spinner("Sweeping every case…"):
            done = sweep(store, ui.settings(), on=on)
        ui.audit("sweep", {"sweep_id": done["sweep_id"], "on": done["on"], "cases": done["cases"],
                           "cases_swept": done["cases_swept"], "hits": done["hits"],
                           "new_hits_since_last_sweep": done["new_hits_since_last_sweep"], "seconds": done["seconds"]})
        st.success(f"Sweep {done['sweep_id']} recorded: {done['cases_swept']} case(s) swept, {done['hits']} hit(s), "
                   f"{done['new_hits_since_last_sweep']} new since the last sweep ({done['seconds']:.2f} s).")
else:
    st.caption(f"Your role ({user.role}) may read the last sweep; an analyst or supervisor runs one.")

result = last_sweep(store)
if result is None:
    st.info("No sweep is recorded in this store yet.")
    st.stop()

st.subheader(f"Sweep {result['sweep_id']} as at {result['on']}")
m = st.columns(5)
m[0].metric("Cases", result["cases"])
m[1].metric("Swept", result["cases_swept"])
m[2].metric("Hits", result["hits"])
m[3].metric("New since last sweep", result["new_hits_since_last_sweep"])
m[4].metric("Listed apart", len(result["apart"]))
weights = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in (result.get("enforcement_weights") or {}).items())
st.caption(f"Recorded {result['at']}; previous sweep {result['previous_sweep'] or 'none'}; enforcement weights: "
           f"{weights}; s.12 interest rate {result.get('interest_rate')}.")


def _fig(entry: dict[str, Any], key: str) -> str:
    return ui.money_text((entry.get("figures") or {}).get(key))


ranked = result["ranked"]
st.subheader("Ranked cases")
case_rows = [{"rank": e["rank"], "case": e["case_id"], "status": e["status"],
              "as at": (e.get("figures") or {}).get("as_at") or result["on"],
              "potential £": ui.money_text(e["potential"]), "capacity £": _fig(e, "capacity"),
              "outstanding with s.12 interest £": _fig(e, "outstanding_with_interest"),
              "s.22 headroom £": _fig(e, "headroom"), "hits": len(e["hits"]),
              "new since last sweep": e["new_hits_since_last_sweep"], "force": e.get("force") or "",
              "region": e.get("region") or "", "reason": e["reason"]} for e in ranked]
ui.show_table(pd.DataFrame(case_rows, columns=["rank", "case", "status", "as at", "potential £", "capacity £",
                                               "outstanding with s.12 interest £", "s.22 headroom £", "hits",
                                               "new since last sweep", "force", "region", "reason"]),
              "revisit ranking", key="revisit-cases")

st.subheader("Hits")
f1, f2 = st.columns([3, 1])
case_names = [e["case_id"] for e in ranked]
case_pick = f1.multiselect("Cases", case_names, default=case_names, key="revisit-cases-pick")
new_only = f2.checkbox("New since last sweep only", key="revisit-new-only")
hit_rows = [{"rank": e["rank"], "case": e["case_id"], "asset": h["asset"], "name": h["name"], "kind": h["kind"],
             "route": h["route"], "chain": chain_text(h["chain"], h["evidence"]), "territory": h["territory"] or "?",
             "class": h["class"] or "?", "weight": h["weight"], "value £": ui.money_text(h["value"]),
             "effective share": ui.share_text(h["effective_share"]), "recoverable £": ui.money_text(h["recoverable"]),
             "counts £": ui.money_text(h["contribution"]), "potential £": ui.money_text(e["potential"]),
             "acquired": h["acquired"] or "", "new since last sweep": "yes" if h["new_since_last_sweep"] else "no",
             "rule": h["rule"], "reason": h["reason"], "sources": ui.sources_text(h.get("evidence"))}
            for e in ranked if e["case_id"] in case_pick for h in e["hits"]
            if h["new_since_last_sweep"] or not new_only]
ui.show_table(pd.DataFrame(hit_rows, columns=["rank", "case", "asset", "name", "kind", "route", "chain", "territory",
                                              "class", "weight", "value £", "effective share", "recoverable £",
                                              "counts £", "potential £", "acquired", "new since last sweep", "rule",
                                              "reason", "sources"]), "revisit hits", key="revisit-hits")

if result["apart"]:
    st.subheader("Listed apart (not ranked)")
    apart_rows = [{"case": e["case_id"], "status": e["status"].replace("_", " "), "force": e.get("force") or "",
                   "region": e.get("region") or "", "outstanding with s.12 interest £":
                   _fig(e, "outstanding_with_interest"), "s.22 headroom £": _fig(e, "headroom")}
                  for e in result["apart"]]
    ui.show_table(pd.DataFrame(apart_rows), "revisit listed apart", key="revisit-apart")

if result["skipped"]:
    with st.expander(f"Not swept ({len(result['skipped'])})"):
        ui.show_table(pd.DataFrame(result["skipped"], columns=["case_id", "status", "reason"]), "revisit not swept",
                      key="revisit-skipped")

st.subheader("Sweep history")
history = [{"sweep": h["id"], "at": h["at"], "as at": h["on"], "cases": h["cases"], "swept": h["cases_swept"],
            "hits": h["hits"], "new hits": h["new_hits_since_last_sweep"], "seconds": h["seconds"]}
           for h in reversed(sweep_history(store))]
ui.show_table(pd.DataFrame(history, columns=["sweep", "at", "as at", "cases", "swept", "hits", "new hits", "seconds"]),
              "revisit sweep history", key="revisit-history")
