"""Value types: one small ``clean`` per kind of value, shared by every reader.

Each cleaner takes the raw text a source holds and returns the canonical value, or raises
:class:`~graph.errors.InvalidRecord` with a reason an analyst can act on. Readers never parse
dates or money themselves, so "15/03/2019" means the same thing in every file.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from graph.errors import InvalidRecord
from graph.partial_date import parse_date

__all__ = ["clean_date", "clean_money", "Money", "clean_text", "clean_share"]

def clean_text(value: object) -> str | None:
    """Strip a cell; empty cells become ``None``."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def clean_date(value: object) -> str | None:
    """A full day as ISO text, from any form :func:`graph.partial_date.parse_date` reads.

    For fields that need a day (a transfer, a conviction): a month or a year alone is refused
    with the reason. Fields that may be partial use :func:`graph.partial_date.clean_partial_date`.

    >>> clean_date("15/03/2019")
    '2019-03-15'
    >>> clean_date("2020-02-29")
    '2020-02-29'
    >>> clean_date("23-MAR-2006")
    '2006-03-23'
    """
    parsed = parse_date(value)
    if parsed is None:
        return None
    if not parsed.is_full:
        raise InvalidRecord(f"a full date is needed, got a {parsed.precision} only: {parsed.text!r}")
    return parsed.text


_CODE = re.compile(r"\s*\b([A-Z]{3})$")


class Money(tuple[Decimal, str]):
    """An amount with its ISO currency code."""

    __slots__ = ()

    def __new__(cls, amount: Decimal, currency: str) -> Money:
        return super().__new__(cls, (amount, currency))

    @property
    def amount(self) -> Decimal:
        return self[0]

    @property
    def currency(self) -> str:
        return self[1]


def clean_money(value: object, currency: str | None = "GBP", *, negative_ok: bool = False) -> Money | None:
    """Parse ``£1,250.00``, ``1250``, ``(1,250.00)`` or ``1650000 AED``.

    A trailing ISO code overrides ``currency``. Brackets mean negative, which is refused
    unless ``negative_ok`` (a statement's money out may be negative; a price may not).

    >>> clean_money("£1,250.00")
    (Decimal('1250.00'), 'GBP')
    >>> clean_money("1650000 AED")
    (Decimal('1650000'), 'AED')
    """
    text = clean_text(value)
    if text is None:
        return None
    code = (currency or "GBP").upper()
    match = _CODE.search(text)
    if match:
        code = match.group(1)
        text = text[: match.start()].strip()
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith("-"):
        negative, text = True, text[1:].strip()
    text = text.replace("£", "").replace("$", "").replace("€", "").replace(",", "").strip()
    if text.startswith("-"):
        negative, text = True, text[1:].strip()
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
        raise InvalidRecord(f"not an amount: {value!r}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidRecord(f"not an amount: {value!r}") from None
    if negative:
        if not negative_ok:
            raise InvalidRecord(f"negative amount not allowed here: {value!r}")
        amount = -amount
    return Money(amount, code)


def clean_share(value: object) -> float | None:
    """A percentage share between 0 and 100 (``"50"``, ``"50%"``, ``"33.3"``)."""
    text = clean_text(value)
    if text is None:
        return None
    text = text.rstrip("%").strip()
    try:
        share = float(text)
    except ValueError:
        raise InvalidRecord(f"not a percentage: {value!r}") from None
    if not 0 <= share <= 100 or share != share:
        raise InvalidRecord(f"share outside 0-100 %: {value!r}")
    return share
