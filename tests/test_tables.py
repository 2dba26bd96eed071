"""GPCI, LOCCO, ANES and OPPSCAP: stripped zeros, footnotes, blank lines, stars, trailing spaces."""

from decimal import Decimal

import pytest

from tests import cms_format as cms
from transforms.errors import CmsFileError
from transforms.releases.anes import parse_anes
from transforms.releases.gpci import parse_gpci
from transforms.releases.locco import parse_locco
from transforms.releases.oppscap import parse_oppscap


def test_gpci_restores_stripped_zeros_and_skips_footnotes():
    frame = parse_gpci(
        cms.gpci(
            [
                "10112,AL,0,ALABAMA,1,0.869,0.575",
                "2102,AK,1,ALASKA*,1.5,1.081,0.592",
                '1212,HI,1,"HAWAII, GUAM",1,1.149,0.561',
            ]
        ),
        "GPCI2099.csv",
    )
    assert frame["mac"].to_list() == ["10112", "02102", "01212"]
    assert frame["locality"].to_list() == ["00", "01", "01"]
    assert frame["locality_name"].to_list()[2] == "HAWAII, GUAM"
    assert frame["work_gpci"].to_list()[1] == Decimal("1.5")


def test_gpci_with_both_work_columns_prices_with_the_catalog_choice():
    labels = "2099 PW GPCI (without 1.0 Floor),2099 PW GPCI (with 1.0 Floor)"
    data = cms.gpci(["10112,AL,00,ALABAMA,0.95,1.000,0.869,0.575"], work_labels=labels)
    floored = parse_gpci(data, "GPCI2099.csv", work_gpci_floor=True).row(0, named=True)
    unfloored = parse_gpci(data, "GPCI2099.csv", work_gpci_floor=False).row(0, named=True)
    assert floored["work_gpci"] == Decimal("1.000") and unfloored["work_gpci"] == Decimal("0.950")
    assert floored["work_gpci_without_floor"] == Decimal("0.950")


def test_gpci_text_in_the_data_block_is_an_error_not_a_silent_drop():
    with pytest.raises(CmsFileError) as error:
        parse_gpci(cms.gpci(["10112,AL,00,ALABAMA,1,0.869,0.575", "Total,AL,00,X,1,1,1"]), "GPCI2099.csv")
    assert error.value.line == 5 and "Total" in str(error.value)


def test_locco_carries_state_down_pads_zeros_marks_two_macs_and_collapses_repeats():
    frame = parse_locco(
        cms.locco(
            [
                '5302,2,MISSOURI ,METROPOLITAN KANSAS CITY,"CLAY, JACKSON AND PLATTE"',
                "5302,99,,REST OF STATE* ,ALL OTHER COUNTIES ",
                "5302,99,,REST OF STATE*,ALL OTHER COUNTIES",
                ",,,,",
                "1212,1,HAWAII/GUAM ,STATEWIDE ,ALL COUNTIES ",
            ]
        ),
        "99LOCCO.csv",
    )
    assert frame.height == 3
    rows = {(r["mac"], r["locality"]): r for r in frame.iter_rows(named=True)}
    rest = rows[("05302", "99")]
    assert rest["state"] == "MO" and rest["state_name"] == "MISSOURI"
    assert rest["served_by_two_macs"] is True and rest["fee_schedule_area"] == "REST OF STATE"
    assert rows[("05302", "02")]["counties"] == "CLAY, JACKSON AND PLATTE"
    assert rows[("01212", "01")]["state"] == "HI"


def test_locco_conflicting_repeat_is_an_error():
    with pytest.raises(CmsFileError, match="duplicate key"):
        parse_locco(cms.locco(["5302,99,MISSOURI,REST OF STATE,ALL", "5302,99,,ELSEWHERE,SOME"]), "99LOCCO.csv")


def test_anes_reads_national_cf_from_the_label_and_strips_spaces():
    frame = parse_anes(cms.anes(["10112 ,00 ,ALABAMA,19.31 ", "02102 ,01 ,ALASKA*,27.86 "]), "ANES2099.csv")
    assert frame["mac"].to_list() == ["10112", "02102"]
    assert frame["anesthesia_cf_usd"].to_list() == [Decimal("19.31"), Decimal("27.86")]
    assert set(frame["national_anesthesia_cf_usd"].to_list()) == {Decimal("20.3178")}


def test_oppscap_reads_cms_misspelt_header_and_ignores_the_empty_last_line():
    frame = parse_oppscap(
        cms.oppscap(["93990,TC,A,1112,17,92.19,92.20", "0633T,TC,C,01182,18,126.90,126.90"]), "OPPSCAP_Test.csv"
    )
    first = frame.row(0, named=True)
    assert frame.height == 2
    assert (first["mac"], first["locality"]) == ("01112", "17")
    assert (first["opps_cap_facility_usd"], first["opps_cap_nonfacility_usd"]) == (Decimal("92.19"), Decimal("92.20"))


def test_empty_file_is_named():
    with pytest.raises(CmsFileError, match="GPCI2099.csv: the file is empty"):
        parse_gpci(b"", "GPCI2099.csv")
