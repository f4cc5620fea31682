"""Case page: the days that fix the law's windows (with sections), subjects, order figures as at one
date, and the findings of every registered rule that has no page of its own.

Every figure is the report's (``queries.report.case_report``), computed as at the date chosen in
the sidebar (default the case's valuation date); this page explains and shows them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui
from queries.rules import RULES

# Rules shown on their own pages (the rest are tabled here, from the columns each rule declares).
OWN_PAGES = {"tainted_gifts": "Tainted gifts", "overseas_holdings": "Overseas holdings",
             "linked_assets": "Overseas holdings", "money_flows": "Money flow", "revisit": "this page"}

user, case_id, rep, case, dataset = ui.case_page()
props = dict(case.props) if case else {}
as_at = rep["as_at"]

st.title(f"Case {case_id}")
ui.marking_banner()
st.info(f"Every figure on this page is as at **{as_at}** (change it in the sidebar; default the case's valuation "
        f"date {rep.get('valuation_date')}).")

st.header("Dates")
days = rep.get("relevant_days") or []
cols = st.columns(len(days) + 2)
for col, day in zip(cols, days, strict=False):
    col.metric(f"Relevant day ({day['rule']})", day["day"], help=f"for {day['purpose']}")
cols[len(days)].metric(f"Date of conviction ({rep['conviction_date_rule']})", rep["conviction_date"] or "—")
cols[len(days) + 1].metric("Figures as at", as_at)
for day in days:
    st.markdown(f"**Relevant day for {day['purpose']} ({day['rule']}).** {day['explanation']}")
convictions = props.get("convictions") or []
if rep.get("conviction_date"):
    st.markdown(f"**Date of conviction.** {rep['conviction_date_rule']}: where there are several convictions the "
                f"date of conviction is the latest of them — convictions on {', '.join(convictions) or '?'} → "
                f"**{rep['conviction_date']}**.")
lifestyle = rep.get("lifestyle")
st.markdown(f"**Criminal lifestyle:** {lifestyle}. "
            + ("The s.10 assumptions apply and gifts after the s.77(9) relevant day are tainted (s.77(2))."
               if lifestyle != "no" else "Gifts after the offence date are tainted (s.77(5)); no s.10 assumption."))
cut = rep.get("gift_cutoff") or {}
if cut:
    st.markdown(f"**Gift window:** transfers after **{cut.get('day')}** ({cut.get('explanation')}).")
ui.warnings_panel(rep)

st.header("Subjects and their merged records")
rows = []
for subject in rep["subjects"]:
    for record in subject["records"]:
        ent = ui.get_store().get_entity(f"{dataset}/{record}")
        prov = ent.provenance[0] if ent and ent.provenance else None
        rows.append({"subject": subject["name"], "entity": subject["entity_id"], "record": record,
                     "record name": ent.name if ent else record,
                     "dob": (ent.props.get("dob") if ent else "") or "",
                     "source": prov.citation() + (f" · {prov.file} row {prov.row}" if prov and prov.file else "")
                     if prov else ""})
ui.show_table(pd.DataFrame(rows), "subjects", case_id, key="case-subjects")

st.header(f"Order figures as at {as_at}")
rev = rep.get("revisit")
if rev:
    m = st.columns(4)
    m[0].metric("Order amount", f"£{ui.money_text(rev['amount'])}", help=f"order of {rev['order_date']}")
    m[1].metric("Paid", f"£{ui.money_text(rev['paid'])}", help=f"as at {rev['as_at']}")
    m[2].metric("Outstanding", f"£{ui.money_text(rev['outstanding'])}", help=f"as at {rev['as_at']}")
    m[3].metric("Interest (s.12)", f"£{ui.money_text(rev['interest'])}",
                help=f"{rev.get('interest_days', '?')} days from the due date {rev.get('due')} to {rev['as_at']}; "
                     f"{rev.get('payment_allocation_rule', '')}")
    n = st.columns(4)
    n[0].metric("Benefit", f"£{ui.money_text(rev['benefit'])}")
    n[1].metric("Headroom (s.22)", f"£{ui.money_text(rev['headroom'])}", help="benefit less the order amount")
    n[2].metric("Due incl. interest", f"£{ui.money_text(rev.get('outstanding_with_interest'))}",
                help=f"as at {rev['as_at']}")
    n[3].metric("Due date (s.11)", rev.get("due") or "—")
    st.markdown(f"**New assets** first evidenced after the order: {', '.join(rev.get('new_assets') or []) or 'none'}")
else:
    st.info("No confiscation order is recorded for this case.")

st.header(f"Findings by rule (as at {as_at})")
st.caption("Every registered rule of the engine, its section and how many findings it made; the tainted gifts, "
           "overseas holdings and money flows have their own pages.")
ui.show_table(pd.DataFrame([{"section": r["section"], "rule": r["title"], "findings": r["findings"],
                             "shown on": OWN_PAGES.get(r["key"], "below")} for r in rep.get("rules") or []]),
              "rules", case_id, key="case-rules")
st.metric("Tainted gifts, total s.81 value", f"£{ui.money_text(rep.get('tainted_gifts_total_value_now'))}",
          help=f"as at {as_at}; gifts not converted (no exchange rate) are listed apart on the Tainted gifts page")
for rule in RULES:
    if rule.key not in OWN_PAGES:
        st.subheader(rule.title)
        ui.rule_table(rep, rule, case_id)

st.header("Transfers in no finding")
st.caption("Nothing is dropped silently: each transfer of the case that no rule reached, with the reason.")
ui.show_table(pd.DataFrame(rep.get("other_transfers") or [], columns=["transfer", "date", "from", "to", "reason"]),
              "transfers in no finding", case_id, key="case-other-transfers")
