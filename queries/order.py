"""An order's figures: time to pay (s.11), interest on unpaid sums (s.12), headroom (s.22).

Choices made where LAW.md leaves room:

* Interest is simple, ``balance x rate x days / 365`` for each period between payments, even
  across a leap year (the Judgments Act convention LAW.md's example uses), and runs from the
  due date to the valuation date: ``days = (until - from).days``.
* A payment reduces the unpaid principal (the balance interest runs on) from the day it is
  made; payments made on or before the due date simply reduce what falls due. Only what is
  paid beyond the principal goes to accrued interest, so an overpaid order owes nothing. This
  is LAW.md's default, ``Settings.payment_allocation = "principal_first"``; the alternative
  ``"interest_first"`` lets a payment clear the interest accrued to its day before the
  principal (interest then runs on a larger principal for longer). Figures name the rule used.
* A payment that cannot be read (no date, no amount) is skipped and named in ``warnings``:
  one bad row never stops the figures.
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

__all__ = ["Payment", "payments_from", "interest", "OrderFigures", "order_figures", "ALLOCATIONS"]

Payment = tuple[date, Decimal]
# How a payment is applied (s.12; a setting): the unpaid principal first, or accrued interest first.
ALLOCATIONS = {"principal_first": "a payment reduces the unpaid principal first",
               "interest_first": "a payment clears the interest accrued to its day first, then the principal"}


def payments_from(rows: Iterable[Mapping[str, Any] | tuple[date | str, Amount]],
                  problems: list[str] | None = None) -> list[Payment]:
    """Read payments (``{"date", "amount"}`` mappings or ``(date, amount)`` pairs), sorted by date.

    Parameters
    ----------
    rows : iterable
        Payments as in case.json ``order.payments``.
    problems : list of str, optional
        When given, a payment that cannot be read is skipped and described here (naming it by
        its position) instead of raising: one bad row must not stop an order's figures.

    Returns
    -------
    list of (date, Decimal)

    Raises
    ------
    InvalidRecord
        When a payment has no readable date or amount (and ``problems`` is None).

    Examples
    --------
    >>> payments_from([{"date": "2021-02-01", "amount": 20000}])
    [(datetime.date(2021, 2, 1), Decimal('20000'))]
    >>> skipped = []
    >>> payments_from([{"date": "2021-02-01", "amount": 5}, {"amount": 7}], skipped), skipped
    ([(datetime.date(2021, 2, 1), Decimal('5'))], ['payment 2: payment date is missing'])

    References
    ----------
    Proceeds of Crime Act 2002, s.12 (interest on sums unpaid).
    """
    out = []
    for n, row in enumerate(rows, start=1):
        try:
            if isinstance(row, Mapping):
                raw_day, raw_amount = row.get("date"), row.get("amount")
            else:
                raw_day, raw_amount = row
            amount = as_money(raw_amount, "payment amount")
            if amount is None:
                raise InvalidRecord("a payment has no amount", column="amount")
            out.append((as_date(raw_day, "payment date"), amount))
        except (InvalidRecord, TypeError, ValueError) as exc:
            if problems is None:
                raise InvalidRecord(str(exc)) from None
            problems.append(f"payment {n}: {exc}")
    return sorted(out)


def _rate(rate: float | Decimal | str | None) -> Decimal:
    """The annual rate as a Decimal; default the Settings rate."""
    value = Decimal(str(Settings().interest_rate if rate is None else rate))
    if not value.is_finite() or value < 0:
        raise InvalidRecord(f"interest rate must be a non-negative number, not {rate!r}")
    return value


def _allocation(allocation: str | None) -> str:
    """The payment rule's name; default the Settings one."""
    name = Settings().payment_allocation if allocation is None else str(allocation)
    if name not in ALLOCATIONS:
        raise InvalidRecord(f"payment allocation must be one of {', '.join(ALLOCATIONS)}, not {allocation!r}")
    return name


def _accrue(principal: Decimal, start: date, end: date, payments: list[Payment], annual: Decimal,
            allocation: str) -> tuple[Decimal, Decimal]:
    """(interest accrued, principal left) from ``start`` to ``end`` under the payment rule."""
    balance, since, total, owed = principal, start, Decimal(0), Decimal(0)
    for day, paid in payments:
        if day > end:
            break
        if day > since:
            accrued = max(balance, Decimal(0)) * annual * (day - since).days / 365
            total, owed, since = total + accrued, owed + accrued, day
        if allocation == "interest_first" and day > start:
            to_interest = min(paid, owed)
            owed -= to_interest
            paid -= to_interest
        balance -= paid
    if end > since:
        total += max(balance, Decimal(0)) * annual * (end - since).days / 365
    return total, balance


def interest(amount: Amount, due: date | str, until: date | str,
             payments: Iterable[Mapping[str, Any] | tuple[date | str, Amount]] = (),
             rate: float | Decimal | str | None = None, allocation: str | None = None) -> Decimal:
    """Simple interest on what remains unpaid, from the due date to ``until``.

    Each payment after the due date closes a period: interest for it is the principal unpaid
    during it times ``rate x days / 365``. Payments on or before the due date reduce the sum
    that falls due. Under ``"principal_first"`` (the default) a later payment reduces the
    principal; under ``"interest_first"`` it first clears the interest accrued to its day.
    The result is not rounded (use :func:`queries.valuation.pennies` to show it).

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
    allocation : str, optional
        ``"principal_first"`` or ``"interest_first"``; default ``Settings().payment_allocation``.

    Returns
    -------
    Decimal
        Zero when ``until`` is on or before the due date.

    Raises
    ------
    InvalidRecord
        When an amount, date, the rate or the allocation cannot be read.

    Examples
    --------
    LAW.md's example, and a payment of £50,000 after a year under each rule:

    >>> from queries.valuation import pennies
    >>> pennies(interest(100000, date(2020, 1, 1), date(2022, 1, 1)))
    Decimal('16021.92')
    >>> paid = [(date(2021, 1, 1), 50000)]
    >>> pennies(interest(100000, date(2020, 1, 1), date(2022, 1, 1), paid))
    Decimal('12021.92')
    >>> pennies(interest(100000, date(2020, 1, 1), date(2022, 1, 1), paid, allocation="interest_first"))
    Decimal('12663.67')

    References
    ----------
    Proceeds of Crime Act 2002, s.12; Judgments Act 1838, s.17.
    """
    principal = as_money(amount, "amount")
    if principal is None:
        raise InvalidRecord("s.12: the order has no amount", column="amount")
    start, end, annual = as_date(due, "due"), as_date(until, "valuation_date"), _rate(rate)
    return _accrue(principal, start, end, payments_from(payments), annual, _allocation(allocation))[0]


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
    allocation: str = "principal_first"

    @property
    def interest_days(self) -> int:
        """Days from the due date to the as-at date (0 before the due date)."""
        return max((self.valuation_date - self.due).days, 0)


def order_figures(order: Mapping[str, Any], valuation_date: date | str,
                  rate: float | Decimal | str | None = None, allocation: str | None = None) -> OrderFigures:
    """The figures a revisit team reads off an order, as at ``valuation_date``.

    ``outstanding`` is the principal still unpaid (``max(amount - paid, 0)`` under
    principal first); ``interest`` per :func:`interest`;
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
    allocation : str, optional
        How payments are applied (:data:`ALLOCATIONS`); default ``Settings().payment_allocation``.

    Returns
    -------
    OrderFigures
        A payment that cannot be read is skipped and named in ``warnings``.

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
    problems: list[str] = []
    raw = order.get("payments") or ()
    readable = payments_from(raw if isinstance(raw, list | tuple) else (), problems)
    warnings.extend(f"s.12: {p}: not counted" for p in problems)
    payments = [p for p in readable if p[0] <= valued]
    if len(readable) > len(payments):
        warnings.append(f"{len(readable) - len(payments)} payment(s) after the valuation date {valued} not counted")
    paid = sum((p[1] for p in payments), Decimal(0))
    rule = _allocation(allocation)
    annual = _rate(rate)
    accrued, principal_left = _accrue(amount, due, valued, payments, annual, rule)
    headroom = None if benefit is None else benefit - amount
    if headroom is not None and headroom < 0:
        warnings.append(f"s.22: amount ordered {amount} exceeds the benefit {benefit}")
    if paid > amount:
        warnings.append(f"paid {paid - amount} more than the amount ordered")
    return OrderFigures(made, due, valued, amount, paid, max(principal_left, Decimal(0)), accrued,
                        max(amount + accrued - paid, Decimal(0)), benefit, headroom, annual,
                        tuple(warnings), rule)
