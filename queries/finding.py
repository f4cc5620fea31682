"""What every rule shares: the typed finding, the rule record, warnings, and how a cell is shown.

A rule is a plain function from a :class:`~queries.rules.context.CaseContext` to a list of typed
findings (frozen dataclasses). :meth:`Finding.to_json` turns any of them into the report's
JSON; :class:`Column` says how the briefing pack and the app show one in a table, so a new rule
is one module and one line in the registry, and appears everywhere.

A record the engine cannot use never stops a case: :meth:`Warnings.guard` turns the error into
an :class:`EngineWarning` naming the rule, the record and the reason, and the rule goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from graph.errors import AssetGraphError, InvalidRecord
from graph.territory import territory_name

if TYPE_CHECKING:
    from queries.rules.context import CaseContext  # rules take one; this module imports no rule

__all__ = ["Finding", "Rule", "Column", "EngineWarning", "Warnings", "to_json", "cell_text", "money", "gbp_text",
           "place"]


def money(amount: Decimal | None) -> float | None:
    """Pounds and pence as a JSON number (rounded half up, for display only).

    >>> money(Decimal("16021.917808")), money(None)
    (16021.92, None)
    """
    return None if amount is None else float(Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def gbp_text(value: float | Decimal | None, missing: str = "–") -> str:
    """An amount as text a reader expects: ``£1,234.50`` (``missing`` when there is none).

    >>> gbp_text(1234.5), gbp_text(None)
    ('£1,234.50', '–')
    """
    return missing if value is None else f"£{value:,.2f}"


def place(code: str | None) -> str:
    """A territory as a reader names it: ``United Arab Emirates (AE)``; ``unknown`` when none.

    >>> place("VG"), place(None)
    ('British Virgin Islands (VG)', 'unknown')
    """
    if not code:
        return "unknown"
    try:
        return f"{territory_name(code)} ({code})"
    except InvalidRecord:
        return code


_PLAIN = frozenset((str, int, float, bool))


def to_json(value: Any) -> Any:
    """A finding's value as JSON: money to pence, shares to 4 places, dates as ISO text.

    >>> to_json({"a": Decimal("1.005"), "b": Fraction(2, 3), "c": (date(2020, 1, 2),)})
    {'a': 1.01, 'b': 0.6667, 'c': ['2020-01-02']}
    """
    if value is None or type(value) in _PLAIN:
        return value
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, Fraction):
        return round(float(value), 4)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


@dataclass(frozen=True)
class Finding:
    """Base of every typed finding: the rule it rests on and the evidence (source records) behind it.

    Fields become the report's JSON keys in order (a trailing underscore is dropped, so ``from_``
    is ``"from"``); money is :class:`~decimal.Decimal` pounds, shares are
    :class:`~fractions.Fraction`.
    """

    def to_json(self) -> dict[str, Any]:
        # ``evidence`` is plain JSON already (CaseGraph.evidence): a case with 10^4 findings skips its walk
        return {name.rstrip("_"): list(value) if name == "evidence" else to_json(value)
                for name, value in ((n, getattr(self, n)) for n in self.__dataclass_fields__)}

    def transfers(self) -> tuple[str, ...]:
        """Source ids of the transfers this finding rests on (so none is left unaccounted for)."""
        return ()


@dataclass(frozen=True)
class Column:
    """One column of a rule's table: header, JSON key, and how to show the value.

    A ``money`` column with ``original`` names the key of the sum in its own currency (and
    ``currency`` the key of that currency), shown when there is no pound value ("not converted").
    """

    header: str
    key: str
    kind: str = "text"  # text | money (pounds) | amount (any currency) | share | list | bool | place
    original: str | None = None
    currency: str | None = None


def cell_text(item: dict[str, Any], column: Column) -> str:
    """One cell of a finding's row as text (the briefing pack and the app show the same).

    >>> cell_text({"v": 1234.5}, Column("Value", "v", "money")), cell_text({"p": ["P1", "A3"]}, Column("", "p", "list"))
    ('£1,234.50', 'P1, A3')
    >>> cell_text({"v": None, "o": 5000.0, "c": "EUR"}, Column("Value", "v", "money", "o", "c"))
    'EUR 5,000.00 (not converted)'
    """
    value = item.get(column.key)
    if value is None and column.original and item.get(column.original) is not None:
        return f"{item.get(column.currency or '') or '?'} {item[column.original]:,.2f} (not converted)"
    if value is None or value == "":
        return "–"
    if column.kind == "money":
        return gbp_text(value)
    if column.kind == "share":
        return f"{value:.4f}"
    if column.kind == "amount":  # a sum in the currency another column names
        return f"{value:,.2f}"
    if column.kind == "place":
        return place(value)
    if column.kind == "bool":
        return "yes" if value else "no"
    if column.kind == "list":
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Rule:
    """A registered rule: where its findings go in the report and how they are shown.

    ``run`` returns the findings; ``shape`` ``"list"`` puts them in a list under ``key``, ``"one"``
    merges the one finding's fields into an object under ``key`` (several rules may share it: the
    order figures of s.11/s.12 and the s.22 headroom make one ``revisit`` object). ``summary``
    adds report-level totals computed from the findings.
    """

    key: str
    section: str
    title: str
    run: Callable[[CaseContext], Sequence[Finding]]
    columns: tuple[Column, ...] = ()
    shape: str = "list"
    summary: Callable[[Sequence[Finding]], dict[str, Any]] | None = None
    brief: bool = True


@dataclass(frozen=True)
class EngineWarning:
    """A record the engine could not use: which rule, which record, and why."""

    rule: str
    record: str | None
    reason: str
    internal: bool = False  # an unexpected error (a bug), not a fact about the data

    @property
    def text(self) -> str:
        return f"{self.rule}: {self.record}: {self.reason}" if self.record else f"{self.rule}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "record": self.record, "reason": self.reason, "internal": self.internal}


@dataclass
class Warnings:
    """The warnings of one case, in the order met (each once)."""

    items: list[EngineWarning] = field(default_factory=list)

    def add(self, rule: str, record: str | None, reason: str, internal: bool = False) -> None:
        warning = EngineWarning(rule, record, reason, internal)
        if warning not in self.items:
            self.items.append(warning)

    def records(self) -> set[str]:
        return {w.record for w in self.items if w.record}

    @contextmanager
    def guard(self, rule: str, record: str | None) -> Iterator[None]:
        """Run the block; an error becomes a warning naming ``rule`` and ``record``, and the caller
        goes on with the next record. Errors of the data (:class:`AssetGraphError`, bad numbers or
        dates) say so plainly; anything else is flagged ``internal`` (a bug to fix, still not a
        reason to lose the rest of the case)."""
        try:
            yield
        except (AssetGraphError, ArithmeticError, ValueError) as exc:
            self.add(rule, record, str(exc) or type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - one record must never stop the case
            self.add(rule, record, f"internal error ({type(exc).__name__}): {exc}", internal=True)
