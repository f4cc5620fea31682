"""One case, read once, with the days the law turns on: what every rule is given.

:func:`case_context` reads the case graph and works out, once, the two relevant days (s.10(8)/(9)
for the assumptions, s.77(9) for gifts), the gift cut-off, the date of conviction, the "as at"
date every figure is computed at, the price index, the exchange rates and who acts for the
defendant. A part of case.json the engine cannot read (one earlier order, one conviction date,
one offence) becomes a warning naming it and is left out; only a case without a day proceedings
were started is refused, since no window of the Act can be drawn without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from graph.errors import AssetGraphError, RuleNotApplicable
from graph.settings import Settings
from graph.store import Store
from queries.casegraph import CaseGraph, load_case_graph, read_holdings_of
from queries.control import ControlLink, controlled_by
from queries.dates import (
    GiftCutoff,
    RelevantDay,
    as_date,
    conviction_date,
    gift_relevant_day,
    offence_date,
    relevant_day,
)
from queries.finding import Warnings
from queries.transfer_money import Rates, rate_table
from queries.valuation import PriceIndex

if TYPE_CHECKING:
    from queries.flow import MoneyFlow
    from queries.gifts import Candidate, GiftFinding
    from queries.holdings import Holding

__all__ = ["CaseContext", "case_context", "valuation_day", "CASE_RULE"]

CASE_RULE = "case"  # the "rule" named by warnings about case.json itself
_LIFESTYLES = ("yes", "no", "undecided")
T = TypeVar("T")


def valuation_day(case: dict[str, Any], warnings: Warnings | None = None) -> date:
    """The case's valuation date, else the order date, else today (FORMATS.md §1).

    >>> valuation_day({"valuation_date": "2026-06-30", "order": {"date": "2023-02-10"}})
    datetime.date(2026, 6, 30)
    >>> valuation_day({"order": {"date": "10/02/2023"}})
    datetime.date(2023, 2, 10)
    """
    order = case.get("order") if isinstance(case.get("order"), dict) else {}
    for key, value in (("valuation_date", case.get("valuation_date")), ("order date", (order or {}).get("date"))):
        if value:
            try:
                return as_date(value, key)
            except AssetGraphError as exc:
                if warnings is not None:
                    warnings.add(CASE_RULE, key, f"{exc}: not used")
    return date.today()


@dataclass
class CaseContext:
    """Everything a rule needs about one case, computed once. Figures are as at ``as_at``."""

    store: Store
    cg: CaseGraph
    settings: Settings
    index: PriceIndex
    rates: Rates
    as_at: date
    valuation_date: date
    relevant: RelevantDay  # s.10(8)/(9): the assumptions
    gift_day: RelevantDay  # s.77(9): tainted gifts
    cutoff: GiftCutoff | None  # after which a gift is tainted (s.77(2) or s.77(5)); None: cannot be drawn
    lifestyle: str
    convicted: date | None
    order: dict[str, Any] | None
    order_date: date | None
    control: dict[str, ControlLink]
    warnings: Warnings
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """A value shared by several rules (say, the gift candidates), computed on first use."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]  # type: ignore[no-any-return]

    @cached_property
    def held_now(self) -> list[Holding]:
        """What he holds on the as-at date, directly or through chains."""
        from queries.holdings import holdings

        return holdings(self.cg, self.as_at)

    @cached_property
    def candidates(self) -> list[Candidate]:
        """Transfers out of what he controls after the gift cut-off, with their s.78 ratio."""
        from queries.gifts import gift_candidates

        return [] if self.cutoff is None else gift_candidates(self.cg, self.control, self.cutoff, self.rates,
                                                              self.warnings)

    @cached_property
    def gifts(self) -> list[GiftFinding]:
        """The tainted gifts among them (s.77, s.78), valued (s.81): shared by the gift rules and s.22."""
        from queries.gifts import tainted_gifts

        if self.cutoff is None:
            return []
        # follow a money gift into a purchase (s.81(1)(b)) even by a recipient the neighbourhood did not reach
        recipients = {c.recipient for c in self.candidates if c.is_gift and not c.worth.is_asset}
        read_holdings_of(self.store, self.cg, recipients)
        return tainted_gifts(self.cg, self.control, self.cutoff, self.index, self.as_at, self.order_date,
                             rates=self.rates, warnings=self.warnings, candidates=self.candidates)

    @cached_property
    def flows(self) -> list[MoneyFlow]:
        """Money followed out of his accounts (and on through a nominee's own account)."""
        from queries.assumptions import himself
        from queries.flow import money_flows

        return money_flows(self.store, self.cg, himself(self.control), rates=self.rates)


def _readable(values: Any, key: str, warnings: Warnings) -> list[date]:
    """The dates in ``values`` that can be read; each one that cannot is a warning."""
    items = values if isinstance(values, list | tuple) else [values]
    out = []
    for n, value in enumerate(items, start=1):
        if value in (None, ""):
            continue
        try:
            out.append(as_date(value, key))
        except AssetGraphError as exc:
            warnings.add(CASE_RULE, f"{key} {n}" if len(items) > 1 else key, f"{exc}: not used")
    return out


def _earlier_orders(case: dict[str, Any], started: list[date], warnings: Warnings) -> list[dict[str, Any]]:
    """The earlier orders s.10(9) can read; one it cannot is named and left out."""
    good = []
    for n, order in enumerate(case.get("earlier_orders") or [], start=1):
        try:
            if not isinstance(order, dict):
                raise RuleNotApplicable("not an object")
            relevant_day(started, [order])
            good.append(order)
        except AssetGraphError as exc:
            warnings.add("s.10(9)", f"earlier order {n}", f"{exc}: not used")
    return good


def _cutoff(case: dict[str, Any], lifestyle: str, gift_day: RelevantDay, warnings: Warnings) -> GiftCutoff | None:
    if lifestyle != "no":
        return GiftCutoff(gift_day.day, "s.77(2)")
    offences = []
    for n, offence in enumerate(case.get("offences") or [], start=1):
        try:
            offences.append(offence_date([offence]))
        except (AssetGraphError, AttributeError) as exc:
            warnings.add("s.77(5)", f"offence {n}", f"{exc}: not used")
    if not offences:
        warnings.add("s.77(5)", None, "no criminal lifestyle and no readable offence date: no gift cut-off can be "
                                      "drawn, so no gift is listed by date")
        return None
    return GiftCutoff(min(offences), "s.77(5)")


def case_context(store: Store, case_id: str, settings: Settings | None = None, index: PriceIndex | None = None,
                 rates: Rates | None = None, as_at: date | str | None = None) -> CaseContext:
    """Read one case and the days, settings and tables its rules need.

    Parameters
    ----------
    store : Store
    case_id : str
    settings : Settings, optional
    index : PriceIndex, optional
        Default the settings' index (RPI).
    rates : Rates, optional
        Default :func:`rate_table` of the settings (the ECB's, under the user's rates file).
    as_at : date or str, optional
        The one date every figure is computed at; default the case's valuation date.

    Returns
    -------
    CaseContext

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store, names no subject, or has no readable day on which
        proceedings were started (no window of the Act can be drawn).
    """
    settings = settings or Settings()
    warnings = Warnings()
    cg = load_case_graph(store, case_id, settings)
    case = cg.case
    started = _readable(case.get("proceedings_started"), "proceedings_started", warnings)
    if not started:
        raise RuleNotApplicable("s.10(8): the case has no proceedings_started date")
    relevant = relevant_day(started, _earlier_orders(case, started, warnings))
    lifestyle = str(case.get("lifestyle") or "undecided").strip().lower()
    if lifestyle not in _LIFESTYLES:
        warnings.add("s.75", "lifestyle", f"{lifestyle!r} is not yes, no or undecided: read as undecided")
        lifestyle = "undecided"
    gift_day = gift_relevant_day(started)
    convictions = _readable(case.get("convictions") or [], "convictions", warnings)
    order = case.get("order") if isinstance(case.get("order"), dict) and case.get("order") else None
    order_dates = _readable((order or {}).get("date"), "order date", warnings) if order else []
    valued = valuation_day(case, warnings)
    return CaseContext(
        store, cg, settings, index or PriceIndex.load(settings.price_index), rates or rate_table(settings),
        as_date(as_at, "as_at") if as_at is not None else valued, valued, relevant, gift_day,
        _cutoff(case, lifestyle, gift_day, warnings), lifestyle, conviction_date(convictions) if convictions else None,
        order, order_dates[0] if order_dates else None, controlled_by(cg), warnings)
