"""Audit log page (supervisors): who searched, opened, exported and judged what."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui

user = ui.require_user("audit")
st.title("Audit log")
ui.marking_banner()
c1, c2 = st.columns(2)
who = c1.text_input("User (blank: everyone)", key="audit-user").strip() or None
limit = int(c2.number_input("Newest events", 10, 100_000, 500, key="audit-limit"))
events = ui.get_store().audit_log(limit=limit, user=who)
rows = [{"time": e.ts, "user": e.user, "action": e.action, "detail": str(dict(e.detail))} for e in events]
ui.show_table(pd.DataFrame(rows, columns=["time", "user", "action", "detail"]), "audit log", key="audit")
