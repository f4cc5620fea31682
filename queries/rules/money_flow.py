"""Money flow (s.10(4), s.84): money followed out of his accounts to where it lands.

A flow that passes through a nominee's *own* account (money paid to her, which is a gift
candidate) and comes back to his holdings within the window is marked ``through_nominee``: the
analyst sees both readings, a gift to her and money that was his all along (LAW.md "Nominees").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from queries.finding import Column, Finding, Rule
from queries.flow import MoneyFlow
from queries.holdings import territory_of
from queries.nominee import nominee_scope
from queries.rules.context import CaseContext
from queries.transfer_money import transfer_ref

__all__ = ["Flow", "RULE", "run", "nominee_flows"]


@dataclass(frozen=True)
class Flow(Finding):
    """A path of money transfers (source ids) from his account to where the money ended."""

    path: list[str]
    ends: str
    ends_name: str
    ends_territory: str | None
    amount: Decimal
    rule: str
    through_nominee: str | None
    note: str
    evidence: tuple[dict[str, Any], ...]

    def transfers(self) -> tuple[str, ...]:
        return tuple(self.path)


def _nominee_own(ctx: CaseContext) -> dict[str, str]:
    """Node -> nominee name, for each nominee and the accounts and property that are her own."""
    cg = ctx.cg
    out: dict[str, str] = {}
    for scope in nominee_scope(cg).values():
        out[scope.nominee] = cg.name(scope.nominee)
        for _, target, key in cg.graph.out_edges(scope.nominee, keys=True):
            if key in scope.own:
                out[target] = cg.name(scope.nominee)
    return out


def _through(ctx: CaseContext, flow: MoneyFlow, own: dict[str, str]) -> str | None:
    landed = [ctx.cg.canon(t.target) for t in flow.path]
    for i, node in enumerate(landed):
        if node in own and any(later in ctx.control for later in landed[i + 1:]):
            return own[node]
    return None


def nominee_flows(ctx: CaseContext) -> list[MoneyFlow]:
    """The flows that pass through a nominee's own account and come back to his holdings."""
    def find() -> list[MoneyFlow]:
        own = _nominee_own(ctx)
        return [f for f in ctx.flows if own and _through(ctx, f, own)]
    return ctx.memo("nominee_flows", find)


def run(ctx: CaseContext) -> list[Flow]:
    """Every maximal flow of two hops or more out of his own accounts.

    Examples
    --------
    £360,000 from his Barclays account to his Jersey account, then £351,000 on to a Dubai developer
    18 days later (table tests: ``tests/queries/test_rule_holdings.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").account("A1").account("A3", country="JE").company("C4", country="AE")
    >>> case = case.rel("HOLDS", "P1", "A1").rel("HOLDS", "P1", "A3")
    >>> case = case.transfer("T10", "2019-05-02", "A1", "A3", "360000")
    >>> case = case.transfer("T11", "2019-05-20", "A3", "C4", "351000")
    >>> [(f.path, f.ends, f.ends_territory, f.amount) for f in run(case.context())]
    [(['T10', 'T11'], 'C4', 'AE', Decimal('351000'))]

    References
    ----------
    Proceeds of Crime Act 2002, s.10(4) (expenditure traced), s.84 (property wherever situated).
    """
    cg = ctx.cg
    own = _nominee_own(ctx)
    out = []
    for f in ctx.flows:
        with ctx.warnings.guard("money flow", transfer_ref(f.path[0])):
            nominee = _through(ctx, f, own) if own else None
            note = (f"passes through the own account of {nominee}, who holds for him, and comes back to his "
                    f"holdings: the first hop is also a gift candidate to her") if nominee else ""
            out.append(Flow([transfer_ref(t) for t in f.path], cg.source_id(f.ends), cg.label(cg.canon(f.ends)),
                            territory_of(cg, cg.canon(f.ends)), f.amount,
                            "s.10(4) expenditure traced to where it lands; s.84 property wherever situated",
                            nominee, note, tuple(cg.evidence(t, "transfer") for t in f.path)))
    return out


RULE = Rule("money_flows", "s.10(4), s.84", "Money flows (s.10(4), s.84)", run, (
    Column("Path", "path", "list"), Column("Ends", "ends_name"), Column("Where", "ends_territory", "place"),
    Column("Last hop", "amount", "money"), Column("Through a nominee", "through_nominee")))
