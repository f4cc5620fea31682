"""Case page: the dates that fix the law's windows (with sections), subjects and order figures.

Every figure is the report's (``queries.report.case_report``); this page explains and shows them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui

user, case_id, rep, case, dataset = ui.case_page()
props = dict(case.props) if case else {}

st.title(f"Case {case_id}")
ui.marking_banner()

st.header("Dates")
c1, c2, c3 = st.columns(3)
c1.metric(f"Relevant day ({rep['relevant_day_rule']})", rep["relevant_day"])
c2.metric(f"Date of conviction ({rep['conviction_date_rule']})", rep["conviction_date"] or "—")
c3.metric("Valuation date (s.81)", rep.get("valuation_date") or "—")
st.markdown(f"**Relevant day.** {rep.get('relevant_day_explanation', '')}")
convictions = props.get("convictions") or []
if rep.get("conviction_date"):
    st.markdown(f"**Date of conviction.** {rep['conviction_date_rule']}: where there are several convictions the "
                f"date of conviction is the latest of them — convictions on {', '.join(convictions) or '?'} → "
                f"**{rep['conviction_date']}**.")
lifestyle = rep.get("lifestyle")
st.markdown(f"**Criminal lifestyle:** {lifestyle}. "
            + ("The s.10 assumptions apply and gifts after the relevant day are tainted (s.77(2))."
               if lifestyle == "yes" else "Gifts after the offence date are tainted (s.77(5))."))
cut = rep.get("gift_cutoff") or {}
if cut:
    st.markdown(f"**Gift window:** transfers after **{cut.get('day')}** ({cut.get('rule')}).")
for warning in rep.get("warnings") or []:
    st.warning(str(warning))

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

st.header("Order figures")
rev = rep.get("revisit")
if rev:
    m = st.columns(4)
    m[0].metric("Order amount", f"£{ui.money_text(rev['amount'])}", help=f"order of {rev['order_date']}")
    m[1].metric("Paid", f"£{ui.money_text(rev['paid'])}")
    m[2].metric("Outstanding", f"£{ui.money_text(rev['outstanding'])}")
    m[3].metric("Interest (s.12)", f"£{ui.money_text(rev['interest'])}",
                help=f"{rev.get('interest_days', '?')} days from the due date {rev.get('due')}")
    n = st.columns(4)
    n[0].metric("Benefit", f"£{ui.money_text(rev['benefit'])}")
    n[1].metric("Headroom (s.22)", f"£{ui.money_text(rev['headroom'])}", help="benefit less the order amount")
    n[2].metric("Due incl. interest", f"£{ui.money_text(rev.get('outstanding_with_interest'))}")
    n[3].metric("Due date (s.11)", rev.get("due") or "—")
    st.markdown(f"**New assets** first evidenced after the order: {', '.join(rev.get('new_assets') or []) or 'none'}")
else:
    st.info("No confiscation order is recorded for this case.")



def _first_evidence(item: dict) -> dict:
    return (item.get("evidence") or [{}])[0]


_assumptions = rep.get("assumptions") or []
_names = ui.names_of(dataset, [x for a in _assumptions for x in (a["item"], _first_evidence(a).get("from", ""),
                                                                  _first_evidence(a).get("to", ""))])


def _what(item: dict) -> str:
    """A name for an assumption item: the record's caption, or a transfer's payer and payee."""
    ev = _first_evidence(item)
    if ev.get("kind") == "TRANSFER":
        payer, payee = ev.get("from", ""), ev.get("to", "")
        return f"{_names.get(payer, payer)} → {_names.get(payee, payee)}"
    return _names.get(item["item"], item["item"])


st.header("Assumption candidates (s.10(2)–(4))")
arows = [{"rule": a["rule"], "item": a["item"], "name": _what(a),
          "sources": ui.sources_text(a.get("evidence"))} for a in _assumptions]
ui.show_table(pd.DataFrame(arows, columns=["rule", "item", "name", "sources"]), "assumptions", case_id,
              key="case-assumptions")
