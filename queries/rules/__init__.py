"""The rule registry: one module per rule of law, each returning typed findings.

The case report, the briefing pack and the app iterate :data:`RULES`; a new rule is one module
(a ``run(ctx) -> list[Finding]`` and a :class:`~queries.finding.Rule` with its report key and
table columns) and one line here. :func:`run_rules` runs every rule on one case: a rule that
fails as a whole becomes one warning naming it, and every other rule is still computed.

Registered, in report order: s.77(2)/(3)/(5) tainted gifts, s.78 every undervalue ratio,
s.81(1)(b) property representing a gift, s.10(2), s.10(3), s.10(4) assumption candidates,
overseas holdings (s.84/s.74), linked assets, money flows, s.11/s.12 order figures, s.22 headroom.
"""

from __future__ import annotations

from collections.abc import Sequence

from queries.finding import Finding, Rule
from queries.rules import linked, money_flow, overseas, s10_2, s10_3, s10_4, s12, s22, s77, s78, s81
from queries.rules.context import CaseContext, case_context

__all__ = ["RULES", "run_rules", "rule_sections", "CaseContext", "case_context"]

RULES: tuple[Rule, ...] = (
    s77.RULE, s78.RULE, s81.RULE, s10_2.RULE, s10_3.RULE, s10_4.RULE, overseas.RULE, linked.RULE, money_flow.RULE,
    s12.RULE, s22.RULE,
)


def run_rules(ctx: CaseContext, rules: Sequence[Rule] = RULES) -> list[tuple[Rule, list[Finding]]]:
    """Each rule with its findings, in registry order; a rule that raises is a warning, not a stop."""
    out = []
    for rule in rules:
        findings: list[Finding] = []
        with ctx.warnings.guard(rule.section, None):
            findings = list(rule.run(ctx))
        out.append((rule, findings))
    return out


def rule_sections(rules: Sequence[Rule] = RULES) -> list[dict[str, str]]:
    """The registered rules as the report lists them (key, section, title)."""
    return [{"key": r.key, "section": r.section, "title": r.title} for r in rules]
