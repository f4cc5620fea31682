"""Blocking: which pairs are worth scoring at all.

Scoring every pair of 10^6 records is 5 x 10^11 comparisons; blocking keeps only pairs that
share at least one key. Each kind has several independent keys (a pass each, in the splink
sense), so a typo that breaks one key is caught by another. For people: identifiers; each name
token's metaphone with the year of birth and another name's initial, or with the postcode; the
full date of birth, or the postcode, with an initial; the sorted name; one name's metaphone
with another's first two letters (for a record that lost its date of birth and moved house);
house number with the street's metaphone. A key shared by more than ``max_block`` records (a
common surname in one year, a formation agent's postcode) is not expanded quadratically: its
members are sorted and each is paired with its next ``window`` neighbours (sorted
neighbourhood), so the cost stays linear and near-identical records still meet.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ingest.normalise import phonetic
from ingest.scoring import Features

__all__ = ["blocking_keys", "candidate_pairs", "pair_codes", "BlockingStats", "WEAK_PASSES"]


# Loose keys (an initial, a street) catch what the strict ones miss but make big blocks: they
# get a quarter of the block size and half the window.
WEAK_PASSES = frozenset({"pi", "pc", "di", "ad", "t"})


def blocking_keys(f: Features) -> Iterator[str]:
    """The blocking keys of one prepared record, each prefixed by its kind and pass."""
    k = f.kind[:2]
    for scheme, value in f.ids.items():
        yield f"{k}|i|{scheme}|{value}"
    tokens = [t for t in f.tokens if len(t) >= 2]
    if f.kind == "Person":
        year = f.dob[:4] if f.dob else ""
        initials = sorted({t[0] for t in f.tokens})
        for t in tokens:
            code = phonetic(t)
            if year:
                for initial in {u[0] for u in f.tokens if u != t}:
                    yield f"{k}|py|{code}|{year}|{initial}"
            if f.postcode:
                yield f"{k}|pp|{code}|{f.postcode}"
        for initial in initials:
            if f.dob:
                yield f"{k}|di|{f.dob}|{initial}"
            if f.postcode:
                yield f"{k}|pc|{f.postcode}|{initial}"
        if len(tokens) >= 2:
            yield f"{k}|n|{' '.join(sorted(tokens))}"
        for t in tokens:  # one name sounding alike and another's first letters, whatever else changed
            code = phonetic(t)
            for start in {u[:2] for u in f.tokens if u != t}:
                yield f"{k}|pi|{code}|{start}"
        street = _street_key(f)
        if street:
            yield f"{k}|ad|{street}"
    elif f.kind == "Company":
        if f.name:
            yield f"{k}|n|{' '.join(sorted(f.tokens))}"
            yield f"{k}|f|{phonetic(f.tokens[0])}|{f.postcode or ''}"
        for t in tokens:
            if len(t) >= 4:
                yield f"{k}|t|{phonetic(t)}"
    elif f.kind == "Property":
        if f.postcode:
            yield f"{k}|pa|{f.postcode}|{' '.join(f.numbers)}"
        if f.address:
            yield f"{k}|a|{f.address}"


def _street_key(f: Features) -> str | None:
    """House number and the metaphone of the first street word: survives a changed name."""
    words = f.address.split()
    for x, word in enumerate(words[:-1]):
        if word.isdigit():
            nxt = words[x + 1]
            return f"{word}|{phonetic(nxt)}" if not nxt.isdigit() else None
    return None


@dataclass
class BlockingStats:
    """How blocking went: keys, blocks, and how many big blocks fell back to a window."""

    keys: int = 0
    blocks: int = 0
    windowed_blocks: int = 0
    pairs: int = 0


def pair_codes(
    records: Sequence[Features],
    only: Iterable[int] | None = None,
    max_block: int = 24,
    window: int = 8,
    stats: BlockingStats | None = None,
) -> np.ndarray:
    """Sorted unique pair codes ``i * len(records) + j`` (``i < j``) of records sharing a key.

    Codes in one int64 array cost 8 bytes a pair, against ~100 for a set of tuples: at 10^6
    records that is the difference between fitting in memory or not. Parameters as for
    :func:`candidate_pairs`.
    """
    stats = stats if stats is not None else BlockingStats()
    size = len(records)
    index: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(records):
        for key in set(blocking_keys(f)):
            index[key].append(i)  # i ascends, so every member list is sorted
    stats.keys = len(index)
    wanted = set(only) if only is not None else None
    buf = array("q")
    weak_block, weak_window = max(2, max_block // 4), max(1, window // 2)
    for key, members in index.items():
        n = len(members)
        if n < 2:
            continue
        stats.blocks += 1
        if wanted is not None and wanted.isdisjoint(members):
            continue
        cap, win = (weak_block, weak_window) if key.split("|", 2)[1] in WEAK_PASSES else (max_block, window)
        if n <= cap:
            candidates = ((members[x], members[y]) for x in range(n) for y in range(x + 1, n))
        else:
            stats.windowed_blocks += 1
            ordered = sorted(members, key=lambda m: (records[m].name, records[m].dob or "", m))
            candidates = ((min(ordered[x], ordered[y]), max(ordered[x], ordered[y]))
                          for x in range(n) for y in range(x + 1, min(n, x + 1 + win)))
        if wanted is None:
            buf.extend(i * size + j for i, j in candidates)
        else:
            buf.extend(i * size + j for i, j in candidates if i in wanted or j in wanted)
    del index
    codes = np.unique(np.frombuffer(buf, dtype=np.int64)) if buf else np.zeros(0, dtype=np.int64)
    stats.pairs = int(codes.size)
    return codes


def candidate_pairs(
    records: Sequence[Features],
    only: Iterable[int] | None = None,
    max_block: int = 24,
    window: int = 8,
    stats: BlockingStats | None = None,
) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)`` with ``i < j`` that share a blocking key.

    Parameters
    ----------
    records : the prepared records; pairs are positions in this sequence.
    only : when given, keep only pairs touching one of these positions (incremental runs: new
        records against everything, without re-scoring old pairs).
    max_block, window : blocks bigger than ``max_block`` pair each member with the next
        ``window`` members in name order instead of with all of them (a quarter and a half for
        the loose passes in ``WEAK_PASSES``).

    Example
    -------
    >>> from ingest.scoring import prepare_props
    >>> rs = [prepare_props(str(i), "Person", {"name": n, "dob": "1979-09-03"})
    ...       for i, n in enumerate(["Marcus Vance", "Marcus Vanse", "Ann Other"])]
    >>> sorted(candidate_pairs(rs))
    [(0, 1)]
    """
    size = len(records)
    return {divmod(c, size) for c in pair_codes(records, only, max_block, window, stats).tolist()}
