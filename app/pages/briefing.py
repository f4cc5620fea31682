"""Briefing page: preview a case's NECC briefing pack, or the top N of the last sweep, and download it.

The pack is ``queries.briefing``'s (the same model the CLI renders); this page previews its
Markdown and chart, and offers PDF, DOCX and Markdown downloads to analysts and supervisors only.
Each download is made when clicked and audited then (:mod:`app.briefing_export`).
"""

from __future__ import annotations

import json

import streamlit as st

from app import briefing_export as bx
from app import ui
from app.auth import can
from graph.errors import AssetGraphError
from graph.settings import MARKING, Settings
from graph.store import Store
from queries.revisit import last_sweep, sweep_history

user = ui.require_user()
store = ui.get_store()

st.title("Briefing")
ui.marking_banner()
st.markdown("A briefing pack for an NECC tasking meeting: case summary (order, paid, outstanding with s.12 interest, "
            "s.22 headroom, relevant day), subjects, overseas holdings, tainted-gift candidates, new assets since the "
            "order, the network chart and recommended actions with the power behind each, every figure footnoted "
            "to its source.")


@st.cache_data(show_spinner="Building the briefing pack…", max_entries=16)
def _case_pack(key: str, case_id: str, author: str, settings_json: str, on: str, _store: Store) -> bx.Pack:
    # ``key`` names the store, its data version and the sweep history, so the pack follows them.
    return bx.case_pack(_store, case_id, author, Settings.from_dict(json.loads(settings_json)), on)


@st.cache_data(show_spinner="Building the tasking pack…", max_entries=8)
def _tasking_pack(key: str, top: int, author: str, settings_json: str, _store: Store) -> bx.Pack:
    return bx.tasking_pack(_store, top, author, Settings.from_dict(json.loads(settings_json)))


MODES = ("One case", "Top N of the last sweep")
mode = st.radio("Pack", MODES, horizontal=True, key="brief-mode")
c1, c2 = st.columns(2)
author = c2.text_input("Author", value=user.name, key="brief-author").strip() or user.name
key = f"{ui.store_key()}|{ui.data_version()}|{len(sweep_history(store))}"
settings_json = ui.settings().to_json()

try:
    if mode == MODES[0]:
        ids = ui.case_ids()
        if not ids:
            st.warning("The store holds no case.")
            st.stop()
        current = ui.current_case()
        case_id = c1.selectbox("Case", ids, index=ids.index(current) if current in ids else 0, key="brief-case")
        on = ui.as_at(case_id)  # the case's one "as at" date, as the Case page shows it
        st.caption(f"Every figure in this pack is as at {on.isoformat()} (the sidebar's date for {case_id}).")
        pack = _case_pack(key, case_id, author, settings_json, on.isoformat(), store)
        detail: dict[str, object] = {"case_id": case_id, "as_at": on.isoformat()}
        subject = case_id
    else:
        last = last_sweep(store)
        if last is None:
            st.info("No revisit sweep is recorded yet: an analyst runs one on the Revisit page.")
            st.stop()
            raise RuntimeError("unreachable")  # st.stop() ends the script run
        most = max(1, len(last["ranked"]))
        top = int(c1.number_input(f"Top N of sweep {last['sweep_id']} ({last['on']})", 1, most, min(5, most),
                                  key="brief-top"))
        pack = _tasking_pack(key, top, author, settings_json, store)
        detail = {"case_id": None, "top": top, "sweep_id": last["sweep_id"],
                  "cases": [e["case_id"] for e in last["ranked"][:top]]}
        subject = f"top{top}_sweep{last['sweep_id']}"
except AssetGraphError as exc:
    st.error(f"No pack: {exc}")
    st.stop()
    raise  # unreachable: st.stop() ends the script run

st.subheader("Download")
if can(user, "export"):
    cols = st.columns(len(bx.FORMATS))
    for col, fmt in zip(cols, bx.FORMATS, strict=True):
        col.download_button(f"{fmt[1:].upper()} ({MARKING})",
                            bx.deferred_download(store, user, pack, fmt, detail, stem=f"briefing_{subject}"),
                            file_name=bx.file_name(subject, fmt), mime=bx.MIME[fmt], key=f"brief-dl{fmt}",
                            on_click="ignore")
    st.caption("Every download is recorded in the audit log and carries the marking on every page.")
else:
    st.caption("Viewers cannot export: the preview only.")

st.subheader("Preview")
with st.container(border=True):
    st.markdown(bx.preview_markdown(pack))
for name, png in pack[1].items():
    st.image(png, caption=f"Network chart ({name})")
st.caption(f"**{MARKING}**")
