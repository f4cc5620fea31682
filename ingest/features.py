"""A record cleaned once for comparison (:class:`Features`), and what every scorer returns (:class:`Score`).

Scorers only ever read these fields, so cleaning happens once per record, not once per pair.
Names keep their original script beside the Latin tokens compared (the explanation shows both);
dates stay at the precision the source gave; a date a reader could not read (``dob_raw``) is kept
only as the digits that were keyed, never as a date; external identifiers are grouped by scheme,
a registry number under its registry.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graph.model import Entity, normalise_identifier
from ingest import normalise as nz
from ingest.names import NameFrequencies, OrgName, org_name

__all__ = ["Features", "Score", "prepare", "prepare_props", "apply_frequencies", "logistic", "EXTERNAL_IDS"]

MIDPOINT, SCALE = 4.0, 2.2  # total evidence 4 -> 0.5; 9 -> 0.9; 14 -> 0.99
# Identifiers curated to name one real entity: the same value is strong evidence, a different one a veto.
EXTERNAL_IDS = ("wikidata_id", "opensanctions_id", "lei")


class Score(NamedTuple):
    """A scorer's answer: the score, the scorer's ``name`` (with version) and per-feature reasons."""

    score: float
    scorer: str
    features: dict[str, Any]


@dataclass(slots=True)
class Features:
    """A record cleaned once for comparison; scorers only ever read these fields."""

    id: str
    kind: str
    tokens: tuple[str, ...] = ()
    initials_only: bool = False  # one word in full, the rest initials: "S BRAIKAIS"
    name: str = ""
    original: str = ""  # the name as the source wrote it (its own script)
    compare: str = ""
    legal: str = ""
    org: OrgName | None = None
    tf: tuple[float, ...] = ()  # per token: bits to add when a name agrees on it (NameFrequencies)
    dob: str | None = None
    dob_keyed: str | None = None
    dob_raw: bool = False  # dob_keyed came from an unreadable date (``dob_raw``): digits only
    postcode: str | None = None
    address: str = ""
    numbers: tuple[str, ...] = ()
    country: str | None = None
    jurisdiction: str | None = None
    incorporated: str | None = None
    institution: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    external: dict[str, frozenset[str]] = field(default_factory=dict)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


_EXTERNAL_PROPS = frozenset(EXTERNAL_IDS) | {"registration_numbers"}


def _external(get: Any) -> dict[str, frozenset[str]]:
    """Identifiers by scheme: Q-numbers, OpenSanctions ids, LEIs, and ``reg:<registry>`` numbers."""
    out: dict[str, set[str]] = {}
    for scheme in EXTERNAL_IDS:
        for v in _values(get(scheme)):
            text = normalise_identifier(v)
            if text:
                out.setdefault(scheme, set()).add(text)
    for v in _values(get("registration_numbers")):
        registry, sep, number = str(v).partition(":")
        number = normalise_identifier(number) if sep else None
        if number:
            out.setdefault(f"reg:{registry.strip().lower()}", set()).add(number)
    return {k: frozenset(v) for k, v in out.items()}


def prepare_props(id: str, kind: str, props: Mapping[str, Any]) -> Features:
    """Clean the props of one record of ``kind`` into :class:`Features`."""
    f = Features(id=id, kind=kind)
    get = props.get
    f.postcode = nz.postcode(_first(get("postcode")))
    f.address = nz.address(_first(get("address")))
    f.numbers = nz.number_tokens(f.address)
    f.country = normalise_identifier(_first(get("country") or get("nationality")))
    ids = f.ids
    # A placeholder is no name: a super-secure PSC ("Protected") or a bearer ("THE BEARER") may be
    # anyone, so such records are compared on what else they hold, never on the placeholder.
    name = None if get("super_secure") or get("bearer") else _first(get("name"))
    if kind in ("Person", "Company"):
        if not _EXTERNAL_PROPS.isdisjoint(props.keys()):
            f.external = _external(get)
        f.original = str(name or "").strip()
    if kind == "Person":
        own = nz.person_tokens(name)
        aliases = get("aliases")
        # Distinct tokens (blocking relies on it), the name's own first.
        f.tokens = tuple(dict.fromkeys([*own, *(t for n in _aliases(aliases) for t in nz.person_tokens(n))])) \
            if aliases or len(set(own)) != len(own) else own
        f.name = " ".join(own)
        f.initials_only = len(f.tokens) > 1 and sum(len(t) > 1 for t in f.tokens) == 1
        dob = _first(get("dob"))
        f.dob = nz.partial_date(dob)
        f.dob_keyed = nz.keyed_digits(dob)
        if f.dob is None and f.dob_keyed is None and get("dob_raw"):
            f.dob_keyed = nz.keyed_digits(get("dob_raw"), strict=False)
            f.dob_raw = f.dob_keyed is not None
        for scheme, clean in (("ni_number", nz.ni_number), ("passport", normalise_identifier),
                              ("email", nz.email), ("phone", nz.phone)):
            value = clean(_first(get(scheme)))
            if value:
                ids[scheme] = value
    elif kind == "Company":
        f.compare, f.name, f.legal = nz.org_names(name)
        f.org = org_name(f.original) if f.original else None
        f.tokens = tuple(f.name.split())
        f.jurisdiction = normalise_identifier(get("jurisdiction"))
        f.incorporated = nz.partial_date(get("incorporated"))
        number = nz.company_number(get("company_number"))
        if number:
            ids["company_number"] = number
    elif kind == "Account":
        f.institution = " ".join(nz.name_tokens(str(get("institution") or "")))
        iban = nz.iban(get("iban"))
        key = nz.account_key(get("sort_code"), get("account_number"), iban)
        if iban:
            ids["iban"] = iban
        if key:
            ids["account_key"] = key
    elif kind == "Property":
        title = normalise_identifier(get("title_number"))
        if title:
            ids["title_number"] = title
    return f


def _aliases(value: Any) -> list[Any]:
    if not value:
        return []
    return list(value) if isinstance(value, list) else str(value).split(";")


def prepare(entity: Entity) -> Features:
    """:func:`prepare_props` for a stored entity."""
    return prepare_props(entity.id, entity.kind, entity.props)


def apply_frequencies(feats: Sequence[Features], saved: Mapping[str, NameFrequencies] | None = None,
                      kinds: Iterable[str] = ("Person", "Company")) -> dict[str, NameFrequencies]:
    """Give every record of ``kinds`` its tokens' term-frequency bits; return the frequencies used.

    A full run counts them over these records (``saved`` None); an incremental run passes the
    frequencies its last full run saved, so pairs it scores weigh names as the pairs kept from
    that run were weighed (a token the saved counts never saw adds nothing).
    """
    out = {}
    for kind in kinds:
        group = [f for f in feats if f.kind == kind]
        freq = saved.get(kind) if saved is not None else NameFrequencies(f.tokens for f in group)
        if freq is None:
            continue
        bits = {t: freq.adjustment(t) for t in set(itertools.chain.from_iterable(f.tokens for f in group))}
        get = bits.__getitem__
        for f in group:
            f.tf = tuple(map(get, f.tokens))
        out[kind] = freq
    return out


def logistic(evidence: float) -> float:
    """Map summed evidence onto [0, 1] with one curve shared by every scorer."""
    return 1.0 / (1.0 + math.exp(-(evidence - MIDPOINT) / SCALE))
