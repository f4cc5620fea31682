"""Money flow: follow money out of the defendant's accounts forward in time to where it lands.

Each hop leaves the previous recipient no earlier than the previous hop and within the window
(30 days by default), for an amount within the tolerance (10 %) of the previous one -- the way
an analyst reads two statements side by side. Paths of two hops or more are reported, ending at
an account abroad, a purchase or a third party. Amounts are compared in pounds (each converted
at its own day's rate, :mod:`queries.transfer_money`); a hop with no rate or no readable amount
is not followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from graph.errors import AssetGraphError
from graph.model import Relation
from graph.store import Store
from queries.casegraph import CaseGraph
from queries.transfer_money import Rates, rate_table, transfer_worth

__all__ = ["MoneyFlow", "money_flows"]


@dataclass(frozen=True)
class MoneyFlow:
    path: tuple[Relation, ...]
    ends: str  # record id of the last recipient
    amounts: tuple[Decimal, ...] = ()  # each hop in pounds

    @property
    def amount(self) -> Decimal:
        """The last hop, in pounds."""
        return self.amounts[-1] if self.amounts else Decimal(0)


def _pounds(t: Relation, rates: Rates) -> Decimal | None:
    """A money transfer's amount in pounds; None for an asset, an unreadable sum or no rate."""
    if t.props.get("asset_id"):
        return None
    try:
        worth = transfer_worth(t, rates)
    except (AssetGraphError, ArithmeticError, ValueError):
        return None
    return None if worth.value is None else worth.value.gbp


def money_flows(store: Store, cg: CaseGraph, starts: set[str], min_hops: int = 2,
                rates: Rates | None = None) -> list[MoneyFlow]:
    """Maximal forward paths of money from ``starts`` (canonical ids of him and his accounts).

    Paths grow one hop at a time; the onward transfers of every recipient reached at a hop are
    read from the store in one batch (by party and date), so a flow may leave the case graph and
    a case with 10^5 transfers costs a handful of queries, not one per transfer.
    """
    s = cg.settings
    rates = rates if rates is not None else rate_table(s)
    window = timedelta(days=s.flow_window_days)
    tol = Decimal(str(s.flow_amount_tolerance))
    outgoing: dict[str, list[tuple[Relation, Decimal]]] = {}

    def fetch(recipients: set[str], earliest: str) -> None:
        wanted = sorted({m for r in recipients for m in cg.clusters.members(r)} - outgoing.keys())
        for member in wanted:
            outgoing[member] = []
        for t in store.relations_of(wanted, ["TRANSFER"], direction="out"):  # onward money only
            money = _pounds(t, rates)
            if money is not None and t.source in outgoing and t.date and t.date >= earliest:
                outgoing[t.source].append((t, money))

    frontier: list[tuple[tuple[Relation, ...], tuple[Decimal, ...]]] = []
    for t in cg.transfers:
        money = _pounds(t, rates)
        if money is not None and t.date and cg.canon(t.source) in starts:
            frontier.append(((t,), (money,)))
    found: list[MoneyFlow] = []
    for _ in range(s.flow_max_hops):
        if not frontier:
            break
        fetch({p[-1].target for p, _ in frontier}, min(p[-1].date or "" for p, _ in frontier))
        grown: list[tuple[tuple[Relation, ...], tuple[Decimal, ...]]] = []
        for path, amounts in frontier:
            last, amount = path[-1], amounts[-1]
            day = date.fromisoformat(last.date or "")
            until = (day + window).isoformat()
            seen = {t.id for t in path}
            nexts = [(n, m) for member in cg.clusters.members(last.target) for n, m in outgoing.get(member, ())
                     if n.id not in seen and last.date <= (n.date or "") <= until and abs(m - amount) <= tol * amount]
            if not nexts and len(path) >= min_hops:
                found.append(MoneyFlow(path, last.target, amounts))
            grown.extend((path + (n,), amounts + (m,)) for n, m in nexts)
        frontier = grown
    found.extend(MoneyFlow(p, p[-1].target, a) for p, a in frontier if len(p) >= min_hops)  # cut at max hops
    ids = [tuple(t.id for t in f.path) for f in found]
    tails = {p[i:] for p in ids for i in range(1, len(p))}
    return sorted((f for f, p in zip(found, ids, strict=True) if p not in tails),
                  key=lambda f: (f.path[0].date or "", [t.id for t in f.path]))
