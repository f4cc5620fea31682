"""Linked assets: what his family, associates and nominees hold that is not held for him.

Not his holding (s.84 reaches only his interests): each is a prompt to look for a s.77 gift that
funded it, or an interest held for him. A nominee's own property is listed here, never among his
holdings (LAW.md "Nominees").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from queries.finding import Column, Finding, Rule
from queries.holdings import linked_assets
from queries.rules.context import CaseContext

__all__ = ["LinkedAsset", "RULE", "run"]


@dataclass(frozen=True)
class LinkedAsset(Finding):
    """An account or property held by someone linked to him, and how they are linked."""

    asset: list[str]
    name: str
    kind: str
    holder: list[str]
    holder_name: str
    link: str
    role: str | None
    rule: str
    evidence: tuple[dict[str, Any], ...]


def run(ctx: CaseContext) -> list[LinkedAsset]:
    """Accounts and property his family, associates and nominees hold on the as-at date.

    Examples
    --------
    His partner's cottage and his associate's villa are linked, not his (table tests:
    ``tests/queries/test_rule_holdings.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").person("P2").property("PR3").rel("FAMILY", "P1", "P2", role="partner")
    >>> [(a.asset, a.holder, a.link, a.role) for a in run(case.rel("OWNS", "P2", "PR3").context())]
    [(['PR3'], ['P2'], 'FAMILY', 'partner')]
    """
    cg = ctx.cg
    out = []
    for item in linked_assets(cg, ctx.held_now, ctx.as_at):
        with ctx.warnings.guard("linked assets", cg.records(item["asset"])[0]):
            rel = cg.relations[item["relation"]]
            out.append(LinkedAsset(
                cg.records(item["asset"]), cg.name(item["asset"]), cg.kind(item["asset"]), cg.records(item["holder"]),
                cg.name(item["holder"]), item["link"], item["role"],
                "not his holding (s.84 reaches only his interests): check for a s.77 gift or an interest held for him",
                (cg.evidence(rel, "holding"),)))
    return out


RULE = Rule("linked_assets", "s.84 (not his)", "Linked assets (not his holdings)", run, (
    Column("Asset", "name"), Column("Kind", "kind"), Column("Holder", "holder_name"), Column("Link", "link"),
    Column("Role", "role")))
