"""What every page shares: the signed-in user, the store, the case, the cached report, exports.

Pages call :func:`require_user` first, so a page opened directly (or by an AppTest) refuses an
anonymous visitor even without the entry script's gate. The law comes only from
``queries.report.case_report``; this module formats, pages and exports what it returns.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from app.auth import User, can
from graph.model import AuditEvent, Entity, make_id
from graph.open import open_store
from graph.settings import MARKING, Settings, StoreTarget, store_target_from_env
from graph.store import Store
from ingest.export_safety import safe_frame

__all__ = ["MARKING", "case_page", "PAGE_ROWS", "require_user", "current_user", "get_store", "store_key", "audit",
           "settings", "case_ids", "current_case", "case_entity", "report", "clear_report_cache", "name_of", "names_of",
           "sources_text", "money_text", "share_text", "show_table", "csv_bytes", "marking_banner", "as_at",
           "as_at_key", "rule_table", "warnings_panel"]

PAGE_ROWS = 100


def current_user() -> User | None:
    user = st.session_state.get("user")
    return user if isinstance(user, User) else None


def require_user(permission: str = "read") -> User:
    """The signed-in user, or stop the page: anonymous visitors and too-low roles see nothing."""
    user = current_user()
    if user is None:
        st.warning("Sign in to use assetgraph: this page is not available to anonymous visitors.")
        st.stop()
    if not can(user, permission):
        st.error(f"Your role ({user.role}) does not allow this page.")
        st.stop()
    return user


def _target() -> StoreTarget:
    return store_target_from_env()


def store_key() -> str:
    """Which store this is (part of the report cache key): the Bolt URI or the db file's path."""
    target = _target()
    return target.neo4j_uri or os.path.abspath(target.db)


def get_store() -> Store:
    """The configured store, one connection per browser session (SQLite connections are cheap)."""
    key = store_key()
    held = st.session_state.get("_store")
    if held is None or held[0] != key:
        st.session_state["_store"] = (key, open_store(_target()))
    return st.session_state["_store"][1]


def audit(action: str, detail: Mapping[str, Any]) -> None:
    """Record who did what (searches, entity opens, exports, judgements) in the store's audit log."""
    user = current_user()
    get_store().log(AuditEvent(user.login if user else "anonymous", action, dict(detail)))


def settings() -> Settings:
    """The analysis settings the report runs with (saved in the store's meta, else the defaults)."""
    saved = get_store().get_meta("settings")
    return Settings.from_dict(saved) if isinstance(saved, dict) else Settings()


def case_ids() -> list[str]:
    ids = [str(e.props.get("case_id") or e.source_id) for e in get_store().iter_entities(["Case"])]
    return sorted(set(ids))


def current_case() -> str | None:
    """The case chosen in the sidebar, else the first case in the store."""
    chosen = st.session_state.get("case_id")
    ids = case_ids()
    if chosen in ids:
        return chosen
    return ids[0] if ids else None


def case_entity(case_id: str) -> Entity | None:
    store = get_store()
    found = store.get_entity(make_id(case_id, "case"))
    if found is None:
        found = next((e for e in store.iter_entities(["Case"]) if e.props.get("case_id") == case_id), None)
    return found


@st.cache_resource(show_spinner="Applying the law to the case…", max_entries=32)
def _cached_report(key: str, case_id: str, settings_json: str, as_at: str, _store: Store) -> dict[str, Any]:
    # cache_resource hands every page the same dict (no 10 MB unpickle per page); pages only read it.
    from queries.report import case_report

    return case_report(_store, case_id, Settings.from_dict(json.loads(settings_json)), as_at=as_at)


def as_at_key(case_id: str) -> str:
    """The session key of a case's "as at" date (each case keeps its own)."""
    return f"as-at:{case_id}"


def as_at(case_id: str) -> date:
    """The one date every figure of the case is computed at: a sidebar control, default the case's
    valuation date (LAW.md "One 'as at' date"). The report, the briefing pack and the pages use it."""
    from queries.report import valuation_day

    key = as_at_key(case_id)
    case = case_entity(case_id)
    default = valuation_day(dict(case.props) if case else {})
    if key not in st.session_state:
        st.session_state[key] = default
    chosen = st.sidebar.date_input("Figures as at", key=key, min_value=date(1900, 1, 1), max_value=date(2100, 12, 31),
                                   help=f"Every figure is computed as at this date; default the case's valuation "
                                        f"date {default.isoformat()}.")
    return chosen if isinstance(chosen, date) else default


def data_version() -> str:
    """Changes when the store does (a load, a resolution run, a judgement), so the cache follows it."""
    store = get_store()
    last = store.get_meta("resolution:last") or {}
    parts = [sorted(store.counts().items()), len(store.judgements(include_deleted=True)),
             last.get("links_added"), last.get("links_removed"), last.get("seconds")] if isinstance(last, dict) \
        else [sorted(store.counts().items())]
    return json.dumps(parts, default=str)


def report(case_id: str, on: date | None = None) -> dict[str, Any]:
    """The case report as at ``on`` (default the case's "as at" control), cached per store + case (+
    settings, data version and date). A case the law cannot be applied to is said plainly."""
    day = on or as_at(case_id)
    try:
        return _cached_report(f"{store_key()}|{data_version()}", case_id, settings().to_json(), day.isoformat(),
                              get_store())
    except Exception as exc:  # noqa: BLE001 - a broken report must not take the app down
        st.error(f"The report for {case_id} could not be computed: {type(exc).__name__}: {exc}")
        st.stop()
        raise  # unreachable: st.stop() ends the script run


def case_page() -> tuple[User, str, dict[str, Any], Entity | None, str]:
    """What every case page starts with: the signed-in user, the chosen case, its report, the
    Case record and its dataset. Stops the page when the store holds no case."""
    user = require_user()
    case_id = current_case()
    if case_id is None:
        st.warning("The store holds no case.")
        st.stop()
        raise RuntimeError("unreachable")  # st.stop() ends the script run
    case = case_entity(case_id)
    return user, case_id, report(case_id), case, case.dataset if case else case_id


def clear_report_cache() -> None:
    """Drop cached reports (a judgement changes which records are one person)."""
    _cached_report.clear()


def name_of(dataset: str, source_id: str) -> str:
    """A record's caption from its source id (report ids are source ids), else the id itself."""
    return names_of(dataset, [source_id]).get(source_id, source_id)


def names_of(dataset: str, source_ids: Iterable[str]) -> dict[str, str]:
    """Captions for many source ids in one store read (tables of thousands of rows stay fast)."""
    wanted = [s for s in dict.fromkeys(source_ids) if s]
    if not dataset or not wanted:
        return {}
    found = get_store().get_entities([make_id(dataset, s) for s in wanted])
    return {e.source_id: e.name for e in found}


def sources_text(evidence: Iterable[Mapping[str, Any]] | None) -> str:
    """Every source behind a finding on one line: exhibit citation, then dataset file and row."""
    parts = []
    for ev in evidence or ():
        where = f"{ev.get('file')} row {ev.get('row')}" if ev.get("file") else ""
        cite = ev.get("citation") or ""
        parts.append(" · ".join(p for p in (cite, where) if p))
    return " | ".join(dict.fromkeys(p for p in parts if p))


def money_text(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def share_text(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as CSV whose first line is the handling marking, as every export must carry; no
    cell of it runs as a formula when an analyst opens it in a spreadsheet (:func:`safe_frame`)."""
    buf = io.StringIO()
    buf.write(f"{MARKING}\n")
    safe_frame(df).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def _deferred_export(df: pd.DataFrame, name: str, case_id: str | None) -> Any:
    """The CSV, made only when the user clicks (a 10^5-row table costs nothing until then), and
    audited at that moment. It runs outside the page script, so it binds the user and store now."""
    user, store = current_user(), get_store()

    def export() -> bytes:
        store.log(AuditEvent(user.login if user else "anonymous", "export",
                             {"table": name, "rows": len(df), "case_id": case_id, "marking": MARKING}))
        return csv_bytes(df)

    return export


def show_table(df: pd.DataFrame, name: str, case_id: str | None = None, key: str | None = None,
               column_config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Show ``df`` a page at a time with a CSV download (analysts and up; audited); returns the shown page."""
    key = key or name
    pages = max(1, -(-len(df) // PAGE_ROWS))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages}, {len(df):,} rows)", 1, pages, 1, key=f"{key}-page"))
    shown = df.iloc[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
    st.dataframe(shown, hide_index=True, width="stretch", column_config=dict(column_config or {}))
    if can(current_user(), "export"):
        st.download_button(f"Download {name} (CSV, {MARKING})", _deferred_export(df, name, case_id),
                           file_name=f"{key}.csv", mime="text/csv", key=f"{key}-csv", on_click="ignore")
    else:
        st.caption("Viewers cannot export.")
    return shown


def marking_banner() -> None:
    st.caption(f"**{MARKING}** — handle and export under your force's policy.")


def records_of(report_subjects: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every source record id of the case's subjects (the merged records behind each person)."""
    return [r for s in report_subjects for r in s.get("records", [])]


def rule_table(rep: Mapping[str, Any], rule: Any, case_id: str) -> None:
    """A registered rule's findings as a table, with the columns the rule declares (as in the pack)."""
    from queries.finding import cell_text
    from queries.rules import RULES

    items = rep.get(rule.key) or []
    if sum(1 for r in RULES if r.key == rule.key) > 1:  # rules sharing a key are told apart by section
        items = [i for i in items if i.get("rule") == rule.section]
    rows = [{c.header: cell_text(i, c) for c in rule.columns} | {"sources": sources_text(i.get("evidence"))}
            for i in items]
    show_table(pd.DataFrame(rows, columns=[c.header for c in rule.columns] + ["sources"]), rule.title, case_id,
               key=f"rule-{rule.section}")


def warnings_panel(rep: Mapping[str, Any]) -> None:
    """The report's warnings (each names the rule, the record and the reason), shown, never hidden."""
    for warning in rep.get("warnings") or []:
        st.warning(str(warning))
