"""The fixed-width .txt forms read like the .csv forms of the same rows (fixtures with awkward cases)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from polars.testing import assert_frame_equal

from tests import cms_format as cms
from transforms.releases.anes import parse_anes
from transforms.releases.gpci import parse_gpci
from transforms.releases.locco import parse_locco
from transforms.releases.oppscap import parse_oppscap
from transforms.releases.pprrvu import parse_pprrvu

# (hcpcs, options): a component code, NA in either setting, a "not used for Medicare payment" flag, a
# description longer than the field and a Latin-1 letter.
SERVICES = [
    ("97140", {"work": "0.43", "nf_pe": "0.40", "f_pe": "0.40", "f_na": "NA", "mp": "0.01"}),
    ("76145", {"mod": "26", "work": "1.20", "nf_pe": "0.45", "f_pe": "0.45", "mp": "0.06"}),
    ("76145", {"mod": "TC", "work": "0.00", "nf_pe": "12.31", "nf_na": "", "f_pe": "0.00", "f_na": "NA"}),
    ("22526", {"status": "N", "not_used": "+", "work": "5.85", "nf_pe": "49.39", "f_pe": "3.38", "mp": "0.60"}),
    ("G0480", {"desc": "Drug test def 1-7 classes caf\xe9 and more words past fifty characters"}),
]


def _without_lines(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop("source_line")


def test_pprrvu_txt_gives_the_rows_of_the_csv():
    csv = cms.pprrvu([cms.pprrvu_row(code, **options) for code, options in SERVICES])
    txt = cms.pprrvu_txt([cms.pprrvu_txt_row(code, **options) for code, options in SERVICES], tail="\x1a")
    from_csv = parse_pprrvu(csv, "PPRRVU2099_Test.csv").rows
    from_txt = parse_pprrvu(txt, "PPRRVU2099_Test.txt")
    # the .txt field holds 50 characters of the description, as CMS's .csv does in practice
    expected = from_csv.with_columns(pl.col("description").str.slice(0, 50).str.strip_chars())
    assert_frame_equal(_without_lines(from_txt.rows), _without_lines(expected))
    assert from_txt.rows["source_line"].to_list() == [4, 5, 6, 7, 8]  # after the three HDR lines
    assert from_txt.conversion_factor_usd == Decimal("32.3465")
    assert from_txt.released_on is None  # the .txt has no RELEASED line


def test_gpci_txt_gives_the_rows_of_the_csv_and_skips_its_footnotes():
    csv = cms.gpci(["10112,AL,0,ALABAMA,1,0.869,0.575", "2102,AK,1,ALASKA*,1.5,1.081,0.592"])
    txt = cms.gpci_txt(
        [
            ("10112", "AL", "00", "ALABAMA", "1.000", "0.869", "0.575"),
            ("02102", "AK", "01", "ALASKA*", "1.500", "1.081", "0.592"),
        ]
    )
    assert_frame_equal(_without_lines(parse_gpci(txt, "GPCI2099.txt")), _without_lines(parse_gpci(csv, "GPCI2099.csv")))


def test_locco_txt_carries_the_state_down_within_its_group():
    txt = cms.locco_txt(
        [
            [("10112", "00", "ALABAMA", "STATEWIDE", "ALL COUNTIES")],
            [
                ("01182", "18", "CALIFORNIA", "LOS ANGELES-LONG BEACH-ANAHEIM", "LOS ANGELES/ORANGE"),
                ("01112", "75", "", "REST OF STATE*", "ALL OTHER COUNTIES"),
            ],
        ]
    )
    csv = cms.locco(
        [
            "10112,0,ALABAMA ,STATEWIDE ,ALL COUNTIES ",
            ",,,,",
            "1182,18,CALIFORNIA,LOS ANGELES-LONG BEACH-ANAHEIM,LOS ANGELES/ORANGE",
            "1112,75,,REST OF STATE*,ALL OTHER COUNTIES",
        ]
    )
    from_txt = parse_locco(txt, "99LOCCO.txt")
    assert_frame_equal(_without_lines(from_txt), _without_lines(parse_locco(csv, "99LOCCO.csv")))
    assert from_txt["state"].to_list() == ["AL", "CA", "CA"]
    assert from_txt["served_by_two_macs"].to_list() == [False, False, True]


def test_anes_txt_reads_the_implied_decimals_and_has_no_national_cf():
    txt = cms.anes_txt(
        [("10112", "00", "ALABAMA", "1931"), ("02102", "01", "ALASKA", "2786"), ("09202", "50", "X", "5")]
    )
    frame = parse_anes(txt, "ANES2099.txt")
    assert frame["anesthesia_cf_usd"].to_list() == [Decimal("19.31"), Decimal("27.86"), Decimal("0.05")]
    assert frame["national_anesthesia_cf_usd"].to_list() == [None, None, None]
    assert frame["source_line"].to_list() == [1, 2, 3]


def test_oppscap_txt_gives_the_rows_of_the_csv():
    csv = cms.oppscap(["0633T,TC,C,1112,5,150.69,150.69", "70450,,A,10112,0,80.01,95.10"])
    txt = cms.oppscap_txt(
        [("0633T", "TC", "C", "01112", "05", "150.69", "150.69"), ("70450", "", "A", "10112", "00", "80.01", "95.10")]
    )
    from_txt = parse_oppscap(txt, "OPPSCAP_Test.txt")
    assert_frame_equal(_without_lines(from_txt), _without_lines(parse_oppscap(csv, "OPPSCAP_Test.csv")))
    assert from_txt.row(1, named=True)["opps_cap_nonfacility_usd"] == Decimal("95.10")
