"""The money a transfer records, as given and in pounds: value, consideration and amount.

A transfer carries up to three sums (FORMATS.md §1): ``amount`` (for an asset transfer, the
consideration paid), ``consideration`` and, for an asset, ``asset_value`` (its market value at
the time). Each has a currency: its own ``<field>_currency`` when the source gave one, else the
row's ``currency`` (bank statements and FtM payments carry only that), else GBP. An asset's value
is the exception FORMATS.md states: it is in pounds unless it carries its own code (``1650000
AED``), whatever the row's currency, because a value is an appraisal, not the money that moved.

Each sum is converted to pounds at the rate for the transfer's day (:mod:`queries.fx`); where no
rate exists the sum is kept in its own currency with ``gbp`` None ("not converted"), never
dropped and never assumed to be pounds.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from graph.errors import AssetGraphError, InvalidRecord
from graph.model import Relation
from graph.settings import Settings
from graph.types import clean_money

if TYPE_CHECKING:
    from queries.casegraph import CaseGraph
    from queries.finding import Warnings
    from queries.fx import Conversion

__all__ = ["Rates", "rate_table", "Sum", "TransferWorth", "transfer_worth", "transfer_day", "transfer_ref",
           "currency_of", "read_sum", "record_sum"]


_PLAIN_AMOUNT = re.compile(r"\d{1,15}(\.\d{1,6})?")


class Rates(Protocol):
    """What the engine asks of a rate table (:class:`queries.fx.RateTable`)."""

    def to_gbp(self, amount: Decimal, currency: str, day: date) -> Conversion | None: ...


@functools.lru_cache(maxsize=8)
def _rate_table(path: str | None, stamp: float | None) -> Rates:
    from queries.fx import RateTable  # the ECB history is read once per process (and file version)

    return RateTable.load(path)


def rate_table(settings: Settings) -> Rates:
    """The exchange rates the settings name: the user's rates file (which wins) over the ECB's.

    Raises
    ------
    InvalidRecord
        When the user's rates file is missing or has a bad row (a rates file is configuration).
    """
    path = settings.rates_file
    stamp = Path(path).stat().st_mtime if path and Path(path).is_file() else None
    return _rate_table(path, stamp)


@dataclass(frozen=True)
class Sum:
    """One sum of money as the source gave it, and its conversion to pounds (None: no rate)."""

    field: str
    amount: Decimal
    currency: str
    conversion: Conversion | None

    @property
    def gbp(self) -> Decimal | None:
        return None if self.conversion is None else self.conversion.gbp

    def to_json(self) -> dict[str, Any]:
        """The sum with the rate behind it, for a finding's ``conversions`` list."""
        c = self.conversion
        return {"field": self.field, "amount": float(self.amount), "currency": self.currency,
                "gbp": None if c is None else float(c.gbp), "rate": None if c is None else float(c.rate),
                "rate_date": None if c is None else c.rate_date.isoformat(),
                "source": None if c is None else c.source, "converted": c is not None}


_VALUE_FIELDS = ("asset_value", "value")  # FORMATS.md: values are in GBP unless they carry a code


def currency_of(props: dict[str, Any], field: str) -> str:
    """The currency of one money field of a transfer (own code, else the row's, else GBP; an asset's
    value: own code, else GBP).

    >>> currency_of({"amount": "5", "currency": "eur"}, "amount")
    'EUR'
    >>> currency_of({"asset_value": "5", "asset_value_currency": "AED", "currency": "GBP"}, "asset_value")
    'AED'
    >>> currency_of({"asset_value": "5", "currency": "EUR"}, "asset_value")
    'GBP'
    """
    row = None if field in _VALUE_FIELDS else props.get("currency")
    code = props.get(f"{field}_currency") or row or "GBP"
    return str(code).strip().upper() or "GBP"


def read_sum(props: dict[str, Any], field: str, day: date, rates: Rates) -> Sum | None:
    """Read ``props[field]`` as money in its currency and convert it at ``day``; None when blank.

    Raises
    ------
    InvalidRecord
        When the value is not an amount, or is negative.
    """
    raw = props.get(field)
    if raw in (None, ""):
        return None
    currency = currency_of(props, field)
    text = str(raw)
    if _PLAIN_AMOUNT.fullmatch(text):  # what the readers store: skip the parser on the hot path
        amount, code = Decimal(text), currency
    else:
        money = clean_money(text, currency)
        if money is None:
            return None
        amount, code = money.amount, money.currency
    if amount < 0 or not amount.is_finite():
        raise InvalidRecord(f"{field}: not a non-negative amount: {raw!r}", column=field)
    return Sum(field, amount, code, rates.to_gbp(amount, code, day))


def transfer_ref(t: Relation) -> str:
    """The id a finding names a transfer by: the source's own (a bundle's ``T13``), else the store's."""
    return t.source_id or t.id


def transfer_day(t: Relation) -> date:
    """The day a transfer was made.

    Raises
    ------
    InvalidRecord
        When it has no date, or only part of one (a year or a month is never padded to a day:
        the rules compare days).

    Examples
    --------
    >>> transfer_day(Relation("t", "TRANSFER", "a", "b", {"date": "2019-05-02"}, ()))
    datetime.date(2019, 5, 2)
    """
    raw = str(t.date or "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        what = f"only part of a date ({raw!r})" if raw else "no date"
        raise InvalidRecord(f"the transfer has {what}: the rules need the day it was made", column="date") from None


def record_sum(cg: CaseGraph, node: str, key: str, day: date, rates: Rates, warnings: Warnings | None = None,
               rule: str = "s.81") -> Sum | None:
    """A money field of a record (a property's ``value``, an account's ``balance``, a purchase price)
    in its currency and in pounds at ``day``. One that cannot be read costs that field only: it is
    None, and named in ``warnings`` with the record."""
    try:
        return read_sum({key: cg.prop(node, key), f"{key}_currency": cg.prop(node, f"{key}_currency")}, key, day,
                        rates)
    except (AssetGraphError, ArithmeticError, ValueError) as exc:
        if warnings is not None:
            warnings.add(rule, cg.records(node)[0], f"{key}: {exc}: not used")
        return None


@dataclass(frozen=True)
class TransferWorth:
    """What a transfer gave and got: ``value`` at the time, ``consideration`` paid (None: nothing
    recorded) and the ``amount`` field (for an asset transfer, the consideration paid)."""

    value: Sum | None
    consideration: Sum | None
    amount: Sum | None
    is_asset: bool

    @property
    def sums(self) -> tuple[Sum, ...]:
        return tuple(s for s in (self.value, self.consideration) if s is not None)

    @property
    def converted(self) -> bool:
        """True when every sum has a pound value."""
        return all(s.gbp is not None for s in self.sums)


def transfer_worth(t: Relation, rates: Rates) -> TransferWorth:
    """The value, consideration and amount of a transfer, each in its currency and in pounds.

    An asset transfer is worth ``asset_value``; its consideration is ``consideration``, else the
    ``amount`` paid. A money transfer is worth its ``amount``; it has a consideration only when
    the source recorded one (a purchase price).

    Raises
    ------
    InvalidRecord
        When the transfer has no readable date, or a sum cannot be read.
    """
    day = transfer_day(t)
    props = t.props
    amount = read_sum(props, "amount", day, rates)
    consideration = read_sum(props, "consideration", day, rates)
    if props.get("asset_id"):
        value = read_sum(props, "asset_value", day, rates)
        return TransferWorth(value, consideration if consideration is not None else amount, amount, True)
    return TransferWorth(amount, consideration, amount, False)
