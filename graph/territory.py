"""Where an asset is situated, in the three overseas classes enforcement cares about.

Names and codes are resolved with rigour's territory data (ISO 3166 alpha-2 and alpha-3, QIDs,
country names, sub-national parts such as England or Dubai, cities used as country names) and
pycountry (ISO's own names such as "Virgin Islands, British"). Neither library records the
*constitutional* status of a territory: rigour's ``parent`` marks only the British Indian Ocean
Territory as under ``gb`` and its ``see`` links are incomplete (the Cayman Islands have none),
and pycountry has no sovereignty field. So the Crown Dependency and British Overseas Territory
classes are the two short explicit lists below, taken from LAW.md and the British Overseas
Territories Act 2002 Sch. 6. The Sovereign Base Areas of Akrotiri and Dhekelia have no ISO
code and no rigour entry, so they cannot be given as a code and are not listed.
"""

from __future__ import annotations

import functools
import re

import pycountry
from rigour.territories import lookup_territory
from rigour.territories.territory import Territory

from graph.errors import InvalidRecord

__all__ = [
    "UK",
    "CROWN_DEPENDENCIES",
    "OVERSEAS_TERRITORIES",
    "TERRITORY_CLASSES",
    "territory_code",
    "territory_name",
    "territory_class",
]

UK = "GB"
CROWN_DEPENDENCIES = frozenset({"JE", "GG", "IM"})
OVERSEAS_TERRITORIES = frozenset(
    {"VG", "KY", "BM", "GI", "TC", "AI", "MS", "FK", "SH", "PN", "IO", "GS"}
)
TERRITORY_CLASSES = ("uk", "crown_dependency", "overseas_territory", "foreign")

# Spellings neither library resolves, seen in registers and statements.
_ALIASES = {
    "falklands": "FK",
    "emirates": "AE",
    "the emirates": "AE",
    "caymans": "KY",
    "turks caicos": "TC",
    "st helena": "SH",
    "saint helena": "SH",
    "south georgia": "GS",
}
_USER_ASSIGNED = frozenset({"XK"})  # Kosovo: not in ISO 3166-1, but a state assets sit in.
_QUALIFIERS = re.compile(r"\b(channel islands|c i|ci|british west indies|bwi)\b")


def _official(code: str) -> bool:
    """True when ``code`` is an officially assigned ISO 3166-1 alpha-2 code."""
    return pycountry.countries.get(alpha_2=code.upper()) is not None


def _iso2(territory: Territory) -> str:
    """Climb from a part (England, Dubai, Sark) to the ISO 3166-1 alpha-2 territory it is in."""
    node: Territory | None = territory
    while node is not None and not ("-" not in node.code and _official(node.code)):
        if node.parent is None:
            break
        node = node.parent
    code = (node or territory).code
    return code.split("-")[0].upper()


def _resolve(text: str) -> str | None:
    """One lookup pass: rigour codes and names, then pycountry's ISO names."""
    found = lookup_territory(text)
    if found is not None:
        code = _iso2(found)
        return code if _official(code) or code in _USER_ASSIGNED else None
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


@functools.lru_cache(maxsize=4096)  # pure, and called for every asset of every case in a sweep
def territory_code(text: str | None) -> str | None:
    """Normalise a code or name to an ISO 3166-1 alpha-2 code, upper case.

    Sub-national parts resolve to their country (England → GB, Dubai → AE); Sark resolves
    to GG. Blank or unrecognised text gives None (no fuzzy guessing), and so do codes that
    are not a place assets sit in (``EU``, ``ZZ``, historical states such as ``SU``).

    Parameters
    ----------
    text : str or None
        ISO2, ISO3, a country name or a common spelling.

    Returns
    -------
    str or None

    Examples
    --------
    >>> [territory_code(t) for t in ("UK", "England", "BVI", "Dubai", "GBR", "Narnia", "")]
    ['GB', 'GB', 'VG', 'AE', 'GB', None, None]

    References
    ----------
    Proceeds of Crime Act 2002, s.84 ("all property wherever situated"), s.74.
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    code = _resolve(raw)
    if code is not None:
        return code
    key = re.sub(r"[^a-z ]+", " ", raw.lower().replace("&", " and "))
    key = re.sub(r"\bis\b", "islands", key)
    key = re.sub(r"\s+", " ", _QUALIFIERS.sub(" ", key)).strip()
    candidates = [key, key.split(" and ")[0], raw.split(",")[0]]
    for candidate in candidates:
        if candidate.replace(" and ", " ").strip() in _ALIASES:
            return _ALIASES[candidate.replace(" and ", " ").strip()]
        if candidate and (code := _resolve(candidate)) is not None:
            return code
    return None


def territory_name(code: str) -> str:
    """The display name of a territory given as a code or name.

    Parameters
    ----------
    code : str
        Anything :func:`territory_code` understands.

    Returns
    -------
    str
        The short English name ("United Kingdom", "British Virgin Islands").

    Raises
    ------
    InvalidRecord
        When the territory is not recognised.

    Examples
    --------
    >>> territory_name("ky")
    'Cayman Islands'

    References
    ----------
    Proceeds of Crime Act 2002, s.84.
    """
    iso = territory_code(code)
    found = lookup_territory(iso) if iso else None
    if found is None:
        raise InvalidRecord(f"unknown territory: {code!r}", column="country")
    return found.name


def territory_class(code: str) -> str:
    """The enforcement class of where an asset is situated.

    ``"uk"`` (England and Wales, Scotland, Northern Ireland), ``"crown_dependency"`` (Jersey,
    Guernsey and Sark, Isle of Man), ``"overseas_territory"`` (British Overseas Territories)
    or ``"foreign"``. Property overseas counts in full towards the available amount; only
    enforcement differs (a request abroad).

    Parameters
    ----------
    code : str
        ISO2, ISO3, a country name or a common spelling.

    Returns
    -------
    str
        One of :data:`TERRITORY_CLASSES`.

    Raises
    ------
    InvalidRecord
        When the territory is not recognised.

    Examples
    --------
    >>> [territory_class(t) for t in ("Scotland", "JE", "Cayman Islands", "UAE")]
    ['uk', 'crown_dependency', 'overseas_territory', 'foreign']

    References
    ----------
    Proceeds of Crime Act 2002, s.74 (enforcement abroad) and s.84 (property wherever situated).
    """
    iso = territory_code(code)
    if iso is None:
        raise InvalidRecord(f"unknown territory: {code!r}", column="country")
    if iso == UK:
        return "uk"
    if iso in CROWN_DEPENDENCIES:
        return "crown_dependency"
    if iso in OVERSEAS_TERRITORIES:
        return "overseas_territory"
    return "foreign"
