"""Overseas holdings page (s.84, s.74): holdings through ownership and nominee chains, by territory."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from queries.holdings import chain_text

user, case_id, rep, case, dataset = ui.case_page()
holdings = rep.get("overseas_holdings") or []

st.title(f"Overseas holdings — {case_id}")
ui.marking_banner()
st.markdown("Assets, companies and accounts he holds directly or through ownership, control and nominee chains "
            "outside England and Wales, with the effective share (the product of the shares along the chain).")

classes = sorted({h["class"] for h in holdings})
territories = sorted({h["territory"] or "?" for h in holdings})
f1, f2 = st.columns(2)
class_pick = f1.multiselect("Class", classes, default=classes, key="overseas-class")
terr_pick = f2.multiselect("Territory", territories, default=territories, key="overseas-territory")
chosen = [h for h in holdings if h["class"] in class_pick and (h["territory"] or "?") in terr_pick]


names = ui.names_of(dataset, [x for h in holdings for x in h["chain"]])


def _chain_text(h: dict) -> str:
    """The chain with names; a nominee reads "holds for him", never as owned by him."""
    return chain_text(h["chain"], h.get("evidence") or [], names)


rows = [{"asset": ", ".join(h["asset"]), "name": h.get("name", ""), "kind": h["kind"],
         "territory": h["territory"] or "?", "class": h["class"], "share": ui.share_text(h["effective_share"]),
         "value £": ui.money_text(h.get("value")), "as at": rep["as_at"], "chain": _chain_text(h),
         "rule": h.get("rule", ""), "sources": ui.sources_text(h.get("evidence"))} for h in chosen]
ui.show_table(pd.DataFrame(rows, columns=["asset", "name", "kind", "territory", "class", "share", "value £", "as at",
                                          "chain", "rule", "sources"]), "overseas holdings", case_id, key="overseas")

st.subheader("By territory")
if chosen:
    frame = pd.DataFrame([{"territory": h["territory"] or "?", "class": h["class"], "holdings": 1,
                           "value": h.get("value") or 0.0} for h in chosen])
    agg = frame.groupby(["territory", "class"], as_index=False).sum(numeric_only=True)
    fig = go.Figure()
    for cls, part in agg.groupby("class"):
        fig.add_trace(go.Bar(x=part["territory"], y=part["holdings"], name=str(cls),
                             customdata=part["value"], hovertemplate="%{x}: %{y} holding(s), £%{customdata:,.0f}"))
    fig.update_layout(barmode="stack", height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      yaxis_title="holdings")
    st.plotly_chart(fig, key="overseas-territory-chart", config={"displaylogo": False})

st.subheader("The chain")
if chosen:
    pick = st.selectbox("Holding", list(range(len(chosen))), key="overseas-chain",
                        format_func=lambda i: f"{', '.join(chosen[i]['asset'])} — {chosen[i].get('name', '')}")
    chain = chosen[pick]["chain"]
    kinds = [e.get("kind") for e in chosen[pick].get("evidence") or []]
    xs = list(range(len(chain)))
    fig = go.Figure(go.Scatter(x=xs, y=[0] * len(chain), mode="markers+text", marker={"size": 26},
                               text=[f"{names.get(c, c)}<br>({c})" for c in chain],
                               textposition="bottom center", hoverinfo="text"))
    for i in range(len(chain) - 1):  # a nominee's arrow points to him: she holds for him
        back = i < len(kinds) and kinds[i] == "NOMINEE_FOR"
        fig.add_annotation(x=i if back else i + 1, y=0, ax=i + 1 if back else i, ay=0, xref="x", yref="y", axref="x",
                           ayref="y", showarrow=True, arrowhead=3, arrowsize=1.5, standoff=14, startstandoff=14,
                           text="holds for" if back else "")
    fig.update_layout(height=220, showlegend=False, margin={"l": 40, "r": 40, "t": 10, "b": 10},
                      xaxis={"visible": False, "range": [-0.6, len(chain) - 0.4]},
                      yaxis={"visible": False, "range": [-1, 0.5]})
    st.plotly_chart(fig, key="overseas-chain-chart", config={"displaylogo": False})
    st.caption(f"Chain: {_chain_text(chosen[pick])} — effective share "
               f"{ui.share_text(chosen[pick]['effective_share'])}, class {chosen[pick]['class']}.")

linked = rep.get("linked_assets") or []
if linked:
    st.subheader("Linked assets (associates' own — not his holdings)")
    lrows = [{"asset": ", ".join(a["asset"]), "name": a.get("name", ""), "kind": a.get("kind", ""),
              "holder": a.get("holder_name", ""), "link": a.get("link", ""), "role": a.get("role", "")}
             for a in linked]
    ui.show_table(pd.DataFrame(lrows), "linked assets", case_id, key="linked")
