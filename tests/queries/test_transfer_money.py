"""The sums a transfer records, in their currencies (FORMATS.md §1) and in pounds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from graph.model import Provenance, Relation
from queries.fx import RateTable
from queries.transfer_money import transfer_worth


def sale(**props: str) -> Relation:
    return Relation("d/t", "TRANSFER", "d/a", "d/b", {"date": "2019-06-03", "asset_id": "d/flat", **props},
                    (Provenance("d"),))


@pytest.fixture(scope="module")
def rates() -> RateTable:
    return RateTable.load()


def test_an_assets_value_is_in_pounds_unless_it_carries_a_code(rates: RateTable) -> None:
    """A flat sold for €100,000 (the row's currency) with a value of 300000 (no code): the value is
    £300,000 as FORMATS.md says, the consideration euros converted at the day's rate."""
    worth = transfer_worth(sale(currency="EUR", amount="100000", asset_value="300000"), rates)
    assert (worth.value.currency, worth.value.gbp) == ("GBP", Decimal("300000"))
    assert worth.consideration.currency == "EUR" and worth.consideration.gbp < Decimal("100000")
    coded = transfer_worth(sale(currency="GBP", amount="1", asset_value="1650000", asset_value_currency="AED"), rates)
    assert coded.value.currency == "AED" and coded.value.gbp is not None and coded.value.gbp < Decimal("400000")
