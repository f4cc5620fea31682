"""What an ICIJ Offshore Leaks link means in our model: its ``rel_type`` and ``link`` text -> a relation kind.

ICIJ links come in two shapes. ``relationships.csv`` (full-oldb) has a short ``rel_type``
(``officer_of``, ``intermediary_of``, ``registered_address``, ``same_name_as``, ``similar`` ...)
and the role as ICIJ transcribed it in ``link`` (``shareholder of``, ``Nominee Director of``,
``Beneficial Owner``, ``registered address``). The 2016 ``all_edges.csv`` has only the role text,
in ``rel_type`` (``shareholder of``, ``intermediary of``). Both are read the same way: the role
text decides, the short type where there is no text. The text is always kept (``link``), so the
analyst sees ICIJ's own words whatever kind was chosen.

Decisions, in the order they are tried (first that applies wins), with the POCA reason:

* ICIJ's similarity guesses (``same_name_as``, ``similar``, ``same_as``, ``probably same officer
  as``...) -> ``ASSOCIATE`` with role ``icij: <text>``, never ``SAME_AS``: ICIJ says it did not
  merge them, and merging is resolution's decision, on evidence.
* Addresses (``registered_address``, ``registered office``, ``residential address``...) to an
  Address node -> ``REGISTERED_AT`` (``LIVES_AT`` for a person's residential address).
* ``intermediary_of`` -> ``ASSOCIATE`` with role ``intermediary`` (the agent who set the entity up
  is not its owner or officer).
* Officer roles, by the words of the role text:
  - ``board``/``council`` membership -> ``DIRECTOR_OF``;
  - shareholder, stockholder, owner, beneficiary, beneficial owner, (LLC) member, partner, founder,
    investor, subscriber -> ``OWNS`` (no share: ICIJ gives none; the law engine then treats the
    holding as whole, as it does for any owner of unknown share);
  - trustee, protector, settlor, appointor, enforcer, power of attorney, signatory, proxy,
    authorised person -> ``CONTROLS`` (control of a trust or company without owning it);
  - director, secretary, president, treasurer, chairman, chief executive, officer, manager,
    executive, controller, administrator, liquidator, legal representative -> ``DIRECTOR_OF``.
  ``nominee`` anywhere in the text adds ``nominee: true``: a nominee shareholder is still the
  registered holder (``OWNS``), but stands for someone the record does not name.
* Anything else (``connected_to``, ``underlying``, ``auditor of``, an unheard-of role) ->
  ``ASSOCIATE`` with role ``icij: <text>``: the link is kept and labelled, not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LinkKind", "classify", "rel_key", "SIMILARITY_TYPES"]

SIMILARITY_TYPES = frozenset({
    "same_as", "same_name_as", "same_company_as", "same_id_as", "same_intermediary_as", "same_address_as",
    "similar", "similar_company_as", "probably_same_officer_as", "similar_name_and_address_as",
    "same_name_and_registration_date_as", "entity_similar_to", "related_entity"})
_SIMILAR_TEXT = re.compile(r"^(same\b|similar\b|probably same\b|entity similar\b)")
_ADDRESS = re.compile(r"\baddress\b|\baddr\b|registered office|principal office")
_RESIDENTIAL = re.compile(r"\bresiden")
_BOARD = re.compile(r"\bboard\b|\bcouncil\b|supervisory")
_OWNS = re.compile(r"shareholder|stockholder|\bowner\b|beneficiar|^members?( of)?$|\bpartner\b|\bfounder\b"
                   r"|\binvestor\b|\bsubscriber\b")
_CONTROLS = re.compile(r"trustee|protector|settlor|appoint[oe]r|enforcer|power of attorney|attorney in fact"
                       r"|signator|\bproxy\b|authori[sz]ed person")
_DIRECTOR = re.compile(r"director|secretary|president|treasurer|chairm[ae]n|chairwoman|chief executive"
                       r"|\bc\.?e\.?o\b|\bofficer\b|manager|executive|controller|administrator|liquidator"
                       r"|legal representative")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LinkKind:
    """The relation kind an ICIJ link becomes, its role and whether ICIJ calls the party a nominee."""

    kind: str
    role: str
    nominee: bool = False


def rel_key(text: str | None) -> str:
    """A rel_type or link text as a key: ``"Intermediary Of"`` -> ``intermediary_of``.

    >>> rel_key(" Same name as "), rel_key("registered_address"), rel_key(None)
    ('same_name_as', 'registered_address', '')
    """
    return _NOT_WORD.sub("_", (text or "").lower()).strip("_")


def classify(rel_type: str | None, link: str | None, source_kind: str | None = None,
             target_kind: str | None = None) -> LinkKind:
    """The relation kind for one ICIJ link (see the module docstring for the rules and why).

    Parameters
    ----------
    rel_type, link : str or None
        ICIJ's ``rel_type`` and ``link`` cells (either may be empty, not both).
    source_kind, target_kind : str, optional
        Our kinds of the two ends, when known: an address link needs an Address at its end.

    Examples
    --------
    >>> classify("officer_of", "Nominee Shareholder of")
    LinkKind(kind='OWNS', role='Nominee Shareholder of', nominee=True)
    >>> classify("shareholder of", None).kind, classify("same_name_as", "same name as").role
    ('OWNS', 'icij: same name as')
    >>> classify("registered_address", "residential address", "Person", "Address").kind
    'LIVES_AT'
    """
    text = _SPACES.sub(" ", (link or rel_type or "").strip())
    low = text.lower()
    key = rel_key(rel_type)
    if key in SIMILARITY_TYPES or rel_key(link) in SIMILARITY_TYPES or _SIMILAR_TEXT.match(low):
        return LinkKind("ASSOCIATE", f"icij: {text}")
    if key == "registered_address" or _ADDRESS.search(low):
        if target_kind in (None, "Address"):
            residential = source_kind == "Person" and _RESIDENTIAL.search(low)
            return LinkKind("LIVES_AT" if residential else "REGISTERED_AT", text)
        return LinkKind("ASSOCIATE", f"icij: {text}")
    if key == "intermediary_of" or low.startswith("intermediary"):
        return LinkKind("ASSOCIATE", "intermediary")
    nominee = "nominee" in low
    for pattern, kind in ((_BOARD, "DIRECTOR_OF"), (_OWNS, "OWNS"), (_CONTROLS, "CONTROLS"),
                          (_DIRECTOR, "DIRECTOR_OF")):
        if pattern.search(low):
            return LinkKind(kind, text, nominee)
    return LinkKind("ASSOCIATE", f"icij: {text}", nominee)
