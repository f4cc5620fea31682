"""Search page: fuzzy search over every record (names, identifiers, addresses), kind filters, record view."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui
from graph.model import ENTITY_KINDS

user = ui.require_user()
st.title("Search")
ui.marking_banner()

c1, c2, c3 = st.columns([3, 2, 1])
query = c1.text_input("Name, identifier or address", key="search-query",
                      placeholder="e.g. Marcus Vance, 07654321, LS16 6EL")
kinds = c2.multiselect("Kinds", list(ENTITY_KINDS), default=[], key="search-kinds", placeholder="all kinds")
limit = int(c3.number_input("Max results", 5, 500, 50, key="search-limit"))

if not query.strip():
    st.info("Type a name, an identifier (company number, phone, IBAN, title number…) or an address.")
    st.stop()

store = ui.get_store()
found = store.candidates(query.strip(), kinds or None, limit=limit)
last = st.session_state.get("_last_search")
if last != (query, tuple(kinds), limit):  # audit each distinct search once, not on every rerun
    st.session_state["_last_search"] = (query, tuple(kinds), limit)
    ui.audit("search", {"query": query, "kinds": kinds, "results": len(found)})

rows = [{"id": e.id, "kind": e.kind, "name": e.name, "dataset": e.dataset, "record": e.source_id,
         "identifiers": ", ".join(e.identifiers()),
         "address": str(e.props.get("address") or e.props.get("full") or ""),
         "sources": " | ".join(f"{p.citation()} · {p.file} row {p.row}" if p.file else p.citation()
                               for p in e.provenance)} for e in found]
st.write(f"{len(rows)} record(s)")
ui.show_table(pd.DataFrame(rows, columns=["id", "kind", "name", "dataset", "record", "identifiers", "address",
                                          "sources"]), "search results", key="search")

if not found:
    st.stop()
pick = st.selectbox("Open a record", [e.id for e in found], key="search-open",
                    format_func=lambda i: f"{i} — {next(e.name for e in found if e.id == i)}")
entity = next(e for e in found if e.id == pick)
if st.session_state.get("_last_open") != pick:
    st.session_state["_last_open"] = pick
    ui.audit("open-entity", {"id": pick})
st.subheader(f"{entity.kind}: {entity.name}")
st.json({k: v for k, v in entity.props.items()}, expanded=True)
st.markdown("**Sources:** " + "; ".join(f"{p.citation()} ({p.dataset}, {p.file or '—'} row {p.row})"
                                         for p in entity.provenance))
rels = store.relations_of([entity.id])
rrows = [{"relation": r.source_id or r.id, "kind": r.kind, "from": r.source, "to": r.target,
          "date": r.props.get("date") or r.props.get("start_date") or "", "end": r.props.get("end_date") or "",
          "amount": str(r.props.get("amount") or r.props.get("share_pct") or ""),
          "sources": " | ".join(f"{p.citation()} · {p.file} row {p.row}" for p in r.provenance)} for r in rels]
st.markdown(f"**Relations ({len(rrows)})**")
ui.show_table(pd.DataFrame(rrows, columns=["relation", "kind", "from", "to", "date", "end", "amount", "sources"]),
              "relations", key="search-relations")
if st.button("Show in the network", key="search-network"):
    st.session_state["network_seeds"] = [entity.id]
    st.switch_page(str(__import__("pathlib").Path(__file__).with_name("network.py")))
