"""The fast paths of resolution agree exactly with the plain definitions they replace.

Blocking builds its keys as packed integers with numpy, the scorer's DOB veto is pre-decided in
numpy, and person names skip rigour's general path when they are plain letters. Each is checked
here against the readable version on generated records built to hit the edge cases (big blocks
that fall back to a window, missing and partial dates, typo'd identifiers, titles, non-ASCII).
"""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pytest
from rigour.names import normalize_name, remove_person_prefixes
from rigour.text import ascii_text

from graph.model import name_tokens
from ingest import normalise as nz
from ingest.blocking import WEAK_PASSES, BlockingStats, blocking_keys, pair_codes
from ingest.dob_veto import PersonVeto
from ingest.features import Features, prepare_props
from ingest.scoring_v3 import score_pair

GIVEN = ["marcus", "mark", "marc", "ann", "anne", "jo", "joe", "li", "zoë", "o'neil"]
SURNAMES = ["vance", "vanse", "vants", "smith", "smyth", "lee", "o'brien", "müller"]


def _people(n: int, seed: int) -> list[Features]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        names = rng.sample(GIVEN, rng.choice((1, 1, 2))) + [rng.choice(SURNAMES)]
        if rng.random() < 0.2:
            names[0] = names[0][0]
        if rng.random() < 0.3:
            names.reverse()
        dob = rng.choice([None, "1979-09-03", "1979-03-09", "1979-09-30", "1979-09", "1979", "1955-02-11",
                          "1979-09-04", "1979-90-03", "19403407", "19430407", "1933-02-12",
                          "1933-01-22", "12/02/1933", "29/02/2000", "2000-02-28"])
        props = {
            "name": ("Mr " if rng.random() < 0.1 else "") + " ".join(names),
            "dob": dob,
            "postcode": rng.choice([None, "SW1A 1AA", "HU1 2AB", "SW1A1AB"]),
            "address": rng.choice(["", "12 High Street London", "12 High St", "14 High Street", "Flat 2 9 Low Road",
                                   "3 4 Mews"]),
            "ni_number": rng.choice([None, "AB123456C", "AB123465C", "AB123457C", "BA654321", "ÄB123456"]),
        }
        if rng.random() < 0.1:
            props["passport"] = rng.choice(["123456789", "123456798"])
        out.append(prepare_props(f"r{i}", "Person", props))
    return out


def _reference_codes(records: list[Features], max_block: int, window: int) -> np.ndarray:
    """The plain dict-of-lists blocking over :func:`blocking_keys` strings."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(records):
        for key in set(blocking_keys(f)):
            index[key].append(i)
    size, codes = len(records), set()
    for key, members in index.items():
        weak = key.split("|", 2)[1] in WEAK_PASSES
        cap, win = (max(2, max_block // 4), max(1, window // 2)) if weak else (max_block, window)
        n = len(members)
        if n <= cap:
            pairs = [(members[x], members[y]) for x in range(n) for y in range(x + 1, n)]
        else:
            ordered = sorted(members, key=lambda m: (tuple(sorted(records[m].tokens))[:3], records[m].dob or "", m))
            pairs = [(ordered[x], ordered[y]) for x in range(n) for y in range(x + 1, min(n, x + 1 + win))]
        codes.update(min(a, b) * size + max(a, b) for a, b in pairs)
    return np.array(sorted(codes), dtype=np.int64)


@pytest.mark.parametrize(("seed", "max_block", "window"), [(1, 24, 8), (2, 4, 2), (3, 8, 3)])
def test_vectorised_blocking_equals_the_string_keys(seed: int, max_block: int, window: int) -> None:
    records = _people(600, seed)
    records.append(prepare_props("c1", "Company", {"name": "Vance Logistics Ltd", "company_number": "07654321"}))
    records.append(prepare_props("c2", "Company", {"name": "VANCE LOGISTICS LIMITED"}))
    stats = BlockingStats()
    got = pair_codes(records, max_block=max_block, window=window, stats=stats)
    want = _reference_codes(records, max_block, window)
    assert got.tolist() == want.tolist()
    assert stats.pairs == len(want) and stats.windowed_blocks > 0
    only = list(range(0, len(records), 5))
    size = len(records)
    narrowed = pair_codes(records, only=only, max_block=max_block, window=window)
    keep = set(only)
    assert narrowed.tolist() == [c for c in want.tolist() if c // size in keep or c % size in keep]


def test_blocking_of_nothing_and_of_one() -> None:
    assert pair_codes([]).size == 0
    assert pair_codes(_people(1, 0)).size == 0


@pytest.mark.parametrize("seed", [4, 5])
def test_numpy_dob_veto_equals_person_v3(seed: int) -> None:
    records = _people(300, seed)
    rng = np.random.default_rng(seed)
    left, right = rng.integers(0, len(records), 20_000), rng.integers(0, len(records), 20_000)
    got = PersonVeto(records).vetoed(left, right)
    want = [score_pair(records[a], records[b]).features.get("veto", "").startswith("date of birth")
            for a, b in zip(left.tolist(), right.tolist(), strict=True)]
    # Pairs comparing a non-ASCII identifier are left to person_v3 (byte edits are not character edits).
    unsure = [any(s in records[a].ids and s in records[b].ids and not (records[a].ids[s] + records[b].ids[s]).isascii()
                  for s in ("ni_number", "passport")) for a, b in zip(left.tolist(), right.tolist(), strict=True)]
    assert [g for g, u in zip(got.tolist(), unsure, strict=True) if not u] == [
        w for w, u in zip(want, unsure, strict=True) if not u]
    assert not any(g and not w for g, w in zip(got.tolist(), want, strict=True))
    assert 0 < got.sum() < got.size and any(unsure)


def _slow_person_tokens(name: str) -> tuple[str, ...]:
    norm = normalize_name(ascii_text(name))
    return tuple(name_tokens(remove_person_prefixes(norm))) if norm else ()


@pytest.mark.parametrize("name", ["Marcus VANCE", "Mr Marcus Vance", "DR  jo   smith", "Associate Professor Al Bo",
                                  "Lady Jane Grey", "Drake Smith", "Mrs Dr Ann Lee", "mr", "Zoë Müller",
                                  "O'Neil Ann", "VANCE, Marcus-Ellery", "Chairman Mao", "Sir Elton John"])
def test_person_token_fast_path_equals_rigour(name: str) -> None:
    nz.person_tokens.cache_clear()
    assert nz.person_tokens(name) == _slow_person_tokens(name)


@pytest.mark.parametrize("address", ["12 high st london", "flat 2 9 low rd", "123456 big rd", "12a 3b c4 d",
                                     "", "no numbers here", "1 2 3 4 5 6"])
def test_number_tokens_regex(address: str) -> None:
    want = tuple(sorted(t for t in address.split() if any(c.isdigit() for c in t) and len(t) <= 5))
    assert nz.number_tokens(address) == want
