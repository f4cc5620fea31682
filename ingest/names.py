"""Names as the field's matchers read them: rigour's analysis, then a comparison that knows its limits.

Person names keep the fast path of :func:`ingest.normalise.person_tokens` (most records are plain
Latin letters) and reach for rigour's name analysis only where it changes the answer: a name in
another script, compared with its Latin form through rigour's name symbols (``Владимир`` and
``Vladimir`` carry the same Wikidata given-name id), and organisation names, which rigour tags
part by part (legal form, ordinals and numbers, "intl"/"international", "centre"/"center").

Two rules are ours, because no library states them:

* In a script where one character is a syllable or a word, or where vowels are not written
  (Han, Kana, Hangul, Arabic, Hebrew, ...), two names one character apart are two names:
  ``김정은`` is not ``김정운``. Such names are compared in their own script, token for token, with
  no fuzzy credit.
* British and American spellings fold to one form ("colour"/"color", "organisation"/
  "organization", "centre"/"center"): rigour's symbol table covers only some of them.

Name-part frequency (:class:`NameFrequencies`) follows Splink's term-frequency adjustment: the
evidence of two names agreeing on a token is raised when the token is rare in the store and
lowered when it is common, by ``log2(u / f)`` (clipped to +-2), ``f`` the token's share of records
and ``u`` the chance that two records agree on some token.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from rigour.names import NamePartTag, NameTypeTag, SymbolCategory, analyze_names
from rigour.text import ascii_text
from rigour.text.scripts import MODERN_ALPHABETS, text_scripts

__all__ = [
    "OrgName",
    "NameFrequencies",
    "strict_script",
    "fold_spelling",
    "align",
    "latin_similarity",
    "person_similarity",
    "org_name",
    "org_similarity",
]

# Token similarity below this is no evidence at all (Jaro-Winkler of unrelated short names runs ~0.6).
_JW_FLOOR = 0.75
_INITIAL = 0.85  # "m" against "marie": consistent, not proof
_SYMBOL = 0.95  # one name in two scripts, per rigour's Wikidata name ids
_NICK = 0.8  # "bill" / "william"
_EXTRA = 0.2  # a token one name has and the other lacks (a middle name, a patronymic, or another surname)
# Letters an abjad writes for long vowels (and hamza seats): spellings of one name differ in them
# ("فلاديمير" / "فلادمير"), while a changed consonant makes another name.
_VOWEL_LETTERS = re.compile("[\u0627\u0623\u0625\u0622\u0621\u0648\u064a\u0649\u06cc\u0629\u064b-\u065f"
                            "\u05d0\u05d5\u05d9\u05b0-\u05c7\u30fb\u00b7]")
_FOLDS = ((re.compile(r"isation(s?)$"), r"ization\1"), (re.compile(r"is(e|ed|es|ing)$"), r"iz\1"),
          (re.compile(r"our(s?)$"), r"or\1"), (re.compile(r"([^aeiou])tre(s?)$"), r"\1ter\2"),
          (re.compile(r"^(defen|licen|offen|preten)ce$"), r"\1se"), (re.compile(r"ogue$"), "og"),
          (re.compile(r"yse$"), "yze"))
_PERSON_SYMBOLS = frozenset({SymbolCategory.NAME, SymbolCategory.NICK})


def strict_script(text: str) -> str:
    """The script of ``text`` when it is one where a character changes the name, else ``""``.

    >>> strict_script("김정은"), strict_script("Владимир"), strict_script("Vance")
    ('Hangul', '', '')
    """
    if text.isascii():
        return ""
    scripts = text_scripts(text) - MODERN_ALPHABETS
    return min(scripts) if len(scripts) == 1 else ("+".join(sorted(scripts)) if scripts else "")


@lru_cache(maxsize=1 << 16)
def fold_spelling(token: str) -> str:
    """One spelling for British and American variants of a word.

    >>> [fold_spelling(t) for t in ("colour", "organisation", "centre", "defence", "analyse", "vance")]
    ['color', 'organization', 'center', 'defense', 'analyze', 'vance']
    """
    for pattern, repl in _FOLDS:
        if pattern.search(token):
            return pattern.sub(repl, token)
    return token


def align(a: Sequence[Any], b: Sequence[Any], sim: Callable[[Any, Any], float], extra: float = 0.2) -> float:
    """Order-free alignment of two token lists in [0, 1]: each token of the shorter list takes its
    best unused partner; each extra token in the longer one costs ``extra`` of a token."""
    if not a or not b:
        return 0.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    used = [False] * len(long)
    total = 0.0
    for t in short:
        best, best_j = 0.0, -1
        for j, u in enumerate(long):
            if not used[j]:
                s = sim(t, u)
                if s > best:
                    best, best_j = s, j
                    if s == 1.0:
                        break
        if best_j >= 0:
            used[best_j] = True
        total += best
    return total / (len(short) + extra * (len(long) - len(short)))


def _latin_sim(t: str, u: str) -> float:
    if t == u:
        return 1.0
    if len(t) == 1 or len(u) == 1:
        return _INITIAL if t[0] == u[0] else 0.0
    s = JaroWinkler.normalized_similarity(t, u)
    return s if s >= _JW_FLOOR else 0.0


def latin_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Similarity of two Latin person names (v3): tokens in any order, initials 0.85, a token one
    name lacks (a middle name or patronymic, or another surname: nothing tells which) costs 0.2 of
    a token, and the space-free strings are compared ("black well" / "blackwell").

    >>> round(latin_similarity(("nikita", "zakharov"), ("nikita", "aleksandrovich", "zakharov")), 4)
    0.9091
    """
    if not a or not b:
        return 0.0
    if a == b or set(a) == set(b):
        return 1.0
    greedy = align(a, b, _latin_sim, _EXTRA)
    if min(map(len, a)) > 1 or min(map(len, b)) > 1:  # "toshabis r" is not "toshabis d"
        greedy = max(greedy, fuzz.ratio("".join(a), "".join(b)) / 100.0)
    return greedy


def _skeleton(token: str) -> str:
    return _VOWEL_LETTERS.sub("", token) or token


def _same_in_script(t: tuple[str, str, frozenset[str]], u: tuple[str, str, frozenset[str]]) -> float:
    """Two tokens of one strict script: the same characters, or the same consonants where neither is a
    known name or both are the same known name (محمد and محمود differ by a vowel letter, and are
    two names rigour knows apart)."""
    if t[0] == u[0]:
        return 1.0
    if _skeleton(t[0]) != _skeleton(u[0]):
        return 0.0
    return 1.0 if not (t[2] and u[2]) or t[2] & u[2] else 0.0


@lru_cache(maxsize=1 << 14)
def _person_parts(original: str) -> tuple[tuple[str, str, frozenset[str]], ...]:
    """``(original-script token, Latin token, symbols)`` per part of a person name, from rigour."""
    out = []
    for name in analyze_names(NameTypeTag.PER, [original], consolidate=False, phonetics=False):
        symbols: dict[int, set[str]] = {}
        for span in name.spans:
            if span.symbol.category in _PERSON_SYMBOLS and len(span.parts) == 1:
                symbols.setdefault(span.parts[0].index, set()).add(f"{_cat(span.symbol.category)}:{span.symbol.id}")
        for p in name.parts:
            latin = p.ascii if p.latinize else ascii_text(p.form).replace(" ", "")
            out.append((p.form, (latin or p.form).lower(), frozenset(symbols.get(p.index, ()))))
    return tuple(out)


def _cat(category: object) -> str:
    return str(category).rsplit(".", 1)[-1]


def _symbol_sim(t: tuple[str, str, frozenset[str]], u: tuple[str, str, frozenset[str]]) -> float:
    if t[0] == u[0] or t[1] == u[1]:
        return 1.0
    shared = t[2] & u[2]
    if shared:
        return _SYMBOL if any(s.startswith("NAME:") for s in shared) else _NICK
    return _latin_sim(t[1], u[1]) if t[1].isascii() and u[1].isascii() else 0.0


def person_similarity(
    a_tokens: tuple[str, ...], b_tokens: tuple[str, ...], a_original: str, b_original: str,
    fast: Callable[[tuple[str, ...], tuple[str, ...]], float],
) -> tuple[float, str]:
    """Similarity of two person names in [0, 1] and how it was reached.

    ``fast`` is the Latin token comparison (:func:`latin_similarity`), used as is when both
    names are Latin. A name in a strict script (:func:`strict_script`) is compared with
    one in the same script token for token, exactly; across scripts, rigour's name symbols carry
    a given name from one script to another.

    >>> latin = latin_similarity
    >>> person_similarity(("beulladimireu", "putin"), ("vladimir", "putin"), "블라디미르 푸틴", "Vladimir Putin", latin)
    (0.975, 'across scripts')
    >>> person_similarity(("gimjeongeun",), ("gimjeongun",), "김정은", "김정운", latin)
    (0.0, 'in Hangul, a character is a different name')
    >>> person_similarity(("fladmyr",), ("fladymyr",), "فلادمير", "فلاديمير", latin)
    (1.0, 'same Arabic name')
    """
    if a_original.isascii() and b_original.isascii():  # most records: nothing but Latin to compare
        return fast(a_tokens, b_tokens), ""
    sa, sb = strict_script(a_original), strict_script(b_original)
    if sa and sa == sb:
        pa, pb = _person_parts(a_original), _person_parts(b_original)
        sim = align(pa, pb, _same_in_script, _EXTRA)
        if sim < 1.0 and len(pa) != len(pb) and "".join(p[0] for p in pa) == "".join(p[0] for p in pb):
            sim = 1.0  # the same characters, spaced differently
        return sim, (f"in {sa}, a character is a different name" if sim < 1.0 else f"same {sa} name")
    sim = fast(a_tokens, b_tokens)
    if sim >= 0.95:
        return sim, ""
    pa, pb = _person_parts(a_original), _person_parts(b_original)
    across = align(pa, pb, _symbol_sim, _EXTRA)
    joined = fuzz.ratio("".join(p[1] for p in pa), "".join(p[1] for p in pb)) / 100.0
    best = max(sim, across, joined if joined >= 0.9 else 0.0)
    return round(best, 4), ("across scripts" if best > sim else "")


# ---- organisations ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgName:
    """An organisation name read by rigour: the tokens compared, its legal forms and its numbers."""

    original: str
    tokens: tuple[str, ...]
    legal: frozenset[str]
    numbers: frozenset[str]
    strict: str = ""
    joined: str = ""  # every part, legal form included, spaces removed: "NorthgateAG" meets "Northgate AG"


_STOP = frozenset({"and", "the", "of", "und", "et", "y", "&"})
_ORG_SYMBOLS = frozenset({SymbolCategory.SYMBOL, SymbolCategory.NUMERIC})


@lru_cache(maxsize=200_000)
def org_name(name: str | None) -> OrgName:
    """Read an organisation name: legal form out, numbers and ordinals to digits, abbreviations and
    spelling variants to one form, "&" and "and" dropped.

    >>> o = org_name("2nd Avenue Intl Holdings Limited")
    >>> o.tokens, sorted(o.legal), sorted(o.numbers)
    (('2', 'avenue', 'INTL', 'HOLDING'), ['LLC'], ['2'])
    >>> org_name("Second Avenue International Holdings Ltd").tokens
    ('2', 'avenue', 'INTL', 'HOLDING')
    """
    text = str(name or "").strip()
    if not text:
        return OrgName("", (), frozenset(), frozenset())
    tokens: list[str] = []
    legal: set[str] = set()
    numbers: set[str] = set()
    plain: list[str] = []
    for n in analyze_names(NameTypeTag.ORG, [text], consolidate=False, phonetics=False):
        parts = n.parts
        # A legal form stands at the end ("... Ltd") or the start ("OOO ..."); rigour also reads
        # words inside a name as one ("Beta Incorporation Management" -> "inc"): those stay words.
        ends = {p.index for p in (parts[0], parts[-1]) if p.tag == NamePartTag.LEGAL} if parts else set()
        canon: dict[int, str] = {}
        for span in n.spans:
            cat, idx = span.symbol.category, span.parts[0].index
            if cat == SymbolCategory.ORG_CLASS and idx in ends:
                legal.add(str(span.symbol.id))
            elif cat in _ORG_SYMBOLS and len(span.parts) == 1:
                value = str(span.symbol.id)
                if cat == SymbolCategory.NUMERIC:
                    numbers.add(value)
                # The smallest symbol wins so both sides pick the same one ("corp" is CORP and CO).
                canon[idx] = min(canon.get(idx, value), value)
        for p in parts:
            plain.append(fold_spelling(p.comparable))
            if p.index in ends:
                continue
            token = canon.get(p.index) or fold_spelling(p.comparable)
            if token not in _STOP and token != "CO":  # "Company" / "Co" says no more than a legal form
                tokens.append(token)
        break  # one name in, one name out
    return OrgName(text, tuple(tokens), frozenset(legal), frozenset(numbers), strict_script(text),
                   "".join(t for t in plain if t not in _STOP))


def org_similarity(a: OrgName, b: OrgName) -> tuple[float, str]:
    """Similarity of two organisation names in [0, 1] (legal forms aside) and what decided it.

    Different numbers ("Unit 7" / "Unit 8") make two names different whatever else agrees;
    tokens are compared in any order and with spaces removed ("brook field" / "brookfield").

    >>> org_similarity(org_name("Brook Field Ltd"), org_name("Brookfield Limited"))
    (1.0, '')
    >>> org_similarity(org_name("Unit 7 Ltd"), org_name("Unit 8 Ltd"))
    (0.0, 'numbers differ: 7 vs 8')
    """
    if not a.tokens or not b.tokens:
        return 0.0, ""
    if a.numbers != b.numbers and a.numbers and b.numbers:
        return 0.0, f"numbers differ: {' '.join(sorted(a.numbers))} vs {' '.join(sorted(b.numbers))}"
    if a.tokens == b.tokens or sorted(a.tokens) == sorted(b.tokens) or a.joined == b.joined:
        return 1.0, ""
    if a.strict and a.strict == b.strict:
        exact = align(a.tokens, b.tokens, lambda t, u: 1.0 if t == u else 0.0)
        return exact, f"in {a.strict}, a character is a different name"
    ja, jb = "".join(a.tokens), "".join(b.tokens)
    joined = fuzz.ratio(ja, jb) / 100.0
    tokens = align(a.tokens, b.tokens, _latin_sim)
    sim = max(tokens, joined)
    if a.numbers != b.numbers:  # a number one side only ("Holdings 2"): not the same name
        return round(min(sim, 0.8), 4), "a number on one side only"
    return round(sim, 4), ""


# ---- name-part frequency ---------------------------------------------------------------------------------


class NameFrequencies:
    """How common each name token is among the records of one run (Splink's term frequencies).

    ``adjustment(token)`` is ``log2(u / f)``, clipped to ``[-2, 2]`` and added as evidence units
    (the scorers' scale; a unit is about two thirds of a bit, so the adjustment is damped): ``f``
    the share of records carrying the token, ``u`` the chance two records agree on a token
    (``sum f^2 / sum f``). A surname one record in 10^5 carries weighs more than "smith"; "john"
    weighs less than average.

    >>> nf = NameFrequencies([("john", "smith")] * 50 + [("john", "quibble")] + [("ann", "lee")] * 49)
    >>> nf.adjustment("quibble") > 0 > nf.adjustment("john")
    True
    """

    def __init__(self, token_lists: Iterable[Sequence[str]]) -> None:
        lists = list(token_lists)
        self.records = len(lists)
        # Each record counts a token once (person tokens are distinct already; a set costs little).
        self.counts = counts = Counter(itertools.chain.from_iterable(map(set, lists)))
        total = sum(counts.values())
        self.u = sum(c * c for c in counts.values()) / (total * max(self.records, 1)) if total else 0.0

    def to_dict(self) -> dict[str, object]:
        return {"records": self.records, "counts": dict(self.counts)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> NameFrequencies:
        """Rebuild from :meth:`to_dict` (a saved run's counts)."""
        out = cls(())
        out.records = int(data.get("records") or 0)  # type: ignore[call-overload]
        out.counts = Counter(data.get("counts") or {})  # type: ignore[arg-type]
        total = sum(out.counts.values())
        out.u = sum(c * c for c in out.counts.values()) / (total * max(out.records, 1)) if total else 0.0
        return out

    def adjustment(self, token: str) -> float:
        """The bits to add when two names agree on ``token`` (0 for a token never seen)."""
        c = self.counts.get(token)
        if not c or not self.u:
            return 0.0
        return max(-2.0, min(2.0, math.log2(self.u / (c / self.records))))
