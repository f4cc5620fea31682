"""Tainted gifts page (s.77, s.78, s.81): the table with sources, and a timeline of the case dates."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui

user, case_id, rep, case, dataset = ui.case_page()
props = dict(case.props) if case else {}

st.title(f"Tainted gifts — {case_id}")
ui.marking_banner()
gifts = rep.get("tainted_gifts") or []
cut = rep.get("gift_cutoff") or {}
st.markdown(f"Transfers out of the defendant or entities he controls after **{cut.get('day', '—')}** "
            f"({cut.get('rule', 'no cut-off')}) for significantly less than their value. {len(gifts)} found; total "
            f"s.81 value as at **{rep['as_at']}**: **£{ui.money_text(rep.get('tainted_gifts_total_value_now'))}**.")
for apart in rep.get("tainted_gifts_not_converted") or []:
    st.warning(f"{apart['count']} gift(s) in {apart['currency']} ({apart['currency']} {apart['value_at_gift']:,.2f}) "
               f"have no exchange rate for their day: listed below in {apart['currency']}, not converted, and left "
               f"out of the pound total.")

rules = sorted({g["rule"] for g in gifts})
vias = sorted({g["via"] for g in gifts})
f1, f2 = st.columns(2)
rule_pick = f1.multiselect("Rule", rules, default=rules, key="gift-rules")
via_pick = f2.multiselect("Via", vias, default=vias, key="gift-via")
chosen = [g for g in gifts if g["rule"] in rule_pick and g["via"] in via_pick]

rows = [{"transfer": g["transfer"], "date": g["date"], "from": g.get("from_name") or ", ".join(g["from"]),
         "to": g.get("to_name") or ", ".join(g["to"]), "via": g["via"], "amount £": ui.money_text(g.get("amount")),
         "share": ui.share_text(g["gift_share"]), "value at gift £": ui.money_text(g["value_at_gift"]),
         "value now £": ui.money_text(g["value_now"]), "as at": g.get("as_at", ""),
         "basis": g.get("value_now_basis", ""), "rule": g["rule"], "currency": g.get("currency", "GBP"),
         "original value at gift": f"{g['original_value_at_gift']:,.2f}" if g.get("currency", "GBP") != "GBP" else "",
         "rate": "" if g.get("rate") in (None, 1.0) else f"{g['rate']:.6g}", "rate date": g.get("rate_date") or "",
         "rate source": g.get("rate_source") or "", "converted": "yes" if g.get("converted", True) else "NOT CONVERTED",
         "notes": "; ".join(g.get("notes") or []), "sources": ui.sources_text(g.get("evidence"))} for g in chosen]
# the figures first: names (an account with its holder) are long and would push them off screen
columns = ["transfer", "date", "rule", "share", "value at gift £", "value now £", "as at", "currency",
           "original value at gift", "converted", "via", "from", "to", "amount £", "basis", "rate", "rate date",
           "rate source", "notes", "sources"]
ui.show_table(pd.DataFrame(rows, columns=columns), "tainted gifts", case_id, key="gifts")

st.subheader("Timeline")
fig = go.Figure()
if chosen:
    fig.add_trace(go.Scatter(
        x=[g["date"] for g in chosen], y=[g["value_now"] or 0 for g in chosen],
        mode="markers+text" if len(chosen) <= 60 else "markers",  # labels on thousands of points cost seconds
        text=[g["transfer"] for g in chosen], textposition="top center",
        marker={"size": [10 + 20 * g["gift_share"] for g in chosen]},
        hovertext=[f"{g['transfer']}: {g.get('to_name', '')}, {ui.money_text(g['value_now']) or 'not converted'} "
                   f"as at {rep['as_at']} ({g['rule']})" for g in chosen],
        hoverinfo="text", name="gift (value now)"))
order = (rep.get("revisit") or {}).get("order_date") or (props.get("order") or {}).get("date")
markers = [("gift cut-off", cut.get("day"), "#d62728"),
           ("proceedings started", props.get("proceedings_started"), "#9467bd"),
           ("conviction", rep.get("conviction_date"), "#ff7f0e"),
           ("order", order, "#2ca02c")]
for label, day, colour in markers:
    if day:
        fig.add_shape(type="line", x0=day, x1=day, y0=0, y1=1, yref="paper", line={"color": colour, "dash": "dash"})
        fig.add_annotation(x=day, y=1, yref="paper", text=f"{label} {day}", showarrow=False, textangle=-90,
                           xanchor="right", yanchor="top", font={"color": colour})
fig.update_layout(height=420, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                  yaxis_title=f"s.81 value as at {rep['as_at']} (£)", xaxis_title="date", showlegend=False)
st.plotly_chart(fig, key="gift-timeline", config={"displaylogo": False})
