"""``person_v3`` and ``company_v3``: names read by rigour, partial dates kept partial, external
identifiers, name-part frequency, and weights per feature level that can be learnt (:mod:`ingest.weights`).

What changed from v2 (which stays importable in :mod:`ingest.scoring`):

* Names: :mod:`ingest.names` -- legal forms, numbers and ordinals, abbreviations, spelling
  variants, "&"/"and", joined and split words for companies; a name in another script compared
  through its Latin form and rigour's name symbols, in its own script where one character changes
  the name. A surname and initials consistent with the full name ("M.-L. Fontaine" / "Marie-Louise
  Fontaine") is ``high``; the address then counts at most +1 (at one address initials fit a family).
  A name at 0.9 weighs +5 (v2: +4.25), so a name alone written two ways reaches the review queue.
* Name-part frequency: agreeing on a rare token adds up to +2 (only where the names agree, at
  0.95 or more, as Splink adjusts only exact agreement), on a common one takes up to 2
  (:class:`~ingest.names.NameFrequencies`, counted over the run's records); a name with its
  frequency never weighs more than +8, so a name alone never merges.
* Dates of birth compare at the coarser precision (:func:`compare_birth_dates`): a year agreeing
  weighs +1, a month +4, a day +8; a year-only date never conflicts with a full date in that year.
  Two dates that disagree at their common precision veto, as a full date always did, except a
  slip: one keystroke (any precision), day and month swapped, keyed digits one edit apart, or, at
  year precision, years one apart (a year-only date is often an estimate). A ``dob_raw`` counts
  only as keyed digits: one slip apart +1, further -2, never a veto.
* External identifiers (Wikidata, OpenSanctions, LEI, a registry number under its registry):
  one shared +12; a different one in the same scheme vetoes.

The weights quoted are the priors (:data:`ingest.weights.PRIORS`); a full run learns each level's
weight within 1 of them, and the scorers take the learnt table as ``weights``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from ingest.features import Features, Score, logistic
from ingest.names import latin_similarity, org_similarity, person_similarity
from ingest.scoring import (
    _INITIALS_ONLY_W,
    _ident,
    _interp,
    _postcode,
    _veto,
    account_v1,
    address_similarity,
    property_v2,
)
from ingest.weights import PRIORS, sim_level

__all__ = ["compare_birth_dates", "person_v3", "company_v3", "SCORERS", "score_pair", "external_ids"]

Table = Mapping[str, Mapping[str, float]]
# Name evidence by similarity. v3 weighs 0.9 (a dropped middle name, a transliteration) at +5 for
# people (v2: +4.25), so a name alone reaches the review queue; an exact name is +7 as before.
_NAME_W = ((0.0, -8.0), (0.5, -3.0), (0.7, 0.0), (0.85, 3.5), (0.9, 5.0), (0.95, 6.0), (1.0, 7.0))
_COMPANY_NAME_W = ((0.0, -8.0), (0.7, -3.0), (0.85, 1.0), (0.95, 5.0), (1.0, 5.5))
_PRECISION = {10: "exact", 7: "month", 4: "year"}
_NAME_MAX = 8.0  # a name with its frequency bits: alone, below the merge threshold (9)


def compare_birth_dates(a: str | None, b: str | None, keyed: tuple[str | None, str | None] = (None, None),
                        raw: tuple[bool, bool] = (False, False)) -> str:
    """The level at which two dates of birth agree, compared at the coarser precision.

    ``exact`` / ``month`` / ``year`` (agree at that precision), ``typo`` (full dates one slip
    apart), ``near`` (partial dates one slip apart, or years one apart at year precision),
    ``raw_typo`` / ``raw_other`` (one side known only as keyed digits), ``missing``, or
    ``conflict`` (a veto).

    >>> compare_birth_dates("1984", "1984-03-15"), compare_birth_dates("1984-03", "1984-03-15")
    ('year', 'month')
    >>> compare_birth_dates("1962", "1984"), compare_birth_dates("1984", "1985")
    ('conflict', 'near')
    >>> compare_birth_dates("1933-02-12", "1933-01-22", ("19330212", "19330122"))
    'typo'
    >>> compare_birth_dates(None, "1984-06-12", ("19848612", "19840612"), (True, False))
    'raw_typo'
    """
    ka, kb = keyed
    if not a or not b:
        if (raw[0] or raw[1]) and ka and kb:
            return "raw_typo" if DamerauLevenshtein.distance(ka, kb) <= 1 else "raw_other"
        return "missing"
    p = min(len(a), len(b))
    ta, tb = a[:p], b[:p]
    if ta == tb:
        return _PRECISION.get(p, "year")
    if ka and kb and len(ka) == len(kb) == 8 and DamerauLevenshtein.distance(ka, kb) <= 1:
        return "typo"  # the keystrokes of two full dates, one slip apart (even an impossible month)
    slip = DamerauLevenshtein.distance(ta, tb) <= 1
    if p == 10:
        slip = slip or (ta[:4] == tb[:4] and ta[5:7] == tb[8:10] and ta[8:10] == tb[5:7])
    if p == 10 and slip:
        return "typo"
    if slip or (p == 4 and ta.isdigit() and tb.isdigit() and abs(int(ta) - int(tb)) <= 1):
        return "near"
    return "conflict"


def external_ids(a: Features, b: Features) -> tuple[list[str], str | None]:
    """Schemes whose identifiers the two records share, and the first scheme where they differ."""
    same: list[str] = []
    differ = None
    if not a.external or not b.external:
        return same, differ
    for scheme in sorted(a.external.keys() & b.external.keys()):
        if a.external[scheme] & b.external[scheme]:
            same.append(scheme)
        elif differ is None:
            differ = scheme
    return same, differ


def _external_evidence(name: str, a: Features, b: Features, features: dict[str, Any],
                       w: Table) -> tuple[float, Score | None]:
    same, differ = external_ids(a, b)
    if differ:
        va, vb = sorted(a.external[differ]), sorted(b.external[differ])
        return 0.0, _veto(name, features, f"different {differ}: {', '.join(va)} vs {', '.join(vb)}")
    if not same:
        return 0.0, None
    weight = w["external_id"]["same"]
    features["external_id"] = {"value": ", ".join(same), "level": "same", "weight": weight}
    return weight, None


def _level(features: dict[str, Any], key: str, value: Any, level: str, w: Table) -> float:
    weight = w[key][level]
    features[key] = {"value": value, "level": level, "weight": weight}
    return weight


def _frequency(a: Features, b: Features, name_weight: float, features: dict[str, Any], strong: bool) -> float:
    """The frequency bits of the rarest token both names carry (0 without frequencies), keeping
    the name's weight with them at most ``_NAME_MAX``."""
    if not a.tf or not b.tf:
        return 0.0
    shared = set(a.tokens) & set(b.tokens)
    best, token = None, ""
    for t, bits in zip(a.tokens, a.tf, strict=False):
        if t in shared and len(t) > 1 and (best is None or bits > best):
            best, token = bits, t
    bits = best or 0.0
    if bits > 0 and not strong:  # a rare name counts only where the names agree, not where they are alike
        return 0.0
    bits = min(bits, _NAME_MAX - name_weight)
    if bits:
        features["name_frequency"] = {"value": token, "weight": round(bits, 2)}
    return bits


def _place(a: Features, b: Features, features: dict[str, Any], w: Table) -> float:
    """Postcode (same / near / different) and address (same / close / fair / different) evidence."""
    total = 0.0
    if a.postcode and b.postcode:
        lv = _postcode(a.postcode, b.postcode)
        total += _level(features, "postcode", lv, lv, w)
    if a.address and b.address:
        sim = address_similarity(a.address, b.address)
        lv = "same" if sim >= 0.95 else "close" if sim >= 0.85 else "fair" if sim >= 0.7 else "different"
        total += _level(features, "address", round(sim, 3), lv, w)
    return total


def _initials_fit(a: Features, b: Features) -> bool:
    """The side written with initials has each full word on the other side, exactly."""
    short, other = (a, b) if a.initials_only else (b, a)
    return all(t in other.tokens for t in short.tokens if len(t) > 1)


def person_v3(a: Features, b: Features, weights: Table | None = None) -> Score:
    """People: names (any script), partial dates of birth, identifiers, name-part frequency, address."""
    name = "person_v3"
    w = weights or PRIORS["Person"]
    features: dict[str, Any] = {}
    gov = {}
    for scheme in ("ni_number", "passport"):
        if scheme in a.ids and scheme in b.ids:
            gov[scheme] = _ident(a.ids[scheme], b.ids[scheme])
    dob = compare_birth_dates(a.dob, b.dob, (a.dob_keyed, b.dob_keyed), (a.dob_raw, b.dob_raw))
    total = 0.0
    if dob == "conflict":
        if not any(v != "different" for v in gov.values()):
            return _veto(name, features, f"date of birth conflict: {a.dob} vs {b.dob}")
        total += _level(features, "dob", f"{a.dob} vs {b.dob}", "overridden", w)
        features["dob"]["overridden_by"] = sorted(gov)
    elif dob != "missing":
        total += _level(features, "dob", dob, dob, w)
    if a.external and b.external:
        ext, veto = _external_evidence(name, a, b, features, w)
        if veto:
            return veto
        total += ext
    if a.original.isascii() and b.original.isascii():
        sim, how = latin_similarity(a.tokens, b.tokens), ""
    else:
        sim, how = person_similarity(a.tokens, b.tokens, a.original, b.original, latin_similarity)
    initials = sim < 1.0 and (a.initials_only or b.initials_only)
    if initials and sim >= 0.85 and not how and _initials_fit(a, b):
        sim = max(sim, 0.95)  # every initial fits a given name and every full word agrees
    level = sim_level(sim)
    nw = _interp(sim, _NAME_W) + w["name"][level] - PRIORS["Person"]["name"][level]
    features["name"] = {"value": round(sim, 3), "level": level, "weight": round(nw, 2)}
    if how:
        features["name"]["how"] = how
        features["name"]["original"] = [a.original, b.original]
    if initials:
        features["name"]["initials_only"] = True
    if sim >= 0.85:
        nw += _frequency(a, b, nw, features, sim >= 0.95)
    total += nw
    for scheme, verdict in gov.items():
        # Beside a conflicting date of birth one of the two facts is wrong: a slipped identifier is worth less.
        lv = "typo_beside_conflict" if verdict == "typo" and dob == "conflict" else verdict
        total += _level(features, scheme, verdict, lv, w)
    for scheme in ("email", "phone"):
        if scheme in a.ids and scheme in b.ids and a.ids[scheme] == b.ids[scheme]:
            total += _level(features, scheme, "same", "same", w)
    place = _place(a, b, features, w)
    if initials and dob not in ("exact", "typo") and place > _INITIALS_ONLY_W:
        # "S BRAIKAIS" at the family home fits every Braikais whose name starts with S.
        features["place_capped"] = {"value": "initials only", "weight": _INITIALS_ONLY_W - place}
        place = _INITIALS_ONLY_W
    total += place
    if a.country and b.country and a.country != b.country:
        total += _level(features, "country", "different", "different", w)
    features["evidence"] = round(total, 2)
    return Score(logistic(total), name, features)


def company_v3(a: Features, b: Features, weights: Table | None = None) -> Score:
    """Companies: registry and external identifiers, names read by rigour, legal form, jurisdiction, address."""
    name = "company_v3"
    w = weights or PRIORS["Company"]
    features: dict[str, Any] = {}
    same_registry = not (a.jurisdiction and b.jurisdiction and a.jurisdiction != b.jurisdiction)
    total = 0.0
    na, nb = a.ids.get("company_number"), b.ids.get("company_number")
    if na and nb:
        if na != nb and same_registry:
            return _veto(name, features, f"different company numbers in one registry: {na} vs {nb}")
        lv = "same" if na == nb else "other registry"
        total += _level(features, "company_number", lv, lv, w)
    ext, veto = _external_evidence(name, a, b, features, w)
    if veto:
        return veto
    total += ext
    if a.org and b.org:
        sim, how = org_similarity(a.org, b.org)
        legal_a, legal_b = a.org.legal, b.org.legal
    else:
        sim, how, legal_a, legal_b = 0.0, "", frozenset(), frozenset()
    level = sim_level(sim)
    base = 6.0 if level == "exact" else _interp(sim, _COMPANY_NAME_W)
    nw = round(base + w["name"][level] - PRIORS["Company"]["name"][level], 2)
    features["name"] = {"value": round(sim, 3), "level": level, "weight": nw}
    if how:
        features["name"]["how"] = how
    if a.org and b.org and (a.org.strict or b.org.strict):
        features["name"]["original"] = [a.original, b.original]
    if sim >= 0.85:
        nw += _frequency(a, b, nw, features, sim >= 0.95)
    total += nw
    if legal_a and legal_b and not legal_a & legal_b:
        total += _level(features, "legal_form", f"{'/'.join(sorted(legal_a))} vs {'/'.join(sorted(legal_b))}",
                        "different", w)
    if not same_registry:
        total += _level(features, "jurisdiction", "different", "different", w)
    verdict = compare_birth_dates(a.incorporated, b.incorporated)
    if verdict in ("exact", "month", "year", "conflict"):
        total += _level(features, "incorporated", verdict, verdict, w)
    total += _place(a, b, features, w)
    features["evidence"] = round(total, 2)
    return Score(logistic(total), name, features)


SCORERS: dict[str, Callable[..., Score]] = {
    "Person": person_v3,
    "Company": company_v3,
    "Account": account_v1,
    "Property": property_v2,
}


def score_pair(a: Features, b: Features, weights: Mapping[str, Table] | None = None) -> Score:
    """Score two prepared records with the scorer for their kind (different kinds never match).

    ``weights`` (kind -> feature -> level -> weight, :func:`ingest.weights.weights_of`) replaces
    the priors for the kinds it covers.

    >>> from ingest.features import prepare_props
    >>> a = prepare_props("a", "Company", {"name": "KESTON MOTORS LIMITED"})
    >>> b = prepare_props("b", "Company", {"name": "Keston Motors Ltd"})
    >>> s = score_pair(a, b)
    >>> s.scorer, s.features["name"]["level"]
    ('company_v3', 'exact')
    """
    if a.kind != b.kind or a.kind not in SCORERS:
        return Score(0.0, "none", {"veto": f"kinds {a.kind} and {b.kind} are not compared"})
    scorer = SCORERS[a.kind]
    if scorer is person_v3 or scorer is company_v3:
        return scorer(a, b, (weights or {}).get(a.kind))
    return scorer(a, b)
