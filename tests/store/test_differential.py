"""One case bundle in both stores gives the same graph, the same transfers and the same report."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle
from queries.report import case_report

pytestmark = pytest.mark.bolt


def _edges(g: nx.MultiDiGraph) -> list[tuple[str, str, str, dict]]:
    return sorted((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True))


def test_demo_bundle_is_the_same_on_sqlite_and_bolt(bolt_server, demo_bundle: Path, tmp_path: Path) -> None:
    from bolt_server import fresh_store

    lite = SQLiteStore(tmp_path / "d.db")
    bolt = fresh_store(bolt_server, "differential")
    try:
        for store in (lite, bolt):
            load_bundle(store, demo_bundle, tmp_path / "q")
        assert lite.counts() == bolt.counts()
        seeds = ["OP-DEMO-01/P1", "OP-DEMO-01/C2"]
        for hops, kinds, window in ((1, None, None), (3, None, None), (4, ["OWNS", "NOMINEE_FOR"], None),
                                    (2, None, ("2016-01-01", "2019-12-31"))):
            a = lite.neighbourhood(seeds, hops=hops, kinds=kinds, window=window, max_degree=5)
            b = bolt.neighbourhood(seeds, hops=hops, kinds=kinds, window=window, max_degree=5)
            assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
            assert _edges(a) == _edges(b)
        for parties, start, end in ((None, None, None), (["OP-DEMO-01/A1"], "2015-03-11", None),
                                    (["OP-DEMO-01/A3", "OP-DEMO-01/C4"], "2019-05-01", "2021-12-31")):
            assert lite.transfers(parties, start, end) == bolt.transfers(parties, start, end)
        assert case_report(lite, "OP-DEMO-01") == case_report(bolt, "OP-DEMO-01")
    finally:
        lite.close()
        bolt.close()
