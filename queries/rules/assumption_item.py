"""The finding the three s.10 assumption rules share: one item an assumption would reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from queries.assumptions import AssumptionFinding
from queries.finding import Column, Finding
from queries.rules.context import CaseContext
from queries.transfer_money import transfer_ref

__all__ = ["AssumptionItem", "assumption_item", "COLUMNS", "applies"]


@dataclass(frozen=True)
class AssumptionItem(Finding):
    """A transfer (s.10(2), s.10(4)) or an asset (s.10(3)) an assumption would reach."""

    rule: str
    item: str
    name: str
    date: str | None
    evidence: tuple[dict[str, Any], ...]

    def transfers(self) -> tuple[str, ...]:
        return (self.item,) if self.rule != "s.10(3)" else ()


def assumption_item(ctx: CaseContext, a: AssumptionFinding) -> AssumptionItem:
    cg = ctx.cg
    if a.transfer is not None:
        t = a.transfer
        name = f"{cg.label(cg.canon(t.source))} → {cg.label(cg.canon(t.target))}"
        return AssumptionItem(a.rule, transfer_ref(t), name, str(t.date), a.evidence)
    return AssumptionItem(a.rule, cg.records(a.item)[0], cg.name(a.item), None, a.evidence)


def applies(ctx: CaseContext) -> bool:
    """The assumptions apply only with a criminal lifestyle (or none decided yet)."""
    return ctx.lifestyle != "no"


COLUMNS = (Column("Rule", "rule"), Column("Item", "item"), Column("What", "name"), Column("Date", "date"))
