"""The v2 scorers (``person_v2``, ``company_v2``) and the scorers v3 keeps (``account_v1``, ``property_v2``).

The default scorers for people and companies are now ``person_v3`` and ``company_v3``
(:mod:`ingest.scoring_v3`, registry ``SCORERS`` and ``score_pair`` there); v2 stays here,
unchanged in behaviour, for comparison and for links it made (``SCORERS_V2``, ``score_pair_v2``).

A scorer takes two prepared records (:class:`Features`) and returns a :class:`Score`: a value in
[0, 1] plus one entry per feature saying what was compared and how much weight it carried. The
weights add up as evidence (Fellegi-Sunter style, in rough bits): agreement on a rare value
counts a lot, disagreement on a value that often changes (an address) counts little. The total
goes through one logistic curve, so thresholds in :class:`~graph.settings.Settings` mean the
same thing for every kind.

Hard conflicts veto (score 0): a different IBAN or account, a different company number in the
same registry, a different title number, and a different date of birth. Evidence is ranked
identifier > date of birth > name, so a DOB conflict is overridden only when the two records
share a national identifier (NI number, passport) -- a mistyped DOB is common, a shared NI number
by chance is not. Dates that differ by one keystroke (a digit, a transposition, day and month
swapped) are a clerical slip, not a conflict.

Scorers are never changed in place: a new behaviour gets a new version, and every SAME_AS link
records which scorer made it. ``person_v2``, ``company_v2`` and ``property_v2`` replaced the v1
scorers (git history keeps them) by reading dates of birth as keyed digits (a swap across the
month/day boundary is a slip), counting a postcode one keystroke off as ``near``, comparing
addresses with spaces removed as well, weighing a slipped NI number or passport 8 (4 beside a
conflicting date of birth), a name sharing one of two words -3 rather than -4, and a name
given only as a surname and initials at most 1 (at one address that fits a whole family).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from ingest.features import Features, Score, logistic, prepare, prepare_props
from ingest.names import align

__all__ = [
    "Features",
    "Score",
    "prepare",
    "prepare_props",
    "name_similarity",
    "compare_dates",
    "person_v2",
    "company_v2",
    "account_v1",
    "property_v2",
    "SCORERS_V2",
    "score_pair_v2",
    "logistic",
]

def _interp(x: float, points: tuple[tuple[float, float], ...]) -> float:
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _token_sim(t: str, u: str) -> float:
    if t == u:
        return 1.0
    if len(t) == 1 or len(u) == 1:
        return 0.85 if t[0] == u[0] else 0.0
    s = JaroWinkler.normalized_similarity(t, u)
    return s if s >= 0.75 else 0.0


def name_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Similarity of two bags of name tokens in [0, 1]; order-free, initials allowed.

    Each token of the shorter name takes its best unused partner in the longer one (exact 1,
    initial 0.85, else Jaro-Winkler when >= 0.75); extra tokens in the longer name (a middle
    name one source omits) cost a fifth of a token each. The space-free strings are also
    compared, which catches "black well" against "blackwell" (not when both names have an
    initial: "toshabis r" is not one keystroke from "toshabis d").

    >>> round(name_similarity(("vance", "marcus", "e"), ("marcus", "ellery", "vance")), 2)
    0.95
    """
    if not a or not b:
        return 0.0
    if a == b or set(a) == set(b):
        return 1.0
    greedy = align(a, b, _token_sim)
    if min(map(len, a)) == 1 and min(map(len, b)) == 1:  # "toshabis r" is not "toshabis d"
        return greedy
    return max(greedy, fuzz.ratio("".join(a), "".join(b)) / 100.0)



def compare_dates(a: str | None, b: str | None, keyed: tuple[str | None, str | None] = (None, None)) -> str:
    """``missing``, ``exact``, ``partial`` (agree at the coarser precision), ``typo`` or ``conflict``.

    ``keyed`` holds each side's :func:`~ingest.normalise.keyed_digits`: two full dates whose keyed
    digits are one substitution or one adjacent swap apart are a ``typo`` even where the swap
    crosses the month/day boundary (19330212 / 19330122) or made the date impossible (19403407).

    >>> compare_dates("1979-09-03", "1979-09"), compare_dates("1979-09-03", "1979-03-09")
    ('partial', 'typo')
    >>> compare_dates("1933-02-12", "1933-01-22", ("19330212", "19330122"))
    'typo'
    >>> compare_dates("1979-09-03", "1955-02-11")
    'conflict'
    """
    if not a or not b:
        return "missing"
    if a == b:
        return "exact" if len(a) == 10 else "partial"
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return "partial"
    if len(a) == len(b):
        if DamerauLevenshtein.distance(a, b) <= 1:
            return "typo"
        if len(a) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
            return "typo"
    ka, kb = keyed
    if ka and kb and len(ka) == len(kb) == 8 and DamerauLevenshtein.distance(ka, kb) <= 1:
        return "typo"
    return "conflict"


def _ident(a: str, b: str) -> str:
    if a == b:
        return "exact"
    if len(a) >= 6 and len(a) == len(b) and DamerauLevenshtein.distance(a, b) <= 1:
        return "typo"
    return "different"


_NAME_W = ((0.0, -8.0), (0.5, -3.0), (0.7, 0.0), (0.85, 3.0), (0.95, 5.5), (1.0, 7.0))
_DOB_W = {"exact": 8.0, "typo": 2.0, "missing": 0.0}
_GOV_W = {"exact": 12.0, "typo": 8.0, "different": -2.0}
_GOV_TYPO_BESIDE_DOB_CONFLICT = 4.0
_INITIALS_ONLY_W = 1.0


def _postcode(a: str, b: str) -> str:
    """``same``, ``near`` (one keystroke apart: a slip, or a neighbouring unit) or ``different``."""
    if a == b:
        return "same"
    if min(len(a), len(b)) >= 4 and DamerauLevenshtein.distance(a, b) <= 1:
        return "near"
    return "different"


def _veto(scorer: str, features: dict[str, Any], reason: str) -> Score:
    features["veto"] = reason
    return Score(0.0, scorer, features)


def address_similarity(a: str, b: str) -> float:
    """Two address fingerprints in [0, 1]: words in any order, and with spaces removed
    ("mckinleycircuit", "s treet": keying splits and joins words)."""
    sim = fuzz.token_set_ratio(a, b) / 100.0
    if sim < 0.95:
        sim = max(sim, fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")) / 100.0)
    return sim


def _address_evidence(
    a: Features, b: Features, features: dict[str, Any], postcode: tuple[float, float],
    steps: tuple[float, float, float, float],
) -> float:
    """Postcode and address evidence.

    ``postcode`` weighs a postcode one keystroke off and a different one (the same counts 3);
    ``steps`` weigh address similarity >=.95, >=.85, >=.7, below.
    """
    w = 0.0
    if a.postcode and b.postcode:
        verdict = _postcode(a.postcode, b.postcode)
        weight = {"same": 3.0, "near": postcode[0]}.get(verdict, postcode[1])
        features["postcode"] = {"value": verdict, "weight": weight}
        w += features["postcode"]["weight"]
    if a.address and b.address:
        sim = address_similarity(a.address, b.address)
        aw = steps[0] if sim >= 0.95 else steps[1] if sim >= 0.85 else steps[2] if sim >= 0.7 else steps[3]
        features["address"] = {"value": round(sim, 3), "weight": aw}
        w += aw
    return w


def person_v2(a: Features, b: Features) -> Score:
    """People: name tokens in any order with initials, date of birth, identifiers, address."""
    name = "person_v2"
    features: dict[str, Any] = {}
    gov = {}
    for scheme in ("ni_number", "passport"):
        if scheme in a.ids and scheme in b.ids:
            gov[scheme] = _ident(a.ids[scheme], b.ids[scheme])
    dob = compare_dates(a.dob, b.dob, (a.dob_keyed, b.dob_keyed))
    if dob == "conflict":
        if not any(v != "different" for v in gov.values()):
            return _veto(name, features, f"date of birth conflict: {a.dob} vs {b.dob}")
        features["dob"] = {"value": "conflict", "weight": -3.0, "overridden_by": sorted(gov)}
    elif dob == "partial":
        features["dob"] = {"value": dob, "weight": 4.0 if min(len(a.dob or ""), len(b.dob or "")) >= 7 else 1.5}
    else:
        features["dob"] = {"value": dob, "weight": _DOB_W[dob]}
    w = features["dob"]["weight"]
    sim = name_similarity(a.tokens, b.tokens)
    features["name"] = {"value": round(sim, 3), "weight": round(_interp(sim, _NAME_W), 2)}
    if sim < 1.0 and (a.initials_only or b.initials_only):
        # "S BRAIKAIS" fits every Braikais whose name starts with S: at one address, a whole family.
        features["name"]["weight"] = min(features["name"]["weight"], _INITIALS_ONLY_W)
        features["name"]["initials_only"] = True
    w += features["name"]["weight"]
    for scheme, verdict in gov.items():
        # Beside a conflicting date of birth one of the two facts is wrong: a slipped identifier is worth less.
        weight = _GOV_TYPO_BESIDE_DOB_CONFLICT if verdict == "typo" and dob == "conflict" else _GOV_W[verdict]
        features[scheme] = {"value": verdict, "weight": weight}
        w += weight
    for scheme in ("email", "phone"):
        if scheme in a.ids and scheme in b.ids and a.ids[scheme] == b.ids[scheme]:
            features[scheme] = {"value": "same", "weight": 6.0}
            w += 6.0
    w += _address_evidence(a, b, features, (1.0, -0.5), (4.0, 2.0, 0.5, -0.5))
    if a.country and b.country and a.country != b.country:
        features["country"] = {"value": "different", "weight": -1.0}
        w -= 1.0
    features["evidence"] = round(w, 2)
    return Score(logistic(w), name, features)


def company_v2(a: Features, b: Features) -> Score:
    """Companies: registry number, normalised name and legal form, jurisdiction, address."""
    name = "company_v2"
    features: dict[str, Any] = {}
    same_registry = not (a.jurisdiction and b.jurisdiction and a.jurisdiction != b.jurisdiction)
    w = 0.0
    na, nb = a.ids.get("company_number"), b.ids.get("company_number")
    if na and nb:
        if na != nb and same_registry:
            return _veto(name, features, f"different company numbers in one registry: {na} vs {nb}")
        features["company_number"] = {"value": "same" if na == nb else "other registry",
                                      "weight": 10.0 if na == nb else 0.0}
        w += features["company_number"]["weight"]
    if a.compare and a.compare == b.compare:
        sim, nw = 1.0, 6.0
    else:
        sim = fuzz.token_sort_ratio(a.name, b.name) / 100.0 if a.name and b.name else 0.0
        nw = round(_interp(sim, ((0.0, -8.0), (0.7, -3.0), (0.85, 1.0), (0.95, 4.0), (1.0, 5.0))), 2)
    features["name"] = {"value": round(sim, 3), "weight": nw}
    w += nw
    if a.legal and b.legal and a.legal != b.legal:
        features["legal_form"] = {"value": f"{a.legal} vs {b.legal}", "weight": -4.0}
        w -= 4.0
    if not same_registry:
        features["jurisdiction"] = {"value": "different", "weight": -4.0}
        w -= 4.0
    verdict = compare_dates(a.incorporated, b.incorporated)
    if verdict in ("exact", "conflict"):
        features["incorporated"] = {"value": verdict, "weight": 3.0 if verdict == "exact" else -4.0}
        w += features["incorporated"]["weight"]
    w += _address_evidence(a, b, features, (1.0, -0.5), (3.0, 2.0, 0.5, -0.5))
    features["evidence"] = round(w, 2)
    return Score(logistic(w), name, features)


def account_v1(a: Features, b: Features) -> Score:
    """Accounts: only an identifier can join two; a different IBAN or account vetoes."""
    name = "account_v1"
    features: dict[str, Any] = {}
    w = 0.0
    for scheme in ("iban", "account_key"):
        va, vb = a.ids.get(scheme), b.ids.get(scheme)
        if va and vb:
            if va != vb:
                return _veto(name, features, f"different {scheme}: {va} vs {vb}")
            features[scheme] = {"value": "same", "weight": 15.0}
            w = max(w, 15.0)
    if a.institution and b.institution:
        sim = fuzz.token_set_ratio(a.institution, b.institution) / 100.0
        features["institution"] = {"value": round(sim, 3), "weight": 1.0 if sim >= 0.9 else -3.0}
        w += features["institution"]["weight"]
    features["evidence"] = round(w, 2)
    return Score(logistic(w), name, features)


def property_v2(a: Features, b: Features) -> Score:
    """Properties: title number, else postcode plus normalised address with equal house numbers."""
    name = "property_v2"
    features: dict[str, Any] = {}
    w = 0.0
    ta, tb = a.ids.get("title_number"), b.ids.get("title_number")
    if ta and tb:
        if ta != tb:
            return _veto(name, features, f"different title numbers: {ta} vs {tb}")
        features["title_number"] = {"value": "same", "weight": 15.0}
        w += 15.0
    if a.numbers and b.numbers and a.numbers != b.numbers:
        features["numbers"] = {"value": f"{' '.join(a.numbers)} vs {' '.join(b.numbers)}", "weight": -6.0}
        w -= 6.0
    w += _address_evidence(a, b, features, (-3.0, -6.0), (5.0, 2.0, -3.0, -3.0))
    features["evidence"] = round(w, 2)
    return Score(logistic(w), name, features)


SCORERS_V2: dict[str, Callable[[Features, Features], Score]] = {
    "Person": person_v2,
    "Company": company_v2,
    "Account": account_v1,
    "Property": property_v2,
}


def score_pair_v2(a: Features, b: Features) -> Score:
    """Score two prepared records with the v2 scorers (kept for comparison; v3 is the default,
    :func:`ingest.scoring_v3.score_pair`)."""
    if a.kind != b.kind or a.kind not in SCORERS_V2:
        return Score(0.0, "none", {"veto": f"kinds {a.kind} and {b.kind} are not compared"})
    return SCORERS_V2[a.kind](a, b)
