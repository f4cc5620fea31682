"""Network page: the subject's neighbourhood as an interactive graph (st-link-analysis, offline).

Expand a node (double-click it, or pick it below), filter relation kinds and a date window,
colour by kind or territory, and find the shortest path between two entities. Nodes with more
relations than the settings' ``max_degree`` (a formation agent's address) stay collapsed.
"""

from __future__ import annotations

import hashlib
import html

import networkx as nx
import pandas as pd
import streamlit as st

from app import ui
from graph.model import RELATION_KINDS

user = ui.require_user()
store = ui.get_store()
case_id = ui.current_case()
rep = ui.report(case_id) if case_id else None
case = ui.case_entity(case_id) if case_id else None
dataset = case.dataset if case else ""

st.title("Network")
ui.marking_banner()

default_seeds = [e.id for e in store.get_entities([f"{dataset}/{r}" for r in ui.records_of(rep["subjects"])])] \
    if rep else []
seeds: list[str] = st.session_state.setdefault("network_seeds", default_seeds) or default_seeds
extra: list[str] = st.session_state.setdefault("network_expanded", [])

c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
all_kinds = [k for k in RELATION_KINDS if k != "SUBJECT_OF"]
kinds = c1.multiselect("Relation kinds", all_kinds, default=all_kinds, key="net-kinds")
hops = int(c2.number_input("Hops", 1, 4, 2, key="net-hops"))
start = c3.text_input("From date", "", key="net-start", placeholder="YYYY-MM-DD") or None
end = c4.text_input("To date", "", key="net-end", placeholder="YYYY-MM-DD") or None
d1, d2 = st.columns([3, 1])
colour_by = d1.radio("Colour by", ["kind", "territory"], horizontal=True, key="net-colour")
max_drawn = int(d2.number_input("Max nodes drawn", 20, 2000, 150, key="net-max"))

max_degree = ui.settings().max_degree
graph = store.neighbourhood(seeds, hops=hops, kinds=kinds or None, window=(start, end), max_degree=max_degree)
if extra:  # nodes the analyst expanded: one more hop around each, whatever their degree
    graph = nx.compose(graph, store.neighbourhood(extra, hops=1, kinds=kinds or None, window=(start, end)))
total_nodes = graph.number_of_nodes()
if total_nodes > max_drawn:  # keep what is nearest the seeds; a browser cannot lay out thousands of nodes
    nearest = list(dict.fromkeys([*seeds, *extra]))
    for layer in nx.bfs_layers(graph.to_undirected(as_view=True), [n for n in nearest if n in graph]):
        nearest.extend(layer)
        if len(dict.fromkeys(nearest)) >= max_drawn:
            break
    graph = graph.subgraph(list(dict.fromkeys(nearest))[:max_drawn]).copy()
    st.warning(f"Showing the {max_drawn} nodes nearest the subject of {total_nodes:,}: narrow the relation kinds or "
               "dates, lower the hops, or expand a node to look further.")
st.caption(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} relations around "
           f"{', '.join(seeds) or 'nothing'}" + (f" (+ expanded {', '.join(extra)})" if extra else ""))

nodes = sorted(graph.nodes)
label_of = {n: f"{graph.nodes[n].get('name', n)} ({n.split('/')[-1]})" for n in nodes}

st.subheader("Shortest path")
p1, p2 = st.columns(2)
src = p1.selectbox("From", [None, *nodes], key="net-from", format_func=lambda n: "—" if n is None else label_of[n])
dst = p2.selectbox("To", [None, *nodes], key="net-to", format_func=lambda n: "—" if n is None else label_of[n])
path: list[str] = []
if src and dst and src != dst:
    try:
        path = nx.shortest_path(graph.to_undirected(as_view=True), src, dst)
    except nx.NetworkXNoPath:
        st.warning("No path between them in this view (widen the hops, kinds or dates).")
on_path = set(path)
path_edges = {frozenset(p) for p in zip(path, path[1:], strict=False)}

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf"]


def _group(n: str) -> str:
    data = graph.nodes[n]
    if n in on_path:
        return "ON PATH"
    if data.get("supernode"):
        return "COLLAPSED"
    if colour_by == "territory":
        props = data.get("props") or {}
        return str(props.get("country") or props.get("jurisdiction") or "unknown")[:2].upper()
    return str(data.get("kind", "?"))


def _colour(group: str) -> str:
    if group == "ON PATH":
        return "#ffbf00"
    if group == "COLLAPSED":
        return "#444444"
    return PALETTE[int(hashlib.md5(group.encode()).hexdigest(), 16) % len(PALETTE)]  # noqa: S324 - a colour


degrees = store.degrees([n for n in nodes if graph.nodes[n].get("supernode")], kinds or None) if nodes else {}
elements = {"nodes": [], "edges": []}
for n in nodes:
    data = graph.nodes[n]
    name = data.get("name", n)
    if data.get("supernode"):
        name = f"{name} ({degrees.get(n, '?')} links, collapsed)"
    elements["nodes"].append({"data": {"id": n, "label": _group(n), "name": name, "kind": data.get("kind", ""),
                                       "record": n}})
for u, v, key, data in graph.edges(keys=True, data=True):
    kind = data.get("kind", "")
    prov = data.get("provenance") or [{}]
    elements["edges"].append({"data": {"id": key, "source": u, "target": v,
                                       "label": "ON PATH" if frozenset((u, v)) in path_edges else kind,
                                       "kind": kind, "date": (data.get("props") or {}).get("date", ""),
                                       "source_file": f"{prov[0].get('file', '')} row {prov[0].get('row', '')}"}})

try:
    from st_link_analysis import EdgeStyle, NodeStyle, st_link_analysis
    from st_link_analysis.component.layouts import LAYOUTS
except ImportError:
    st.error("The graph component (st-link-analysis) is not installed; showing the relations as a table.")
    event = None
else:
    class _LabelledNode(NodeStyle):
        """Show captions at any zoom (the component hides them when a fitted graph is zoomed out)."""

        def dump(self) -> dict:
            out = super().dump()
            out["style"].update({"min-zoomed-font-size": 0, "font-size": 9, "text-wrap": "ellipsis",
                                 "text-max-width": 140})
            return out

    groups = sorted({e["data"]["label"] for e in elements["nodes"]})
    node_styles = [_LabelledNode(g, _colour(g), "name") for g in groups]
    edge_styles = [EdgeStyle(k, "#ffbf00" if k == "ON PATH" else "#9aa0a6", caption="label", directed=True,
                             labeled=None)
                   for k in sorted({e["data"]["label"] for e in elements["edges"]})]
    # cose reads best but costs O(n^2) per step in the browser; past ~80 nodes a concentric layout
    # (by degree, the subject's hub in the middle) keeps the page responsive.
    layout = {**LAYOUTS["cose"], "animate": False, "nodeRepulsion": 9000, "idealEdgeLength": 90} \
        if len(elements["nodes"]) <= 80 else {**LAYOUTS["concentric"], "animate": False}
    event = st_link_analysis(elements, layout=layout, node_styles=node_styles, edge_styles=edge_styles, height=560,
                             key="net-graph", node_actions=["expand"])
    legend = " ".join(f"<span style='color:{_colour(g)}'>●</span> {html.escape(g)}" for g in groups)
    st.markdown(f"<small>{legend}</small>", unsafe_allow_html=True)
    st.caption("Double-click a node to expand it. Dark grey nodes are collapsed super-nodes.")
if isinstance(event, dict) and event.get("action") == "expand":
    for node in event.get("data", {}).get("node_ids", []):
        if node not in extra and node not in seeds:
            extra.append(node)
            ui.audit("open-entity", {"id": node, "via": "network expand"})
            st.rerun()

e1, e2 = st.columns([3, 1])
to_expand = e1.selectbox("Expand a node", [None, *nodes], key="net-expand",
                         format_func=lambda n: "—" if n is None else label_of[n])
if e2.button("Expand", key="net-expand-go") and to_expand and to_expand not in extra:
    extra.append(to_expand)
    ui.audit("open-entity", {"id": to_expand, "via": "network expand"})
    st.rerun()
if extra and st.button("Reset expansions", key="net-reset"):
    st.session_state["network_expanded"] = []
    st.rerun()

if path:
    st.markdown("**Path:** " + " → ".join(label_of[n] for n in path))
rows = []
for u, v, key, data in graph.edges(keys=True, data=True):
    props = data.get("props") or {}
    rows.append({"relation": data.get("source_id") or key, "kind": data.get("kind", ""), "from": label_of[u],
                 "to": label_of[v], "date": props.get("date") or props.get("start_date") or "",
                 "end": props.get("end_date") or "",
                 "amount / share": str(props.get("amount") or props.get("share_pct") or ""),
                 "sources": " | ".join(f"{p.get('source', '')} {p.get('source_ref', '')} · {p.get('file', '')} row "
                                       f"{p.get('row', '')}".strip() for p in data.get("provenance") or [])})
frame = pd.DataFrame(rows, columns=["relation", "kind", "from", "to", "date", "end", "amount / share", "sources"])
ui.show_table(frame.sort_values(["kind", "date"]) if rows else frame, "network relations", case_id, key="net-relations")
