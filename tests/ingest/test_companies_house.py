"""Companies House readers (ch-basic, ch-psc): real samples, hostile files, the CLI."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from corpus_support import REAL as CORPUS
from corpus_support import check_corpus_file, corpus_params
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from graph.errors import InvalidRecord
from graph.sqlite_store import SQLiteStore
from graph.store import Store
from ingest.ch_basic import load_ch_basic
from ingest.ch_officers import load_ch_officers
from ingest.ch_psc import load_ch_psc, partial_dob, share_band
from ingest.companies_house import country_code
from ingest.formats import detect_format
from ingest.normalise import company_number

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "companies_house"  # invented
REAL = CORPUS / "companies-house"  # real public files, see tests/fixtures/real/SOURCES.md
ROOT = Path(__file__).resolve().parents[2]
HOSTILE_ROWS = 5000  # per example; 2 examples per reader -> 10^4 generated rows per reader per run, each loaded twice
# Each example is a file of thousands of rows: shrinking one would take minutes, so failures are
# reported as generated (the seed and cells are printed).
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


@pytest.mark.parametrize("name", ["basic-company-data-1.csv", "basic-company-data-1.unwrapped.csv"])
def test_basic_company_data_sample_loads_wrapped_or_not(name: str, store: Store, tmp_path: Path) -> None:
    report = load_ch_basic(store, REAL / name, tmp_path / "q").to_dict()
    assert (report["read"], report["loaded"], report["quarantined"], report["reconciled"]) == (1, 1, 0, True)
    company = store.get_entity("gb-coh/08209948")
    assert company is not None and company.kind == "Company"
    assert company.props["name"] == "! LTD"
    assert company.props["incorporated"] == "2012-09-11"
    assert company.props["postcode"] == "HG1 1ND"
    assert company.props["jurisdiction"] == "United Kingdom" and company.props["country"] == "GB"
    assert company.props["status"] == "Active" and company.props["category"] == "Private Limited Company"
    assert company.props["address"] == "9 PRINCES SQUARE, HARROGATE"
    assert company.props["sic"] == ["99999 - Dormant Company"]
    assert "dissolved" not in company.props
    assert company.provenance[0].row == 2 and company.provenance[0].file == name
    (link,) = store.relations_of([company.id], ["REGISTERED_AT"])
    address = store.get_entity(link.target)
    assert address is not None and address.props == {"full": "9 PRINCES SQUARE, HARROGATE", "postcode": "HG1 1ND",
                                                      "country": "GB"}
    again = load_ch_basic(store, REAL / name, tmp_path / "q")
    assert (again.entities_written, again.relations_written) == (0, 0)


def test_shared_registered_office_is_one_address(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    header = ["CompanyName", " CompanyNumber", "RegAddress.AddressLine1", "RegAddress.PostTown",
              "RegAddress.PostCode", "CountryOfOrigin", "IncorporationDate", "PreviousName_1.CONDATE",
              " PreviousName_1.CompanyName", "PreviousName_2.CONDATE", " PreviousName_2.CompanyName"]
    path = tmp_path / "basic.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow(["ALPHA LTD", "1", "1 Formation St", "London", "EC1A 1AA", "United Kingdom", "01/02/2020",
                         "03/04/2021", "OLD ALPHA LTD", "31/13/2019", "OLDER ALPHA LTD"])
        writer.writerow(["BETA LTD", "SC 2", "1 Formation St", "London", "EC1A 1AA", "British Virgin Islands",
                         "Mar-2006", "", "", "", ""])
        writer.writerow(["GAMMA LTD", "03", "", "", "", "", "31/02/2020", "", "", "", ""])
        writer.writerow(["DELTA LTD", "04", "", "", "", "", "1998", "", "", "", ""])
        writer.writerow(["", "05", "", "", "", "", "", "", "", "", ""])
    report = load_ch_basic(sqlite_store, path, tmp_path / "q")
    assert (report.read, report.loaded, report.quarantined, report.fields_dropped) == (5, 4, 1, 2)
    assert sqlite_store.counts() == {"Company": 4, "Address": 1, "REGISTERED_AT": 2}
    alpha, beta, gamma, delta = sqlite_store.get_entities(["gb-coh/00000001", "gb-coh/SC000002", "gb-coh/00000003",
                                                           "gb-coh/00000004"])
    assert alpha.props["company_number"] == "00000001" and alpha.props["registration_numbers"] == ["gb-coh:00000001"]
    assert alpha.props["previous_names"] == [{"name": "OLD ALPHA LTD", "until": "2021-04-03"},
                                             {"name": "OLDER ALPHA LTD", "until_raw": "31/13/2019"}]
    assert alpha.props["aliases"] == ["OLD ALPHA LTD", "OLDER ALPHA LTD"]
    assert beta.props["country"] == "VG" and beta.props["jurisdiction"] == "British Virgin Islands"
    assert beta.props["incorporated"] == "2006-03"  # a month stays a month
    assert delta.props["incorporated"] == "1998"  # a year is never padded to 1 January
    assert "incorporated" not in gamma.props and gamma.props["incorporated_raw"] == "31/02/2020"
    assert report.notes["date_forms"]["IncorporationDate"] == {"DD/MM/YYYY": 1, "Mon YYYY": 1, "YYYY": 1,
                                                               "unreadable": 1}
    with open(report.quarantine_file or "", encoding="utf-8") as fh:
        lines = {(r["row"], r["level"]): r for r in csv.DictReader(fh)}
    assert lines[("2", "field")]["column"] == "PreviousName_2.CONDATE"
    assert lines[("4", "field")]["column"] == "incorporated" and "impossible date" in lines[("4", "field")]["reason"]
    assert lines[("6", "record")]["column"] == "CompanyName"


PSC_FILES = sorted(REAL.glob("psc-data-*.json"))


def test_psc_samples_as_json_arrays(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    totals = {"read": 0, "loaded": 0, "quarantined": 0}
    for path in PSC_FILES:
        report = load_ch_psc(sqlite_store, path, tmp_path / "q").to_dict()
        assert report["reconciled"]
        for key in totals:
            totals[key] += report[key]
    assert totals == {"read": 19, "loaded": 18, "quarantined": 1}  # the one PSC statement
    counts = sqlite_store.counts()
    assert counts == {"Person": 6, "Company": 30, "CONTROLS": 18}
    _check_psc_values(sqlite_store)
    meta = sqlite_store.get_meta("ch_psc_totals")
    assert meta["persons_of_significant_control_count"] == 12799821


def _check_psc_values(store: Store) -> None:
    marc = store.get_entity("gb-coh-psc/08209948/psc/FReSTxwXcJbAHBrerDpmTylkW48")
    assert marc is not None and marc.kind == "Person"
    assert marc.props["name"] == "Mr Marc Anthony Feldman" and marc.props["dob"] == "1961-12"
    assert marc.props["nationality"] == "British" and marc.props["country"] == "GB"
    assert marc.props["postcode"] == "HG1 1ND"
    (ctl,) = store.relations_of([marc.id], ["CONTROLS"], "out")
    assert ctl.target == "gb-coh-psc/08209948"
    assert ctl.props["role"] == "ownership-of-shares-75-to-100-percent"
    assert (ctl.props["share_pct"], ctl.props["share_pct_min"], ctl.props["share_pct_max"]) == (75, 75, 100)
    assert ctl.props["start_date"] == "2021-12-13" and "end_date" not in ctl.props
    target = store.get_entity("gb-coh-psc/08209948")
    assert target is not None and target.props == {"company_number": "08209948",
                                                   "registration_numbers": ["gb-coh:08209948"]}
    karol = store.get_entity("gb-coh-psc/10308742/psc/w4N_sH7yjfQmrQl93tx5yu7WW50")
    assert karol is not None and karol.props["country"] == "PL"
    (ended,) = store.relations_of([karol.id], ["CONTROLS"])
    assert ended.props["end_date"] == "2018-02-27" and ended.props["voting_pct_min"] == 75
    stpaul = store.get_entity("gb-coh-psc/02847483/psc/YIVGZxjcS8tcf-5WdYZBtTTW-so")
    assert stpaul is not None and stpaul.kind == "Company"
    assert stpaul.props["company_number"] == "41-0406690" and stpaul.props["country"] == "US"
    assert stpaul.props["jurisdiction"] == "Minnesota, Usa"
    secret = store.get_entity("gb-coh-psc/02443921/psc/NcZQQA0LMrXYV1u0fGRHLrGIL_I")
    assert secret is not None and secret.kind == "Person" and secret.props["super_secure"] is True
    czech = store.get_entity("gb-coh-psc/OE031044/psc/28NaTOioatSpvI7hNY3qz_fKYoI")
    assert czech is not None and czech.kind == "Company" and czech.props["country"] == "CZ"
    (oe,) = store.relations_of([czech.id], ["CONTROLS"])
    assert (oe.props["share_pct_min"], oe.props["share_pct_max"]) == (25, 100)
    bunyan = store.get_entity("gb-coh-psc/03136191/psc/55y0_U-Q2wwTXDXh6mmo0BJPpM8")
    assert bunyan is not None
    (band,) = store.relations_of([bunyan.id], ["CONTROLS"])
    assert (band.props["share_pct_min"], band.props["share_pct_max"], band.props["share_pct"]) == (25, 50, 25)


def test_psc_snapshot_jsonl_loads_once(store: Store, tmp_path: Path) -> None:
    path = FIXTURES / "psc-snapshot-sample.jsonl"
    report = load_ch_psc(store, path, tmp_path / "q").to_dict()
    assert (report["read"], report["loaded"], report["quarantined"]) == (19, 18, 1)
    assert report["entities_written"] == 36 and report["relations_written"] == 18
    with open(report["quarantine_file"], encoding="utf-8") as fh:
        (statement,) = list(csv.DictReader(fh))
    assert statement["row"] == "2" and "no-individual-or-entity-with-signficant-control" in statement["reason"]
    _check_psc_values(store)
    again = load_ch_psc(store, path, tmp_path / "q")
    assert (again.entities_written, again.relations_written) == (0, 0)


def test_officers_snapshot(store: Store, tmp_path: Path) -> None:
    path = FIXTURES / "officers-snapshot-sample.dat"
    report = load_ch_officers(store, path, tmp_path / "q")
    assert (report.read, report.loaded, report.quarantined, report.fields_dropped) == (13, 9, 4, 1)
    assert store.counts() == {"Company": 4, "Person": 4, "DIRECTOR_OF": 6}
    marcus = store.get_entity("gb-coh-officers/officer/204942900001")
    assert marcus is not None and marcus.props["name"] == "Marcus Ellery VANCE"
    assert marcus.props["dob"] == "1972-03" and marcus.props["officer_uid"] == "20494290"
    roles = {(r.target, r.props["role"], r.props.get("occupation")) for r in store.relations_of([marcus.id])}
    assert roles == {("gb-coh-officers/07654321", "director", "Company Director"),
                     ("gb-coh-officers/09871234", "director", "Car Wash Owner")}
    corporate = store.get_entity("gb-coh-officers/officer/300000010001")
    assert corporate is not None and corporate.kind == "Company" and corporate.props["country"] == "VG"
    (lena,) = store.relations_of(["gb-coh-officers/officer/204943100001"])
    assert (lena.props["role"], lena.props["end_date"]) == ("secretary", "2015-03-01")
    z = store.get_entity("gb-coh-officers/officer/410000040001")  # month 13 costs the appointment date only
    assert z is not None and z.props["dob"] == "1980-11"
    (late,) = store.relations_of([z.id])
    assert "start_date" not in late.props and late.props["start_date_raw"] == "20141319"
    with open(report.quarantine_file or "", encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    reasons = {int(r["row"]): r["reason"] for r in lines if r["level"] == "record"}
    (field,) = [r for r in lines if r["level"] == "field"]
    assert (field["row"], field["column"]) == ("11", "start_date") and "impossible date" in field["reason"]
    assert "appointment type" in reasons[10]
    assert "no company record" in reasons[12] and "record type" in reasons[13] and "blank" in reasons[14]
    assert store.get_meta("ch_officers_trailer:officers-snapshot-sample.dat")["matches"] is True
    again = load_ch_officers(store, path, tmp_path / "q")
    assert (again.entities_written, again.relations_written) == (0, 0)


def test_officer_update_files_are_refused(tmp_path: Path, sqlite_store: SQLiteStore) -> None:
    path = tmp_path / "upd.dat"
    path.write_text("DDDDUPDT289920210422\n9999999900000000\n", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="update files"):
        load_ch_officers(sqlite_store, path, tmp_path / "q")


def test_an_unterminated_quote_is_quarantined_not_fatal(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "basic.csv"
    path.write_text("CompanyName, CompanyNumber\nA LTD,01\n\"B LTD,02\nC LTD,03\n", encoding="utf-8")
    report = load_ch_basic(sqlite_store, path, tmp_path / "q")
    assert report.read == report.loaded + report.quarantined and report.loaded >= 1


def test_helpers() -> None:
    assert share_band(["right-to-share-surplus-assets-50-to-75-percent-limited-liability-partnership"]) == {
        "share_pct_min": 50, "share_pct_max": 75, "share_pct": 50}
    assert share_band(["significant-influence-or-control"]) == {}
    assert partial_dob({"year": 1970}) == "1970"
    assert country_code("Jersey, Channel Islands") == "JE" and country_code("BVI") == "VG"


def test_formats_are_detected() -> None:
    assert detect_format(FIXTURES / "psc-snapshot-sample.jsonl") == "ch-psc"
    assert detect_format(FIXTURES / "officers-snapshot-sample.dat") == "ch-officers"


def test_cli_loads_psc_jsonl(tmp_path: Path) -> None:
    def run() -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "--db", "x.db", "load", "--format", "ch-psc",
             str(FIXTURES / "psc-snapshot-sample.jsonl"), "--json", "--no-resolve"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    first = run()
    assert (first["read"], first["loaded"], first["quarantined"], first["reconciled"]) == (19, 18, 1, True)
    second = run()
    assert (second["entities_written"], second["relations_written"]) == (0, 0)


# --- the real corpus (tests/fixtures/real/companies-house, see SOURCES.md there) -----------------

# file, format, read, loaded, quarantined, fields_dropped
REAL_CORPUS = [
    ("BasicCompanyData-2021-prefix.csv", "ch-basic", 31, 31, 0, 0),
    ("basic-company-data-1.csv", "ch-basic", 1, 1, 0, 0),
    ("basic-company-data-1.unwrapped.csv", "ch-basic", 1, 1, 0, 0),
    ("Prod216_mini_snapshot.dat", "ch-officers", 5, 5, 0, 0),
    ("Prod216_snapshot_first10lines.dat", "ch-officers", 9, 9, 0, 0),
    ("psc-snapshot-chguide-line.txt", "ch-psc", 1, 1, 0, 0),
    ("psc-data-1.json", "ch-psc", 2, 1, 1, 0),  # the PSC statement names nobody
    ("psc-data-8.json", "ch-psc", 3, 3, 0, 0),
    *[(f"psc-data-{i}.json", "ch-psc", 1, 1, 0, 0) for i in (2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16)],
]


@pytest.mark.parametrize("case", corpus_params("companies-house", REAL_CORPUS))
def test_real_corpus_loads_with_expected_counts(case: Any, sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    check_corpus_file(sqlite_store, tmp_path / "q", *case)


def test_real_basic_company_data_values(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_ch_basic(sqlite_store, REAL / "BasicCompanyData-2021-prefix.csv", tmp_path / "q")
    assert report.notes["date_forms"] == {"IncorporationDate": {"DD/MM/YYYY": 31}, "PreviousName_1.CONDATE":
                                          {"DD/MM/YYYY": 4}}
    obac = sqlite_store.get_entity("gb-coh/07687209")
    assert obac is not None
    assert obac.props["previous_names"] == [{"name": "!OBAC FITTINGS LIMITED", "until": "2011-07-15"}]
    allwell = sqlite_store.get_entity("gb-coh/11191833")
    assert allwell is not None and allwell.props["name"] == '"ALLWELL" ORGANIC LTD'
    assert allwell.props["aliases"] == ['"ALLWELL" NATURAL HEALTH LTD']  # the register's doubled quotes, read
    guernsey = sqlite_store.get_entity("gb-coh/FC031362")
    assert guernsey is not None and guernsey.props["registration_numbers"] == ["gb-coh:FC031362"]
    assert guernsey.props["jurisdiction"] == "CHANNEL ISLANDS" and guernsey.props["country"] == "GG"
    cio = sqlite_store.get_entity("gb-coh/CE000952")  # a CIO with no registered office: no Address
    assert cio is not None and not sqlite_store.relations_of([cio.id], ["REGISTERED_AT"])
    assert sqlite_store.get_entity("gb-coh/SC606050").props["incorporated"] == "2018-08-22"
    # two companies at one Aberdeen address share one Address node
    (a,) = sqlite_store.relations_of(["gb-coh/SC606050"], ["REGISTERED_AT"])
    (b,) = sqlite_store.relations_of(["gb-coh/SC421617"], ["REGISTERED_AT"])
    assert a.target == b.target


def test_real_officers_snapshot_keeps_every_appointment(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    report = load_ch_officers(sqlite_store, REAL / "Prod216_snapshot_first10lines.dat", tmp_path / "q")
    assert sqlite_store.counts() == {"Company": 2, "Person": 6, "DIRECTOR_OF": 8}
    evans = sqlite_store.get_entity("gb-coh-officers/officer/038532340001")
    assert evans is not None and evans.props["dob"] == "1966-08" and evans.props["name"] == "DAVID ROY EVANS"
    terms = {(r.props["role"], r.props["start_date"], r.props["end_date"])
             for r in sqlite_store.relations_of([evans.id])}
    assert terms == {("secretary", "1995-06-01", "1999-02-01"), ("secretary", "1994-03-07", "1995-06-02")}
    secretary = sqlite_store.get_entity("gb-coh-officers/officer/900006800001")
    assert secretary is not None and secretary.kind == "Company" and "dob" not in secretary.props
    hawkins = sqlite_store.get_entity("gb-coh-officers/officer/103424200001")
    assert hawkins is not None and hawkins.props["honours"] == "FCCA"
    assert report.notes["date_forms"]["partial_dob"] == {"YYYY-MM": 7}
    assert sqlite_store.get_meta("ch_officers_trailer:Prod216_snapshot_first10lines.dat") is None  # a cut prefix
    load_ch_officers(sqlite_store, REAL / "Prod216_mini_snapshot.dat", tmp_path / "q")
    assert sqlite_store.get_meta("ch_officers_trailer:Prod216_mini_snapshot.dat")["matches"] is True
    with pytest.raises(InvalidRecord, match="update files"):
        load_ch_officers(sqlite_store, REAL / "Prod198_update_prefix.dat", tmp_path / "q")


def test_real_psc_line(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    load_ch_psc(sqlite_store, REAL / "psc-snapshot-chguide-line.txt", tmp_path / "q")
    nga = sqlite_store.get_entity("gb-coh-psc/09145694/psc/bIhuKnMFctSnjrDjUG8n3NgOrlU")
    assert nga is not None and nga.props["dob"] == "1977-02" and nga.props["nationality"] == "Vietnamese"
    (ctl,) = sqlite_store.relations_of([nga.id], ["CONTROLS"])
    assert (ctl.props["start_date"], ctl.props["end_date"], ctl.props["share_pct_min"]) == ("2016-04-06",
                                                                                            "2018-05-14", 50)


# --- company numbers, partial dates of birth, super-secure PSCs ------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("7654321", "07654321"), ("07654321", "07654321"), ("SC1234", "SC001234"), ("sc 001234", "SC001234"),
    ("NI12345", "NI012345"), ("OC301234", "OC301234"), ("SO1", "SO000001"), ("NC12", "NC000012"),
    ("FC31362", "FC031362"), ("OE31044", "OE031044"), ("R123", "R0000123"), ("IP10067R", "IP10067R"),
    ("41-0406690", "410406690"), ("", None), (None, None), ("SC1234567", "SC1234567"),
])
def test_company_numbers_are_padded_to_the_register_form(raw: str | None, clean: str | None) -> None:
    assert company_number(raw) == clean


def _psc_lines(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_psc_numbers_dates_and_soft_fields(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    individual = {"kind": "individual-person-with-significant-control", "name": "Mr Joe Bloggs",
                  "links": {"self": "/company/01234567/persons-with-significant-control/individual/abc"},
                  "natures_of_control": ["ownership-of-shares-25-to-50-percent"], "notified_on": "2016-04-06"}
    path = _psc_lines(tmp_path / "psc.jsonl", [
        # 7 digits, as a spreadsheet leaves it; the register link has the 8
        {"company_number": "1234567", "data": individual | {"date_of_birth": {"month": 10, "year": 1955}}},
        {"company_number": "1234567", "data": individual | {  # a bad dob and nationality cost themselves
            "links": {"self": "/company/1234567/persons-with-significant-control/individual/def"},
            "name": "Mrs Jo Bloggs", "date_of_birth": {"month": 13, "year": 1955}, "nationality": {"x": 1},
            "notified_on": "2016-02-30"}},
        {"company_number": "SC1234", "data": {"kind": "corporate-entity-person-with-significant-control",
                                              "name": "FOO BAR LIMITED", "links": {"self": "/company/SC001234/p/1"},
                                              "identification": {"country_registered": "England",
                                                                 "registration_number": "89101"}}},
        {"company_number": "SC1234", "data": {"kind": "legal-person-person-with-significant-control",
                                              "name": "STATE OF X", "links": {"self": "/company/SC001234/p/2"},
                                              "identification": {"country_registered": "Nevis",
                                                                 "registration_number": "89101"}}},
        {"company_number": "1234567", "data": {"kind": "super-secure-person-with-significant-control",
                                               "links": {"self": "/company/1234567/p/super-secure/s1"}}},
    ])
    report = load_ch_psc(sqlite_store, path, tmp_path / "q")
    assert (report.read, report.loaded, report.quarantined, report.fields_dropped) == (5, 5, 0, 3)
    joe = sqlite_store.get_entity("gb-coh-psc/01234567/psc/abc")
    assert joe is not None and joe.props["dob"] == "1955-10"  # month and year, never a day
    jo = sqlite_store.get_entity("gb-coh-psc/01234567/psc/def")
    assert jo is not None and "dob" not in jo.props and "nationality" not in jo.props
    assert "1955" in jo.props["dob_raw"] and "nationality_raw" in jo.props
    (late,) = sqlite_store.relations_of([jo.id], ["CONTROLS"])
    assert late.props["start_date_raw"] == "2016-02-30" and late.target == "gb-coh-psc/01234567"
    foo = sqlite_store.get_entity("gb-coh-psc/SC001234/psc/1")
    assert foo is not None and foo.props["company_number"] == "00089101"  # registered in England: padded
    assert foo.props["registration_numbers"] == ["gb-coh:00089101"]
    state = sqlite_store.get_entity("gb-coh-psc/SC001234/psc/2")
    assert state is not None and state.props["company_number"] == "89101" and "registration_numbers" not in state.props
    secret = sqlite_store.get_entity("gb-coh-psc/01234567/psc/s1")
    assert secret is not None and secret.props["super_secure"] is True
    controlled = sqlite_store.get_entity("gb-coh-psc/01234567")
    assert controlled is not None and controlled.props["registration_numbers"] == ["gb-coh:01234567"]
    with open(report.quarantine_file or "", encoding="utf-8") as fh:
        fields = sorted((r["row"], r["column"]) for r in csv.DictReader(fh) if r["level"] == "field")
    assert fields == [("2", "dob"), ("2", "nationality"), ("2", "start_date")]


@pytest.mark.parametrize(("value", "dob"), [
    ({"month": 3, "year": 1979}, "1979-03"), ({"year": 1970}, "1970"), ({"month": "3", "year": "1979"}, "1979-03"),
    ({}, None), (None, None),
])
def test_partial_dob(value: Any, dob: str | None) -> None:
    assert partial_dob(value) == dob


@pytest.mark.parametrize("value", [{"month": 13, "year": 1979}, {"month": 3}, {"year": "x"}, {"year": True},
                                   {"month": [1], "year": 1970}, "1979-03", 1979])
def test_partial_dob_refuses(value: Any) -> None:
    with pytest.raises(InvalidRecord):
        partial_dob(value)


# --- hostile input -------------------------------------------------------------------------------

HOSTILE = st.text(alphabet=st.sampled_from('ab1 ,"\n\r\t;/-£\ufeff\x00é{}[]:0'), max_size=12)
BASIC_HEADER = ["CompanyName", " CompanyNumber", "RegAddress.CareOf", "RegAddress.AddressLine1",
                "RegAddress.PostTown", "RegAddress.Country", "RegAddress.PostCode", "CompanyStatus",
                "CountryOfOrigin", "DissolutionDate", "IncorporationDate", "SICCode.SicText_1",
                "PreviousName_1.CONDATE", " PreviousName_1.CompanyName"]
DATES = ["", "01/02/2003", "2003-02-01", "Mar-2003", "2003", "31/02/2003", "13/13/2013", "yesterday", "0/0/0",
         "03/23/2003"]


def _date(rng: random.Random) -> str:
    """Mostly good dates (so most rows load and the store is exercised), sometimes hostile."""
    return rng.choice(DATES) if rng.random() < 0.1 else rng.choice(DATES[:5])


def _basic_file(path: Path, cells: list[str], seed: int) -> None:
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as fh:
        writer = csv.writer(fh)
        writer.writerow(BASIC_HEADER)
        for i in range(HOSTILE_ROWS):
            shape = rng.random()
            if shape < 0.03:  # (an unterminated quote is tested apart: it merges rows, so keys repeat)
                fh.write(rng.choice(["\n", ",,,\n", "x\n", "\r\n"]))
                continue
            row = [rng.choice(cells) for _ in BASIC_HEADER]
            row[1] = "" if shape < 0.06 else f"{i:08d}{rng.choice(cells)}"
            row[9], row[10], row[12] = _date(rng), _date(rng), _date(rng)
            if shape > 0.97:
                row = row[: rng.randrange(len(row))] if shape > 0.985 else [*row, "extra"]
            writer.writerow(row)


def _reconciles_and_is_idempotent(load: Any, path: Path, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / f"{path.stem}.db") as store:
        first = load(store, path, tmp_path / "q")
        assert first.read == first.loaded + first.quarantined
        assert all(f.reconciles for f in first.files.values())
        again = load(store, path, tmp_path / "q")
        assert (again.read, again.loaded, again.quarantined) == (first.read, first.loaded, first.quarantined)
        assert (again.entities_written, again.relations_written) == (0, 0)


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), phases=NO_SHRINK)
@given(cells=st.lists(HOSTILE, min_size=3, max_size=30), seed=st.integers(0, 2**32))
def test_hostile_basic_company_data(cells: list[str], seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp_path = tmp_path_factory.mktemp("hostile-basic")
    path = tmp_path / "basic.csv"
    _basic_file(path, cells, seed)
    _reconciles_and_is_idempotent(load_ch_basic, path, tmp_path)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE, inner, max_size=3),
                           max_leaves=6)
PSC_KINDS = ["individual-person-with-significant-control", "corporate-entity-person-with-significant-control",
             "legal-person-beneficial-owner", "super-secure-person-with-significant-control",
             "persons-with-significant-control-statement", "totals#persons-of-significant-control-snapshot",
             "something-else", ""]


def _psc_line(rng: random.Random, values: list[Any], i: int) -> str:
    shape = rng.random()
    if shape < 0.04:
        return rng.choice(["{", "not json", "[1, 2", '"a string"', "null", "[" * 5000, "{}", "1e999"])
    def pick(good: Any = None) -> Any:
        return rng.choice(values) if good is None or rng.random() < 0.05 else good

    data: dict[str, Any] = {
        "kind": pick(rng.choice(PSC_KINDS[:4]) if rng.random() < 0.9 else rng.choice(PSC_KINDS)),
        "name": pick(f"Person {i}"),
        # ids stay unique (the register's links are): a hostile link comes with a unique name
        "links": rng.choice([{"self": f"/company/X/psc/individual/{i}"}, {"self": f"/p/{i}/{pick('x')}"}]),
        "natures_of_control": pick(rng.choice([["ownership-of-shares-25-to-50-percent"], [pick("x")],
                                               ["voting-rights-more-than-25-percent",
                                                "ownership-of-shares-90-to-10-percent"]])),
        "date_of_birth": pick(rng.choice([{"month": 3, "year": 1970}, {"month": 13, "year": 1970}, None])),
        "notified_on": pick(rng.choice(["2016-04-06", "06/04/2016", "2016-02-30"])),
        "address": pick({"premises": pick("1"), "postal_code": pick("AB1 2CD")}),
        "identification": pick({"registration_number": pick("123"), "country_registered": pick("Jersey")}),
        "name_elements": pick({"forename": pick("A"), "surname": "X"}),
    }
    if rng.random() < 0.05:
        data["links"] = pick()
        data["name"] = f"Person {i}"
    if shape < 0.08:
        data = pick()
    record = {"company_number": pick(f"{i % 997:08d}"), "data": data}
    return json.dumps(record if shape > 0.02 else pick())


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), phases=NO_SHRINK)
@given(values=st.lists(JSON_VALUES, min_size=3, max_size=30), seed=st.integers(0, 2**32))
def test_hostile_psc_jsonl(values: list[Any], seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp_path = tmp_path_factory.mktemp("hostile-psc")
    rng = random.Random(seed)
    path = tmp_path / "psc.jsonl"
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as fh:
        for i in range(HOSTILE_ROWS):
            fh.write(_psc_line(rng, values, i) + "\n")
    _reconciles_and_is_idempotent(load_ch_psc, path, tmp_path)
    array = tmp_path / "psc.json"
    with open(path, encoding="utf-8") as src, open(array, "w", encoding="utf-8") as fh:
        fh.write("[\n" + ",\n".join(line.rstrip("\n") for line in src) + "\n]\n")
    with SQLiteStore(tmp_path / "array.db") as store:
        report = load_ch_psc(store, array, tmp_path / "q")
        assert report.read == report.loaded + report.quarantined


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), phases=NO_SHRINK)
@given(cells=st.lists(HOSTILE, min_size=3, max_size=30), seed=st.integers(0, 2**32))
def test_hostile_officers(cells: list[str], seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp_path = tmp_path_factory.mktemp("hostile-officers")
    rng = random.Random(seed)
    good = (FIXTURES / "officers-snapshot-sample.dat").read_text(encoding="utf-8").splitlines()[1:9]
    lines = ["DDDDSNAP289820210421"]
    company = "00000000"
    for i in range(HOSTILE_ROWS):
        line = rng.choice(good)
        if line[8] == "1":  # each company once (a snapshot lists a company once), its officers after it
            company = f"C{i:07d}"
            line = company + line[8:]
        else:  # a unique appointment: the person number carries the row index
            line = company + line[8:12] + f"{i:012d}" + line[24:]
        roll = rng.random()
        if roll < 0.05:  # garbage record/appointment type (never "1": a second record for one company)
            line = line[:8] + rng.choice("39XY ") + "".join(rng.choice("129XY ") for _ in range(3)) + line[12:]
        elif roll < 0.25:  # hostile text anywhere after the keys (dates, lengths, names, addresses)
            at = rng.randrange(24, len(line) + 1)
            line = (line[:at] + rng.choice(cells) + line[at + rng.randrange(3):]).replace("\n", " ").replace("\r", " ")
        lines.append(line)
    path = tmp_path / "officers.dat"
    path.write_text("\n".join([*lines, "9999999900000001"]) + "\n", encoding="utf-8", errors="surrogatepass")
    _reconciles_and_is_idempotent(load_ch_officers, path, tmp_path)
