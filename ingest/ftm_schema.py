"""The one table between assetgraph kinds and FollowTheMoney schemata, shared by import and export.

Import (:mod:`ingest.ftm`) and export (:mod:`queries.ftm_export`) both read these tables, so a
kind maps to the same schema and property names in both directions and a round trip keeps
counts. What FtM has no slot for travels in one ``summary`` value of the form
``assetgraph {json}`` (:data:`EXTRA_PREFIX`): still valid FtM that Aleph shows as text, and
read back into props by our importer.

Where FtM and our model differ (decisions):

* ``HOLDS`` (holder -> account) is an FtM ``Ownership`` whose asset is a ``BankAccount``; on
  import an Ownership of a BankAccount becomes ``HOLDS``, any other Ownership ``OWNS``.
* ``FAMILY`` / ``ASSOCIATE`` need two people in FtM (``Family``, ``Associate``); between other
  kinds they travel as ``UnknownLink`` with our kind in the extra JSON.
* ``NOMINEE_FOR`` is FtM ``Representation`` (agent = the nominee, client = the principal).
* ``CONTROLS``, ``PSC_OF``, ``LIVES_AT``, ``REGISTERED_AT`` are ``UnknownLink`` with the kind kept.
* ``TRANSFER`` is ``Payment``; an end that is an Account goes in ``payerAccount`` /
  ``beneficiaryAccount`` (and the account's holder, when known, in ``payer``/``beneficiary``,
  which FtM requires). On import the account wins when it is loaded.
* ``Case``, ``SUBJECT_OF`` and ``SAME_AS`` are not exported: the case record is ours, and
  SAME_AS is our resolution's decision (FtM expresses it by merging ids).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["KIND_TO_SCHEMA", "SCHEMA_TO_KIND", "ENTITY_PROPS", "LIST_PROPS", "COUNTRY_PROPS", "DATE_PROPS",
           "LinkMap", "LINKS", "LINK_BY_SCHEMA", "ACCOUNT_ENDS", "NOT_EXPORTED", "EXTRA_PREFIX", "ENTITY_REF_PROPS",
           "ftm_id", "encode_extra", "decode_extra", "link_for"]

# Our entity kind -> FtM schema (export).
KIND_TO_SCHEMA = {"Person": "Person", "Company": "Company", "Account": "BankAccount", "Property": "RealEstate",
                  "Address": "Address"}
# FtM schema -> our entity kind (import). LegalEntity is FtM's "person or company, unknown": we call it a
# Company and keep ``ftm_schema`` so the analyst can see that.
SCHEMA_TO_KIND = {"Person": "Person", "Company": "Company", "Organization": "Company", "LegalEntity": "Company",
                  "PublicBody": "Company", "BankAccount": "Account", "RealEstate": "Property", "Address": "Address"}

# Per kind: (our prop, FtM prop), used both ways. Our props not listed travel in the extra JSON (``ni_number``
# is not FtM ``idNumber``: a foreign id number must not become a UK NI number on import).
ENTITY_PROPS: dict[str, tuple[tuple[str, str], ...]] = {
    "Person": (("name", "name"), ("aliases", "alias"), ("dob", "birthDate"), ("nationality", "nationality"),
               ("address", "address"), ("country", "country"), ("phone", "phone"), ("email", "email"),
               ("passport", "passportNumber")),
    "Company": (("name", "name"), ("aliases", "alias"), ("company_number", "registrationNumber"),
                ("jurisdiction", "jurisdiction"), ("incorporated", "incorporationDate"),
                ("dissolved", "dissolutionDate"), ("address", "address"), ("country", "country"),
                ("status", "status")),
    "Account": (("name", "name"), ("institution", "bankName"), ("account_number", "accountNumber"),
                ("iban", "iban"), ("bic", "bic"), ("currency", "currency"), ("country", "country"),
                ("opened", "openingDate"), ("closed", "closingDate")),
    "Property": (("description", "name"), ("title_number", "titleNumber"), ("address", "address"),
                 ("country", "country"), ("tenure", "tenure")),
    "Address": (("full", "full"), ("postcode", "postalCode"), ("country", "country")),
}
LIST_PROPS = frozenset({"aliases"})
COUNTRY_PROPS = frozenset({"country", "nationality"})
DATE_PROPS = frozenset({"dob", "incorporated", "dissolved", "opened", "closed", "acquired", "date", "start_date",
                        "end_date", "value_date"})
# Props that hold a store id: exported as the FtM id, read back as the id in the importing dataset.
ENTITY_REF_PROPS = frozenset({"asset_id"})


@dataclass(frozen=True)
class LinkMap:
    """One relation kind as one FtM schema: which FtM props hold the two ends and our props."""

    kind: str
    schema: str
    source: str
    target: str
    props: tuple[tuple[str, str], ...] = ()
    persons_only: bool = False  # FtM range is Person on both ends (else fall back to UnknownLink)


_INTERVAL = (("start_date", "startDate"), ("end_date", "endDate"))
LINKS: tuple[LinkMap, ...] = (
    LinkMap("OWNS", "Ownership", "owner", "asset", (("share_pct", "percentage"), ("role", "role"), *_INTERVAL)),
    LinkMap("HOLDS", "Ownership", "owner", "asset", (("role", "role"), *_INTERVAL)),
    LinkMap("DIRECTOR_OF", "Directorship", "director", "organization", (("role", "role"), *_INTERVAL)),
    LinkMap("FAMILY", "Family", "person", "relative", (("role", "relationship"), *_INTERVAL), persons_only=True),
    LinkMap("ASSOCIATE", "Associate", "person", "associate", (("role", "relationship"), *_INTERVAL),
            persons_only=True),
    LinkMap("NOMINEE_FOR", "Representation", "agent", "client", (("role", "role"), *_INTERVAL)),
    LinkMap("TRANSFER", "Payment", "payer", "beneficiary",
            (("date", "date"), ("amount", "amount"), ("currency", "currency"), ("description", "purpose"),
             ("reference", "transactionNumber"))),
    LinkMap("*", "UnknownLink", "subject", "object", (("role", "role"), *_INTERVAL)),
)
# Import: FtM schema -> the map to read it with (Ownership is decided by the asset's kind at import).
LINK_BY_SCHEMA = {m.schema: m for m in LINKS if m.kind != "HOLDS"}
# Payment ends that may be accounts: our end -> (FtM account prop).
ACCOUNT_ENDS = {"payer": "payerAccount", "beneficiary": "beneficiaryAccount"}
NOT_EXPORTED = frozenset({"Case", "SUBJECT_OF", "SAME_AS"})
EXTRA_PREFIX = "assetgraph "
_ID_OK = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$")
_ID_BAD = re.compile(r"[^0-9a-zA-Z.\-]+")


def link_for(kind: str, source_kind: str | None, target_kind: str | None) -> LinkMap:
    """The FtM schema a relation of ``kind`` between these entity kinds is exported as."""
    for link in LINKS:
        if link.kind == kind:
            if link.persons_only and not (source_kind == target_kind == "Person"):
                break
            return link
    return LINKS[-1]


def ftm_id(store_id: str) -> str:
    """A valid FtM id for a store id: ``OP-DEMO-01/P1`` -> ``OP-DEMO-01.P1``.

    FtM ids allow only letters, digits, dots and dashes; a store id needing more than ``/`` -> ``.``
    gets a short hash so two store ids never share an FtM id.
    """
    simple = store_id.replace("/", ".")
    if _ID_OK.match(simple) and len(simple) <= 200:
        return simple
    slug = _ID_BAD.sub("-", store_id).strip(".-")[:120]
    digest = hashlib.blake2b(store_id.encode("utf-8"), digest_size=6).hexdigest()
    return f"{slug}-{digest}" if slug else f"ag-{digest}"


def encode_extra(extra: dict[str, Any]) -> str:
    """The one FtM ``summary`` value carrying what FtM has no property for."""
    return EXTRA_PREFIX + json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str)


def decode_extra(values: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Split ``summary`` values into our extra props and the rest (plain text summaries)."""
    extra: dict[str, Any] = {}
    rest: list[str] = []
    for value in values:
        if value.startswith(EXTRA_PREFIX):
            try:
                data = json.loads(value[len(EXTRA_PREFIX):])
            except json.JSONDecodeError:
                data = None
            if isinstance(data, dict):
                extra.update(data)
                continue
        rest.append(value)
    return extra, rest
