"""Decisions: scored pairs plus analyst judgements in, merges and a review queue out.

Pure and deterministic. Analyst judgements always win: a positive one merges whatever the
scorer says; a negative one forbids the pair and, transitively, any merge that would put the
two records into one cluster (if A != B and B = C, then A = C is neither merged nor asked). The
machine's merges are applied best score first, so when a negative judgement splits a cluster
the weakest link is the one refused. Pairs already joined through others are not asked either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.model import Judgement

__all__ = ["Candidate", "Merge", "Decisions", "current_judgements", "decide", "pair_key"]


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The pair in canonical order (smaller id first), as judgements and SAME_AS ids use it."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Candidate:
    """A scored pair of records of one kind."""

    left: str
    right: str
    kind: str
    score: float
    scorer: str
    explanation: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"left": self.left, "right": self.right, "kind": self.kind, "score": round(self.score, 4),
                "scorer": self.scorer, "explanation": dict(self.explanation)}


@dataclass(frozen=True)
class Merge:
    """A decided SAME_AS: who decided it (``auto`` or ``analyst``) and on what evidence."""

    candidate: Candidate
    judgement: str


@dataclass
class Decisions:
    """What :func:`decide` concluded; ``refused`` are merges a negative judgement forbade."""

    merges: list[Merge] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    refused: list[Candidate] = field(default_factory=list)
    rejected: int = 0


def current_judgements(judgements: Iterable[Judgement]) -> dict[tuple[str, str], Judgement]:
    """The standing judgement per pair: the latest that is not soft-deleted."""
    out: dict[tuple[str, str], Judgement] = {}
    for j in sorted(judgements, key=lambda j: j.created_at):  # stable: store order breaks ties
        key = pair_key(j.left, j.right)
        if j.deleted_at:
            continue
        out[key] = j
    return out


class _Clusters:
    """Union-find that refuses a union joining records an analyst said are different."""

    def __init__(self, negatives: Iterable[tuple[str, str]]) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.forbidden: dict[str, set[str]] = {}
        for a, b in negatives:
            self.forbidden.setdefault(self.find(a), set()).add(b)
            self.forbidden.setdefault(self.find(b), set()).add(a)

    def find(self, x: str) -> str:
        parent = self.parent
        if x not in parent:
            parent[x] = x
            self.members[x] = {x}
            return x
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def allowed(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        fa, fb = self.forbidden.get(ra), self.forbidden.get(rb)
        return not ((fa and not fa.isdisjoint(self.members[rb])) or (fb and not fb.isdisjoint(self.members[ra])))

    def union(self, a: str, b: str) -> bool:
        """Join the clusters of ``a`` and ``b``; False (and no change) if that is forbidden."""
        if not self.allowed(a, b):
            return False
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        if rb in self.forbidden:
            self.forbidden.setdefault(ra, set()).update(self.forbidden.pop(rb))
        return True


def decide(
    candidates: Iterable[Candidate],
    judgements: Mapping[tuple[str, str], Judgement],
    upper: float,
    lower: float,
    kinds: Mapping[str, str] | None = None,
) -> Decisions:
    """Turn scored pairs and standing judgements into merges, a review queue and refusals.

    Parameters
    ----------
    candidates : scored pairs (any order; duplicates of one pair are fine).
    judgements : standing judgement per pair, from :func:`current_judgements`.
    upper, lower : merge at or above ``upper``; ask between; reject below ``lower``.
    kinds : record id -> kind, used to label analyst merges of pairs never scored.

    Example
    -------
    >>> c = [Candidate("a", "b", "Person", 0.95, "person_v2"), Candidate("b", "c", "Person", 0.93, "person_v2")]
    >>> neg = {("a", "c"): Judgement("a", "c", "negative", "analyst")}
    >>> d = decide(c, neg, 0.9, 0.6)
    >>> [(m.candidate.left, m.candidate.right) for m in d.merges], [(r.left, r.right) for r in d.refused]
    ([('a', 'b')], [('b', 'c')])
    """
    out = Decisions()
    best: dict[tuple[str, str], Candidate] = {}
    for c in candidates:
        key = (c.left, c.right) if c.left <= c.right else (c.right, c.left)
        if c.score < lower and key not in judgements:
            out.rejected += 1  # most blocked pairs: no need to sort or keep them
            continue
        if key not in best or c.score > best[key].score:
            best[key] = c
    negatives = [k for k, j in judgements.items() if j.verdict == "negative"]
    clusters = _Clusters(negatives)
    for key, j in sorted(judgements.items(), key=lambda kv: (kv[1].created_at, kv[0])):
        if j.verdict != "positive":
            continue
        cand = best.get(key) or Candidate(key[0], key[1], (kinds or {}).get(key[0], ""), 1.0, "analyst")
        if clusters.union(*key):
            out.merges.append(Merge(cand, "analyst"))
        else:
            out.refused.append(cand)
    ordered = sorted(best.items(), key=lambda kv: (-kv[1].score, kv[0]))
    maybe: list[tuple[tuple[str, str], Candidate]] = []
    for key, cand in ordered:
        if key in judgements:
            if judgements[key].verdict == "unsure":
                maybe.append((key, cand))
            continue
        if cand.score >= upper:
            if clusters.union(*key):
                out.merges.append(Merge(cand, "auto"))
            else:
                out.refused.append(cand)
        elif cand.score >= lower:
            maybe.append((key, cand))
        else:
            out.rejected += 1
    for key, cand in maybe:
        if clusters.find(key[0]) == clusters.find(key[1]) or not clusters.allowed(*key):
            continue  # already one entity through others, or forbidden through others: not asked
        status = "unsure" if key in judgements else "pending"
        out.review.append({**cand.to_dict(), "left": key[0], "right": key[1], "status": status})
    return out
