"""Build ``bench/data/name_pairs.csv``: labelled person and company name pairs, by class.

Usage::

    python bench/name_pairs.py [--shared /work/shared/data] [--out bench/data/name_pairs.csv]

Every name is a real public name: ICIJ Offshore Leaks intermediaries (people and companies),
OpenSanctions FtM entities (a sanctions cluster with names in Latin, Cyrillic, Han and Katakana,
each entity's names being one real entity), and the names of one person in 80 scripts and
spellings from nomenklatura's test fixtures (``bench/data/putin_names.txt``). ``SOURCES.md`` in
``bench/data`` names them. A pair is either two names of one entity as published (the FtM and
fixture classes), or a real name and a variant written the way another source writes the same
name (a legal form spelt out, a number as a word, initials, a title, an American spelling, two
words joined), or a hard non-match: the same rewrite of a *different* real name, or the same name
changed where the change makes another entity (another number, another legal form, other initials,
one character of a name in a script where a character is a syllable or a word).

Deterministic (seeded); the CSV is committed, so the benchmark reads it without ``--shared``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from rigour.names import NameTypeTag, analyze_names, extract_org_types
from rigour.text.scripts import text_scripts

HERE = Path(__file__).resolve().parent
Row = tuple[str, str, str, str, int, str]  # kind, class, left, right, match, source

LEGAL = [("LIMITED", "Ltd"), ("Ltd.", "Limited"), ("LTD", "LIMITED"), ("INC.", "Incorporated"),
         ("Inc", "Incorporated"), ("CORPORATION", "Corp."), ("Corp", "Corporation"), ("S.A.", "Sociedad Anonima"),
         ("SA", "Société Anonyme"), ("LLC", "Limited Liability Company"),
         ("GmbH", "Gesellschaft mit beschränkter Haftung"),
         ("AG", "Aktiengesellschaft"), ("PLC", "Public Limited Company"), ("PTE LTD", "Private Limited"),
         ("CO., LTD.", "Company Limited"), ("B.V.", "Besloten Vennootschap")]
OTHER_CLASS = {"LIMITED": "LLP", "Ltd.": "LP", "LTD": "LLP", "INC.": "L.P.", "Inc": "LLP", "CORPORATION": "LLP",
               "Corp": "LP", "S.A.": "LLC", "SA": "SARL", "LLC": "LP", "GmbH": "AG", "AG": "GmbH", "PLC": "LLP",
               "PTE LTD": "LLP", "CO., LTD.": "LLP", "B.V.": "N.V."}
RU_FORMS = [("ZAO", "Closed Joint Stock Company"), ("OOO", "Limited Liability Company"),
            ("OAO", "Open Joint Stock Company"), ("AO", "Joint-Stock Company"), ("PAO", "Public Joint Stock Company")]
NUMBERS = [("1st", "First"), ("2nd", "Second"), ("3rd", "Third"), ("4th", "Fourth"), ("5th", "Fifth"),
           ("7", "Seven"), ("8", "Eight"), ("9", "Nine"), ("10", "Ten"), ("12", "Twelve"), ("21st", "Twenty-First")]
ABBREV = [("International", "Intl"), ("Management", "Mgmt"), ("Company", "Co"), ("Corporation", "Corp"),
          ("Brothers", "Bros"), ("Associates", "Assoc"), ("Investments", "Invest"), ("Holdings", "Hldgs"),
          ("Services", "Svcs"), ("Trust", "Tr")]
SPELLING = [("Centre", "Center"), ("Organisation", "Organization"), ("Colour", "Color"), ("Defence", "Defense"),
            ("Harbour", "Harbor"), ("Theatre", "Theater"), ("Labour", "Labor"), ("Licence", "License"),
            ("Analysis", "Analysis"), ("Metre", "Meter")]
TITLES = ["Mr", "Mr.", "Mrs", "Dr.", "Dr", "Sir", "Prof.", "Ms", "Sheikh", "Lord", "Madame", "Herr"]
SYMBOLS = [("&", "and"), ("and", "&"), ("+", "and")]


def _icij(shared: Path) -> tuple[list[str], list[str]]:
    """ICIJ intermediaries split into companies (a legal form) and people (two to four plain words)."""
    companies, people = [], []
    seen: set[str] = set()
    with open(shared / "icij" / "nodes-intermediaries.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = " ".join((row.get("name") or "").split())
            if not name or name in seen or len(name) > 60 or re.search(r"[()/#@,;:]|c/o", name, re.I):
                continue
            seen.add(name)
            if extract_org_types(name):
                companies.append(name)
            elif re.fullmatch(r"[A-Za-z][A-Za-z'\-]+( [A-Za-z][A-Za-z'\-]+){1,3}", name) and _known_person(name):
                people.append(name)
    return sorted(companies), sorted(people)


def _known_person(name: str) -> bool:
    """Every word is a given or family name Wikidata knows (rigour's name symbols): a person, not a firm."""
    if name.split()[0].lower().rstrip(".") in {"mr", "mrs", "ms", "dr", "sir"}:
        return False
    for n in analyze_names(NameTypeTag.PER, [name], consolidate=False):
        named = {p.index for span in n.spans for p in span.parts if str(span.symbol.category).endswith("NAME")}
        return len(named) == len(n.parts)
    return False


def _ftm(shared: Path) -> list[tuple[str, str, list[str]]]:
    """``(schema, id, names)`` of the FtM Person / Company / Organization entities."""
    out = []
    for file in ("zala_entities.ftm.json", "t1_entities.ftm.json"):
        for line in (shared / "ftm" / file).read_text(encoding="utf-8").splitlines():
            e = json.loads(line)
            if e.get("schema") in ("Person", "Company", "Organization"):
                props = e.get("properties", {})
                names = list(dict.fromkeys(props.get("name", []) + props.get("alias", [])))
                if names:
                    out.append((e["schema"], e["id"], names))
    return out


def _swap_word(name: str, old: str, new: str) -> str | None:
    pattern = re.compile(rf"(?<![\w.]){re.escape(old)}(?![\w])", re.I)
    return pattern.sub(new, name, count=1) if pattern.search(name) else None


def _legal(rng: random.Random, companies: list[str]) -> Iterator[Row]:
    pool = companies[:]
    rng.shuffle(pool)
    n = 0
    for name in pool:
        for old, new in LEGAL:
            if re.search(rf"(?<![\w.]){re.escape(old)}$", name, re.I):
                variant = _swap_word(name, old, new)
                other = _swap_word(name, old, OTHER_CLASS[old])
                if variant and other:
                    yield ("Company", "legal_form", name, variant, 1, "icij")
                    yield ("Company", "legal_form", name, other, 0, "icij")
                    n += 1
                break
        if n >= 70:
            break
    # Russian legal forms written as initials and spelt out; glued forms ("NorthgateAG").
    cores = [re.sub(r"\s+(LIMITED|LTD\.?|INC\.?|S\.A\.|LLC|CORP\.?|CORPORATION)$", "", c, flags=re.I) for c in pool]
    cores = [c for c in cores if 1 <= len(c.split()) <= 3 and not extract_org_types(c)][:60]
    for core in cores[:30]:
        short, long = rng.choice(RU_FORMS)
        yield ("Company", "legal_form", f"{short} {core}", f"{long} {core}", 1, "icij")
        # A limited liability company and a joint-stock company of one name: two companies.
        if short == "OOO":
            yield ("Company", "legal_form", f"{short} {core}", f"Closed Joint Stock Company {core}", 0, "icij")
        else:
            yield ("Company", "legal_form", f"{short} {core}", f"Limited Liability Company {core}", 0, "icij")
    for core in cores[30:55]:
        form = rng.choice(["AG", "Ltd", "GmbH", "Inc"])
        yield ("Company", "joined_split", f"{core.replace(' ', '')}{form}", f"{core} {form}", 1, "icij")


def _numbers(rng: random.Random, companies: list[str]) -> Iterator[Row]:
    pool = [c for c in companies if not re.search(r"\d", c)]
    rng.shuffle(pool)
    for name in pool[:60]:
        digit, word = rng.choice(NUMBERS)
        other_digit, _ = rng.choice([x for x in NUMBERS if x[0] != digit])
        words = name.split()
        at = rng.randrange(0, max(1, len(words) - 1))
        put = lambda token, ws=words, at=at: " ".join(ws[:at] + [token] + ws[at:])  # noqa: E731
        yield ("Company", "number", put(digit), put(word), 1, "icij")
        yield ("Company", "number", put(digit), put(other_digit), 0, "icij")


def _swap_class(rng: random.Random, companies: list[str], table: list[tuple[str, str]], cls: str,
                limit: int) -> Iterator[Row]:
    """A word and its other form (abbreviation, spelling, symbol): found in real names, or added."""
    pool = companies[:]
    rng.shuffle(pool)
    n = 0
    for name in pool:
        for long, short in table:
            variant = _swap_word(name, long, short)
            if variant and variant != name:
                yield ("Company", cls, name, variant, 1, "icij")
                n += 1
                break
        if n >= limit // 2:
            break
    for name in pool[n: n + limit - n]:
        long, short = rng.choice(table)
        words = name.split()
        at = max(1, len(words) - 1)
        yield ("Company", cls, " ".join(words[:at] + [long] + words[at:]), " ".join(words[:at] + [short] + words[at:]),
               1, "icij")
    # Hard non-matches: the same rewrite applied to a neighbouring (different) real name.
    for x in range(limit):
        a, b = pool[2 * x + 400], pool[2 * x + 401]
        long, short = rng.choice(table)
        wa, wb = a.split(), b.split()
        yield ("Company", cls, " ".join([wa[0], long] + wa[1:]), " ".join([wb[0], short] + wb[1:]), 0, "icij")


def _joined(rng: random.Random, companies: list[str]) -> Iterator[Row]:
    pool = [c for c in companies if len(c.split()) >= 3]
    rng.shuffle(pool)
    by_first: dict[str, list[str]] = defaultdict(list)
    for c in companies:
        by_first[c.split()[0].upper()].append(c)
    for name in pool[:60]:
        words = name.split()
        at = rng.randrange(0, len(words) - 2)
        joined = " ".join(words[:at] + [words[at] + words[at + 1]] + words[at + 2:])
        yield ("Company", "joined_split", name, joined, 1, "icij")
        # A different real company starting with the same word, against the joined form.
        others = [o for o in by_first[words[0].upper()] if o.upper() != name.upper()]
        if others:
            yield ("Company", "joined_split", joined, rng.choice(others), 0, "icij")


def _initials(rng: random.Random, people: list[str]) -> Iterator[Row]:
    pool = [p for p in people if len(p.split()) >= 3]
    rng.shuffle(pool)
    for name in pool[:80]:
        *given, surname = name.split()
        style = rng.random()
        if style < 0.4:
            short = " ".join(f"{g[0]}." for g in given) + f" {surname}"
        elif style < 0.7:
            short = "-".join(f"{g[0]}." for g in given) + f" {surname}"
        else:
            short = f"{given[0]} " + " ".join(f"{g[0]}." for g in given[1:]) + f" {surname}"
        letters = "ABCDEFGHJKLMNPRSTW".replace(given[0][0].upper(), "")
        wrong = f"{rng.choice(letters)}. " + " ".join(f"{g[0]}." for g in given[1:]) + f" {surname}"
        yield ("Person", "initials", name, short, 1, "icij")
        yield ("Person", "initials", name, wrong, 0, "icij")


def _titles(rng: random.Random, people: list[str]) -> Iterator[Row]:
    pool = people[:]
    rng.shuffle(pool)
    by_surname: dict[str, list[str]] = defaultdict(list)
    for p in people:
        by_surname[p.split()[-1].lower()].append(p)
    n = 0
    for name in pool:
        title = rng.choice(TITLES)
        yield ("Person", "title", name, f"{title} {name}", 1, "icij")
        # Another first initial: "Bill" and "William" Barnett may be one man, "Stephen" and "Michael" are not.
        others = [o for o in by_surname[name.split()[-1].lower()] if o[0].lower() != name[0].lower()]
        if others:
            yield ("Person", "title", name, f"{title} {rng.choice(others)}", 0, "icij")
            n += 1
        if n >= 70:
            break


def _namesakes(rng: random.Random, people: list[str]) -> Iterator[Row]:
    """Real different people who share a surname, and the same person with name order reversed."""
    by_surname: dict[str, list[str]] = defaultdict(list)
    for p in people:
        by_surname[p.split()[-1].lower()].append(p)
    groups = [g for g in by_surname.values() if len({x.split()[0].lower() for x in g}) >= 2]
    rng.shuffle(groups)
    for g in groups[:60]:
        a, b = rng.sample(g, 2)
        if a[0].lower() != b[0].lower():
            yield ("Person", "namesake", a, b, 0, "icij")
        *given, surname = a.split()
        yield ("Person", "namesake", a, f"{surname.upper()}, {' '.join(given)}", 1, "icij")


def _scripts(rng: random.Random, ftm: list[tuple[str, str, list[str]]], putin: list[str]) -> Iterator[Row]:
    def latin(n: str) -> bool:
        return text_scripts(n) <= {"Latin"}

    people = [(i, names) for s, i, names in ftm if s == "Person"]
    for i, names in people:
        lat = [n for n in names if latin(n)]
        other = [n for n in names if not latin(n)]
        for o in other[:6]:
            yield ("Person", "script", rng.choice(lat), o, 1, "opensanctions") if lat else ()
        # Another person in the cluster, in the other script: same family, often the same surname.
        for j, other_names in rng.sample(people, min(4, len(people))):
            if j != i:
                cyr = [n for n in other_names if not latin(n)]
                if cyr and lat:
                    yield ("Person", "script", rng.choice(lat), rng.choice(cyr), 0, "opensanctions")
    orgs = [(i, names) for s, i, names in ftm if s != "Person"]
    for i, names in orgs:
        lat = [n for n in names if latin(n)]
        other = [n for n in names if not latin(n)]
        for o in rng.sample(other, min(4, len(other))):
            if lat:
                yield ("Company", "script", rng.choice(lat), o, 1, "opensanctions")
        j, other_names = rng.choice(orgs)
        if j != i and lat:
            cyr = [n for n in other_names if not latin(n)]
            if cyr:
                yield ("Company", "script", rng.choice(lat), rng.choice(cyr), 0, "opensanctions")
    lat = [n for n in putin if latin(n)]
    nonlat = [n for n in putin if not latin(n)]
    for n in nonlat:
        yield ("Person", "script", rng.choice(lat), n, 1, "nomenklatura fixture")
    zakharov = [n for _, names in people for n in names]
    for n in rng.sample(nonlat, 25):
        yield ("Person", "script", n, rng.choice(zakharov), 0, "opensanctions + fixture")


_DENSE = re.compile(r"[\u0600-\u06ff\u05d0-\u05ea\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def _strict(rng: random.Random, ftm: list[tuple[str, str, list[str]]], putin: list[str]) -> Iterator[Row]:
    """Names in a script where one character is a syllable, a word or a consonant: one changed is another name."""
    names = [n for n in putin if _DENSE.search(n)] + [n for _, _, ns in ftm for n in ns if _DENSE.search(n)]
    names = sorted(set(names))
    for n in names:
        chars = [i for i, c in enumerate(n) if _DENSE.match(c)]
        pool = sorted({c for m in names for c in m if _DENSE.match(c) and text_scripts(c) == text_scripts(n[chars[0]])})
        for _ in range(2):
            at = rng.choice(chars)
            choices = [c for c in pool if c != n[at]]
            if choices:
                changed = n[:at] + rng.choice(choices) + n[at + 1:]
                yield ("Person" if n in putin else "Company", "strict_script", n, changed, 0, "fixture / opensanctions")
        spaced = n.replace("・", " ").replace("·", " ")
        if spaced != n:
            yield ("Person" if n in putin else "Company", "strict_script", n, spaced, 1, "fixture / opensanctions")
    for a in [n for n in putin if _DENSE.search(n)]:
        for b in [n for n in putin if _DENSE.search(n) and n != a and text_scripts(n) == text_scripts(a)]:
            if a < b:
                yield ("Person", "strict_script", a, b, 1, "nomenklatura fixture")


def build(shared: Path) -> list[Row]:
    rng = random.Random(13)
    companies, people = _icij(shared)
    ftm = _ftm(shared)
    putin = (HERE / "data" / "putin_names.txt").read_text(encoding="utf-8").split("\n")
    putin = [p for p in putin if p.strip()]
    rows: list[Row] = []
    for part in (_legal(rng, companies), _numbers(rng, companies),
                 _swap_class(rng, companies, ABBREV, "abbreviation", 60),
                 _swap_class(rng, companies, SPELLING, "spelling", 60),
                 _swap_class(rng, companies, SYMBOLS, "symbol", 40), _joined(rng, companies),
                 _initials(rng, people), _titles(rng, people), _namesakes(rng, people),
                 _scripts(rng, ftm, putin), _strict(rng, ftm, putin)):
        rows.extend(r for r in part if r and r[2] != r[3])
    seen: set[tuple[str, str]] = set()
    out = []
    for r in rows:
        key = (r[2], r[3]) if r[2] <= r[3] else (r[3], r[2])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--out", type=Path, default=HERE / "data" / "name_pairs.csv")
    args = parser.parse_args()
    rows = build(args.shared)
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["kind", "class", "left", "right", "match", "source"])
        w.writerows(rows)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for r in rows:
        counts[(r[1], r[4])] += 1
    print(json.dumps({"pairs": len(rows), "by_class": {f"{c}:{'match' if m else 'non'}": n
                                                        for (c, m), n in sorted(counts.items())}}))


if __name__ == "__main__":
    main()
