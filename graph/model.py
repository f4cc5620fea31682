"""The model as data: entity kinds, relation kinds, provenance and stable ids.

Everything else asks this module by name (``ENTITY_KINDS["Person"].identifiers``) rather than
keeping its own list of fields, so adding a kind is one declaration here and a test.

Source records are never merged in place: two rows describing one man are two ``Entity``
records linked by ``SAME_AS`` relations, and the canonical view is derived from those links.

Two conventions every reader keeps, so that resolution and the law engine can trust a value:

* A date property is ISO text at the precision the source gave: ``"1984"``, ``"1984-03"`` or
  ``"1984-03-15"``. A year-only date is never padded to a day.
* An optional field a reader cannot read costs the field, not the record: the property is left
  out and the raw text is kept beside it as ``<field>_raw`` (``dob_raw``), with a field-level
  line in the quarantine file.

External identifiers (``wikidata_id``, ``opensanctions_id``, ``lei``, ``registration_numbers`` as
``"<registry>:<number>"``) are identifiers like a company number: the same value is strong
evidence, a different value in one scheme is a conflict. ``id_numbers`` (national identity numbers
of no stated scheme) and ``tax_numbers`` are lists kept as the source wrote them: searchable
identifiers, but with no scheme to say that two different values conflict.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson

from graph.errors import InvalidRecord, NotAllowed
from graph.partial_date import first_day, last_day

__all__ = [
    "EntityKind",
    "RelationKind",
    "ENTITY_KINDS",
    "RELATION_KINDS",
    "Provenance",
    "Entity",
    "Relation",
    "Judgement",
    "AuditEvent",
    "make_id",
    "with_stored_hash",
    "name_tokens",
    "normalise_identifier",
    "check_entity_kind",
    "check_relation_kind",
    "utc_now",
]


@dataclass(frozen=True)
class EntityKind:
    """A kind of node: its properties, which of them identify it, which one names it."""

    name: str
    properties: tuple[str, ...]
    identifiers: tuple[str, ...] = ()
    caption: str = "name"
    is_asset: bool = False


@dataclass(frozen=True)
class RelationKind:
    """A kind of edge: its properties and whether it happens on a day or lasts a period."""

    name: str
    properties: tuple[str, ...] = ()
    dated: str = "interval"  # "interval" (start_date..end_date) or "point" (date)


ENTITY_KINDS: dict[str, EntityKind] = {
    k.name: k
    for k in (
        EntityKind(
            "Person",
            ("name", "aliases", "dob", "nationality", "address", "postcode", "country", "phone",
             "email", "ni_number", "passport", "wikidata_id", "opensanctions_id", "registration_numbers",
             "id_numbers", "tax_numbers"),
            identifiers=("ni_number", "passport", "email", "phone", "wikidata_id", "opensanctions_id",
                         "id_numbers", "tax_numbers"),
        ),
        EntityKind(
            "Company",
            ("name", "company_number", "jurisdiction", "incorporated", "dissolved", "address",
             "postcode", "country", "status", "wikidata_id", "opensanctions_id", "lei",
             "registration_numbers", "tax_numbers"),
            identifiers=("company_number", "wikidata_id", "opensanctions_id", "lei", "registration_numbers",
                         "tax_numbers"),
        ),
        EntityKind(
            "Account",
            ("institution", "sort_code", "account_number", "iban", "bic", "currency", "country",
             "opened", "closed", "name"),
            identifiers=("iban", "account_key"),
            caption="institution",
            is_asset=True,
        ),
        EntityKind(
            "Property",
            ("description", "title_number", "address", "postcode", "country", "tenure", "acquired",
             "acquisition_price", "value", "value_date", "value_currency"),
            identifiers=("title_number",),
            caption="description",
            is_asset=True,
        ),
        EntityKind("Address", ("full", "postcode", "country"), identifiers=("postcode",), caption="full"),
        EntityKind(
            "Case",
            ("case_id", "subjects", "offences", "proceedings_started", "convictions", "lifestyle",
             "earlier_orders", "order", "valuation_date"),
            identifiers=("case_id",),
            caption="case_id",
        ),
    )
}

RELATION_KINDS: dict[str, RelationKind] = {
    k.name: k
    for k in (
        RelationKind("OWNS", ("share_pct",)),
        RelationKind("CONTROLS", ("role",)),
        RelationKind("PSC_OF", ("role",)),
        RelationKind("DIRECTOR_OF", ("role",)),
        RelationKind("HOLDS", ("role",)),
        RelationKind("FAMILY", ("role",)),
        RelationKind("ASSOCIATE", ("role",)),
        RelationKind("LIVES_AT", ()),
        RelationKind("REGISTERED_AT", ()),
        RelationKind("NOMINEE_FOR", ("role",)),
        RelationKind(
            "TRANSFER",
            ("amount", "currency", "consideration", "asset_id", "asset_value", "description",
             "reference"),
            dated="point",
        ),
        RelationKind("SAME_AS", ("score", "explanation", "judgement")),
        RelationKind("SUBJECT_OF", ()),
    )
}

# 3x5x2: source evaluation 1-3, intelligence assessment A-E, handling code P or C.
_GRADING = re.compile(r"^[123][A-E][PC]$")


def check_entity_kind(kind: str) -> str:
    """Return ``kind`` if it is an allow-listed entity kind, else raise :class:`NotAllowed`."""
    if kind not in ENTITY_KINDS:
        raise NotAllowed(f"unknown entity kind {kind!r}")
    return kind


def check_relation_kind(kind: str) -> str:
    """Return ``kind`` if it is an allow-listed relation kind, else raise :class:`NotAllowed`."""
    if kind not in RELATION_KINDS:
        raise NotAllowed(f"unknown relation kind {kind!r}")
    return kind


def utc_now() -> str:
    """The current time as ISO text in UTC, the one clock every record uses."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Provenance:
    """Where a fact came from: enough to find the exhibit or dataset row again.

    ``grading`` is the optional UK 3x5x2 intelligence grading, e.g. ``"1AP"``: source
    evaluation (1-3), intelligence assessment (A-E), handling code (P/C).
    """

    dataset: str
    file: str | None = None
    row: int | None = None
    source: str | None = None
    source_ref: str | None = None
    ingested_at: str = ""
    grading: str | None = None

    def __post_init__(self) -> None:
        if self.grading is not None and not _GRADING.match(self.grading):
            raise InvalidRecord(f"3x5x2 grading must look like 1AP, got {self.grading!r}", "grading")

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Rebuild from :meth:`to_dict`. Stores call this for every row they read, so a dict this
        class wrote skips the frozen-dataclass ``__init__`` (three times slower); fields left out
        take the class defaults, and the grading is still checked."""
        if not data.keys() <= _PROVENANCE_FIELDS:
            data = {k: v for k, v in data.items() if k in _PROVENANCE_FIELDS}
        obj = object.__new__(cls)
        obj.__dict__.update(data)
        obj.__post_init__()
        return obj

    def citation(self) -> str:
        """One line an analyst can cite: source and reference, else file and row."""
        if self.source or self.source_ref:
            return " ".join(p for p in (self.source, self.source_ref) if p)
        where = self.file or self.dataset
        return f"{where} row {self.row}" if self.row is not None else where


_PROVENANCE_FIELDS = frozenset(Provenance.__dataclass_fields__)


def make_id(dataset: str, source_id: str) -> str:
    """A stable store id: the dataset and the record's own id, so two bundles never collide.

    >>> make_id("OP-DEMO-01", "P1")
    'OP-DEMO-01/P1'
    """
    if not dataset or not source_id:
        raise InvalidRecord("an id needs a dataset and a source id")
    return f"{dataset}/{source_id}"


R = TypeVar("R", "Entity", "Relation")


def with_stored_hash(record: R, content_hash: str | None) -> R:
    """``record`` with ``content_hash`` primed from the hash the store wrote beside it.

    A store computes that hash from these very fields when it writes them; reading 10^6 records
    back (to see which changed since the last resolution) should not serialise each again.
    """
    if content_hash:
        record.__dict__["content_hash"] = content_hash
    return record


def _content_hash(parts: Mapping[str, Any]) -> str:
    blob = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


def _prov_for_hash(provenance: tuple[Provenance, ...]) -> list[dict[str, Any]]:
    # ingested_at changes on every load; leaving it out keeps a re-load a no-op.
    return [{k: v for k, v in p.to_dict().items() if k != "ingested_at"} for p in provenance]


@dataclass(frozen=True)
class Entity:
    """A source record of one kind: a person, company, account, property, address or case."""

    id: str
    kind: str
    props: Mapping[str, Any]
    provenance: tuple[Provenance, ...]
    source_id: str = ""
    dataset: str = ""

    def __post_init__(self) -> None:
        check_entity_kind(self.kind)

    @property
    def name(self) -> str:
        spec = ENTITY_KINDS[self.kind]
        value = self.props.get(spec.caption) or self.props.get("name") or self.source_id or self.id
        return str(value)

    @functools.cached_property  # a store asks twice (is it changed? then write it)
    def content_hash(self) -> str:
        return _content_hash(
            {"k": self.kind, "p": dict(self.props), "v": _prov_for_hash(self.provenance),
             "s": self.source_id, "d": self.dataset}
        )

    def identifiers(self) -> list[str]:
        """Normalised identifier values, prefixed by scheme (``company_number:07654321``)."""
        out: list[str] = []
        for scheme in ENTITY_KINDS[self.kind].identifiers:
            value = self.props.get(scheme)
            if scheme == "account_key" and value is None:
                sort, number = self.props.get("sort_code"), self.props.get("account_number")
                value = f"{sort}{number}" if sort and number else None
            for item in value if isinstance(value, list) else [value]:
                norm = normalise_identifier(item)
                if norm:
                    out.append(f"{scheme}:{norm}")
        return sorted(set(out))

    def tokens(self) -> list[str]:
        """Name tokens (caption plus aliases) that candidate search matches on."""
        names = [self.name]
        aliases = self.props.get("aliases")
        if isinstance(aliases, list):
            names.extend(str(a) for a in aliases)
        elif aliases:
            names.extend(str(aliases).split(";"))
        for extra in ("address", "postcode"):
            if self.props.get(extra):
                names.append(str(self.props[extra]))
        return sorted({t for n in names for t in name_tokens(n)})

    def with_props(self, **changes: Any) -> Entity:
        return replace(self, props={**self.props, **changes})


@dataclass(frozen=True)
class Relation:
    """An edge between two entities; a TRANSFER is a relation with a date and an amount."""

    id: str
    kind: str
    source: str
    target: str
    props: Mapping[str, Any]
    provenance: tuple[Provenance, ...]
    source_id: str = ""
    dataset: str = ""

    def __post_init__(self) -> None:
        check_relation_kind(self.kind)

    @property
    def date(self) -> str | None:
        return self.props.get("date")

    @property
    def start_date(self) -> str | None:
        return self.props.get("start_date") or self.props.get("date")

    @property
    def end_date(self) -> str | None:
        return self.props.get("end_date") or self.props.get("date")

    @functools.cached_property
    def content_hash(self) -> str:
        return _content_hash(
            {"k": self.kind, "a": self.source, "b": self.target, "p": dict(self.props),
             "v": _prov_for_hash(self.provenance), "s": self.source_id, "d": self.dataset}
        )

    def in_window(self, start: str | None, end: str | None) -> bool:
        """True when the relation's day or period may overlap ``start..end`` (undated: always).

        A partial date counts as every day it may mean: a link that ended "2006" may still run on
        1 May 2006.
        """
        first, last = self.start_date, self.end_date
        if end is not None and first is not None and first_day(first) > end:
            return False
        return not (start is not None and last is not None and last_day(last) < start)


@dataclass(frozen=True)
class Judgement:
    """An analyst's (or the resolver's) decision that two records are, or are not, one entity."""

    left: str
    right: str
    verdict: str  # "positive" | "negative" | "unsure"
    user: str
    created_at: str = field(default_factory=utc_now)
    score: float | None = None
    explanation: Mapping[str, Any] = field(default_factory=dict)
    deleted_at: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in ("positive", "negative", "unsure"):
            raise InvalidRecord(f"verdict must be positive, negative or unsure: {self.verdict!r}")
        left, right = sorted((self.left, self.right))
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)
        if not self.id:  # unique even for two verdicts on one pair in the same second
            object.__setattr__(self, "id", f"{left}|{right}|{self.user}|{self.created_at}|{uuid.uuid4().hex[:12]}")


@dataclass(frozen=True)
class AuditEvent:
    """Who did what, when: searches, entity views, exports, judgements."""

    user: str
    action: str
    detail: Mapping[str, Any]
    ts: str = field(default_factory=utc_now)


_TOKEN_SPLIT = re.compile(r"[^\w]+", re.UNICODE)


def name_tokens(text: str) -> list[str]:
    """Lower-case ASCII-folded word tokens of a name or address.

    >>> name_tokens("VANCE, Marcus-Ellery")
    ['vance', 'marcus', 'ellery']
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return [t for t in _TOKEN_SPLIT.split(folded.replace("_", " ")) if t]


def normalise_identifier(value: object) -> str | None:
    """Upper-case an identifier and drop spaces, dashes and dots: ``"sc 123-456"`` -> ``SC123456``."""
    if value is None:
        return None
    text = re.sub(r"[\s\-./]", "", str(value)).upper()
    return text or None
