"""Resolution review page: pairs the resolver was unsure of, shown as two whole entities.

Each pair shows every record both sides already merge with, the case subjects among them and
every conflict across their union (``ingest.review.pair_view``). Accept / reject / unsure are
recorded through ``ingest.review.judge``, which refuses a merge across a hard conflict: Accept is
disabled and the reason shown, and only a supervisor can override it, with a written reason. The
open case's automatic merges are listed below, and a supervisor can split one. Viewers see
everything but cannot judge.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import ui
from app.auth import can
from graph.errors import AssetGraphError
from ingest.review import MergeRefused, auto_merges, judge, pair_view, review_queue, split

VERDICTS = {"Accept (same)": "positive", "Reject (different)": "negative", "Unsure": "unsure"}
OVERRIDE_KEY, SPLIT_KEY = "review-override-reason", "review-split-reason"

user = ui.require_user()
store = ui.get_store()
st.title("Resolution review")
ui.marking_banner()


def _flash(ok: bool, text: str) -> None:
    st.session_state["review-flash"] = (ok, text)


def _record(verdict: str, item: dict[str, Any], override: bool = False) -> None:
    reason = st.session_state.get(OVERRIDE_KEY, "") if override else None
    try:
        judge(store, item["left"], item["right"], verdict, user.login, ui.settings(), reason=reason,
              override=override and can(user, "supervise"))
    except MergeRefused as refused:
        _flash(False, str(refused))
        return
    ui.clear_report_cache()
    st.session_state[OVERRIDE_KEY] = ""
    _flash(True, f"{verdict}{' (supervisor override)' if override else ''}: {item['left']} / {item['right']} "
                 "recorded.")


def _split(row: dict[str, Any]) -> None:
    try:
        done = split(store, row["left"], row["right"], user.login, st.session_state.get(SPLIT_KEY, ""), ui.settings())
    except AssetGraphError as exc:
        _flash(False, str(exc))
        return
    ui.clear_report_cache()  # the case's subjects are other records now: every case page changes
    st.session_state[SPLIT_KEY] = ""
    _flash(True, f"Split: {row['left']} is now in an entity of {len(done.left)} record(s), {row['right']} in one "
                 f"of {len(done.right)}.")


def _features(explanation: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v.get('value')} ({v.get('weight'):+})" for k, v in explanation.items()
                     if isinstance(v, dict) and isinstance(v.get("weight"), (int, float)))


if flash := st.session_state.pop("review-flash", None):
    (st.success if flash[0] else st.error)(flash[1])

queue = review_queue(store)
kinds = sorted({i.get("kind", "?") for i in queue})
c1, c2 = st.columns(2)
kind_pick = c1.multiselect("Kinds", kinds, default=kinds, key="review-kinds")
status_pick = c2.multiselect("Status", ["pending", "unsure"], default=["pending", "unsure"], key="review-status")
shown = [i for i in queue if i.get("kind", "?") in kind_pick and i.get("status", "pending") in status_pick]
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
    view = pair_view(store, item["left"], item["right"])
    st.subheader("The two whole entities")
    for col, side in zip(st.columns(2), (view.left, view.right), strict=True):
        col.markdown(f"**{side.record}** — {side.name}  \nentity {side.entity}: {len(side.members)} record(s)")
        for s in side.subjects:
            col.markdown(f":red-badge[SUBJECT of case {s.case_id}: {s.record}]")
        col.dataframe(pd.DataFrame(side.rows()), hide_index=True)
    for line in view.warnings():
        st.warning(line)
    if view.conflicts:
        st.markdown("**Conflicts across the union** (every record of one side against every record of the other)")
        st.dataframe(pd.DataFrame([{
            "field": c.field, "record": c.left, "value": c.left_value, "other record": c.right,
            "other value": c.right_value,
            "effect": "refuses accept" if c.hard and c.across else "inside one side" if not c.across else c.note,
        } for c in view.conflicts]), hide_index=True, key="review-conflicts")
    else:
        st.caption("No conflict across the union of the two entities.")
    if view.blocking:
        st.error("Accepting is refused: the union holds " + "; ".join(c.text() for c in view.blocking) +
                 ". A supervisor can override it with a written reason.")
    feats = [{"feature": k, "value": str(v.get("value")), "weight": v.get("weight"),
              "note": "; ".join(f"{n.replace('_', ' ')}: {x}" for n, x in v.items() if n not in ("value", "weight"))}
             for k, v in (item.get("explanation") or {}).items() if isinstance(v, dict)]
    st.markdown("**Why the resolver scored this pair** (weight of evidence per feature; negative = against)")
    st.dataframe(pd.DataFrame(feats, columns=["feature", "value", "weight", "note"]), hide_index=True)
    if can(user, "judge"):
        for column, (label, verdict) in zip(st.columns(3), VERDICTS.items(), strict=True):
            refused = verdict == "positive" and bool(view.blocking)
            column.button(label, key=f"review-{verdict}", on_click=_record, args=(verdict, item), disabled=refused,
                          help="Refused: the union holds a hard conflict" if refused else None)
        if view.blocking and can(user, "supervise"):
            reason = st.text_area("Supervisor override: why these records are one entity despite the conflicts "
                                  "(stored on the judgement and audited)", key=OVERRIDE_KEY)
            st.button("Accept with supervisor override", key="review-override", on_click=_record,
                      args=("positive", item, True), disabled=not reason.strip())
        elif view.blocking:
            st.caption("Only a supervisor can override a refused merge, with a written reason.")
    else:
        st.caption("Viewers cannot judge pairs.")

case_id = ui.current_case()
st.subheader(f"Automatic merges of {case_id}'s subjects" if case_id else "Automatic merges")
merges = auto_merges(store, case_id) if case_id else []
if not case_id:
    st.caption("The store holds no case.")
ui.show_table(pd.DataFrame([{
    "left": m["left"], "left name": m["left_name"], "right": m["right"], "right name": m["right_name"],
    "subject": m.get("subject", ""), "scorer": m["scorer"], "score": f"{float(m['score'] or 0):.4f}",
    "features": _features(m["features"]), "conflicts": "; ".join(m["conflicts"]),
} for m in merges], columns=["left", "left name", "right", "right name", "subject", "scorer", "score", "features",
                             "conflicts"]), "automatic merges", case_id, key="review-merges")
if merges and can(user, "supervise"):
    n = st.selectbox("Merge to split", list(range(len(merges))), key="review-merge-pick",
                     format_func=lambda i: f"{merges[i]['left']} ↔ {merges[i]['right']} ({merges[i]['score']})")
    why = st.text_input("Why the merge is wrong (stored on the judgement and audited)", key=SPLIT_KEY)
    st.button("Split this merge", key="review-split", on_click=_split, args=(merges[n],), disabled=not why.strip())
elif merges:
    st.caption("Only a supervisor can split an automatic merge.")

st.subheader("Judgements recorded")
jrows = [{"left": j.left, "right": j.right, "verdict": j.verdict, "user": j.user, "when": j.created_at,
          "score": j.score, "how": "supervisor override" if j.explanation.get("override") else
          "split" if j.explanation.get("split") else "", "reason": j.explanation.get("reason", ""),
          "withdrawn": j.deleted_at or ""} for j in reversed(store.judgements(include_deleted=True))]
ui.show_table(pd.DataFrame(jrows, columns=["left", "right", "verdict", "user", "when", "score", "how", "reason",
                                           "withdrawn"]), "judgements", key="review-judgements")
