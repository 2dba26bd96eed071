"""PPRRVU parsing: every year's layout by its stacked labels, and loud failures naming file, line, column."""

from decimal import Decimal

import pytest

from tests import cms_format as cms
from transforms.errors import CmsFileError
from transforms.releases.pprrvu import parse_pprrvu
from transforms.releases.release import parse_release, validate_release


def test_2025_layout_maps_stacked_labels_and_keeps_quoted_commas():
    data = cms.pprrvu(
        [
            cms.pprrvu_row("0001F", status="I", work="0.00", nf_pe="0.00", f_pe="0.00", mp="0.00"),
            cms.pprrvu_row("80161", desc='"Asy carbamazepin 10,11-epxid"', status="X"),
            cms.pprrvu_row("97140", work="0.43", nf_pe="0.40", f_pe="0.40", f_na="NA", mp="0.01"),
        ]
    )
    parsed = parse_pprrvu(data, "PPRRVU2099_Test.csv")
    rows = {r["hcpcs"]: r for r in parsed.rows.iter_rows(named=True)}
    assert rows["80161"]["description"] == "Asy carbamazepin 10,11-epxid"
    assert rows["0001F"]["hcpcs"] == "0001F" and rows["0001F"]["modifier"] == ""
    assert rows["97140"]["facility_na"] is True and rows["97140"]["nonfacility_na"] is False
    assert rows["97140"]["work_rvu"] == Decimal("0.43")
    assert rows["97140"]["nonfacility_total_rvu"] == Decimal("0.84")
    assert parsed.conversion_factor_usd == Decimal("32.3465")
    assert str(parsed.released_on) == "2099-06-30"
    assert parsed.rows["pricing_ind"].null_count() == 3  # no PRIC IND before 2026


def test_2026_layout_with_pric_ind_and_both_cf_variants():
    rows = [cms.pprrvu_row("99213", cf="33.4009", pric="9")]
    non_qp = parse_pprrvu(cms.pprrvu(rows, cms.HEADER_2026), "PPRRVU2099_Jul_nonQPP.csv")
    qp = parse_pprrvu(
        cms.pprrvu([cms.pprrvu_row("99213", cf="33.5675", pric="9")], cms.HEADER_2026), "PPRRVU2099_Jul_QPP.csv"
    )
    assert non_qp.rows["pricing_ind"].to_list() == ["9"]
    assert (non_qp.cf_variant, qp.cf_variant) == ("non_qp", "qp")
    assert (non_qp.conversion_factor_usd, qp.conversion_factor_usd) == (Decimal("33.4009"), Decimal("33.5675"))
    assert non_qp.rows["endo_base"].to_list() == [None]  # the column after PRIC IND is still ENDO BASE


def test_dos_end_of_file_line_is_not_a_row():
    data = cms.pprrvu([cms.pprrvu_row("99213")], tail="\x1a" + "," * 30 + "\r\n")
    assert parse_pprrvu(data, "PPRRVU99_JAN.csv").rows.height == 1


def test_unknown_layout_names_file_and_unmatched_labels():
    header = list(cms.HEADER_2025)
    header[-1] = header[-1].replace(
        "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,", "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,UNITS,"
    )
    with pytest.raises(CmsFileError) as error:
        parse_pprrvu(cms.pprrvu([cms.pprrvu_row("99213")], header), "PPRRVU2099_New.csv")
    message = str(error.value)
    assert "PPRRVU2099_New.csv" in message
    assert "'WORK UNITS' (column 6)" in message
    assert "missing columns: 'WORK RVU'" in message


def test_non_numeric_rvu_names_line_and_column():
    data = cms.pprrvu([cms.pprrvu_row("99212"), cms.pprrvu_row("99213", work="1.O0")])
    with pytest.raises(CmsFileError) as error:
        parse_pprrvu(data, "PPRRVU2099_Test.csv")
    assert (error.value.file, error.value.line, error.value.column) == ("PPRRVU2099_Test.csv", 12, "work_rvu")


def test_more_decimals_than_the_layout_is_an_error_not_a_rounding():
    data = cms.pprrvu([cms.pprrvu_row("99213", mp="0.105")])
    with pytest.raises(CmsFileError, match="0.105"):
        parse_pprrvu(data, "PPRRVU2099_Test.csv")


def test_bad_na_indicator_is_an_error():
    data = cms.pprrvu([cms.pprrvu_row("99213", f_na="N/A")])
    with pytest.raises(CmsFileError, match="expected 'NA' or empty"):
        parse_pprrvu(data, "PPRRVU2099_Test.csv")


def test_duplicate_code_and_modifier_fails_validation_naming_the_line():
    data = cms.pprrvu([cms.pprrvu_row("99213"), cms.pprrvu_row("99213", mod="26"), cms.pprrvu_row("99213")])
    parsed = parse_release({"pprrvu": ("PPRRVU2099_Test.csv", data)})
    with pytest.raises(CmsFileError) as error:
        validate_release(parsed)
    assert "primary_key" in str(error.value) and error.value.line in (11, 13)


def test_negative_rvu_fails_validation():
    parsed = parse_release({"pprrvu": ("PPRRVU2099_Test.csv", cms.pprrvu([cms.pprrvu_row("99213", work="-1.00")]))})
    with pytest.raises(CmsFileError) as error:
        validate_release(parsed)
    assert error.value.column == "work_rvu" and error.value.line == 11


def test_release_without_other_files_validates_to_empty_tables():
    parsed = parse_release({"pprrvu": ("PPRRVU2099_Test.csv", cms.pprrvu([cms.pprrvu_row("99213")]))})
    tables = validate_release(parsed)
    assert parsed.missing == ["gpci", "locco", "anes", "oppscap"]
    assert tables["rvu"].height == 1 and tables["gpci"].height == 0
    assert "work_gpci" in tables["gpci"].columns
