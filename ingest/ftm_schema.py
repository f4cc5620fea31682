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

External identifiers (the conventions are :mod:`graph.model`'s):

* ``wikidataId`` <-> ``wikidata_id``, ``leiCode`` <-> ``lei``, ``idNumber`` <-> ``id_numbers`` (a
  national id of no stated scheme, never our UK ``ni_number``), ``taxNumber`` <-> ``tax_numbers``,
  ``passportNumber`` <-> ``passport``.
* Registry numbers go to ``registration_numbers`` as ``"<registry>:<number>"``: ``registrationNumber``
  under the entity's ``jurisdiction`` (``"ru:1027700070518"``; a British number in the Companies
  House form is ``"gb-coh:07654321"``, as the Companies House readers write it), and the Russian and
  Chinese registry codes FtM names under their own registry (:data:`REGISTRY_PROPS`: ``innCode`` ->
  ``"ru-inn:..."``). A ``registrationNumber`` with no jurisdiction names no registry and stays a plain
  ``company_number``: two numbers of unknown registries must not look like a conflict. A company
  with several registration numbers (a merged record) gets no single ``company_number``.
* ``opensanctions_id``: the entity id when it is an OpenSanctions canonical id -- ``NK-...``, or a
  Wikidata ``Q...`` id in an OpenSanctions export (a line with ``datasets``/``referents``; then it
  is the ``wikidata_id`` too). Source-dataset ids (``ofac-46001``, ``ru-inn-...``) are not canonical:
  two of them for one man are normal, so they stay in ``referents`` and the record's own id.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from ingest.normalise import company_number

__all__ = ["KIND_TO_SCHEMA", "SCHEMA_TO_KIND", "ENTITY_PROPS", "LIST_PROPS", "COUNTRY_PROPS", "DATE_PROPS",
           "LinkMap", "LINKS", "LINK_BY_SCHEMA", "ACCOUNT_ENDS", "NOT_EXPORTED", "EXTRA_PREFIX", "ENTITY_REF_PROPS",
           "REGISTRY_PROPS", "ftm_id", "encode_extra", "decode_extra", "link_for", "registry_numbers",
           "registry_props", "opensanctions_ids", "identifier_props"]

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
               ("passport", "passportNumber"), ("wikidata_id", "wikidataId"), ("id_numbers", "idNumber"),
               ("tax_numbers", "taxNumber")),
    "Company": (("name", "name"), ("aliases", "alias"), ("company_number", "registrationNumber"),
                ("jurisdiction", "jurisdiction"), ("incorporated", "incorporationDate"),
                ("dissolved", "dissolutionDate"), ("address", "address"), ("country", "country"),
                ("status", "status"), ("wikidata_id", "wikidataId"), ("lei", "leiCode"),
                ("tax_numbers", "taxNumber")),
    "Account": (("name", "name"), ("institution", "bankName"), ("account_number", "accountNumber"),
                ("iban", "iban"), ("bic", "bic"), ("currency", "currency"), ("country", "country"),
                ("opened", "openingDate"), ("closed", "closingDate")),
    "Property": (("description", "name"), ("title_number", "titleNumber"), ("address", "address"),
                 ("country", "country"), ("tenure", "tenure")),
    "Address": (("full", "full"), ("postcode", "postalCode"), ("country", "country")),
}
LIST_PROPS = frozenset({"aliases", "id_numbers", "tax_numbers"})
COUNTRY_PROPS = frozenset({"country", "nationality"})
DATE_PROPS = frozenset({"dob", "incorporated", "dissolved", "opened", "closed", "acquired", "date", "start_date",
                        "end_date", "value_date"})
# Props that hold a store id: exported as the FtM id, read back as the id in the importing dataset.
ENTITY_REF_PROPS = frozenset({"asset_id"})
# FtM registry codes that name their own registry: FtM prop -> our registry in ``registration_numbers``.
REGISTRY_PROPS = {"innCode": "ru-inn", "ogrnCode": "ru-ogrn", "okpoCode": "ru-okpo", "uscCode": "cn-usc"}
_REGISTRY_OF_PROP = {v: k for k, v in REGISTRY_PROPS.items()}
_CH_SHAPE = re.compile(r"^([A-Z]{2}\d{6}|\d{8})$")  # a Companies House number once padded
_OS_CANONICAL = re.compile(r"^NK-[0-9A-Za-z]+$")
_QID = re.compile(r"^Q[1-9]\d*$")


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


def _registry(jurisdiction: str | None, number: str) -> str | None:
    """``"<registry>:<number>"`` for a ``registrationNumber``, or None when no registry is named."""
    code = (jurisdiction or "").strip().lower()
    if not code or not number.strip():
        return None
    if code.split("-")[0] in ("gb", "uk"):
        padded = company_number(number)
        if padded and _CH_SHAPE.match(padded):
            return f"gb-coh:{padded}"
    return f"{code}:{number.strip()}"


def registry_numbers(values: dict[str, list[str]]) -> list[str]:
    """Every registry number an FtM entity's props give, as ``"<registry>:<number>"`` (see the module doc).

    >>> registry_numbers({"registrationNumber": ["7654321"], "jurisdiction": ["gb"], "innCode": ["7704484400"]})
    ['gb-coh:07654321', 'ru-inn:7704484400']
    >>> registry_numbers({"registrationNumber": ["12345"]})
    []
    """
    jurisdictions = values.get("jurisdiction") or []
    out = [r for n in values.get("registrationNumber", [])
           if (r := _registry(jurisdictions[0] if len(jurisdictions) == 1 else None, n))]
    for prop, registry in REGISTRY_PROPS.items():
        out += [f"{registry}:{v.strip()}" for v in values.get(prop, []) if v.strip()]
    return list(dict.fromkeys(out))


def registry_props(numbers: list[str]) -> dict[str, list[str]]:
    """The inverse for export: the FtM props that show our registry numbers (registry codes under their
    own prop, ``gb-coh`` under ``registrationNumber``); others travel only in the extra JSON."""
    out: dict[str, list[str]] = {}
    for item in numbers:
        registry, _, number = str(item).partition(":")
        prop = _REGISTRY_OF_PROP.get(registry) or ("registrationNumber" if registry == "gb-coh" else None)
        if prop and number:
            out.setdefault(prop, []).append(number)
    return out


def opensanctions_ids(entity_id: str, data: dict[str, Any]) -> dict[str, str]:
    """``opensanctions_id`` (and ``wikidata_id`` for a Q-id) when ``entity_id`` is an OpenSanctions canonical id.

    >>> opensanctions_ids("NK-2Tbri3s6GgNtAwsSXh4qpL", {})
    {'opensanctions_id': 'NK-2Tbri3s6GgNtAwsSXh4qpL'}
    >>> opensanctions_ids("Q7747", {"datasets": ["wd_peps"]}), opensanctions_ids("ofac-46001", {"datasets": ["x"]})
    ({'opensanctions_id': 'Q7747', 'wikidata_id': 'Q7747'}, {})
    """
    if _OS_CANONICAL.match(entity_id):
        return {"opensanctions_id": entity_id}
    if _QID.match(entity_id) and (data.get("datasets") or "referents" in data):
        return {"opensanctions_id": entity_id, "wikidata_id": entity_id}
    return {}


def identifier_props(entity_id: str, data: dict[str, Any], values: dict[str, list[str]]) -> dict[str, Any]:
    """Registry numbers and OpenSanctions/Wikidata ids of one entity; the registry codes are taken out of
    ``values`` (``registration_numbers`` carries them, and the export shows them again)."""
    out: dict[str, Any] = opensanctions_ids(entity_id, data)
    numbers = registry_numbers(values)
    for prop in REGISTRY_PROPS:
        values.pop(prop, None)
    if numbers:
        out["registration_numbers"] = numbers
    return out
