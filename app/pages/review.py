"""Resolution review page: pairs the resolver was unsure of, with the per-feature explanation.

Accept / reject / unsure are recorded as judgements through ``ingest.resolve.judge`` (which also
re-applies the decisions); without the resolver the page falls back to the store's queue and
``Store.add_judgement``. Viewers see the queue but cannot judge.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import ui
from app.auth import can
from graph.model import AuditEvent, Judgement

try:
    from ingest.resolve import judge as _judge
    from ingest.resolve import review_queue as _review_queue
except ImportError:  # the resolver is optional: the queue still lives in the store's meta
    _judge = _review_queue = None

REVIEW_KEY = "resolution:review"
VERDICTS = {"Accept (same)": "positive", "Reject (different)": "negative", "Unsure": "unsure"}

user = ui.require_user()
store = ui.get_store()
st.title("Resolution review")
ui.marking_banner()


def _queue() -> list[dict[str, Any]]:
    if _review_queue is not None:
        return _review_queue(store)
    items = store.get_meta(REVIEW_KEY) or []
    return sorted(items, key=lambda i: (-float(i.get("score", 0)), i["left"], i["right"]))


def _record(verdict: str, item: dict[str, Any]) -> None:
    if _judge is not None:
        _judge(store, item["left"], item["right"], verdict, user.login, ui.settings())
    else:
        store.add_judgement(Judgement(item["left"], item["right"], verdict, user.login, score=item.get("score"),
                                      explanation=item.get("explanation") or {}))
        store.log(AuditEvent(user.login, "judgement", {"left": item["left"], "right": item["right"],
                                                       "verdict": verdict}))
    ui.clear_report_cache()
    st.session_state["review-flash"] = f"{verdict}: {item['left']} / {item['right']} recorded."


queue = _queue()
kinds = sorted({i.get("kind", "?") for i in queue})
c1, c2 = st.columns(2)
kind_pick = c1.multiselect("Kinds", kinds, default=kinds, key="review-kinds")
status_pick = c2.multiselect("Status", ["pending", "unsure"], default=["pending", "unsure"], key="review-status")
shown = [i for i in queue if i.get("kind", "?") in kind_pick and i.get("status", "pending") in status_pick]
if flash := st.session_state.pop("review-flash", None):
    st.success(flash)
st.write(f"{len(shown)} pair(s) waiting (of {len(queue)} in the queue).")
rows = [{"left": i["left"], "right": i["right"], "kind": i.get("kind", ""), "score": f"{float(i['score']):.4f}",
         "status": i.get("status", "pending"), "scorer": i.get("scorer", "")} for i in shown]
ui.show_table(pd.DataFrame(rows, columns=["left", "right", "kind", "score", "status", "scorer"]), "review queue",
              key="review-queue")

if shown:
    pick = st.selectbox("Pair", list(range(len(shown))), key="review-pair",
                        format_func=lambda n: f"{shown[n]['left']} ↔ {shown[n]['right']} "
                                              f"({float(shown[n]['score']):.2f})")
    item = shown[pick]
    left, right = store.get_entity(item["left"]), store.get_entity(item["right"])
    a, b = st.columns(2)
    for col, ent, rid in ((a, left, item["left"]), (b, right, item["right"])):
        col.markdown(f"**{rid}** — {ent.name if ent else '(missing)'}")
        if ent:
            col.json(dict(ent.props), expanded=True)
            col.caption("; ".join(f"{p.citation()} ({p.file} row {p.row})" for p in ent.provenance))
    feats = [{"feature": k, "value": str(v.get("value")), "weight": v.get("weight"),
              "note": "; ".join(f"{n.replace('_', ' ')}: {x}" for n, x in v.items() if n not in ("value", "weight"))}
             for k, v in (item.get("explanation") or {}).items() if isinstance(v, dict)]
    st.markdown("**Why the resolver scored this pair** (weight of evidence per feature; negative = against)")
    st.dataframe(pd.DataFrame(feats, columns=["feature", "value", "weight", "note"]), hide_index=True)
    if can(user, "judge"):
        b1, b2, b3 = st.columns(3)
        for column, (label, verdict) in zip((b1, b2, b3), VERDICTS.items(), strict=True):
            column.button(label, key=f"review-{verdict}", on_click=_record, args=(verdict, item))
    else:
        st.caption("Viewers cannot judge pairs.")

st.subheader("Judgements recorded")
jrows = [{"left": j.left, "right": j.right, "verdict": j.verdict, "user": j.user, "when": j.created_at,
          "score": j.score, "withdrawn": j.deleted_at or ""} for j in reversed(store.judgements(include_deleted=True))]
ui.show_table(pd.DataFrame(jrows, columns=["left", "right", "verdict", "user", "when", "score", "withdrawn"]),
              "judgements", key="review-judgements")
