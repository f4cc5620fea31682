"""Weights learnt by EM: saved as a versioned value, re-estimated by full runs, frozen on request,
never touching the vetoes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.commands import resolve as resolve_commands
from graph.model import Entity, Provenance
from graph.settings import Settings
from graph.sqlite_store import SQLiteStore
from graph.store import Store
from ingest.resolve import WEIGHTS_KEY, resolve
from ingest.weights import MAX_SHIFT, NO_RAISE, PRIORS, RAISABLE, Estimate, estimate, weights_of

if not any(c.name == "resolve" for c in cli.registered_commands):  # as tests/ingest/test_resolve_cli.py
    resolve_commands.register(cli)


def _people(n: int, seed: int = 3) -> list[Entity]:
    """Households and namesakes drawn from few names: thousands of blocked pairs, some true."""
    rng = random.Random(seed)
    given = ["marcus", "mark", "sasha", "joanne", "kyle", "dean", "ann", "li"]
    surnames = ["vance", "okafor", "kirby", "braikais", "webb", "hart", "lee"]
    out = []
    for i in range(n):
        g, s = rng.choice(given), rng.choice(surnames)
        dob = f"19{rng.randint(50, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        props: dict[str, Any] = {"name": f"{g} {s}", "dob": dob if rng.random() < 0.8 else None,
                                 "postcode": rng.choice(["LS16 6EL", "HU1 2AB", "M5 4WT", "SW1A 1AA"])}
        out.append(Entity(f"W/r{i}", "Person", {k: v for k, v in props.items() if v},
                          (Provenance("W", file="w.csv", row=i),), source_id=f"r{i}", dataset="W"))
        if rng.random() < 0.3:  # the same person again, as another source writes him
            copy = dict(out[-1].props, name=f"{s.upper()} {g.title()}")
            out.append(Entity(f"W/r{i}b", "Person", copy, (Provenance("W", file="w2.csv", row=i),),
                              source_id=f"r{i}b", dataset="W"))
    return out


@pytest.fixture(scope="module")
def crowd() -> list[Entity]:
    return _people(1400)


def test_a_full_run_learns_saves_and_shows_the_weights(sqlite_store: Store, crowd: list[Entity]) -> None:
    sqlite_store.upsert_entities(crowd)
    report = resolve(sqlite_store)
    w = report.weights
    assert w["learnt_this_run"] and w["revision"] == 1 and w["pairs"]["Person"] >= 2000
    saved = Estimate.from_dict(sqlite_store.get_meta(WEIGHTS_KEY))
    assert saved is not None
    exact_dob = saved.levels["Person"]["dob"]["exact"]
    assert exact_dob["m"] > exact_dob["u"]
    for feature, levels in saved.levels["Person"].items():
        for level, row in levels.items():
            prior = PRIORS["Person"][feature][level]
            assert prior - MAX_SHIFT <= row["weight"] <= prior + MAX_SHIFT
            if feature in NO_RAISE or f"{feature}:{level}" not in RAISABLE:
                assert row["weight"] <= prior  # a disagreement only weighs less
            else:
                assert row["weight"] >= prior  # an agreement only weighs more
    # An incremental run scores with the saved weights; a second full run estimates again.
    assert not resolve(sqlite_store, only_new=True).weights["learnt_this_run"]
    assert resolve(sqlite_store).weights["revision"] == 2


def test_frozen_weights_are_kept(sqlite_store: Store, crowd: list[Entity]) -> None:
    sqlite_store.upsert_entities(crowd)
    first = resolve(sqlite_store)
    frozen = resolve(sqlite_store, freeze_weights=True)
    assert not frozen.weights["learnt_this_run"] and frozen.weights["frozen"]
    assert frozen.weights["revision"] == first.weights["revision"] and frozen.merged == first.merged
    assert resolve(sqlite_store).weights["revision"] == first.weights["revision"]  # stays frozen
    assert resolve(sqlite_store, freeze_weights=False).weights["revision"] == first.weights["revision"] + 1
    assert not resolve(sqlite_store, Settings(freeze_weights=True)).weights["learnt_this_run"]


def test_too_few_pairs_keep_the_priors() -> None:
    levels, _, _ = estimate("Person", [{"dob": "exact"}] * 5, [15.0] * 5)
    assert levels["dob"]["exact"]["weight"] <= PRIORS["Person"]["dob"]["exact"] + MAX_SHIFT
    assert weights_of(Estimate())["Person"] == PRIORS["Person"]


def test_resolve_json_shows_the_weights_and_freezes_them(tmp_path: Path, crowd: list[Entity]) -> None:
    db = tmp_path / "w.db"
    with SQLiteStore(db) as store:
        store.upsert_entities(crowd)
    runner = CliRunner()

    def run(*args: str) -> dict[str, Any]:
        result = runner.invoke(cli, ["--db", str(db), "resolve", "--json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    first = run()
    assert first["weights"]["revision"] == 1 and "Person" in first["weights"]["levels"]
    assert run("--freeze-weights")["weights"]["frozen"] is True
    assert run()["weights"]["revision"] == 1
    assert run("--unfreeze-weights")["weights"]["revision"] == 2
