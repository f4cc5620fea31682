"""s.78: every transfer after the cut-off with a value and a consideration, with its ratio.

A transfer for consideration *significantly less* than the value is a gift of the share
``(value - consideration) / value``. "Significantly" is not defined: the threshold is a setting
(80 % by default), so every such transfer is listed with its ratio -- those at or above the
threshold as "not a gift at the setting of 80 %" -- and the analyst sees the borderline sales the
court may still call significant (LAW.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from queries.finding import Column, Finding, Rule
from queries.gifts import Candidate
from queries.rules.context import CaseContext
from queries.transfer_money import transfer_ref

__all__ = ["UndervalueCheck", "RULE", "run", "outcome"]


@dataclass(frozen=True)
class UndervalueCheck(Finding):
    """One transfer's s.78 test: value and consideration (in ``currency``), their ratio, the outcome."""

    transfer: str
    date: str
    from_name: str
    to_name: str
    asset: str | None
    currency: str
    value: Decimal
    consideration: Decimal
    consideration_ratio: Fraction
    threshold: float
    gift: bool
    gift_share: Fraction
    outcome: str
    rule: str
    evidence: tuple[dict[str, Any], ...]

    def transfers(self) -> tuple[str, ...]:
        return (self.transfer,)


def outcome(ratio: Fraction, threshold: Fraction) -> str:
    """What s.78 makes of a ratio at the threshold set.

    >>> outcome(Fraction(1, 3), Fraction(4, 5))
    'a gift of 66.67 % of the value (consideration 33.33 % of it, below the setting of 80 %)'
    >>> outcome(Fraction(4, 5), Fraction(4, 5))
    'not a gift at the setting of 80 % (consideration 80.00 % of the value)'
    """
    setting = f"{float(threshold) * 100:g} %"
    if ratio < threshold:
        return (f"a gift of {float(1 - ratio) * 100:.2f} % of the value (consideration {float(ratio) * 100:.2f} % "
                f"of it, below the setting of {setting})")
    return f"not a gift at the setting of {setting} (consideration {float(ratio) * 100:.2f} % of the value)"


def _check(ctx: CaseContext, c: Candidate) -> UndervalueCheck:
    cg, t, worth = ctx.cg, c.transfer, c.worth
    assert worth.value is not None and worth.consideration is not None and c.ratio is not None
    gbp = c.currency == "GBP" and worth.value.gbp is not None and worth.consideration.gbp is not None
    value = worth.value.gbp if gbp else worth.value.amount
    paid = worth.consideration.gbp if gbp else worth.consideration.amount
    assert value is not None and paid is not None
    return UndervalueCheck(transfer_ref(t), str(t.date), cg.label(c.payer), cg.label(c.recipient),
                           cg.source_id(t.props["asset_id"]) if t.props.get("asset_id") else None, c.currency,
                           value, paid, c.ratio, float(c.threshold), c.is_gift, c.share if c.is_gift else Fraction(0),
                           outcome(c.ratio, c.threshold), "s.78", (cg.evidence(t, "transfer"),))


def run(ctx: CaseContext) -> list[UndervalueCheck]:
    """The s.78 listing: each transfer out of his control after the cut-off with a consideration.

    Examples
    --------
    LAW.md: a flat worth £300,000 sold to his sister for £100,000 has ratio 1/3, a gift of two
    thirds; a house sold for £262,000 when worth £265,000 (ratio 0.9887) is listed as not a gift
    at the setting of 80 % (table tests: ``tests/queries/test_rule_gifts.py``).

    >>> from queries.rules.example import ExampleCase
    >>> case = ExampleCase().person("P1").person("P3").person("P9").property("PR2").property("PR7")
    >>> case = case.transfer("T1", "2019-08-16", "P1", "P3", "100000", consideration="100000", asset_id="PR2",
    ...                      asset_value="300000")
    >>> case = case.transfer("T2", "2017-06-30", "P1", "P9", "262000", consideration="262000", asset_id="PR7",
    ...                      asset_value="265000")
    >>> [(c.transfer, round(float(c.consideration_ratio), 4), c.gift) for c in run(case.context())]
    [('T2', 0.9887, False), ('T1', 0.3333, True)]

    References
    ----------
    Proceeds of Crime Act 2002, s.78.
    """
    out = []
    for c in ctx.candidates:
        if c.ratio is None:
            continue  # nothing was paid: a gift of the whole, in the s.77 list
        with ctx.warnings.guard("s.78", transfer_ref(c.transfer)):
            out.append(_check(ctx, c))
    return sorted(out, key=lambda f: (f.date, f.transfer))


RULE = Rule("undervalue_checks", "s.78", "Transfers at an undervalue: every ratio (s.78)", run, (
    Column("Transfer", "transfer"), Column("Date", "date"), Column("To", "to_name"), Column("Currency", "currency"),
    Column("Value", "value", "amount"), Column("Consideration", "consideration", "amount"),
    Column("Ratio", "consideration_ratio", "share"), Column("Outcome", "outcome")))
