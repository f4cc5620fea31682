"""Evidence weights per feature level: hand-set priors, and estimates learnt from the loaded records.

The v3 scorers read each feature at a *level* (a name ``exact`` / ``high`` / ``good`` ...; a date
of birth ``exact`` / ``month`` / ``year`` / ``typo`` ...) and add that level's weight. The weights
in :data:`PRIORS` are the hand-set ones (tuned on FEBRL and the synthetic set). :func:`estimate`
re-estimates them from the data as Splink does: the Fellegi-Sunter model, ``m`` (the chance of a
level among true pairs) and ``u`` (among other pairs) per level, fitted by expectation
maximisation on a sample of the blocked pairs, with the priors as its starting point and as
Dirichlet pseudo-counts (``PRIOR_PAIRS`` pairs' worth), so a small or odd data set stays near them.

How a learnt ``m``/``u`` becomes a weight: our evidence scale is ``SCALE_PER_BIT`` units per bit
(the shared logistic curve turns 2.2 units into one e-fold), and the thresholds in Settings are
calibrated on the priors' scale, whose zero point (the prior odds) is fixed by the curve. So a
level's learnt weight is ``SCALE_PER_BIT * log2(m / u)`` shifted by the feature's constant (the
part of a Fellegi-Sunter weight the prior odds absorb), and it may move at most ``MAX_SHIFT`` from
its prior, in one direction: agreement levels (:data:`RAISABLE`) may only rise, the levels that
say two records differ may only fall, and address and postcode never rise (a household shares
them, and the model's independence assumption cannot see that: on the synthetic set EM raised
them, and the "weak" name level, and siblings merged; on FEBRL it lowered an exact date of birth).
Hard vetoes (a conflicting date of birth, a different identifier in one scheme) are
not features and are never learnt.

An estimate is a versioned value (:class:`Estimate`), saved in the store's meta under
``resolution:weights`` and shown by ``assetgraph resolve --json``; frozen, it is reused as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["PRIORS", "Estimate", "estimate", "learn", "weights_of", "level_weight", "sim_level", "MAX_SHIFT",
           "SCALE_PER_BIT"]

Table = dict[str, dict[str, float]]  # feature -> level -> weight

SCALE_PER_BIT = 2.2 * math.log(2)  # evidence units per bit on the shared logistic curve
MAX_SHIFT = 1.0  # a learnt weight stays within this many units of its prior
# Agreement on these is shared by a household (siblings at one address), which the model's
# independence assumption cannot see: EM may lower their weights, never raise them.
NO_RAISE = frozenset({"address", "postcode"})
# Agreement levels: EM may raise them, never lower them. A level that says two records differ (a
# name only alike, a date one year off, a different identifier) may only weigh less: on the
# synthetic 10^6 set EM raised "weak" and "fair" names, and households with one date missing merged.
RAISABLE = frozenset({"name:exact", "name:high", "name:good", "dob:exact", "dob:month", "dob:year", "dob:typo",
                      "dob:raw_typo", "dob:overridden", "ni_number:exact", "ni_number:typo", "passport:exact",
                      "passport:typo", "ni_number:typo_beside_conflict", "passport:typo_beside_conflict",
                      "external_id:same", "email:same", "phone:same", "company_number:same",
                      "incorporated:exact", "incorporated:month", "incorporated:year"})
PRIOR_PAIRS = 200.0  # the priors count as this many pairs in each estimate
MIN_PAIRS = 2000  # fewer sampled pairs than this: keep the priors for the kind
VERSION = 1  # of the estimate's layout

_ADDRESS = {"same": 4.0, "close": 2.0, "fair": 0.5, "different": -0.5}
PRIORS: dict[str, Table] = {
    "Person": {
        "name": {"exact": 7.0, "high": 6.5, "good": 4.5, "fair": 1.5, "weak": -1.5, "none": -6.0},
        "dob": {"exact": 8.0, "month": 4.0, "year": 1.0, "typo": 2.0, "near": -1.0, "raw_typo": 1.0,
                "raw_other": -2.0, "overridden": -3.0},
        "ni_number": {"exact": 12.0, "typo": 8.0, "typo_beside_conflict": 4.0, "different": -2.0},
        "passport": {"exact": 12.0, "typo": 8.0, "typo_beside_conflict": 4.0, "different": -2.0},
        "external_id": {"same": 12.0},
        "email": {"same": 6.0},
        "phone": {"same": 6.0},
        "postcode": {"same": 3.0, "near": 1.0, "different": -0.5},
        "address": dict(_ADDRESS),
        "country": {"different": -1.0},
    },
    "Company": {
        "name": {"exact": 6.0, "high": 5.2, "good": 2.5, "fair": -1.0, "weak": -5.0, "none": -8.0},
        "company_number": {"same": 10.0, "other registry": 0.0},
        "external_id": {"same": 12.0},
        "legal_form": {"different": -4.0},
        "jurisdiction": {"different": -4.0},
        "incorporated": {"exact": 3.0, "month": 1.5, "year": 0.5, "conflict": -4.0},
        "postcode": {"same": 3.0, "near": 1.0, "different": -0.5},
        "address": {"same": 3.0, "close": 2.0, "fair": 0.5, "different": -0.5},
    },
}


def sim_level(sim: float) -> str:
    """The level of a similarity in [0, 1]: exact >= 0.999, high >= 0.95, good >= 0.85, fair >= 0.7,
    weak >= 0.5, else none. For names the level picks the learnt shift; the curve gives the weight.

    >>> sim_level(1.0), sim_level(0.9), sim_level(0.2)
    ('exact', 'good', 'none')
    """
    if sim >= 0.999:
        return "exact"
    if sim >= 0.85:
        return "high" if sim >= 0.95 else "good"
    return "fair" if sim >= 0.7 else "weak" if sim >= 0.5 else "none"


@dataclass
class Estimate:
    """Learnt weights, with what they were learnt from; ``frozen`` ones are reused as they are."""

    version: int = VERSION
    revision: int = 0  # bumped on every new estimate saved
    frozen: bool = False
    pairs: dict[str, int] = field(default_factory=dict)
    match_share: dict[str, float] = field(default_factory=dict)  # the fitted share of true pairs (lambda)
    iterations: dict[str, int] = field(default_factory=dict)
    levels: dict[str, dict[str, dict[str, dict[str, float]]]] = field(default_factory=dict)  # kind/feature/level

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Estimate | None:
        if not data or data.get("version") != VERSION:
            return None
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def tables(self) -> dict[str, Table]:
        """The weights to score with: learnt where estimated, the priors elsewhere."""
        return weights_of(self)


def weights_of(est: Estimate | None) -> dict[str, Table]:
    """Per kind, feature and level: the weight to add (priors where ``est`` has none)."""
    out = {kind: {f: dict(levels) for f, levels in table.items()} for kind, table in PRIORS.items()}
    if est is None:
        return out
    for kind, feats in est.levels.items():
        for feat, levels in feats.items():
            for level, row in levels.items():
                if kind in out and feat in out[kind] and level in out[kind][feat]:
                    out[kind][feat][level] = float(row["weight"])
    return out


def level_weight(table: Mapping[str, Mapping[str, float]], feature: str, level: str) -> float:
    """The weight of ``level`` of ``feature`` (the prior when the table lacks it)."""
    return table.get(feature, {}).get(level, 0.0)


def estimate(kind: str, rows: Sequence[Mapping[str, str]], evidence: Sequence[float],
             iterations: int = 25) -> tuple[dict[str, dict[str, dict[str, float]]], float, int]:
    """Fellegi-Sunter ``m``/``u`` per level of each feature by EM, and the weights they give.

    Parameters
    ----------
    kind : the scorer's kind (its priors are the starting point and the pseudo-counts).
    rows : per sampled pair, feature -> level (a feature absent was not compared).
    evidence : per pair, the total evidence under the priors (starts the E step).

    Returns
    -------
    ``(levels, match_share, iterations)``: ``levels[feature][level]`` holds ``m``, ``u``, ``prior``
    and ``weight``; ``match_share`` is the fitted share of true pairs among the sampled ones.

    Example
    -------
    >>> import random
    >>> rng = random.Random(1)
    >>> rows = [{"dob": "exact", "postcode": "same"} if rng.random() < 0.2 else
    ...         {"dob": rng.choice(["year", "near"]), "postcode": rng.choice(["same", "different", "different"])}
    ...         for _ in range(3000)]
    >>> ev = [15.0 if r["dob"] == "exact" else -2.0 for r in rows]
    >>> levels, share, _ = estimate("Person", rows, ev)
    >>> round(share, 1), levels["dob"]["exact"]["weight"] >= levels["dob"]["year"]["weight"]
    (0.2, True)
    """
    priors = PRIORS[kind]
    n = len(rows)
    feats = {f: list(levels) for f, levels in priors.items()}
    # One int column per feature: the level's index, -1 where not compared.
    cols = {f: np.array([levels.index(r[f]) if r.get(f) in levels else -1 for r in rows], dtype=np.int64)
            for f, levels in feats.items()}
    p = 1.0 / (1.0 + np.exp(-(np.asarray(evidence, dtype=float) - 4.0) / 2.2))
    m0: dict[str, np.ndarray] = {}
    u0: dict[str, np.ndarray] = {}
    for f, levels in feats.items():
        seen = cols[f] >= 0
        freq = np.bincount(cols[f][seen], minlength=len(levels)).astype(float) + 0.5
        u0[f] = freq / freq.sum()
        w = np.array([priors[f][lv] for lv in levels]) / SCALE_PER_BIT
        m = u0[f] * np.exp2(w)
        m0[f] = m / m.sum()
    done = 0
    m, u = dict(m0), dict(u0)
    for done in range(1, iterations + 1):  # noqa: B007
        share = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
        for f in feats:
            seen = cols[f] >= 0
            k = len(feats[f])
            mc = np.bincount(cols[f][seen], weights=p[seen], minlength=k) + PRIOR_PAIRS * m0[f]
            uc = np.bincount(cols[f][seen], weights=1 - p[seen], minlength=k) + PRIOR_PAIRS * u0[f]
            m[f], u[f] = mc / mc.sum(), uc / uc.sum()
        logit = np.full(n, math.log(share / (1 - share)))
        for f in feats:
            seen = cols[f] >= 0
            ratio = np.log(m[f] / u[f])
            logit[seen] += ratio[cols[f][seen]]
        new = 1.0 / (1.0 + np.exp(-np.clip(logit, -50, 50)))
        if np.abs(new - p).max() < 1e-4:
            p = new
            break
        p = new
    out: dict[str, dict[str, dict[str, float]]] = {}
    for f, levels in feats.items():
        # The feature's constant: make the learnt weights agree with the priors on average over the
        # levels seen (a Fellegi-Sunter weight's zero point belongs to the prior odds, not to us).
        bits = np.log2(m[f] / u[f]) * SCALE_PER_BIT
        prior = np.array([priors[f][lv] for lv in levels])
        seen_levels = np.bincount(cols[f][cols[f] >= 0], minlength=len(levels)) > 0
        if not seen_levels.any():
            continue
        offset = float(np.average(prior - bits, weights=u[f] * seen_levels + 1e-12))
        out[f] = {}
        for i, lv in enumerate(levels):
            if not seen_levels[i]:
                continue
            agree = f"{f}:{lv}" in RAISABLE and f not in NO_RAISE
            top = prior[i] + MAX_SHIFT if agree else prior[i]
            bottom = prior[i] if agree else prior[i] - MAX_SHIFT
            learnt = float(np.clip(bits[i] + offset, bottom, top))
            out[f][lv] = {"m": round(float(m[f][i]), 6), "u": round(float(u[f][i]), 6),
                          "prior": float(prior[i]), "weight": round(learnt, 3)}
    return out, float(p.mean()), done


def learn(feats: Sequence[Any], codes: np.ndarray, score: Any, sample: int = 30_000, seed: int = 0,
          revision: int = 0) -> Estimate:
    """Estimate weights from a random sample of the blocked pairs ``codes`` (``i * len(feats) + j``).

    ``score(a, b)`` is the scorer under the priors; pairs it vetoes are left out (a veto is not
    evidence to learn from), and so are kinds without priors (accounts, properties).
    """
    size = max(len(feats), 1)
    rng = np.random.default_rng(seed)
    pick = codes if codes.size <= sample else rng.choice(codes, sample, replace=False)
    rows: dict[str, tuple[list[dict[str, str]], list[float]]] = {}
    for code in pick.tolist():
        a, b = feats[code // size], feats[code % size]
        if a.kind not in PRIORS:
            continue
        s = score(a, b)
        if "veto" in s.features:
            continue
        levels = {k: v["level"] for k, v in s.features.items() if isinstance(v, dict) and "level" in v}
        got = rows.setdefault(a.kind, ([], []))
        got[0].append(levels)
        got[1].append(float(s.features.get("evidence", 0.0)))
    est = Estimate(revision=revision)
    for kind, (levels, evidence) in sorted(rows.items()):
        est.pairs[kind] = len(levels)
        if len(levels) < MIN_PAIRS:
            continue
        est.levels[kind], share, est.iterations[kind] = estimate(kind, levels, evidence)
        est.match_share[kind] = round(share, 6)
    return est
