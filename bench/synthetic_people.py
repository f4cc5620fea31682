"""A generated dedup set of people with known truth, for the 10^6-record resolution benchmark.

Entities get 1-4 records; duplicates carry the errors real sources make (typos, swapped name
order, initials, dropped middle names, mistyped or partial dates of birth, a new address, a
missing NI number). Hard negatives are planted on purpose: siblings at the same address with
other dates of birth, and namesakes (same full name, different person and date of birth).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

__all__ = ["generate"]

_C = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "y", "z",
      "ch", "sh", "th", "st", "br", "tr"]
_V = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_C) + rng.choice(_V) for _ in range(syllables)) + rng.choice(["", "n", "s", "r", "t"])


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.4:
        return s[:i] + rng.choice("abcdefghijklmnoprstuvwy") + s[i + 1:]
    if op < 0.7:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + s[i + 1:]


def generate(n_records: int, seed: int = 7) -> tuple[None, list[dict[str, Any]], set[tuple[str, str]]]:
    """``(None, rows, true_pairs)``: rows are Person props with an ``id``; truth is id pairs."""
    rng = random.Random(seed)
    # Sorted then shuffled by the seeded rng, not list(set): set order follows PYTHONHASHSEED, which
    # made every run's data differ; sorted alone would give the common surnames alike spellings.
    given = sorted({_word(rng, rng.choice((2, 2, 3))) for _ in range(4000)})
    surnames = sorted({_word(rng, rng.choice((2, 3, 3))) for _ in range(120_000)})
    rng.shuffle(given)
    rng.shuffle(surnames)
    streets = [f"{_word(rng, 2)} {rng.choice(['street', 'road', 'lane', 'avenue', 'close', 'drive'])}"
               for _ in range(20_000)]
    towns = [_word(rng, 3) for _ in range(2000)]
    cum = list(itertools.accumulate(1.0 / (i + 10) for i in range(len(surnames))))  # long-tailed surnames
    rows: list[dict[str, Any]] = []
    truth: set[tuple[str, str]] = set()
    entity = 0

    def person(surname: str | None = None, home: tuple[str, str] | None = None) -> dict[str, Any]:
        year = rng.randint(1930, 2005)
        dob = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if home is None:
            pc = f"{rng.choice('ABCDEFGHLMNST')}{rng.choice('ABCDELMNS')}{rng.randint(1, 99)} " \
                 f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            home = (f"{rng.randint(1, 250)} {rng.choice(streets)} {rng.choice(towns)}", pc)
        names = [rng.choice(given)] + ([rng.choice(given)] if rng.random() < 0.3 else [])
        ni = f"{rng.choice('ABCEGHJKLMNPRSTWXYZ')}{rng.choice('ABCEGHJKLMNPRSTWXYZ')}{rng.randint(0, 999999):06d}C"
        return {"given": names, "surname": surname or rng.choices(surnames, cum_weights=cum)[0], "dob": dob,
                "address": home[0], "postcode": home[1], "ni": ni}

    def render(p: dict[str, Any], dup: bool) -> dict[str, Any]:
        given, surname, dob = list(p["given"]), p["surname"], p["dob"]
        address, postcode, ni = p["address"], p["postcode"], p["ni"] if rng.random() < 0.5 else None
        for _ in range(rng.choices((1, 2), (0.6, 0.4))[0] if dup else 0):
            e = rng.random()
            if e < 0.2:
                surname = _typo(rng, surname)
            elif e < 0.35:
                given[0] = _typo(rng, given[0])
            elif e < 0.45:
                given = [given[0][0]] + given[1:]
            elif e < 0.52 and len(given) > 1:
                given = given[:1]
            elif e < 0.6:
                dob = None
            elif e < 0.66 and dob:
                dob = dob[:7]
            elif e < 0.72 and dob and len(dob) == 10:
                y, m, d = dob.split("-")
                dob = f"{y}-{d}-{m}" if int(d) <= 12 else f"{y}-{m}-{int(d) % 28 + 1:02d}"
            elif e < 0.85:
                address = f"{rng.randint(1, 250)} {rng.choice(streets)} {rng.choice(towns)}"
                postcode = None if rng.random() < 0.5 or not postcode else postcode[:-1] + "Z"
            else:
                ni = None
        style = rng.random()
        name = f"{surname.upper()} {' '.join(given).title()}" if style < 0.3 else f"{' '.join(given)} {surname}"
        return {"name": name, "dob": dob, "address": address, "postcode": postcode, "ni_number": ni}

    while len(rows) < n_records:
        base = person()
        family = [base]
        r = rng.random()
        if r < 0.08:  # a sibling at the same address: same surname, other name and date of birth
            family.append(person(base["surname"], (base["address"], base["postcode"])))
        elif r < 0.12:  # a namesake elsewhere: same full name, different person
            twin = person(base["surname"])
            twin["given"] = list(base["given"])
            family.append(twin)
        for p in family:
            copies = rng.choices((1, 2, 3, 4), (0.6, 0.25, 0.1, 0.05))[0]
            ids = []
            for c in range(copies):
                rid = f"e{entity}-{c}"
                rows.append({"id": rid, **render(p, dup=c > 0)})
                ids.append(rid)
            truth.update((a, b) if a < b else (b, a) for x, a in enumerate(ids) for b in ids[x + 1:])
            entity += 1
    rows = rows[:n_records]
    kept = {r["id"] for r in rows}
    return None, rows, {p for p in truth if p[0] in kept and p[1] in kept}
