"""The people's date-of-birth veto, decided for many pairs at once in numpy.

Two thirds of the pairs blocking keeps for people (siblings at one postcode, namesakes) end in
the DOB veto. :class:`PersonVeto` answers exactly as :func:`~ingest.scoring_v3.person_v3` would
(a test compares them pair by pair), so those pairs never reach the Python scorer. The rule is
:func:`~ingest.scoring_v3.compare_birth_dates`': dates compare at the coarser precision; a slip
(one keystroke at that precision, day and month swapped, keyed digits one edit apart, or years
one apart at year precision) is not a conflict; a shared NI number or passport overrides.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ingest.features import Features

__all__ = ["PersonVeto"]


def _chars(values: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, lengths)``: one uint8 row per value (zero-padded), and its length (0 when missing).

    A non-ASCII value gets length -1: byte edits are not character edits, so such pairs are left
    to the Python scorer.
    """
    text = [v or "" for v in values]
    fixed = np.array([v.encode() if v.isascii() else b"" for v in text], dtype=bytes)
    width = max(1, fixed.dtype.itemsize)
    codes = np.frombuffer(fixed.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(len(values), width)
    lengths = np.char.str_len(fixed).astype(np.int64) if len(values) else np.zeros(0, np.int64)
    lengths[[i for i, v in enumerate(text) if not v.isascii()]] = -1
    return codes, lengths


def _one_edit(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal-length rows within Damerau-Levenshtein distance 1: one substitution or one adjacent swap."""
    diff = a != b
    count = diff.sum(axis=1)
    swap = np.zeros(len(a), dtype=bool)
    two = np.flatnonzero(count == 2)
    if two.size:
        d = diff[two]
        k = d.argmax(axis=1)
        k1 = np.minimum(k + 1, a.shape[1] - 1)
        rows = np.arange(two.size)
        swap[two] = (d[rows, k1] & (k1 > k) & (a[two, k] == b[two, k1]) & (a[two, k1] == b[two, k]))
    return (count <= 1) | swap


class PersonVeto:
    """The people's DOB and government-identifier columns, packed once to check many pairs at a time.

    ``vetoed(left, right)`` is True exactly where :func:`person_v3` would return its date-of-birth
    veto (score 0); other pairs, and records that are not people, answer False.
    """

    def __init__(self, records: Sequence[Features]) -> None:
        self.person = np.array([f.kind == "Person" for f in records], dtype=bool)
        self.dob, self.dob_len = _chars([f.dob for f in records])
        self.keyed, self.keyed_len = _chars([f.dob_keyed for f in records])
        self.gov = {s: _chars([f.ids.get(s) for f in records]) for s in ("ni_number", "passport")
                    if any(s in f.ids for f in records)}

    def vetoed(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        la, lb = self.dob_len[left], self.dob_len[right]
        a, b = self.dob[left], self.dob[right]
        width = a.shape[1]
        pos = np.arange(width)
        shorter = np.minimum(la, lb)
        inside = pos < shorter[:, None]  # compare at the coarser precision
        a, b = np.where(inside, a, 0), np.where(inside, b, 0)
        agree = (a == b).all(axis=1)
        slip = _one_edit(a, b)
        if width >= 10:
            slip |= ((shorter == 10) & (a[:, :4] == b[:, :4]).all(axis=1) & (a[:, 5:7] == b[:, 8:10]).all(axis=1)
                     & (a[:, 8:10] == b[:, 5:7]).all(axis=1))
        if width >= 4:  # at year precision, years one apart are an estimate, not a conflict
            digits = np.array([1000, 100, 10, 1])
            ya, yb = (a[:, :4].astype(np.int64) - 48) @ digits, (b[:, :4].astype(np.int64) - 48) @ digits
            slip |= (shorter == 4) & (np.abs(ya - yb) <= 1)
        keyed = (self.keyed_len[left] == 8) & (self.keyed_len[right] == 8)
        if keyed.any():
            slip |= keyed & _one_edit(self.keyed[left], self.keyed[right])
        conflict = (shorter > 0) & ~agree & ~slip
        for codes, lengths in self.gov.values():  # a shared identifier (exact or one slip) overrides
            ga, gb, na, nb = codes[left], codes[right], lengths[left], lengths[right]
            both = (na != 0) & (nb != 0)
            conflict &= ~both | ((na > 0) & (nb > 0))  # a non-ASCII identifier on a side: ask person_v2
            same = (ga == gb).all(axis=1) & (na == nb)
            slip = (na >= 6) & (na == nb) & _one_edit(ga, gb)
            conflict &= ~(both & (same | slip))
        return conflict & self.person[left] & self.person[right]
