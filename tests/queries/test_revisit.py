"""Revisit sweeps: ranking on a small portfolio, new hits after a second load, history, the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from revisit_support import cli_app, entity, portfolio, relation
from typer.testing import CliRunner

from graph.model import Entity, Provenance, Relation, make_id
from graph.settings import Settings
from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle
from queries.revisit import last_sweep, recoverable_potential, sweep, sweep_case, sweep_history

ON = "2026-06-30"


def test_ranking_follows_potential_and_enforcement_weights(sqlite_store: SQLiteStore) -> None:
    portfolio(sqlite_store)
    result = sweep(sqlite_store, on=ON)
    assert [e["case_id"] for e in result["ranked"]] == ["OP-FOREIGN", "OP-UK", "OP-BVI", "OP-JERSEY"]
    assert [e["potential"] for e in result["ranked"]] == [400000.0, 150000.0, 90000.0, 80000.0]
    assert [e["rank"] for e in result["ranked"]] == [1, 2, 3, 4]
    top = result["ranked"][0]
    assert "foreign weight 0.4" in top["reason"] and "s.22 headroom £1,000,000.00" in top["reason"]
    assert "s.12 interest" in top["reason"] and "Property of OP-FOREIGN" in top["reason"]
    bvi = result["ranked"][2]["hits"][0]
    assert (bvi["effective_share"], bvi["class"], bvi["chain"]) == (0.5, "overseas_territory", ["P1", "C1", "PR1"])
    assert [(e["case_id"], e["status"]) for e in result["apart"]] == [("OP-DEAD", "deceased")]
    assert [s["case_id"] for s in result["skipped"]] == ["OP-DONE"]
    # the weights are a setting: make foreign enforcement hopeless and the UK case leads
    weights = {"uk": 1.0, "crown_dependency": 0.8, "overseas_territory": 0.6, "foreign": 0.1}
    again = sweep(sqlite_store, Settings(enforcement_weights=weights), on=ON, record=False)
    assert [e["case_id"] for e in again["ranked"]][:2] == ["OP-UK", "OP-FOREIGN"]


def test_potential_is_capped_by_headroom_plus_outstanding() -> None:
    from decimal import Decimal

    hits = [{"recoverable": 500.0, "weight": 1.0, "counted": True},
            {"recoverable": 500.0, "weight": 0.5, "counted": True},
            {"recoverable": 900.0, "weight": 1.0, "counted": False}]
    assert recoverable_potential(Decimal(700), hits) == Decimal("600.00")
    assert [h["contribution"] for h in hits] == [500.0, 100.0, 0.0]


def _new_property(store: SQLiteStore, title: str, acquired: str, owner: str = "OP-DEMO-01/C1") -> None:
    prov = (Provenance("land-registry", "CCOD_FULL_2026_01.csv", 7, "Land Registry CCOD", f"title {title}"),)
    store.upsert_entities([Entity(make_id("land-registry", title), "Property",
                                  {"description": f"Warehouse, title {title}", "title_number": title,
                                   "country": "GB", "acquired": acquired, "value": "250000"}, prov, title,
                                  "land-registry")])
    store.upsert_relations([Relation(make_id("land-registry", f"OWNS:{title}"), "OWNS", owner,
                                     make_id("land-registry", title), {"share_pct": 100, "start_date": acquired},
                                     prov, f"OWNS:{title}", "land-registry")])


def test_second_load_shows_new_hit_since_last_sweep(sqlite_store: SQLiteStore, demo_bundle: Path,
                                                    tmp_path: Path) -> None:
    load_bundle(sqlite_store, demo_bundle, tmp_path / "q")
    first = sweep(sqlite_store, on=ON)
    (demo,) = first["ranked"]
    assert [h["asset"] for h in demo["hits"]] == ["PR6"]  # C3 bought Apartment 2703 after the 2023 order
    assert demo["hits"][0]["after_order"] and not demo["hits"][0]["new_since_last_sweep"]
    assert "P8" not in json.dumps(demo["hits"]) and "PR9" not in json.dumps(demo["hits"])
    assert first["previous_sweep"] is None and first["new_hits_since_last_sweep"] == 0
    # a Land Registry load: his company C1 bought a warehouse in 2025, and an old flat comes to light
    _new_property(sqlite_store, "WYK999001", "2025-03-14")
    _new_property(sqlite_store, "WYK111222", "2012-05-01")
    second = sweep(sqlite_store, on=ON)
    (demo,) = second["ranked"]
    hits = {h["asset"]: h for h in demo["hits"]}
    assert set(hits) == {"PR6", "WYK999001", "WYK111222"}
    assert hits["WYK999001"]["after_order"] and hits["WYK999001"]["new_since_last_sweep"]
    assert hits["WYK999001"]["chain"] == ["P1", "C1", "WYK999001"] and hits["WYK999001"]["class"] == "uk"
    assert not hits["WYK111222"]["after_order"] and hits["WYK111222"]["new_since_last_sweep"]
    assert not hits["PR6"]["new_since_last_sweep"]
    assert second["previous_sweep"] == 1 and second["new_hits_since_last_sweep"] == 2
    assert hits["WYK999001"]["contribution"] == 250000.0  # UK, weight 1.0: counted in full
    assert {h["asset"] for h in demo["hits"][:2]} == {"WYK999001", "WYK111222"}
    assert hits["WYK999001"]["evidence"][-1]["citation"] == "Land Registry CCOD title WYK999001"
    # history is kept in the store; a third sweep sees nothing new
    assert [s["id"] for s in sweep_history(sqlite_store)] == [1, 2]
    assert last_sweep(sqlite_store)["sweep_id"] == 2
    assert sweep(sqlite_store, on=ON)["new_hits_since_last_sweep"] == 0
    # figures are s.12 / s.22 as DEMO_EXPECTED §9
    f = demo["figures"]
    assert (f["outstanding_with_interest"], f["headroom"], f["interest"]) == (250279.45, 1450000.0, 50279.45)


def test_gift_to_family_after_the_order_is_a_hit(sqlite_store: SQLiteStore) -> None:
    from revisit_support import add_case

    add_case(sqlite_store, "OP-GIFT", benefit="500000", amount="100000", value="100000", acquired="2010-01-01")
    sqlite_store.upsert_entities([entity("OP-GIFT", "P2", "Person", name="Sister", country="GB")])
    sqlite_store.upsert_relations([relation("OP-GIFT", "FAMILY", "P1", "P2", role="sibling")])
    transfer = Relation(make_id("OP-GIFT", "T1"), "TRANSFER", make_id("OP-GIFT", "P1"), make_id("OP-GIFT", "P2"),
                        {"date": "2022-03-01", "amount": "40000.00", "currency": "GBP"},
                        (Provenance("OP-GIFT", "transfers.csv", 2, "Bank statement", "line 4"),), "T1", "OP-GIFT")
    sqlite_store.upsert_relations([transfer])
    entry = sweep_case(sqlite_store, "OP-GIFT", on=ON)
    gift = next(h for h in entry["hits"] if h["route"] == "gift")
    assert gift["after_order"] and gift["counted"] and gift["value"] > 40000  # s.81(a) index uplift
    assert "s.77(2)" in gift["rule"] and gift["acquired"] == "2022-03-01"
    assert all(h["route"] != "holding" for h in entry["hits"])  # PR1 was bought in 2010, before the order


def test_revisit_and_brief_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    with SQLiteStore(db) as store:
        portfolio(store)
    runner = CliRunner()
    app = cli_app(db)
    out = runner.invoke(app, ["revisit", "--json", "--on", ON])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["ranked"][0]["case_id"] == "OP-FOREIGN" and data["sweep_id"] == 1
    table = runner.invoke(app, ["revisit", "--on", ON, "--dry-run"], env={"COLUMNS": "250"})
    assert table.exit_code == 0 and "OP-FOREIGN" in table.stdout and "deceased" in table.stdout
    md = tmp_path / "pack.md"
    done = runner.invoke(app, ["brief", "--top", "2", "--out", str(md), "--author", "DS Jones", "--on", ON])
    assert done.exit_code == 0, done.output
    text = md.read_text(encoding="utf-8")
    assert text.index("OP-FOREIGN") < text.index("OP-UK") and "DS Jones" in text
    bad = runner.invoke(app, ["brief", "OP-UK", "--top", "2", "--out", str(md)])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["brief", "NOPE", "--out", str(tmp_path / "x.md")])
    assert missing.exit_code == 2 and "NOPE" in missing.output


def test_sweep_case_reads_history_but_writes_none(sqlite_store: SQLiteStore) -> None:
    portfolio(sqlite_store)
    sweep(sqlite_store, on=ON)
    sqlite_store.upsert_entities([replace(entity("OP-UK", "PR2", "Property", country="GB", value="5000",
                                                 acquired="2021-01-01"))])
    sqlite_store.upsert_relations([relation("OP-UK", "OWNS", "P1", "PR2", start_date="2021-01-01")])
    entry = sweep_case(sqlite_store, "OP-UK", on=ON)
    assert [h["asset"] for h in entry["hits"] if h["new_since_last_sweep"]] == ["PR2"]
    assert len(sweep_history(sqlite_store)) == 1


def test_sweep_gives_the_same_ranking_on_every_store(store) -> None:  # noqa: ANN001 - parametrised fixture
    portfolio(store)
    result = sweep(store, on=ON)
    assert [(e["case_id"], e["potential"]) for e in result["ranked"]] == [
        ("OP-FOREIGN", 400000.0), ("OP-UK", 150000.0), ("OP-BVI", 90000.0), ("OP-JERSEY", 80000.0)]
    assert sweep(store, on=ON)["previous_sweep"] == result["sweep_id"]


def test_old_sweeps_keep_only_their_summary(sqlite_store: SQLiteStore, monkeypatch) -> None:  # noqa: ANN001
    import queries.revisit as revisit

    monkeypatch.setattr(revisit, "KEEP_FULL", 2)
    portfolio(sqlite_store)
    for _ in range(4):
        sweep(sqlite_store, on=ON)
    history = sweep_history(sqlite_store)
    assert [(s["id"], bool(s.get("pruned"))) for s in history] == [(1, True), (2, True), (3, False), (4, False)]
    assert sqlite_store.get_meta("revisit:sweep:1")["pruned"] and sqlite_store.get_meta("revisit:known:1") is None
    assert len(sqlite_store.get_meta("revisit:sweep:4")["ranked"]) == 4
    assert set(sqlite_store.get_meta("revisit:known:4")) == {"OP-FOREIGN", "OP-UK", "OP-BVI", "OP-JERSEY"}
