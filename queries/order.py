"""An order's figures: time to pay (s.11), interest on unpaid sums (s.12), headroom (s.22).

Choices made where LAW.md leaves room:

* Interest is simple, ``balance x rate x days / 365`` for each period between payments, even
  across a leap year (the Judgments Act convention LAW.md's example uses), and runs from the
  due date to the valuation date: ``days = (until - from).days``.
* A payment reduces the unpaid principal (the balance interest runs on) from the day it is
  made; payments made on or before the due date simply reduce what falls due. Only what is
  paid beyond the principal goes to accrued interest, so an overpaid order owes nothing.
* Payments dated after the valuation date are not counted (the figures are as at that date).
* The s.11 time limit (at most six calendar months from the order) is checked and a breach
  is *flagged* in ``warnings``, never raised: the court's order is what it is.
* Headroom is ``benefit - amount`` unadjusted for the value of money (LAW.md); a negative
  headroom is flagged.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from graph.errors import InvalidRecord, RuleNotApplicable
from graph.settings import Settings
from queries.dates import as_date
from queries.valuation import Amount, as_money

__all__ = ["Payment", "payments_from", "interest", "OrderFigures", "order_figures"]

Payment = tuple[date, Decimal]


def payments_from(rows: Iterable[Mapping[str, Any] | tuple[date | str, Amount]]) -> list[Payment]:
    """Read payments (``{"date", "amount"}`` mappings or ``(date, amount)`` pairs), sorted by date.

    Parameters
    ----------
    rows : iterable
        Payments as in case.json ``order.payments``.

    Returns
    -------
    list of (date, Decimal)

    Raises
    ------
    InvalidRecord
        When a payment has no readable date or amount.

    Examples
    --------
    >>> payments_from([{"date": "2021-02-01", "amount": 20000}])
    [(datetime.date(2021, 2, 1), Decimal('20000'))]

    References
    ----------
    Proceeds of Crime Act 2002, s.12 (interest on sums unpaid).
    """
    out = []
    for row in rows:
        raw_day, raw_amount = (row.get("date"), row.get("amount")) if isinstance(row, Mapping) else row
        amount = as_money(raw_amount, "payment amount")
        if amount is None:
            raise InvalidRecord("a payment has no amount", column="amount")
        out.append((as_date(raw_day, "payment date"), amount))
    return sorted(out)


def _rate(rate: float | Decimal | str | None) -> Decimal:
    """The annual rate as a Decimal; default the Settings rate."""
    value = Decimal(str(Settings().interest_rate if rate is None else rate))
    if not value.is_finite() or value < 0:
        raise InvalidRecord(f"interest rate must be a non-negative number, not {rate!r}")
    return value


def interest(amount: Amount, due: date | str, until: date | str,
             payments: Iterable[Mapping[str, Any] | tuple[date | str, Amount]] = (),
             rate: float | Decimal | str | None = None) -> Decimal:
    """Simple interest on what remains unpaid, from the due date to ``until``.

    Each payment after the due date closes a period: interest for it is the balance unpaid
    during it times ``rate x days / 365``. Payments on or before the due date reduce the sum
    that falls due. The result is not rounded (use :func:`queries.valuation.pennies` to show it).

    Parameters
    ----------
    amount : amount
        The sum ordered.
    due : date or str
        When it fell due (end of the time to pay).
    until : date or str
        The day interest is counted to (the valuation date).
    payments : iterable
        Part-payments, ``{"date", "amount"}`` or ``(date, amount)``.
    rate : float or Decimal, optional
        Annual rate; default ``Settings().interest_rate`` (8 %).

    Returns
    -------
    Decimal
        Zero when ``until`` is on or before the due date.

    Raises
    ------
    InvalidRecord
        When an amount, date or the rate cannot be read.

    Examples
    --------
    >>> from queries.valuation import pennies
    >>> pennies(interest(100000, date(2020, 1, 1), date(2022, 1, 1)))
    Decimal('16021.92')

    References
    ----------
    Proceeds of Crime Act 2002, s.12; Judgments Act 1838, s.17.
    """
    principal = as_money(amount, "amount")
    if principal is None:
        raise InvalidRecord("s.12: the order has no amount", column="amount")
    start, end, annual = as_date(due, "due"), as_date(until, "valuation_date"), _rate(rate)
    balance, since, total = principal, start, Decimal(0)
    for day, paid in payments_from(payments):
        if day > end:
            break
        if day > since:
            total += max(balance, Decimal(0)) * annual * (day - since).days / 365
            since = day
        balance -= paid
    if end > since:
        total += max(balance, Decimal(0)) * annual * (end - since).days / 365
    return total


def _add_months(day: date, months: int) -> date:
    """Add calendar months; a day past the month's end clamps to its last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class OrderFigures:
    """What an order asked, what was paid, what is left with interest, and the s.22 headroom."""

    order_date: date
    due: date
    valuation_date: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    interest: Decimal
    outstanding_with_interest: Decimal
    benefit: Decimal | None
    headroom: Decimal | None
    rate: Decimal
    warnings: tuple[str, ...] = ()


def order_figures(order: Mapping[str, Any], valuation_date: date | str,
                  rate: float | Decimal | str | None = None) -> OrderFigures:
    """The figures a revisit team reads off an order, as at ``valuation_date``.

    ``outstanding = max(amount - paid, 0)``; ``interest`` per :func:`interest`;
    ``outstanding_with_interest = max(amount + interest - paid, 0)``;
    ``headroom = benefit - amount``. The due date defaults to the order date; a due date more
    than six months after the order (or before it) is flagged in ``warnings``.

    Parameters
    ----------
    order : mapping
        case.json ``order``: ``date``, ``due``, ``benefit``, ``amount``, ``payments``.
    valuation_date : date or str
        The day the figures are taken.
    rate : float or Decimal, optional
        Annual interest rate; default ``Settings().interest_rate``.

    Returns
    -------
    OrderFigures

    Raises
    ------
    RuleNotApplicable
        When there is no order (empty mapping).
    InvalidRecord
        When the order date or amount is missing or unreadable.

    Examples
    --------
    >>> f = order_figures({"date": "2020-01-01", "amount": 100000, "benefit": 250000},
    ...                   "2022-01-01")
    >>> f.outstanding, f.headroom, round(f.interest, 2)
    (Decimal('100000'), Decimal('150000'), Decimal('16021.92'))

    References
    ----------
    Proceeds of Crime Act 2002, s.11 (time to pay), s.12 (interest), s.22 (revisiting).
    """
    if not order:
        raise RuleNotApplicable("s.11: no confiscation order has been made")
    made = as_date(order.get("date"), "order date")
    due = made if order.get("due") in (None, "") else as_date(order.get("due"), "due")
    valued = as_date(valuation_date, "valuation_date")
    amount = as_money(order.get("amount"), "amount")
    if amount is None:
        raise InvalidRecord("the order has no amount", column="amount")
    benefit = as_money(order.get("benefit"), "benefit")
    warnings = []
    if due < made:
        warnings.append(f"s.11: due date {due} is before the order {made}")
    elif due > _add_months(made, 6):
        warnings.append(f"s.11: due date {due} is more than six months after the order {made} "
                        f"(latest {_add_months(made, 6)})")
    payments = [p for p in payments_from(order.get("payments") or ()) if p[0] <= valued]
    ignored = len(order.get("payments") or ()) - len(payments)
    if ignored:
        warnings.append(f"{ignored} payment(s) after the valuation date {valued} not counted")
    paid = sum((p[1] for p in payments), Decimal(0))
    accrued = interest(amount, due, valued, payments, rate)
    headroom = None if benefit is None else benefit - amount
    if headroom is not None and headroom < 0:
        warnings.append(f"s.22: amount ordered {amount} exceeds the benefit {benefit}")
    if paid > amount:
        warnings.append(f"paid {paid - amount} more than the amount ordered")
    return OrderFigures(made, due, valued, amount, paid, max(amount - paid, Decimal(0)), accrued,
                        max(amount + accrued - paid, Decimal(0)), benefit, headroom, _rate(rate),
                        tuple(warnings))
