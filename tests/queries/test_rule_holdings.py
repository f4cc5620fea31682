"""Table tests for overseas holdings, linked assets, money flows and nominees (LAW.md "Overseas
holdings" and "Nominees"): classes by territory, a nominee holding only what the evidence says, her
own property a linked asset, a payment to her own account a gift and a flow back to him."""

from __future__ import annotations

import pytest

from queries.rules.example import ExampleCase, report_of
from queries.valuation import PriceIndex

RPI = PriceIndex.load("rpi")


@pytest.mark.parametrize(
    ("country", "kind", "via_company", "cls"),
    [
        ("JE", "Account", None, "crown_dependency"),
        ("IM", "Property", None, "crown_dependency"),
        ("VG", "Property", None, "overseas_territory"),
        ("GI", "Property", None, "overseas_territory"),
        ("AE", "Property", None, "foreign"),
        ("ES", "Account", None, "foreign"),
        # a UK flat held through a BVI company (the Land Registry OCOD pattern)
        ("GB", "Property", "VG", "uk_via_overseas_company"),
        ("GB", "Property", None, None),  # a UK flat held directly is not overseas
    ],
)
def test_overseas_classes(country: str, kind: str, via_company: str | None, cls: str | None) -> None:
    b = ExampleCase().person("P1")
    b.entity("X1", kind, country=country, value="100000" if kind == "Property" else None)
    if via_company:
        b.company("C1", country=via_company).rel("OWNS", "P1", "C1", share_pct=50).rel("OWNS", "C1", "X1",
                                                                                       share_pct=100)
    else:
        b.rel("OWNS" if kind == "Property" else "HOLDS", "P1", "X1")
    found = {h["asset"][0]: h for h in report_of(b, index=RPI)["overseas_holdings"]}
    if cls is None:
        assert "X1" not in found
        return
    assert found["X1"]["class"] == cls and found["X1"]["territory"] == country
    assert found["X1"]["effective_share"] == (0.5 if via_company else 1.0)


def nominee_case(role: str = "holds shares in SOLENT BAY HOLDINGS LIMITED on trust for P1",
                 since: str | None = "2016-02-03", shares_from: str | None = "2016-02-03",
                 shares_role: str | None = "registered shareholder", asset_id: str | None = None) -> ExampleCase:
    """P4 holds for P1 (NOMINEE_FOR); P4 owns C2 (BVI), her own Halifax account A9 (2009) and home PR9 (2005)."""
    b = ExampleCase().person("P1", "Marcus VANCE").person("P4", "Daniel HARGREAVES")
    b.company("C2", "SOLENT BAY HOLDINGS LIMITED", country="VG").rel("NOMINEE_FOR", "P4", "P1", role=role,
                                                                     start_date=since, asset_id=asset_id)
    b.rel("OWNS", "P4", "C2", share_pct=50, start_date=shares_from, role=shares_role)
    b.account("A9", country="GB", opened="2009-05-01").rel("HOLDS", "P4", "A9", start_date="2009-05-01")
    b.property("PR9", country="GB", value="250000").rel("OWNS", "P4", "PR9", share_pct=100, start_date="2005-06-01")
    return b


@pytest.mark.parametrize(
    ("kwargs", "c2_is_his"),
    [
        ({}, True),  # the declaration names SOLENT BAY HOLDINGS LIMITED, and the shares date from it
        ({"role": "nominee", "shares_from": "2017-01-01"}, True),  # taken after the relation began
        ({"role": "nominee", "shares_from": "2010-01-01", "shares_role": "nominee shareholder"}, True),
        ({"role": "nominee", "shares_from": "2010-01-01", "asset_id": "OP-T/C2"}, True),  # named by id
        ({"role": "nominee", "shares_from": "2010-01-01"}, False),  # hers before the relation: not his
        ({"role": "nominee", "since": None, "shares_from": None}, False),  # no evidence either way: not his
    ],
)
def test_a_nominee_holds_for_him_only_what_the_evidence_says(kwargs: dict, c2_is_his: bool) -> None:
    report = report_of(nominee_case(**kwargs), index=RPI)
    overseas = {h["asset"][0]: h for h in report["overseas_holdings"]}
    assert ("C2" in overseas) is c2_is_his
    if c2_is_his:
        assert overseas["C2"]["chain_text"] == "P1 ← P4 (holds for him) → C2"
        assert overseas["C2"]["effective_share"] == 0.5
    # her own account and home are never his: linked assets, not s.10(3) items
    linked = {a["asset"][0]: a for a in report["linked_assets"]}
    assert {"A9", "PR9"} <= set(linked) and linked["A9"]["link"] == "NOMINEE_FOR"
    assert "nominee's own" in linked["A9"]["role"]
    assert not {"A9", "PR9"} & {a["item"] for a in report["assumptions"]}


def test_a_payment_to_the_nominees_own_account_is_a_gift_and_a_flow_back_to_him() -> None:
    b = nominee_case().account("A1").rel("HOLDS", "P1", "A1").account("A3", country="JE").rel("HOLDS", "P1", "A3")
    b.transfer("T1", "2020-05-01", "A1", "A9", "50000").transfer("T2", "2020-05-10", "A9", "A3", "49000")
    report = report_of(b, index=RPI)
    gifts = {g["transfer"]: g for g in report["tainted_gifts"]}
    assert "T1" in gifts and gifts["T1"]["to"] == ["A9"]
    assert any("flow through the nominee" in n for n in gifts["T1"]["notes"])
    (flow,) = report["money_flows"]
    assert flow["path"] == ["T1", "T2"] and flow["through_nominee"] == "Daniel HARGREAVES"
    assert "T2" not in gifts  # money coming back to his account is not his gift
    assert "T2" in {a["item"] for a in report["assumptions"] if a["rule"] == "s.10(2)"}


def test_payments_from_the_nominees_own_account_are_hers_not_his_gifts() -> None:
    b = nominee_case().person("P7", "Friend").transfer("T1", "2020-05-01", "A9", "P7", "9000")
    report = report_of(b, index=RPI)
    assert not report["tainted_gifts"]
    (other,) = report["other_transfers"]
    assert other["transfer"] == "T1" and "third parties" in other["reason"]


def test_linked_assets_of_family_and_associates() -> None:
    b = ExampleCase().person("P1").person("P2").person("P7").rel("FAMILY", "P1", "P2", role="partner")
    b.rel("ASSOCIATE", "P1", "P7").property("PR3", country="GB").rel("OWNS", "P2", "PR3", start_date="2015-11-20")
    b.property("PR8", country="ES").rel("OWNS", "P7", "PR8").property("PR1", country="GB").rel("OWNS", "P1", "PR1")
    b.property("PR0", country="GB").rel("OWNS", "P2", "PR0", end_date="2020-01-01")  # sold before the as-at date
    report = report_of(b, index=RPI)
    linked = {a["asset"][0]: a["link"] for a in report["linked_assets"]}
    assert linked == {"PR3": "FAMILY", "PR8": "ASSOCIATE"}  # not his own PR1; not PR0, no longer hers
    assert "PR8" not in {h["asset"][0] for h in report["overseas_holdings"]}


def test_a_relation_that_says_he_holds_a_person_makes_nothing_his() -> None:
    """Malformed evidence (HOLDS / OWNS pointing at a person) is no chain: a payment to her stays a gift
    and her own flat is not his holding."""
    b = ExampleCase().person("P1").person("P2").property("PR2", country="ES").rel("HOLDS", "P1", "P2")
    b.rel("OWNS", "P1", "P2", share_pct=100).rel("OWNS", "P2", "PR2").transfer("T1", "2020-05-01", "P1", "P2", "5000")
    report = report_of(b, index=RPI)
    assert [g["transfer"] for g in report["tainted_gifts"]] == ["T1"]
    assert not report["overseas_holdings"]
