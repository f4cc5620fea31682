"""Overseas holdings (s.84, s.74): what he holds outside the UK, directly or through chains.

Property is "all property wherever situated" (s.84): an overseas holding counts in full; only
enforcement differs (a request abroad, s.74). Three classes -- Crown Dependencies, Overseas
Territories, foreign states -- plus UK property held through an overseas-registered company.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from queries.finding import Column, Finding, Rule, money
from queries.holdings import Holding, chain_text, overseas
from queries.rules.context import CaseContext
from queries.transfer_money import record_sum

__all__ = ["OverseasHolding", "RULE", "run"]


@dataclass(frozen=True)
class OverseasHolding(Finding):
    """One holding abroad (or UK property through an overseas company), with its chain and share."""

    asset: list[str]
    name: str
    kind: str
    territory: str | None
    class_: str
    effective_share: Fraction
    chain: list[str]
    chain_text: str
    chains: list[list[str]]
    value: float | None  # pounds as at the as-at date (converted where the source gave another currency)
    value_currency: str | None
    value_original: float | None  # in value_currency
    rate_date: str | None
    rate_source: str | None
    rule: str
    evidence: tuple[dict[str, Any], ...]


def _holding(ctx: CaseContext, h: Holding, cls: str) -> OverseasHolding:
    cg = ctx.cg
    value = record_sum(cg, h.asset, "value", ctx.as_at, ctx.rates, ctx.warnings, "s.84") if h.kind == "Property" \
        else None
    conv = None if value is None else value.conversion
    chain = cg.record_chain(h.chain[0], h.relations[0])
    evidence = tuple(cg.evidence(cg.relations[r], "chain") for r in h.relations[0] if r in cg.relations)
    return OverseasHolding(
        cg.records(h.asset), cg.name(h.asset), h.kind, h.territory, cls, h.effective_share, chain,
        chain_text(chain, list(evidence)),
        [cg.record_chain(c[0], r) for c, r in zip(h.chains, h.relations, strict=True)],
        None if conv is None else money(conv.gbp), None if value is None else value.currency,
        None if value is None else float(value.amount), None if conv is None else conv.rate_date.isoformat(),
        None if conv is None else conv.source, "s.84 (property wherever situated); enforcement abroad s.74", evidence)


def run(ctx: CaseContext) -> list[OverseasHolding]:
    """His holdings outside the UK on the as-at date, and UK property held through an overseas company.

    Examples
    --------
    A Dubai apartment held through a BVI company he half owns: effective share 0.5, class foreign
    (table tests: ``tests/queries/test_rule_holdings.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").company("C2", country="VG").property("PR5", country="AE", value="385000")
    >>> case = case.rel("OWNS", "P1", "C2", share_pct=50).rel("OWNS", "C2", "PR5", share_pct=100)
    >>> [(h.asset, h.class_, h.effective_share, h.chain_text) for h in run(case.context())]
    [(['C2'], 'overseas_territory', Fraction(1, 2), 'P1 → C2'), (['PR5'], 'foreign', Fraction(1, 2), 'P1 → C2 → PR5')]

    References
    ----------
    Proceeds of Crime Act 2002, s.84, s.74.
    """
    out = []
    for h, cls in overseas(ctx.cg, ctx.held_now):
        with ctx.warnings.guard("s.84", ctx.cg.records(h.asset)[0]):
            out.append(_holding(ctx, h, cls))
    return out


RULE = Rule("overseas_holdings", "s.84, s.74", "Overseas holdings (s.84; enforcement abroad s.74)", run, (
    Column("Asset", "name"), Column("Kind", "kind"), Column("Territory", "territory", "place"),
    Column("Class", "class"),
    Column("Share", "effective_share", "share"), Column("Value", "value", "money", "value_original", "value_currency"),
    Column("Chain", "chain_text")))
