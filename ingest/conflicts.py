"""Hard conflicts between source records: what must stop two entities being made one.

A review pair is two records, but accepting it joins two whole entities: every record each side
already merges with. A man born in 1962 can look like a record with no date of birth that is
already part of a subject born in 1984; the pair alone shows nothing wrong, the union does. So
the check runs over every pair of records in the union, and a conflict *across* the two sides
(one accepting would create) is told from one already *inside* a side (an earlier decision).

What conflicts, using the same normalisers and slip test the scorers use:

* dates of birth: full dates that differ by more than one keystroke
  (:func:`~ingest.scoring.compare_dates` with the keyed digits); a partial date (``"1984"``,
  ``"1984-03"``) conflicts only at its own precision, so ``"1984"`` agrees with ``"1984-03-15"``
  and differs from ``"1985"``;
* identifiers of one scheme with no value in common: NI number, passport (one keystroke off is
  a slip, not a conflict), company number in one registry, IBAN, sort code and account, title
  number, ``wikidata_id``, ``opensanctions_id``, ``lei``, and ``registration_numbers`` within one
  registry (``"<registry>:<number>"``);
* kinds: a person is never a company.

A date-of-birth conflict between two records that share an NI number or passport is shown but
is not hard: the scorers rank a shared national identifier above a date of birth (a mistyped
date is common, a shared NI number by chance is not).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from graph.model import Entity, normalise_identifier
from ingest import normalise as nz
from ingest.scoring import compare_dates

__all__ = ["Conflict", "conflicts", "record_conflicts", "blocking"]

# Identifier schemes read from a record's props, each with its cleaner. Email and phone are not
# here: one person has several, and a family shares them.
_SCHEMES: dict[str, Callable[[object], str | None]] = {
    "ni_number": nz.ni_number,
    "passport": normalise_identifier,
    "company_number": nz.company_number,
    "iban": nz.iban,
    "title_number": normalise_identifier,
    "wikidata_id": normalise_identifier,
    "opensanctions_id": normalise_identifier,
    "lei": normalise_identifier,
}
_SLIP_SCHEMES = frozenset({"ni_number", "passport"})  # keyed by hand from documents: one slip is a slip
_NATIONAL = ("ni_number", "passport")


@dataclass(frozen=True, order=True)
class Conflict:
    """Two records that cannot both describe one entity, on one field.

    ``left`` is the smaller record id, so the same conflict reads the same whichever side of a
    review pair it came from. ``across`` is True when the two records are on different sides
    (accepting the pair would create it); ``hard`` is False only when a stronger fact outranks it
    (``note`` says which).
    """

    field: str
    left: str
    right: str
    left_value: str
    right_value: str
    across: bool = True
    hard: bool = True
    note: str = ""

    def text(self) -> str:
        """One line for a person: ``date of birth: T/a 1962-11-02 vs T/b 1984-03-15``."""
        label = _LABELS.get(self.field.split(":")[0], self.field.replace("_", " "))
        where = self.field.split(":", 1)[1] if ":" in self.field else ""
        head = f"{label} ({where})" if where else label
        tail = f" — {self.note}" if self.note else ""
        return f"{head}: {self.left} {self.left_value} vs {self.right} {self.right_value}{tail}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_LABELS = {"dob": "date of birth", "ni_number": "NI number", "passport": "passport", "iban": "IBAN",
           "account_key": "sort code and account", "lei": "LEI", "wikidata_id": "Wikidata id",
           "opensanctions_id": "OpenSanctions id", "registration_numbers": "registration number", "kind": "kind"}


@dataclass
class _Facts:
    """What conflicts are decided on, cleaned once per record."""

    id: str
    kind: str
    dobs: list[tuple[str, str | None]] = field(default_factory=list)  # (partial ISO date, keyed digits)
    ids: dict[str, set[str]] = field(default_factory=dict)
    jurisdiction: str | None = None


def _values(value: Any) -> list[Any]:
    items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    return [v for v in items if v is not None and not isinstance(v, (dict, list, tuple, set))]


def _facts(record: Entity) -> _Facts:
    props: Mapping[str, Any] = record.props
    facts = _Facts(record.id, record.kind, jurisdiction=normalise_identifier(next(iter(_values(
        props.get("jurisdiction"))), None)))
    # An unreadable date of birth is kept as dob_raw (graph.model); its keyed digits still count.
    for raw in _values(props.get("dob")) or _values(props.get("dob_raw")):
        date = nz.partial_date(raw)
        if date:
            facts.dobs.append((date, nz.keyed_digits(raw)))
    for scheme, clean in _SCHEMES.items():
        found = {v for v in map(clean, _values(props.get(scheme))) if v}
        if found:
            facts.ids[scheme] = found
    ibans = facts.ids.get("iban", set())
    keys = {nz.account_key(props.get("sort_code"), props.get("account_number"))} | {
        nz.account_key(None, None, i) for i in ibans}
    if keys - {None}:
        facts.ids["account_key"] = {k for k in keys if k}
    for item in _values(props.get("registration_numbers")):
        registry, sep, number = str(item).rpartition(":")
        clean = normalise_identifier(number)
        if sep and clean:
            facts.ids.setdefault(f"registration_numbers:{registry.strip().upper()}", set()).add(clean)
    return facts


def _dates_conflict(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """True when two dates of birth cannot be one: beyond a slip when full, at their precision when not."""
    (da, ka), (db, kb) = a, b
    if (len(da) == len(db) == 10) or (ka and kb):  # both full, or both keyed in full: the slip test
        return compare_dates(da, db, (ka, kb)) == "conflict"
    n = min(len(da), len(db))
    return da[:n] != db[:n]


def _slip(a: str, b: str) -> bool:
    """One keystroke apart (a substitution or an adjacent swap) in an identifier long enough to mean it."""
    return len(a) >= 6 and len(a) == len(b) and DamerauLevenshtein.distance(a, b) <= 1


def _shared_national(a: _Facts, b: _Facts) -> list[str]:
    """The national identifiers two records share exactly or to one slip (they outrank a date of birth)."""
    return [s for s in _NATIONAL if s in a.ids and s in b.ids
            and any(x == y or _slip(x, y) for x in a.ids[s] for y in b.ids[s])]


def _show(values: Iterable[str]) -> str:
    return " / ".join(sorted(values))


def _pair(a: _Facts, b: _Facts, across: bool) -> list[Conflict]:
    if a.id > b.id:
        a, b = b, a
    out: list[Conflict] = []

    def add(name: str, va: str, vb: str, hard: bool = True, note: str = "") -> None:
        out.append(Conflict(name, a.id, b.id, va, vb, across, hard, note))

    if a.kind != b.kind:
        add("kind", a.kind, b.kind)
        return out
    if a.dobs and b.dobs and all(_dates_conflict(x, y) for x in a.dobs for y in b.dobs):
        shared = _shared_national(a, b)
        note = f"outranked by the shared {' and '.join(_LABELS.get(s, s) for s in shared)}" if shared else ""
        add("dob", _show(d for d, _ in a.dobs), _show(d for d, _ in b.dobs), not shared, note)
    other_registry = bool(a.jurisdiction and b.jurisdiction and a.jurisdiction != b.jurisdiction)
    for scheme in sorted(a.ids.keys() & b.ids.keys(), key=lambda k: (k == "account_key", k)):
        va, vb = a.ids[scheme], b.ids[scheme]
        if va & vb or (scheme == "company_number" and other_registry):
            continue
        if scheme == "account_key" and any(c.field == "iban" for c in out):
            continue  # read out of the two IBANs just shown to differ: saying it twice adds nothing
        if scheme in _SLIP_SCHEMES and any(_slip(x, y) for x in va for y in vb):
            continue
        add(scheme, _show(va), _show(vb))
    return out


def record_conflicts(a: Entity, b: Entity) -> list[Conflict]:
    """The conflicts between two records (``across`` set: they are taken as the two sides).

    Example
    -------
    >>> from graph.model import Provenance
    >>> p = (Provenance("T"),)
    >>> man = Entity("T/m", "Person", {"name": "Daniel Ashworth", "dob": "1962-11-02"}, p)
    >>> subject = Entity("T/s", "Person", {"name": "Daniel Mark Ashworth", "dob": "1984"}, p)
    >>> [c.text() for c in record_conflicts(man, subject)]
    ['date of birth: T/m 1962-11-02 vs T/s 1984']
    >>> record_conflicts(man, Entity("T/t", "Person", {"dob": "1962-12-02"}, p))  # one keystroke: a slip
    []
    """
    return _pair(_facts(a), _facts(b), True)


def conflicts(left: Sequence[Entity], right: Sequence[Entity]) -> list[Conflict]:
    """Every conflict in the union of two entities, given as their member records.

    Parameters
    ----------
    left, right : the records of each side. Sides that share a record are one entity already:
        nothing between them is ``across``.

    Returns
    -------
    list of Conflict : sorted; ``across`` tells those accepting would create from those already
        inside one side. Swapping ``left`` and ``right`` gives the same list.

    Example
    -------
    >>> from graph.model import Provenance
    >>> p = (Provenance("T"),)
    >>> subject = Entity("T/s", "Person", {"name": "Daniel Mark Ashworth", "dob": "1984-03-15"}, p)
    >>> alias = Entity("T/s2", "Person", {"name": "Daniel Ashworth"}, p)   # no date: merged with the subject
    >>> man = Entity("T/m", "Person", {"name": "Daniel ASHWORTH", "dob": "1962-11-02"}, p)
    >>> [(c.left, c.right, c.across) for c in conflicts([alias, subject], [man])]
    [('T/m', 'T/s', True)]
    """
    facts = {r.id: r for r in [*left, *right]}
    one = {r.id for r in left} & {r.id for r in right}
    right_ids = {r.id for r in right}
    cleaned = {i: _facts(r) for i, r in facts.items()}
    found: list[Conflict] = []
    for x, y in itertools.combinations(sorted(facts), 2):
        found.extend(_pair(cleaned[x], cleaned[y], not one and (x in right_ids) != (y in right_ids)))
    return sorted(found)


def blocking(found: Iterable[Conflict]) -> list[Conflict]:
    """The conflicts that refuse a positive judgement: hard, and across the two sides."""
    return [c for c in found if c.hard and c.across]
