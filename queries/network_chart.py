"""The network chart in a briefing pack: the key chains from the subject to what he holds or gave.

Drawn with networkx and matplotlib (Agg, no display), laid out left to right by distance from
the subject, so the chain defendant -> nominee -> BVI company -> Gibraltar company -> flat reads
like the sentence a briefer would say. Nodes are coloured by kind; edges by the route (holding
chain, gift, new asset).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import networkx as nx

__all__ = ["ChainEdge", "draw_chart", "KIND_COLOURS"]

KIND_COLOURS = {"Person": "#4C72B0", "Company": "#DD8452", "Property": "#55A868", "Account": "#8172B3",
                "Case": "#937860"}
ROUTE_COLOURS = {"holding": "#333333", "holds for": "#8172B3", "gift": "#C44E52", "new": "#2CA02C"}
ROUTE_LABELS = {"holding": "holding / control chain", "holds for": "holds for him (nominee)", "gift": "gift",
                "new": "new since order"}
ROUTE_STYLES = {"gift": "dashed", "holds for": "dotted"}

ChainEdge = tuple[str, str, str]  # (from id, to id, route)


def _wrap(text: str, width: int = 18) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines[:3])


def draw_chart(edges: Sequence[ChainEdge], subjects: Sequence[str], labels: Mapping[str, str],
               kinds: Mapping[str, str], path: str | Path, title: str = "") -> Path | None:
    """Draw the chains as a PNG at ``path``; None when there is nothing to draw.

    Parameters
    ----------
    edges : sequence of (from, to, route)
        ``route`` is ``holding``, ``holds for`` (a nominee's link, drawn from the nominee to him:
        he does not own her), ``gift`` or ``new``.
    subjects : sequence of str
        The defendant's node ids (placed on the left).
    labels, kinds : mapping
        Display label and entity kind per node id.
    path : str or Path
        Where to write the PNG.
    """
    if not edges:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    graph = nx.DiGraph()
    for a, b, route in edges:
        if graph.has_edge(a, b) and route != "new":
            continue
        graph.add_edge(a, b, route=route)  # a new asset's last link is drawn as new
    undirected = graph.to_undirected()
    roots = [s for s in subjects if s in graph] or [next(iter(graph.nodes))]
    depth = nx.multi_source_dijkstra_path_length(undirected, roots)
    far = max(depth.values(), default=0) + 1
    for node in graph.nodes:
        graph.nodes[node]["layer"] = depth.get(node, far)
    pos = nx.multipartite_layout(graph, subset_key="layer", align="vertical")
    width = max(6.0, 2.3 * (max(d["layer"] for _, d in graph.nodes(data=True)) + 1))
    height = max(3.5, 1.1 * max(sum(1 for _, d in graph.nodes(data=True) if d["layer"] == n) for n in range(far + 1)))
    fig, ax = plt.subplots(figsize=(min(width, 11), min(height, 7.5)), dpi=150)
    colours = [KIND_COLOURS.get(kinds.get(n, ""), "#999999") for n in graph.nodes]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=420, alpha=0.9)
    for route, colour in ROUTE_COLOURS.items():
        chosen = [(a, b) for a, b, d in graph.edges(data=True) if d["route"] == route]
        if chosen:
            nx.draw_networkx_edges(graph, pos, edgelist=chosen, ax=ax, edge_color=colour, arrows=True,
                                   arrowsize=14, width=1.6, style=ROUTE_STYLES.get(route, "solid"),
                                   node_size=420)
    for node, (x, y) in pos.items():  # labels below the node, a fixed distance in points whatever the scale
        ax.annotate(_wrap(labels.get(node, node)), (x, y), xytext=(0, -13), textcoords="offset points",
                    ha="center", va="top", fontsize=6.5)
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=c, label=k) for k, c in KIND_COLOURS.items()
               if k in set(kinds.get(n) for n in graph.nodes)]
    handles += [plt.Line2D([], [], color=c, linestyle={"gift": "--", "holds for": ":"}.get(r, "-"),
                           label=ROUTE_LABELS[r])
                for r, c in ROUTE_COLOURS.items() if any(d["route"] == r for *_, d in graph.edges(data=True))]
    ax.legend(handles=handles, loc="lower left", fontsize=6.5, frameon=False, ncol=4, bbox_to_anchor=(0, -0.12))
    ax.set_title(title, fontsize=9)
    ax.margins(0.12, 0.2)
    ax.axis("off")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png", bbox_inches="tight")
    plt.close(fig)
    return out
