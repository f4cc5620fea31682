"""OFX/QFX statements: ofxparse's sample files, bank error responses, investments, hostile entries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidRecord
from graph.sqlite_store import SQLiteStore
from ingest.formats import detect_format
from ingest.ofx import load_ofx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofx"


@pytest.mark.parametrize(("name", "counts"), [
    ("account_listing_aggregation.ofx", (0, 0, 0)),
    ("anzcc.ofx", (1, 1, 0)),
    ("bank_medium.ofx", (3, 3, 0)),
    ("bank_small.ofx", (0, 0, 0)),
    ("checking.ofx", (3, 3, 0)),
    ("error_message.ofx", (1, 0, 1)),
    ("fidelity-savings.ofx", (4, 4, 0)),
    ("fidelity.ofx", (23, 3, 20)),
    ("investment_401k.ofx", (6, 0, 6)),
    ("investment_medium.ofx", (3, 3, 0)),
    ("multiple_accounts.ofx", (0, 0, 0)),
    ("ofx-v102-empty-tags.ofx", (1, 0, 1)),
    ("signon_fail.ofx", (1, 0, 1)),
    ("signon_success.ofx", (0, 0, 0)),
    ("suncorp.ofx", (1, 1, 0)),
    ("td_ameritrade.ofx", (2, 0, 2)),
    ("tiaacref.ofx", (7, 0, 7)),
    ("vanguard.ofx", (3, 0, 3)),
    ("vanguard401k.ofx", (6, 0, 6)),
])
def test_samples_reconcile_and_reload_as_noop(name: str, counts: tuple[int, int, int], tmp_path: Path) -> None:
    assert detect_format(FIXTURES / name) == "ofx"
    with SQLiteStore(tmp_path / "db") as store:
        out = load_ofx(store, FIXTURES / name, tmp_path / "q").to_dict()
        again = load_ofx(store, FIXTURES / name, tmp_path / "q").to_dict()
    assert (out["read"], out["loaded"], out["quarantined"]) == counts
    assert out["reconciled"] is True and name in out["files"]
    assert again["entities_written"] == again["relations_written"] == 0


def _reasons(path: str | None) -> list[dict[str, str]]:
    assert path is not None
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(("name", "message"), [
    ("signon_fail.ofx", "code 15500 (ERROR): Your request could not be processed because you supplied an invalid"),
    ("error_message.ofx", "code 2000 (ERROR): General Server Error"),
])
def test_bank_errors_are_rejected_with_the_banks_message(name: str, message: str, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        report = load_ofx(store, FIXTURES / name, tmp_path / "q")
        assert store.counts() == {}
    (row,) = _reasons(report.quarantine_file)
    assert message in row["reason"] and row["column"] == "STATUS"


def test_checking_values(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        load_ofx(store, FIXTURES / "checking.ofx", tmp_path / "q", {"holder": "Lena Vance"})
        transfers = sorted(store.iter_relations(["TRANSFER"]), key=lambda t: t.props["date"])
        account = store.get_entity(transfers[1].source)
        bill = store.get_entity(transfers[1].target)
        holds = list(store.iter_relations(["HOLDS"]))
    assert [t.props["date"] for t in transfers] == ["2011-03-31", "2011-04-05", "2011-04-07"]
    t = transfers[1]
    assert t.props["amount"] == "34.51" and t.props["direction"] == "out" and t.props["currency"] == "USD"
    assert t.props["reference"] == "0000487" and t.provenance[0].source_ref == "FITID 0000487"
    assert t.props["memo"] == "AUTOMATIC WITHDRAWAL, ELECTRIC BILL WEB(S )"
    assert account is not None and account.props["account_number"] == "1452687~7"
    assert account.props["institution"] == "FAKE" and account.props["routing_number"] == "5472369148"
    assert bill is not None and bill.props["parsed_from_description"] is True
    assert transfers[0].target == account.id and transfers[0].props["direction"] == "in"
    assert len(holds) == 1 and holds[0].target == account.id


def test_investment_lines_are_quarantined_with_reasons(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        report = load_ofx(store, FIXTURES / "fidelity.ofx", tmp_path / "q")
        cash = sorted((t.props["description"], t.props["type"]) for t in store.iter_relations(["TRANSFER"]))
    rows = _reasons(report.quarantine_file)
    assert sum("investment transaction (buystock" in r["reason"] for r in rows) == 8
    assert sum(r["column"] == "position" for r in rows) == 6
    # The OFX transaction type is kept as the type, never glued onto what the bank printed.
    assert cash == [("INTEREST EARNED", "dep"), ("INTEREST EARNED", "dep"), ("LATE SETTLEMENT FEE", "other")]


def test_descriptions_are_the_payee_not_the_transaction_type(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "db") as store:
        load_ofx(store, FIXTURES / "checking.ofx", tmp_path / "q")
        transfers = list(store.iter_relations(["TRANSFER"]))
    assert transfers and all(t.props["description"].split()[0].lower() != t.props["type"].lower() for t in transfers)


def test_not_ofx_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ofx"
    junk.write_text("hello, not a statement", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="not a readable OFX file"), SQLiteStore(tmp_path / "db") as store:
        load_ofx(store, junk, tmp_path / "q")


_HEAD = ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
         "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0"
         "<SEVERITY>INFO</STATUS><DTSERVER>20240101</SONRS></SIGNONMSGSRSV1><BANKMSGSRSV1><STMTTRNRS><TRNUID>1"
         "<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>GBP<BANKACCTFROM><BANKID>309457<ACCTID>12345678"
         "<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20240101<DTEND>20240201")
_TAIL = "</BANKTRANLIST><LEDGERBAL><BALAMT>1.00<DTASOF>20240201</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
_SAFE = st.text(alphabet=st.characters(blacklist_characters="<>&", blacklist_categories=["Cs", "Cc"]), max_size=10)
_ENTRY = st.tuples(st.sampled_from(["DEBIT", "CREDIT", "XFER", "", "POS"]),
                   st.one_of(st.sampled_from(["20240105", "20241399", "", "2024XX05", "20240229120000"]), _SAFE),
                   st.one_of(st.sampled_from(["-12.50", "0", "1,000.00", "", "1e5", "-0.001"]), _SAFE),
                   st.one_of(st.sampled_from(["FPO K WHITLOCK", "", "DD BRITISH GAS"]), _SAFE), _SAFE)


def _write(tmp: Path, rows: list) -> Path:
    body = "".join(f"<STMTTRN><TRNTYPE>{t}<DTPOSTED>{d}<TRNAMT>{a}<FITID>{i}<NAME>{n}<MEMO>{m}</STMTTRN>"
                   for i, (t, d, a, n, m) in enumerate(rows))
    path = tmp / "fuzz.ofx"
    path.write_text(_HEAD + body + _TAIL, encoding="utf-8")
    return path


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(_ENTRY, min_size=20, max_size=40), repeat=st.integers(34, 38), rnd=st.randoms())
def test_hostile_entries_never_escape(entries: list, repeat: int, rnd, tmp_path_factory) -> None:
    """~10,000 hostile STMTTRN entries per run (ofxparse reads ~1,000/s, so each file is loaded once
    here; the re-load check below runs on smaller files)."""
    rows = entries * repeat
    rnd.shuffle(rows)
    tmp = tmp_path_factory.mktemp("ofxfuzz")
    with SQLiteStore(tmp / "db") as store:
        first = load_ofx(store, _write(tmp, rows), tmp / "q")
    assert first.read == first.loaded + first.quarantined == len(rows)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(_ENTRY, min_size=5, max_size=30), repeat=st.integers(5, 8))
def test_hostile_entries_reload_writes_nothing(entries: list, repeat: int, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("ofxfuzz2")
    path = _write(tmp, entries * repeat)
    with SQLiteStore(tmp / "db") as store:
        first = load_ofx(store, path, tmp / "q")
        second = load_ofx(store, path, tmp / "q")
    assert first.read == first.loaded + first.quarantined
    assert second.entities_written == 0 and second.relations_written == 0
