"""Blocking: which pairs are worth scoring at all.

Scoring every pair of 10^6 records is 5 x 10^11 comparisons; blocking keeps only pairs that
share at least one key. Each kind has several independent keys (a pass each, in the splink
sense), so a typo that breaks one key is caught by another. For people: identifiers; each name
token's metaphone with the year of birth and another name's initial, or with the postcode less
its last character (a slipped unit letter, a move within the street); the
full date of birth, or the postcode, with an initial; the sorted name; one name's metaphone
with another's initial (for a record that lost its date of birth and moved house);
house number with the street's metaphone; date of birth with the postcode (for a record whose
name was replaced); a national identifier less any one character (a mistyped or transposed
character). A key shared by more than ``max_block`` records (a
common surname in one year, a formation agent's postcode) is not expanded quadratically: its
members are sorted and each is paired with its next ``window`` neighbours (sorted
neighbourhood), so the cost stays linear and near-identical records still meet. The sort
order is the record's name tokens sorted alphabetically, then date of birth, so "VANCE Marcus"
and "Marcus Vance" are neighbours.

:func:`blocking_keys` spells the keys out as strings (the specification, used as is for
companies and properties); :func:`pair_codes` builds the same keys for people as packed
integers with numpy and pandas, which is what makes 10^6 records block in seconds.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ingest.features import Features
from ingest.normalise import phonetic

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
            if f.postcode:  # less its last character: a slipped unit letter, or a move next door
                yield f"{k}|pp|{code}|{f.postcode[:-1]}"
        for initial in initials:
            if f.dob:
                yield f"{k}|di|{f.dob}|{initial}"
            if f.postcode:
                yield f"{k}|pc|{f.postcode}|{initial}"
        if len(tokens) >= 2:
            yield f"{k}|n|{' '.join(sorted(tokens))}"
        for t in tokens:  # one name sounding alike and another's first letters, whatever else changed
            code = phonetic(t)
            for initial in {u[0] for u in f.tokens if u != t}:
                yield f"{k}|pi|{code}|{initial}"
        street = _street_key(f)
        if street:
            yield f"{k}|ad|{street}"
        if f.dob and f.postcode:
            yield f"{k}|dp|{f.dob}|{f.postcode}"
        for scheme, value in f.ids.items():  # one mistyped or transposed character still meets
            if scheme in ("ni_number", "passport"):
                for less in _one_less(value):
                    yield f"{k}|ia|{scheme}|{less}"
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


def _one_less(value: str) -> set[str]:
    """The value with each one character deleted: two values one substitution or one adjacent swap
    apart share one of these (delete the changed place, or either swapped character)."""
    return {value[:x] + value[x + 1:] for x in range(len(value))} if len(value) >= 6 else set()


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


# ---- vectorised blocking ---------------------------------------------------------------------------------

# Each pass's keys are packed into one int64: the pass tag in the top bits, the pass's components
# (factorised to small integer ids) mixed below it. Equal ints <=> equal key strings, so the pairs
# are exactly those of :func:`blocking_keys`, without building ~15 Python strings per record.
_TAG_BITS = 58
_PERSON_TAGS = {"i": 1, "py": 2, "pp": 3, "di": 4, "pc": 5, "n": 6, "pi": 7, "ad": 8, "dp": 9, "ia": 10, "ib": 11}
_OTHER_TAG = 15  # every key of other kinds, from :func:`blocking_keys` strings
_WEAK_TAGS = frozenset(v for k, v in _PERSON_TAGS.items() if k in WEAK_PASSES)
_STREET = re.compile(r"(?:^|\s)(\d+)\s+(\S+)")


def _ids(values: Sequence[Any]) -> tuple[np.ndarray, int]:
    """Small integer ids of ``values`` (hashable) and how many distinct there are."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int64), len(uniques)


def _mix(*columns: tuple[np.ndarray, int]) -> np.ndarray:
    """One int id per row for a tuple of id columns (``(ids, cardinality)``), kept below 2**58."""
    out, card = columns[0]
    for ids, n in columns[1:]:
        if card * n >= 1 << _TAG_BITS:  # re-number what is there so far; never in practice
            out, card = _ids(out.tolist())
        out, card = out * n + ids, card * n
    return out


def _person_keys(records: Sequence[Features], pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, rows)`` of the people at positions ``pos``: :func:`blocking_keys`, vectorised."""
    people = [records[p] for p in pos.tolist()]
    keys: list[np.ndarray] = []
    rows: list[np.ndarray] = []

    def emit(tag: str, key: np.ndarray, row: np.ndarray) -> None:
        keys.append(key + (np.int64(_PERSON_TAGS[tag]) << _TAG_BITS))
        rows.append(row)

    id_rows = [(r, f"{s}|{v}") for r, f in zip(pos.tolist(), people, strict=True) for s, v in f.ids.items()]
    if id_rows:
        emit("i", _ids([k for _, k in id_rows])[0], np.array([r for r, _ in id_rows], dtype=np.int64))
    # National identifiers less one character: one mistyped or transposed character still meets.
    for scheme, tag in (("ni_number", "ia"), ("passport", "ib")):
        held = [(r, f.ids[scheme]) for r, f in zip(pos.tolist(), people, strict=True) if scheme in f.ids]
        if held:
            emit(tag, *_one_less_keys([v for _, v in held], np.array([r for r, _ in held], dtype=np.int64)))
    # One row per (record, token); tokens are distinct within a record (prepare_props dedupes them).
    lens = np.fromiter((len(f.tokens) for f in people), dtype=np.int64, count=len(people))
    tok_rec = np.repeat(pos, lens)
    tok_id, uniq = pd.factorize(np.fromiter(itertools.chain.from_iterable(f.tokens for f in people), dtype=object,
                                            count=int(lens.sum())))
    uniq = uniq.tolist()
    code, n_code = _ids([phonetic(t) for t in uniq])
    initial, n_init = _ids([t[0] for t in uniq])
    longish = np.fromiter((len(t) >= 2 for t in uniq), dtype=bool, count=len(uniq))
    tok_long = longish[tok_id]
    # Per record: year, dob, postcode (ids; -1 when missing), spread onto its tokens.
    year, n_year = _ids([f.dob[:4] if f.dob else None for f in people])
    dob, n_dob = _ids([f.dob or None for f in people])
    post, n_post = _ids([f.postcode or None for f in people])
    near, n_near = _ids([f.postcode[:-1] if f.postcode else None for f in people])
    rec_of_tok = np.repeat(np.arange(len(people)), lens)
    t_year, t_dob, t_post, t_near = year[rec_of_tok], dob[rec_of_tok], post[rec_of_tok], near[rec_of_tok]
    # Ordered pairs (t, u) of distinct tokens of one record.
    first = np.repeat(np.cumsum(lens) - lens, lens)
    at = np.arange(tok_id.size) - first
    t_len = lens[rec_of_tok]
    pt, pu = [], []
    for shift in range(1, int(lens.max(initial=0))):
        sel = np.flatnonzero(t_len > shift)
        pt.append(sel)
        pu.append(first[sel] + (at[sel] + shift) % t_len[sel])
    pt_a = np.concatenate(pt) if pt else np.zeros(0, np.int64)
    pu_a = np.concatenate(pu) if pu else np.zeros(0, np.int64)
    t_tok, u_tok = tok_id[pt_a], tok_id[pu_a]
    ok = tok_long[pt_a] & (t_year[pt_a] >= 0)
    emit("py", _mix((code[t_tok[ok]], n_code), (t_year[pt_a[ok]], n_year), (initial[u_tok[ok]], n_init)),
         tok_rec[pt_a[ok]])
    ok = tok_long & (t_near >= 0)
    emit("pp", _mix((code[tok_id[ok]], n_code), (t_near[ok], n_near)), tok_rec[ok])
    ok = t_dob >= 0
    emit("di", _mix((t_dob[ok], n_dob), (initial[tok_id[ok]], n_init)), tok_rec[ok])
    ok = t_post >= 0
    emit("pc", _mix((t_post[ok], n_post), (initial[tok_id[ok]], n_init)), tok_rec[ok])
    # The set of a record's long tokens (the sorted name), as a sum of random 58-bit numbers per
    # distinct token: equal sets give equal sums; unequal ones collide with odds ~2**-58 a pair.
    salt = np.random.default_rng(20240605).integers(0, 1 << _TAG_BITS, size=len(uniq), dtype=np.int64)
    long_at = np.flatnonzero(tok_long)
    n_long = np.bincount(rec_of_tok[long_at], minlength=len(people))
    if long_at.size:
        sums = np.add.reduceat(salt[tok_id[long_at]], np.r_[0, np.cumsum(n_long)[:-1]][n_long > 0])
        emit("n", sums[n_long[n_long > 0] >= 2] & ((1 << _TAG_BITS) - 1), pos[n_long >= 2])
    ok = tok_long[pt_a]
    emit("pi", _mix((code[t_tok[ok]], n_code), (initial[u_tok[ok]], n_init)), tok_rec[pt_a[ok]])
    streets = []
    for x, f in enumerate(people):
        match = _STREET.search(f.address) if f.address else None
        if match and not match.group(2).isdigit():
            streets.append((x, f"{match.group(1)}|{phonetic(match.group(2))}"))
    if streets:
        emit("ad", _ids([s for _, s in streets])[0], pos[np.array([x for x, _ in streets], dtype=np.int64)])
    # Date of birth with postcode: whatever the name became.
    ok = (dob >= 0) & (post >= 0)
    emit("dp", _mix((dob[ok], n_dob), (post[ok], n_post)), pos[ok])
    return np.concatenate(keys), np.concatenate(rows)


def _one_less_keys(values: list[str], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_one_less` of every value (6+ characters) as 58-bit hashes: one per deleted place.

    Characters are code points (a UTF-32 view), so a deletion is a character deletion as in the
    string keys; the FNV-1a hash over the rest and the length may collide with odds ~2**-58 a pair,
    which would only add a pair to score.
    """
    text = np.array(values, dtype=str)
    width = text.dtype.itemsize // 4
    chars = np.frombuffer(text.tobytes(), dtype=np.uint32).reshape(len(values), width).astype(np.uint64)
    lengths = np.char.str_len(text)
    keys, out_rows = [], []
    prime, mask = np.uint64(0x100000001B3), np.uint64((1 << _TAG_BITS) - 1)
    for x in range(width):
        sel = np.flatnonzero((lengths > x) & (lengths >= 6))
        rest = np.delete(chars[sel], x, axis=1)
        h = np.full(sel.size, 0xCBF29CE484222325, dtype=np.uint64)
        for c in range(width - 1):
            h = (h ^ rest[:, c]) * prime
        h = (h ^ lengths[sel].astype(np.uint64)) * prime
        keys.append((h & mask).astype(np.int64))
        out_rows.append(rows[sel])
    return np.concatenate(keys), np.concatenate(out_rows)


def _all_keys(records: Sequence[Features]) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, rows)`` for every record: people vectorised, other kinds from their key strings."""
    is_person = np.fromiter((f.kind == "Person" for f in records), dtype=bool, count=len(records))
    keys, rows = [], []
    people = np.flatnonzero(is_person)
    if people.size:
        k, r = _person_keys(records, people)
        keys.append(k)
        rows.append(r)
    other = [(i, key) for i in np.flatnonzero(~is_person).tolist() for key in set(blocking_keys(records[i]))]
    if other:
        weak = np.array([key.split("|", 2)[1] in WEAK_PASSES for _, key in other])
        ids = _ids([key for _, key in other])[0] * 2 + weak  # the low bit says "weak pass"
        keys.append(ids + (np.int64(_OTHER_TAG) << _TAG_BITS))
        rows.append(np.array([i for i, _ in other], dtype=np.int64))
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(keys), np.concatenate(rows)


def _unique(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values: sort in place and drop repeats (np.unique's hash path is 5x slower here)."""
    codes.sort()
    return codes[np.r_[True, codes[1:] != codes[:-1]]] if codes.size else codes


def _token_rank(records: Sequence[Features]) -> np.ndarray:
    """Each record's place in (sorted name tokens, dob, position) order: the sorted-neighbourhood order.

    Tokens are sorted first, so "VANCE Marcus" and "Marcus Vance" sit side by side whatever
    order the source wrote them in; the first three tokens decide.
    """
    size = len(records)
    lens = np.fromiter((len(f.tokens) for f in records), dtype=np.int64, count=size)
    alpha = pd.factorize(np.fromiter(itertools.chain.from_iterable(f.tokens for f in records), dtype=object,
                                     count=int(lens.sum())), sort=True)[0].astype(np.int64)
    rec = np.repeat(np.arange(size), lens)
    order = np.lexsort((alpha, rec))
    first = np.cumsum(lens) - lens
    columns = []
    for k in range(3):
        col = np.full(size, -1, dtype=np.int64)
        has = np.flatnonzero(lens > k)
        col[has] = alpha[order[first[has] + k]]
        columns.append(col)
    dob = pd.factorize(np.array([f.dob or "" for f in records], dtype=object), sort=True)[0]
    order = np.lexsort((np.arange(size), dob, columns[2], columns[1], columns[0]))
    rank = np.empty(size, dtype=np.int64)
    rank[order] = np.arange(size)
    return rank


def pair_codes(
    records: Sequence[Features],
    only: Iterable[int] | None = None,
    max_block: int = 24,
    window: int = 8,
    stats: BlockingStats | None = None,
) -> np.ndarray:
    """Sorted unique pair codes ``i * len(records) + j`` (``i < j``) of records sharing a key.

    Codes in one int64 array cost 8 bytes a pair, against ~100 for a set of tuples: at 10^6
    records that is the difference between fitting in memory or not. All of it is array work:
    keys are packed ints, blocks are runs after one sort by (key, name order), and a block's
    pairs are members ``d`` apart in the run for ``d = 1 .. block size - 1`` (``.. window`` for
    a big block). Parameters as for :func:`candidate_pairs`.
    """
    stats = stats if stats is not None else BlockingStats()
    size = len(records)
    keys, rows = _all_keys(records)
    rank = _token_rank(records)
    # One int64 sort on (dense key id, name rank) instead of a two-key lexsort; rows come back
    # from the rank, and a record listed twice under one key collapses to one entry.
    key_ids, uniq = pd.factorize(keys)
    del keys
    packed = key_ids.astype(np.int64) * max(size, 1) + rank[rows]
    del key_ids, rows
    packed.sort()
    packed = packed[np.r_[True, packed[1:] != packed[:-1]]] if packed.size else packed
    by_rank = np.argsort(rank)
    keys, rows = uniq[packed // max(size, 1)], by_rank[packed % max(size, 1)]
    del packed
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[starts, keys.size])
    stats.keys = int(starts.size)
    tags = keys[starts] >> _TAG_BITS
    weak = np.isin(tags, list(_WEAK_TAGS)) | ((tags == _OTHER_TAG) & (keys[starts] & 1).astype(bool))
    cap = np.where(weak, max(2, max_block // 4), max_block)
    reach = np.where(sizes <= cap, sizes - 1, np.where(weak, max(1, window // 2), window))  # partners ahead
    stats.blocks = int((sizes >= 2).sum())
    stats.windowed_blocks = int((sizes > cap).sum())
    block_of = np.repeat(np.arange(starts.size), sizes)
    left_in_block = np.repeat(starts + sizes, sizes) - np.arange(keys.size) - 1
    span = np.minimum(reach[block_of], left_in_block)
    live = np.flatnonzero(span > 0)
    parts = []
    for d in range(1, int(span.max(initial=0)) + 1):
        live = live[span[live] >= d]
        a, b = rows[live], rows[live + d]
        parts.append(np.minimum(a, b) * size + np.maximum(a, b))
    codes = _unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    if only is not None:
        wanted = np.zeros(size, dtype=bool)
        wanted[np.fromiter(only, dtype=np.int64)] = True
        codes = codes[wanted[codes // size] | wanted[codes % size]] if size else codes
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
    >>> from ingest.features import prepare_props
    >>> rs = [prepare_props(str(i), "Person", {"name": n, "dob": "1979-09-03"})
    ...       for i, n in enumerate(["Marcus Vance", "Marcus Vanse", "Ann Other"])]
    >>> sorted(candidate_pairs(rs))
    [(0, 1)]
    """
    size = len(records)
    return {divmod(c, size) for c in pair_codes(records, only, max_block, window, stats).tolist()}
