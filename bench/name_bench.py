"""The name-pair part of ``bench/resolution.py --dataset names``: ours against nomenklatura's logic_v2."""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.settings import Settings
from ingest.features import apply_frequencies, prepare_props
from ingest.scoring_v3 import score_pair

PAIRS = Path(__file__).resolve().parent / "data" / "name_pairs.csv"
LOGIC_V2_THRESHOLD = 0.7  # yente's default match threshold
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def read_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [{**r, "match": int(r["match"])} for r in csv.DictReader(fh)]


def metrics(pred: list[bool], truth: list[int]) -> dict[str, float]:
    tp = sum(p and t for p, t in zip(pred, truth, strict=True))
    fp = sum(p and not t for p, t in zip(pred, truth, strict=True))
    fn = sum((not p) and t for p, t in zip(pred, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def ours(pairs: list[dict[str, Any]]) -> tuple[list[float], float]:
    """Scores of name-only records, with name frequencies counted over every record of the set."""
    start = time.perf_counter()
    feats = []
    for n, p in enumerate(pairs):
        feats.append(prepare_props(f"l{n}", p["kind"], {"name": p["left"]}))
        feats.append(prepare_props(f"r{n}", p["kind"], {"name": p["right"]}))
    apply_frequencies(feats)
    scores = [score_pair(feats[2 * n], feats[2 * n + 1]).score for n in range(len(pairs))]
    return scores, time.perf_counter() - start


def logic_v2(pairs: list[dict[str, Any]]) -> tuple[list[float], float]:
    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algorithm = get_algorithm("logic-v2")
    config = ScoringConfig.defaults()

    def entity(schema: str, name: str, id: str) -> Any:
        e = model.make_entity(schema)
        e.id = id
        e.add("name", name)
        return e

    algorithm.compare(entity("Person", "warm up", "w1"), entity("Person", "warm up", "w2"), config)
    start = time.perf_counter()
    scores = []
    for n, p in enumerate(pairs):
        schema = "Person" if p["kind"] == "Person" else "Company"
        scores.append(algorithm.compare(entity(schema, p["left"], f"l{n}"), entity(schema, p["right"], f"r{n}"),
                                        config).score)
    return scores, time.perf_counter() - start


def _report(scores: list[float], pairs: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    truth = [p["match"] for p in pairs]
    out: dict[str, Any] = metrics([s >= threshold for s in scores], truth)
    best = max(((t, metrics([s >= t for s in scores], truth)) for t in THRESHOLDS), key=lambda x: x[1]["f1"])
    out["best_f1"], out["best_threshold"] = best[1]["f1"], best[0]
    by_class: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_class[p["class"]].append(i)
    out["by_class"] = {c: metrics([scores[i] >= threshold for i in ix], [truth[i] for i in ix])
                       for c, ix in sorted(by_class.items())}
    return out


def run_names(baseline: bool = True) -> dict[str, Any]:
    pairs = read_pairs()
    lower = Settings().match_lower
    scores, seconds = ours(pairs)
    out: dict[str, Any] = {"dataset": "names", "pairs": len(pairs), "matches": sum(p["match"] for p in pairs),
                           "threshold": lower, **_report(scores, pairs, lower), "seconds": round(seconds, 2)}
    if baseline:
        base, base_seconds = logic_v2(pairs)
        rep = _report(base, pairs, LOGIC_V2_THRESHOLD)
        out.update({f"baseline_{k}": v for k, v in rep.items()})
        out["baseline"] = "nomenklatura logic_v2"
        out["baseline_threshold"] = LOGIC_V2_THRESHOLD
        out["baseline_seconds"] = round(base_seconds, 2)
        out["ratio_f1"] = round(out["f1"] / max(rep["f1"], 1e-9), 4)
        out["ratio_precision"] = round(out["precision"] / max(rep["precision"], 1e-9), 4)
    return out
