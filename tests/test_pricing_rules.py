"""Each payment rule of `pfs price` on a synthetic lake in CMS's format (no ../shared needed): the expected amounts
are computed here in Decimal from the rows this module writes, by the rule as CMS and its contractors state it
(docs/pricing.md gives the sources), never from pfs's tables or output."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests import cms_format as cms
from tests.claims import price_rows
from transforms.periods import stretches

GPCI = {"work": Decimal("1"), "pe": Decimal("0.869"), "mp": Decimal("0.575")}  # Alabama, 10112/00
CF = Decimal("32.3465")
CENT = Decimal("0.01")
# (hcpcs, modifier) -> the PPRRVU columns this module writes; work, non-facility PE, MP
ROWS: dict[tuple[str, str], dict[str, str]] = {
    ("99213", ""): {"work": "1.30", "nf_pe": "1.20", "f_pe": "0.50", "mp": "0.10", "glob": "XXX", "mult": "0",
                    "pre": "0.00", "intra": "0.00", "post": "0.00"},
    ("99214", ""): {"work": "1.92", "nf_pe": "1.60", "f_pe": "0.70", "mp": "0.13", "glob": "XXX", "mult": "0",
                    "bilat": "9"},
    ("10060", ""): {"work": "1.50", "nf_pe": "2.00", "f_pe": "1.20", "mp": "0.20", "glob": "010", "mult": "2"},
    ("27447", ""): {"work": "20.00", "nf_pe": "15.00", "f_pe": "15.00", "mp": "3.00", "glob": "090", "mult": "2",
                    "pre": "0.09", "intra": "0.84", "post": "0.07", "asst": "2", "co": "2", "bilat": "1"},
    ("45378", ""): {"work": "3.26", "nf_pe": "6.00", "f_pe": "1.50", "mp": "0.30", "glob": "000", "mult": "2"},
    ("45378", "53"): {"work": "1.63", "nf_pe": "3.00", "f_pe": "0.75", "mp": "0.15", "glob": "000", "mult": "2"},
    # imaging (MULT PROC 4): 73721's technical component is the larger, 76700's professional component and global
    # fee are: ranked by the global fee, the order would be the other way round
    ("73721", ""): {"work": "1.35", "nf_pe": "5.50", "f_pe": "5.50", "mp": "0.15", "pctc": "1", "mult": "4"},
    ("73721", "26"): {"work": "1.35", "nf_pe": "0.50", "f_pe": "0.50", "mp": "0.10", "pctc": "1", "mult": "4"},
    ("73721", "TC"): {"work": "0.00", "nf_pe": "5.00", "f_pe": "5.00", "mp": "0.05", "pctc": "1", "mult": "4"},
    ("76700", ""): {"work": "3.00", "nf_pe": "5.50", "f_pe": "5.50", "mp": "0.25", "pctc": "1", "mult": "4"},
    ("76700", "26"): {"work": "3.00", "nf_pe": "1.00", "f_pe": "1.00", "mp": "0.20", "pctc": "1", "mult": "4"},
    ("76700", "TC"): {"work": "0.00", "nf_pe": "4.50", "f_pe": "4.50", "mp": "0.05", "pctc": "1", "mult": "4"},
    ("71046", ""): {"work": "0.22", "nf_pe": "0.70", "f_pe": "0.70", "mp": "0.02", "pctc": "1", "mult": "4"},
    ("71046", "26"): {"work": "0.22", "nf_pe": "0.10", "f_pe": "0.10", "mp": "0.01", "pctc": "1", "mult": "4"},
    ("71046", "TC"): {"work": "0.00", "nf_pe": "0.60", "f_pe": "0.60", "mp": "0.01", "pctc": "1", "mult": "4"},
    ("97110", ""): {"work": "0.45", "nf_pe": "0.50", "f_pe": "0.20", "mp": "0.02", "mult": "5"},
    # a technical-only cardiovascular code (PCTC 3, no TC row): all of it is the technical part
    ("93005", ""): {"work": "0.00", "nf_pe": "0.30", "f_pe": "0.30", "mp": "0.01", "pctc": "3", "mult": "6"},
}  # fmt: skip
# the same rows published as four releases, each in force on its quarter's days
DAYS = {"RVU21A": "2021-02-01", "RVU22A": "2022-02-01", "RVU23A": "2023-02-01", "RVU25D": "2025-11-03"}


def fee(hcpcs: str, modifier: str = "") -> Decimal:
    """The non-facility locality fee in Alabama: (work x 1 + PE x 0.869 + MP x 0.575) x CF, half up to cents."""
    row = ROWS[(hcpcs, modifier)]
    amount = Decimal(row["work"]) * GPCI["work"] + Decimal(row["nf_pe"]) * GPCI["pe"] + Decimal(row["mp"]) * GPCI["mp"]
    return cents(amount * CF)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def rules_lake(tmp_path_factory, prefect) -> Path:
    from flows.releases.flow import refresh

    root = tmp_path_factory.mktemp("rules")
    folder = root / "release"
    folder.mkdir()
    lines = [cms.pprrvu_row(hcpcs, mod=modifier, **columns) for (hcpcs, modifier), columns in ROWS.items()]
    (folder / "PPRRVU2099_Test.csv").write_bytes(cms.pprrvu(lines))
    (folder / "GPCI2099.csv").write_bytes(cms.gpci(cms.GPCI_ALABAMA))
    lake = root / "lake"
    for release in DAYS:
        refresh(release=release, source=str(folder), lake=str(lake))
    return lake


def priced(lake: Path, folder: Path, *lines: dict) -> list[dict]:
    """The lines (defaults: one unit in an office in Alabama in RVU25D's quarter, one claim) priced through a CSV."""
    rows = [{"claim_id": "C1", "line": str(i + 1), "modifiers": "", "units": "1", "place_of_service": "11",
             "date_of_service": DAYS["RVU25D"], "mac": "10112", "locality": "00", "provider_kind": "",
             "participating": "", **line} for i, line in enumerate(lines)]  # fmt: skip
    return price_rows(lake, folder, rows)


def allowed(line: dict) -> Decimal:
    assert line["status"] == "priced", line
    return Decimal(line["allowed_usd"])


# -- the global surgery split (ch. 12 s. 40.2, 40.4) ---------------------------------------------------------------


def test_surgical_care_only_is_paid_the_pre_and_intra_operative_shares(rules_lake, tmp_path):
    """Palmetto GBA: pre-op 10% and intra-op 80% make 90% of the fee; here 27447's 9% + 84%."""
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "27447", "modifiers": "54"})
    assert allowed(line) == cents(fee("27447") * Decimal("0.93"))
    assert "surgical care only (modifier 54)" in line["reasons"] and "93% of the global fee" in line["reasons"]


def test_post_operative_care_only_is_paid_for_the_days_given_in_units(rules_lake, tmp_path):
    """45 of 90 days of post-operative care: half of the post-operative share, the days reported as units."""
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "27447", "modifiers": "55", "units": "45"})
    assert allowed(line) == cents(fee("27447") * Decimal("0.07") * 45 / 90)
    assert "45 of 90 days" in line["reasons"]


def test_post_operative_care_on_a_code_without_a_global_period_is_not_priced(rules_lake, tmp_path):
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "99213", "modifiers": "55"})
    assert line["status"] == "not_priced" and "GLOB DAYS XXX" in line["reasons"]


def test_two_days_of_post_operative_care_are_days_not_a_bilateral_procedure(rules_lake, tmp_path):
    """27447 is bilateral by BILAT SURG 1, but 55's two units are days: 2/90 of the post-operative share."""
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "27447", "modifiers": "55", "units": "2"})
    assert allowed(line) == cents(fee("27447") * Decimal("0.07") * 2 / 90)
    assert "bilateral" not in line["reasons"]


def test_a_split_on_a_code_without_shares_is_by_report_and_two_splits_on_a_line_are_refused(rules_lake, tmp_path):
    no_shares, both = priced(rules_lake, tmp_path, {"hcpcs": "99213", "modifiers": "54"},
                             {"hcpcs": "27447", "modifiers": "54 55", "claim_id": "C2"})  # fmt: skip
    assert no_shares["status"] == "by_report" and "GLOB DAYS XXX" in no_shares["reasons"]
    assert both["status"] == "not_priced" and "54 and 55" in both["reasons"]


def test_a_return_to_the_operating_room_is_paid_the_intra_operative_share(rules_lake, tmp_path):
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "27447", "modifiers": "78"})
    assert allowed(line) == cents(fee("27447") * Decimal("0.84"))


# -- discontinued, reduced and increased services -------------------------------------------------------------------


def test_a_discontinued_procedure_is_priced_on_its_53_row_or_else_by_report(rules_lake, tmp_path):
    own_row, other = priced(rules_lake, tmp_path, {"hcpcs": "45378", "modifiers": "53"},
                            {"hcpcs": "10060", "modifiers": "53", "claim_id": "C2"})  # fmt: skip
    assert allowed(own_row) == fee("45378", "53") < fee("45378")
    assert other["status"] == "by_report" and "modifier 53" in other["reasons"]


@pytest.mark.parametrize("modifier", ["22", "52"])
def test_increased_and_reduced_services_are_priced_by_report(rules_lake, tmp_path, modifier):
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "10060", "modifiers": modifier})
    assert (line["status"], line["allowed_usd"]) == ("by_report", "")
    assert f"modifier {modifier}" in line["reasons"]


# -- who is paid --------------------------------------------------------------------------------------------------


def test_an_npp_assisting_at_surgery_is_paid_13_6_percent_not_both_cuts(rules_lake, tmp_path):
    """42 CFR 414.56: 85% of the physician assistant-at-surgery amount (16%): 13.6% of the fee, not 11.56%."""
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "27447", "modifiers": "AS", "provider_kind": "npp"})
    assert allowed(line) == cents(fee("27447") * Decimal("0.136"))
    assert "13.6% of the fee" in line["reasons"] and "non-physician practitioner: 85%" not in line["reasons"]


def test_a_non_participating_provider_is_paid_95_percent_and_shown_the_limiting_charge(rules_lake, tmp_path):
    par, non_par = priced(rules_lake, tmp_path, {"hcpcs": "99213"},
                          {"hcpcs": "99213", "participating": "no", "claim_id": "C2"})  # fmt: skip
    assert allowed(par) == fee("99213") and par["limiting_charge_usd"] == ""
    assert allowed(non_par) == cents(fee("99213") * Decimal("0.95"))
    assert Decimal(non_par["limiting_charge_usd"]) == cents(fee("99213") * Decimal("0.95") * Decimal("1.15"))
    assert "non-participating provider: 95%" in non_par["reasons"]


def test_a_participation_value_that_is_not_yes_or_no_is_an_input_problem(rules_lake, tmp_path):
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "99213", "participating": "maybe"})
    assert line["status"] == "not_priced" and 'participating "maybe" is not yes or no' in line["reasons"]


# -- multiple imaging: technical components ranked by theirs, professional components apart ------------------------


def test_imaging_ranks_technical_and_professional_components_apart(rules_lake, tmp_path):
    """73721 has the larger technical component, 76700 the larger professional component and global fee: each
    keeps its larger part whole; 76700's technical part is paid 50%, 73721's professional part 95% (2025)."""
    mri, ultrasound = priced(rules_lake, tmp_path, {"hcpcs": "73721"}, {"hcpcs": "76700"})
    assert fee("73721", "TC") > fee("76700", "TC") and fee("76700") > fee("73721")  # the orderings differ
    assert allowed(mri) == cents(fee("73721") - fee("73721", "26") * Decimal("0.05"))
    assert allowed(ultrasound) == cents(fee("76700") - fee("76700", "TC") * Decimal("0.50"))
    assert "professional component at 95%" in mri["reasons"] and "technical component" not in mri["reasons"]
    assert "technical component at 50%" in ultrasound["reasons"]


def test_a_technical_only_code_is_reduced_as_a_technical_part(rules_lake, tmp_path):
    """93005 has no TC row (PCTC 3): the second one is paid 75% (MULT PROC 6, from 2013)."""
    first, second = priced(rules_lake, tmp_path, {"hcpcs": "93005"}, {"hcpcs": "93005"})
    assert (allowed(first), allowed(second)) == (fee("93005"), cents(fee("93005") * Decimal("0.75")))


def test_fx_on_a_professional_component_changes_nothing(rules_lake, tmp_path):
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "71046", "modifiers": "26 FX"})
    assert allowed(line) == fee("71046", "26") and "technical component" not in line["reasons"]


def test_a_professional_component_line_is_ranked_only_with_professional_parts(rules_lake, tmp_path):
    """A 26 line and a TC line of different codes: one professional and one technical part, nothing reduced."""
    pc, tc = priced(rules_lake, tmp_path, {"hcpcs": "76700", "modifiers": "26"}, {"hcpcs": "73721", "modifiers": "TC"})
    assert (allowed(pc), allowed(tc)) == (fee("76700", "26"), fee("73721", "TC"))


# -- dated rules: each line by the policy of its date of service --------------------------------------------------


def test_computed_radiography_takes_7_percent_in_2022_and_10_percent_from_2023(rules_lake, tmp_path):
    in_2022, in_2023, in_2025 = priced(
        rules_lake, tmp_path,
        {"hcpcs": "71046", "modifiers": "TC FY", "date_of_service": DAYS["RVU22A"]},
        {"hcpcs": "71046", "modifiers": "TC FY", "date_of_service": DAYS["RVU23A"], "claim_id": "C2"},
        {"hcpcs": "71046", "modifiers": "FX", "claim_id": "C3"},
    )  # fmt: skip
    assert allowed(in_2022) == cents(fee("71046", "TC") * Decimal("0.93"))
    assert allowed(in_2023) == cents(fee("71046", "TC") * Decimal("0.90"))
    assert "(since 2023-01-01)" in in_2023["reasons"]
    assert allowed(in_2025) == cents(fee("71046") - fee("71046", "TC") * Decimal("0.20"))  # FX: its TC part


def test_a_therapy_assistant_is_paid_in_full_before_2022_and_85_percent_from_2022(rules_lake, tmp_path):
    in_2021, in_2022 = priced(
        rules_lake, tmp_path,
        {"hcpcs": "97110", "modifiers": "CQ", "date_of_service": DAYS["RVU21A"]},
        {"hcpcs": "97110", "modifiers": "CQ", "date_of_service": DAYS["RVU22A"], "claim_id": "C2"},
    )  # fmt: skip
    assert (in_2021["release"], allowed(in_2021)) == ("RVU21A", fee("97110"))
    assert (in_2022["release"], allowed(in_2022)) == ("RVU22A", cents(fee("97110") * Decimal("0.85")))


# -- where the service was furnished --------------------------------------------------------------------------------


def test_a_mac_and_locality_given_are_used_instead_of_the_zip(rules_lake, tmp_path):
    """The lake holds no ZIP code file, but the line names its MAC and locality: the ZIP is not looked up."""
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "99213", "zip": "35203"})
    assert (line["status"], line["mac"], line["locality"]) == ("priced", "10112", "00")
    assert allowed(line) == fee("99213")


def test_a_bilateral_modifier_on_a_code_without_bilateral_payment_changes_nothing(rules_lake, tmp_path):
    """BILAT SURG 9 (99214): modifier 50 does not apply, and two units are two units."""
    [line] = priced(rules_lake, tmp_path, {"hcpcs": "99214", "modifiers": "50", "units": "2"})
    assert allowed(line) == 2 * fee("99214")
    assert "modifier 50: bilateral payment does not apply (BILAT SURG 9)" in line["reasons"]
    assert "bilateral (" not in line["reasons"]


# -- ties go to the line first in the file ------------------------------------------------------------------------


def test_equal_procedures_rank_in_file_order_line_10_after_line_9(rules_lake, tmp_path):
    lines = priced(rules_lake, tmp_path, *({"hcpcs": "10060"} for _ in range(10)))
    assert [line["status"] for line in lines] == ["priced"] * 5 + ["by_report"] * 5
    assert allowed(lines[0]) == fee("10060")
    assert all(allowed(line) == cents(fee("10060") * Decimal("0.5")) for line in lines[1:5])
    assert "as procedure 2 of the claim" in lines[1]["reasons"] and "as procedure 5" in lines[4]["reasons"]


# -- the policy table ----------------------------------------------------------------------------------------------


def test_policy_periods_must_cover_every_day_once():
    from datetime import date

    with pytest.raises(ValueError, match="imaging_pc_others"):
        stretches(
            {
                "imaging_pc_others": [
                    {"share": 1, "until": date(2011, 12, 31)},
                    {"share": 0.95, "from": date(2017, 1, 1)},
                ]
            }
        )
    rows = stretches({"a": [{"share": 1, "until": date(2011, 12, 31)}, {"share": 0.5, "from": date(2012, 1, 1)}],
                      "b": [{"share": 0.85}]})  # fmt: skip
    assert [(r["valid_from"], r["valid_to"], r["a"], r["b"]) for r in rows] == [
        (date(1, 1, 1), date(2011, 12, 31), Decimal("1.000000"), Decimal("0.850000")),
        (date(2012, 1, 1), date(9999, 12, 31), Decimal("0.500000"), Decimal("0.850000")),
    ]
