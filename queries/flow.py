"""Money flow: follow money out of the defendant's accounts forward in time to where it lands.

Each hop leaves the previous recipient no earlier than the previous hop and within the window
(30 days by default), for an amount within the tolerance (10 %) of the previous one -- the way
an analyst reads two statements side by side. Paths of two hops or more are reported, ending at
an account abroad, a purchase or a third party.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from graph.model import Relation
from graph.store import Store
from queries.casegraph import CaseGraph
from queries.gifts import transfer_value

__all__ = ["MoneyFlow", "money_flows"]


@dataclass(frozen=True)
class MoneyFlow:
    path: tuple[Relation, ...]
    ends: str  # record id of the last recipient

    @property
    def amount(self) -> Decimal:
        return Decimal(self.path[-1].props.get("amount") or 0)


def _money(t: Relation) -> Decimal | None:
    if t.props.get("asset_id"):
        return None
    worth = transfer_value(t)
    return worth[0] if worth else None


def money_flows(store: Store, cg: CaseGraph, starts: set[str], min_hops: int = 2) -> list[MoneyFlow]:
    """Maximal forward paths of money from ``starts`` (canonical ids of him and his accounts).

    Later hops are read from the store by party and date, so a flow may leave the case graph.
    """
    s = cg.settings
    window = timedelta(days=s.flow_window_days)
    tol = Decimal(str(s.flow_amount_tolerance))
    found: list[MoneyFlow] = []

    def onward(t: Relation, amount: Decimal) -> list[tuple[Relation, Decimal]]:
        day = date.fromisoformat(t.date or "")
        nexts = []
        recipients = cg.clusters.members(t.target)
        for n in store.transfers(recipients, day.isoformat(), (day + window).isoformat()):
            money = _money(n)
            if n.id == t.id or n.source not in recipients or money is None:
                continue
            if abs(money - amount) <= tol * amount:
                nexts.append((n, money))
        return nexts

    def extend(path: tuple[Relation, ...], amount: Decimal) -> None:
        if len(path) > s.flow_max_hops:
            return
        seen = {t.id for t in path}
        nexts = [(n, m) for n, m in onward(path[-1], amount) if n.id not in seen]
        if not nexts and len(path) >= min_hops:
            found.append(MoneyFlow(path, path[-1].target))
        for n, m in nexts:
            extend(path + (n,), m)

    for t in cg.transfers:
        money = _money(t)
        if money is None or not t.date or cg.canon(t.source) not in starts:
            continue
        extend((t,), money)
    # a path that is the tail of a longer one is not a separate flow
    ids = [tuple(t.id for t in f.path) for f in found]
    tails = {p[i:] for p in ids for i in range(1, len(p))}
    return [f for f, p in zip(found, ids, strict=True) if p not in tails]
