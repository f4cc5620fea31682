"""Score what blocking kept: the date-of-birth veto in numpy first, then the Python scorers.

Two thirds of the pairs blocking keeps for people (siblings at one address, namesakes) end in
``person_v3``'s date-of-birth veto. :class:`~ingest.dob_veto.PersonVeto` finds exactly those
pairs in numpy, so the Python scorer only sees the rest. With ``learn_weights=True`` the weights are
first estimated on a sample of the remaining pairs (:func:`ingest.weights.learn`) and every pair
is scored with them; otherwise with ``weights`` as given (the priors when None).
:func:`conflicts_in_merges` finds the vetoed pairs automatic merges would join through other
records, for :func:`~ingest.judgement.decide` to keep apart. Pairs scoring under ``floor`` are
counted, not kept: at 10^6 records they are millions of explanations that
:func:`~ingest.judgement.decide` would reject anyway. ``workers > 1`` scores slices in forked
processes (the CLI's ``--workers``); the default of one process is what the app uses, because
forking a process that runs threads (Streamlit's) is unsafe.

``assetgraph resolve`` and ``bench/resolution.py`` both come through here, so the benchmark
measures the product's own path.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from graph.canonical import CanonicalView
from graph.model import Judgement
from ingest.blocking import BlockingStats, pair_codes
from ingest.dob_veto import PersonVeto
from ingest.features import Features
from ingest.judgement import Candidate, pair_key
from ingest.scoring_v3 import score_pair
from ingest.weights import Estimate, learn

__all__ = ["Scored", "score_candidates", "gc_paused", "conflicts_in_merges", "conflict_constraints"]

_VETO_CHUNK = 2_000_000  # pairs checked at once: bounds the temporary arrays to a few hundred MB


@dataclass
class Scored:
    """Candidates worth deciding on, and what happened to the other blocked pairs."""

    candidates: list[Candidate] = field(default_factory=list)
    pairs: int = 0
    vetoed: int = 0
    below_floor: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    estimate: Estimate | None = None  # the weights learnt in this run, when asked to learn


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of short-lived, acyclic objects are made.

    With 10^6 records alive, each full collection walks them all; resolving 10^5 records spent
    a quarter of its time there. Nothing made here forms cycles, and the previous state is
    restored on the way out (so nesting is harmless).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# Shared with forked workers through copy-on-write memory instead of pickling 10^6 records.
_SHARED: dict[str, object] = {}


def _score_slice(bounds: tuple[int, int]) -> tuple[list[tuple[int, float, str, dict]], int]:
    """Score pair codes ``[lo:hi]``: plain tuples back (a fraction of the cost of pickling Candidates)."""
    feats: Sequence[Features] = _SHARED["feats"]  # type: ignore[assignment]
    codes: np.ndarray = _SHARED["codes"]  # type: ignore[assignment]
    floor: float = _SHARED["floor"]  # type: ignore[assignment]
    weights: Mapping | None = _SHARED["weights"]  # type: ignore[assignment]
    size = len(feats)
    kept, low = [], 0
    for code in codes[bounds[0]:bounds[1]].tolist():
        i, j = divmod(code, size)
        s = score_pair(feats[i], feats[j], weights)
        if s.score < floor:
            low += 1
        else:
            kept.append((code, s.score, s.scorer, s.features))
    return kept, low


def _collect(run: Scored, feats: Sequence[Features],
             parts: Iterator[tuple[list[tuple[int, float, str, dict]], int]]) -> None:
    size = len(feats)
    for kept, low in parts:
        run.below_floor += low
        for code, score, scorer, features in kept:
            a, b = feats[code // size], feats[code % size]
            run.candidates.append(Candidate(a.id, b.id, a.kind, score, scorer, features))


def conflicts_in_merges(feats: Sequence[Features], merges: Sequence[tuple[int, int]],
                        largest: int = 200) -> list[tuple[str, str]]:
    """Pairs of records that ``merges`` (positions in ``feats``) would put into one entity although
    a scorer vetoes them: A (born 1984) = B (no date) = C (born 1962), each link sound, the entity not.

    Every pair inside each would-be entity is checked (the people's DOB veto in numpy; records with
    external identifiers, and other kinds, through their scorer). The resolver hands the pairs to
    :func:`~ingest.judgement.decide` as constraints, so the weakest link joining a conflict is
    refused, as a negative judgement refuses it. Entities over ``largest`` records are checked
    only against the records they share an identifier scheme or a date with (never in practice).

    >>> from ingest.features import prepare_props
    >>> fs = [prepare_props("a", "Person", {"name": "Ann Lee", "dob": "1984-03-15"}),
    ...       prepare_props("b", "Person", {"name": "Ann Lee"}),
    ...       prepare_props("c", "Person", {"name": "Ann Lee", "dob": "1962-08-01"})]
    >>> conflicts_in_merges(fs, [(0, 1), (1, 2)])
    [('a', 'c')]
    """
    ids = {f.id: i for i, f in enumerate(feats)}
    view = CanonicalView(pairs=[(feats[i].id, feats[j].id) for i, j in merges])
    groups = [[ids[x] for x in members] for members in view.clusters().values()]
    dated = [g if len(g) <= largest else [x for x in g if feats[x].dob or feats[x].external
                                          or feats[x].kind != "Person"] for g in groups]
    sub = [feats[m] for g in dated if len(g) > 1 for m in g]  # the veto's columns for these records only
    left: list[int] = []
    right: list[int] = []
    at = 0
    for g in dated:
        n = len(g)
        if n < 2:
            continue
        for x in range(n):
            left.extend([at + x] * (n - x - 1))
            right.extend(range(at + x + 1, at + n))
        at += n
    if not left:
        return []
    la, ra = np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)
    out = PersonVeto(sub).vetoed(la, ra)
    plain = np.array([f.kind == "Person" and not f.external for f in sub], dtype=bool)
    for n in np.flatnonzero(~out & ~(plain[la] & plain[ra])).tolist():
        out[n] = "veto" in score_pair(sub[left[n]], sub[right[n]]).features
    return sorted(pair_key(sub[i].id, sub[j].id) for i, j in zip(la[out].tolist(), ra[out].tolist(), strict=True))


def score_candidates(
    feats: Sequence[Features],
    only: Sequence[int] | None = None,
    max_block: int = 24,
    stats: BlockingStats | None = None,
    floor: float = 0.0,
    workers: int = 1,
    weights: Mapping[str, Mapping] | None = None,
    learn_weights: bool = False,
) -> Scored:
    """Block, veto and score prepared records (pure: no store).

    Example
    -------
    >>> from ingest.features import prepare_props
    >>> fs = [prepare_props("a", "Person", {"name": "Marcus Vance", "dob": "1979-09-03"}),
    ...       prepare_props("b", "Person", {"name": "VANCE Marcus", "dob": "03/09/1979"}),
    ...       prepare_props("c", "Person", {"name": "Marcus VANCE", "dob": "1955-02-11"})]
    >>> run = score_candidates(fs)
    >>> [(c.left, c.right, round(c.score, 2)) for c in run.candidates], run.vetoed
    ([('a', 'b', 0.99)], 2)
    """
    with gc_paused():
        return _score_candidates(feats, only, max_block, stats, floor, workers, weights, learn_weights)


def _score_candidates(feats: Sequence[Features], only: Sequence[int] | None, max_block: int,
                      stats: BlockingStats | None, floor: float, workers: int,
                      weights: Mapping[str, Mapping] | None, learn_weights: bool) -> Scored:
    started = time.perf_counter()
    size = len(feats)
    codes = pair_codes(feats, only=only, max_block=max_block, stats=stats)
    blocked = time.perf_counter()
    veto = PersonVeto(feats)
    keep = np.concatenate([~veto.vetoed(c // max(size, 1), c % max(size, 1))
                           for c in np.array_split(codes, 1 + codes.size // _VETO_CHUNK)])
    run = Scored(pairs=int(codes.size), vetoed=int(codes.size - keep.sum()))
    codes = codes[keep]
    del keep
    vetoed = time.perf_counter()
    if learn_weights:
        run.estimate = learn(feats, codes, score_pair)
        weights = run.estimate.tables()
    learnt = time.perf_counter()
    _SHARED.update(feats=feats, codes=codes, floor=floor, weights=weights)
    step = max(1, codes.size // (max(workers, 1) * 16) + 1)
    slices = [(lo, min(lo + step, codes.size)) for lo in range(0, codes.size, step)]
    try:
        if workers > 1 and len(slices) > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                _collect(run, feats, pool.imap(_score_slice, slices))  # Candidates built while workers score
        else:
            _collect(run, feats, map(_score_slice, slices))
    finally:
        _SHARED.clear()
    run.seconds = {"block": round(blocked - started, 3), "veto": round(vetoed - blocked, 3),
                   "learn": round(learnt - vetoed, 3), "score": round(time.perf_counter() - learnt, 3)}
    return run


def conflict_constraints(feats: Sequence[Features], candidates: Sequence[Candidate],
                         judged: dict[tuple[str, str], Judgement], upper: float) -> dict[tuple[str, str], Judgement]:
    """Hard conflicts the automatic merges would join (:func:`conflicts_in_merges`)
    as negative constraints for :func:`~ingest.judgement.decide`: no entity is made automatically
    of two records born on different days or carrying different identifiers in one scheme.

    Not stored and not analysts' judgements; records an analyst has joined are left to the analyst.
    """
    pos = {f.id: i for i, f in enumerate(feats)}
    merges = [(pos[c.left], pos[c.right]) for c in candidates
              if c.score >= upper and c.left in pos and c.right in pos]
    joined = {x for key, j in judged.items() if j.verdict == "positive" for x in key}
    return {(a, b): Judgement(a, b, "negative", "resolver", explanation={"veto": "hard conflict"})
            for a, b in conflicts_in_merges(feats, merges) if a not in joined and b not in joined}
