"""Claim line pricing (`pfs price`): one worked case per payment rule, each expected amount computed here in Decimal
from RVU25D's RVU and GPCI rows and PPRRVU indicators (tests/reference.py; Alabama: MAC 10112 locality 00), never
from pfs's fees or output."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from flows.pricing import price as pricing
from tests import reference
from tests.claims import price_rows

DAY = "2025-11-03"  # in RVU25D's quarter
PLACE = {"mac": "10112", "locality": "00"}


def priced(lake: Path, folder: Path, *lines: dict, name: str = "claims.csv") -> list[dict]:
    """The lines (defaults: one unit in an office in Alabama on DAY) priced through a CSV file, read back."""
    rows = [{"claim_id": "C1", "line": str(i + 1), "modifiers": "", "units": "1", "place_of_service": "11",
             "date_of_service": DAY, "zip": "", **PLACE, "provider_kind": "", "charge_usd": "", **line}
            for i, line in enumerate(lines)]  # fmt: skip
    return price_rows(lake, folder, rows, name)


def fee(db, hcpcs: str, modifier: str = "", setting: str = "nonfacility", mac="10112", locality="00") -> Decimal:
    """The locality fee of one RVU25D row, computed in Decimal from its RVU and GPCI rows (tests/reference.py)."""
    return reference.locality_fee(db, "RVU25D", hcpcs, modifier, mac, locality, setting)


def rvu(db, hcpcs: str, modifier: str = "") -> dict:
    cursor = db.execute("SELECT * FROM rvu WHERE release = 'RVU25D' AND hcpcs = $h AND modifier = $m",
                        {"h": hcpcs, "m": modifier})  # fmt: skip
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))


def pe_amount(db, hcpcs: str) -> Decimal:
    """Non-facility PE RVU x PE GPCI x CF in Alabama, unrounded: what therapy's reduction takes half of."""
    gpci = db.execute(
        "SELECT pe_gpci FROM gpci WHERE release = 'RVU25D' AND mac = '10112' AND locality = '00'"
    ).fetchone()
    row = rvu(db, hcpcs)
    return row["nonfacility_pe_rvu"] * gpci[0] * row["conversion_factor_usd"]


def code_with(db, where: str) -> str:
    """The first paid, global (no modifier) RVU25D code that matches `where`."""
    found = db.execute(f"SELECT min(hcpcs) FROM rvu WHERE release = 'RVU25D' AND modifier = '' AND status_code = 'A' "
                       f"AND {where}").fetchone()[0]  # fmt: skip
    assert found, f"RVU25D has no code with {where}"
    return found


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(row: dict) -> Decimal:
    return Decimal(row["allowed_usd"])


# -- status, place of service, setting -------------------------------------------------------------------------


def test_an_active_code_is_paid_its_locality_fee(lake, db, tmp_path):
    [line] = priced(lake, tmp_path, {"hcpcs": "97140"})
    assert (line["release"], line["mac"], line["locality"], line["setting"]) == (
        "RVU25D",
        "10112",
        "00",
        "non-facility",
    )
    assert Decimal(line["fee_schedule_usd"]) == money(line) == fee(db, "97140") == Decimal("25.34")
    assert line["status"] == "priced" and line["reasons"] == "the fee schedule amount"


PLACES = [("11", "nonfacility"), ("22", "facility"), ("19", "facility"), ("41", "facility"), ("02", "facility"),
          ("10", "nonfacility")]  # fmt: skip


@pytest.mark.parametrize(("place", "setting"), PLACES)
def test_the_place_of_service_sets_the_facility_or_non_facility_fee(lake, db, tmp_path, place, setting):
    [line] = priced(lake, tmp_path, {"hcpcs": "99213", "place_of_service": place})
    assert money(line) == fee(db, "99213", setting=setting)
    assert line["setting"] == setting.replace("nonfacility", "non-facility")


def test_telehealth_in_the_home_is_facility_in_2022_and_non_facility_from_2024(lake, tmp_path):
    """Place 10 is paid at the facility rate in 2022 and 2023 and at the non-facility rate from 2024 (the CY 2024
    PFS final rule): each line by the rule of its own date."""
    in_2022, in_2025 = priced(lake, tmp_path, {"hcpcs": "99213", "place_of_service": "10", "date_of_service":
                              "2022-02-01"}, {"hcpcs": "99213", "place_of_service": "10"})  # fmt: skip
    assert (in_2022["release"], in_2022["setting"]) == ("RVU22A", "facility")
    assert (in_2025["release"], in_2025["setting"]) == ("RVU25D", "non-facility")


def test_statuses_the_pfs_does_not_pay_are_not_priced_and_c_is_by_report(lake, db, tmp_path):
    unpaid = db.execute("SELECT min(hcpcs) FROM rvu WHERE release = 'RVU25D' AND status_code = 'N'").fetchone()[0]
    carrier = db.execute("SELECT min(hcpcs) FROM rvu WHERE release = 'RVU25D' AND status_code = 'C' "
                         "AND modifier = ''").fetchone()[0]  # fmt: skip
    no, report = priced(lake, tmp_path, {"hcpcs": unpaid}, {"hcpcs": carrier})
    assert (no["status"], no["allowed_usd"]) == ("not_priced", "")
    assert no["reasons"] == "status N: not paid under the physician fee schedule"
    assert (report["status"], report["allowed_usd"]) == ("by_report", "")
    assert "by report" in report["reasons"]


def test_status_t_is_paid_only_when_nothing_else_is_paid_that_day(lake, db, tmp_path):
    t_code = db.execute("SELECT min(hcpcs) FROM rvu WHERE release = 'RVU25D' AND status_code = 'T'").fetchone()[0]
    alone, with_visit, visit = priced(
        lake, tmp_path,
        {"claim_id": "ALONE", "hcpcs": t_code},
        {"claim_id": "BOTH", "hcpcs": t_code},
        {"claim_id": "BOTH", "hcpcs": "99213"},
    )  # fmt: skip
    assert alone["status"] == "priced" and money(alone) == fee(db, t_code)
    assert with_visit["status"] == "not_priced" and "status T" in with_visit["reasons"]
    assert money(visit) == fee(db, "99213")


def test_a_non_facility_na_code_in_an_office_is_paid_the_facility_rate(lake, db, tmp_path):
    code = code_with(db, "nonfacility_na AND mult_proc_ind = '2'")
    [line] = priced(lake, tmp_path, {"hcpcs": code})
    # RVU25D prints the facility PE RVU in the non-facility column of an NA code: both rates are the same amount
    assert money(line) == fee(db, code, setting="facility")
    assert "non-facility setting NA" in line["reasons"]


def test_the_opps_cap_is_applied_to_a_capped_imaging_code(lake, db, tmp_path):
    code = db.execute("SELECT min(hcpcs) FROM fee_locality WHERE release = 'RVU25D' AND cf_variant = 'non_qp' "
                      "AND mac = '10112' AND locality = '00' AND modifier = '' AND is_opps_capped_nonfacility "
                      "AND hcpcs LIKE '7%'").fetchone()[0]  # fmt: skip
    row = rvu(db, code)
    gpci = db.execute("SELECT work_gpci, pe_gpci, mp_gpci FROM gpci WHERE release = 'RVU25D' AND mac = '10112' "
                      "AND locality = '00'").fetchone()  # fmt: skip
    cf = row["conversion_factor_usd"]
    pfs = (row["work_rvu"] * gpci[0] + row["nonfacility_pe_rvu"] * gpci[1] + row["mp_rvu"] * gpci[2]) * cf
    opps = (row["work_rvu"] * gpci[0] + row["opps_nonfacility_pe_rvu"] * gpci[1] + row["opps_mp_rvu"] * gpci[2]) * cf
    [line] = priced(lake, tmp_path, {"hcpcs": code})
    assert opps < pfs
    assert money(line) == cents(opps) == fee(db, code)
    assert "OPPS" in line["reasons"]


# -- rows, units, input ----------------------------------------------------------------------------------------


def test_26_and_tc_lines_are_priced_on_their_own_rows_and_a_modifier_the_code_lacks_is_refused(lake, db, tmp_path):
    pc, tc, wrong = priced(lake, tmp_path, {"hcpcs": "71046", "modifiers": "26"},
                           {"claim_id": "C2", "hcpcs": "71046", "modifiers": "TC"},
                           {"claim_id": "C3", "hcpcs": "97140", "modifiers": "26"})  # fmt: skip
    assert money(pc) == fee(db, "71046", "26") and money(tc) == fee(db, "71046", "TC")
    assert money(pc) + money(tc) == fee(db, "71046")
    assert wrong["status"] == "not_priced"
    assert wrong["reasons"] == "modifier 26 is not valid for 97140 in RVU25D (its rows: (none))"


def test_units_multiply_a_code_without_multiple_procedure_rules(lake, db, tmp_path):
    [line] = priced(lake, tmp_path, {"hcpcs": "99213", "units": "3"})
    assert rvu(db, "99213")["mult_proc_ind"] == "0"
    assert money(line) == 3 * fee(db, "99213")


def test_the_charge_is_allowed_when_lower_than_the_amount(lake, db, tmp_path):
    low, high = priced(lake, tmp_path, {"hcpcs": "99213", "charge_usd": "10.00"},
                       {"claim_id": "C2", "hcpcs": "99213", "charge_usd": "999"})  # fmt: skip
    assert money(low) == Decimal("10.00") and "charge $10.00 is lower" in low["reasons"]
    assert money(high) == fee(db, "99213")


def test_unknown_codes_dates_no_release_covers_and_unreadable_lines_each_get_their_reason(lake, tmp_path):
    lines = priced(
        lake, tmp_path,
        {"hcpcs": "0000Z"},
        {"hcpcs": "97140", "date_of_service": "2019-06-01"},
        {"hcpcs": "97140", "units": "x"},
        {"hcpcs": "97140", "place_of_service": "office"},
        {"hcpcs": "97140", "mac": "", "locality": ""},
        {"hcpcs": "97140", "mac": "99999"},
        {"hcpcs": "97140", "date_of_service": "2026-08-03"},
        {"hcpcs": "97140", "claim_id": " "},
        {"hcpcs": "97140"},
    )  # fmt: skip
    assert [line["status"] for line in lines] == ["not_priced"] * 8 + ["priced"]
    assert [line["reasons"] for line in lines[:8]] == [
        "0000Z is not a code of release RVU25D",
        "no release of the lake covers the date of service 2019-06-01",
        'units "x" is not a whole number of 1 or more',
        'place_of_service "office" is not two digits',
        "no place of service location: give zip, or mac and locality",
        "MAC 99999 locality 00 is not a locality of RVU25D",
        "the lake's copy of RVU26C has no GPCI file, so no locality fees",  # the session lake's RVU26C is PPRRVU only
        "claim_id is empty",
    ]
    assert all(line["allowed_usd"] == "" for line in lines[:8])


def test_bad_rows_are_reported_by_file_line_and_the_good_ones_priced(lake, tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "claim_id,line,hcpcs,modifiers,units,place_of_service,date_of_service,mac,locality\n"
        f"A,1,97140,,1,11,{DAY},10112,00\n"
        f"A,2,97140,,zero,11,{DAY},10112,00\n"
        f"B,1,99213,,1,11,not a date,10112,00\n"
        f"B,2,99213,,1,11,{DAY},10112,00\n"
    )
    done = pricing.price_file(str(lake), str(claims), str(tmp_path / "out.parquet"))
    assert done.lines == 4 and done.statuses == {"not_priced": 2, "priced": 2}
    assert done.bad_lines == [(3, 'units "zero" is not a whole number of 1 or more'),
                              (4, 'date_of_service "not a date" is not a date (YYYY-MM-DD)')]  # fmt: skip
    out = duckdb.sql(f"SELECT claim_id, line, status FROM '{tmp_path / 'out.parquet'}'").fetchall()
    assert out == [("A", "1", "priced"), ("A", "2", "not_priced"), ("B", "1", "not_priced"), ("B", "2", "priced")]


def test_a_failure_midway_leaves_no_output_file_and_the_previous_one_untouched(lake, tmp_path, monkeypatch):
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,line,hcpcs,modifiers,units,place_of_service,date_of_service,mac,locality\n" + "".join(
        f"C{i},1,97140,,1,11,{DAY},10112,00\n" for i in range(4)))  # fmt: skip
    out = tmp_path / "out.csv"
    out.write_text("the previous output\n")
    real, calls = pricing.price_into, []

    def failing(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(*args)

    monkeypatch.setattr(pricing, "price_into", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        pricing.price_file(str(lake), str(claims), str(out), part_lines=2)
    assert out.read_text() == "the previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv", "out.csv"]


def test_a_claims_file_without_the_columns_is_refused_whole(lake, tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,hcpcs\nA,97140\n")
    with pytest.raises(pricing.ClaimsError, match=r"missing column\(s\) line, modifiers, units"):
        pricing.price_file(str(lake), str(claims), str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


# -- ZIP codes ---------------------------------------------------------------------------------------------------


def test_a_zip5_is_priced_in_its_locality_and_a_zip_split_by_plus_four_is_refused(lake, db, tmp_path):
    plain = db.execute("SELECT zip5, mac, locality FROM zip_locality WHERE NOT plus_four_required AND mac = '10112' "
                       "ORDER BY zip5 LIMIT 1").fetchone()  # fmt: skip
    split = db.execute("SELECT min(zip5) FROM zip_locality WHERE plus_four_required").fetchone()[0]
    by_zip, by_zip9, needs_four = priced(
        lake, tmp_path,
        {"claim_id": "A", "hcpcs": "97140", "zip": plain[0], "mac": "", "locality": ""},
        {"claim_id": "B", "hcpcs": "97140", "zip": f"{plain[0]}-1234", "mac": "", "locality": ""},
        {"claim_id": "C", "hcpcs": "97140", "zip": f"{split}-0001", "mac": "", "locality": ""},
    )  # fmt: skip
    assert (by_zip["mac"], by_zip["locality"]) == plain[1:]
    assert money(by_zip) == money(by_zip9) == fee(db, "97140", mac=plain[1], locality=plain[2])
    assert needs_four["status"] == "not_priced"
    assert f"ZIP {split} is split between localities by its +4" in needs_four["reasons"]


# -- multiple procedures -----------------------------------------------------------------------------------------


def test_standard_multiple_procedures_pay_the_highest_in_full_and_the_others_half(lake, db, tmp_path):
    codes = ["20610", "27447", "64483"]  # MULT PROC 2 each
    assert {rvu(db, c)["mult_proc_ind"] for c in codes} == {"2"}
    lines = priced(lake, tmp_path, *({"hcpcs": c, "place_of_service": "22"} for c in codes))
    fees = {c: fee(db, c, setting="facility") for c in codes}
    highest = max(fees, key=fees.get)
    for code, line in zip(codes, lines, strict=True):
        assert money(line) == (fees[code] if code == highest else cents(fees[code] / 2)), code


def test_more_than_five_procedures_are_by_report_from_the_sixth(lake, db, tmp_path):
    codes = db.execute("SELECT hcpcs FROM rvu WHERE release = 'RVU25D' AND modifier = '' AND status_code = 'A' "
                       "AND mult_proc_ind = '2' ORDER BY hcpcs LIMIT 6").fetchall()  # fmt: skip
    lines = priced(lake, tmp_path, *({"hcpcs": c, "place_of_service": "22"} for (c,) in codes))
    fees = sorted(((fee(db, c, setting="facility"), i) for i, (c,) in enumerate(codes)), key=lambda x: (-x[0], x[1]))
    lowest = fees[-1][1]
    assert lines[lowest]["status"] == "by_report" and "more than 5 procedures" in lines[lowest]["reasons"]
    assert sum(line["status"] == "priced" for line in lines) == 5


def test_an_endoscopic_family_is_one_procedure_before_ranking(lake, db, tmp_path):
    # 43239 and 43250 share the base 43235 (EGD); 45380 is of another family (base 45378)
    assert rvu(db, "43239")["endo_base"] == rvu(db, "43250")["endo_base"] == "43235"
    assert rvu(db, "45380")["endo_base"] == "45378"
    lines = priced(
        lake, tmp_path, *({"hcpcs": c, "place_of_service": "22"} for c in ("43239", "43250", "43235", "45380"))
    )
    f = {c: fee(db, c, setting="facility") for c in ("43239", "43250", "43235", "45380")}
    top, other = sorted(["43239", "43250"], key=lambda c: -f[c])
    family = {top: f[top], other: f[other] - f["43235"], "43235": Decimal(0)}  # the base adds nothing
    family_first = sum(family.values()) > f["45380"]
    expected = {c: (v if family_first else v / 2) for c, v in family.items()}
    expected["45380"] = f["45380"] / 2 if family_first else f["45380"]
    for code, line in zip(("43239", "43250", "43235", "45380"), lines, strict=True):
        assert money(line) == cents(expected[code]), code


def test_multiple_imaging_reduces_the_technical_component_half_and_the_professional_5_percent(lake, db, tmp_path):
    codes = ["74177", "70450"]
    assert {rvu(db, c)["mult_proc_ind"] for c in codes} == {"4"}
    first, second = priced(lake, tmp_path, *({"hcpcs": c} for c in codes))
    tc = {c: fee(db, c, "TC") for c in codes}
    high, low = sorted(codes, key=lambda c: -tc[c])
    expected = {high: fee(db, high), low: fee(db, low) - tc[low] / 2 - fee(db, low, "26") * Decimal("0.05")}
    assert money(first) == cents(expected["74177"]) and money(second) == cents(expected["70450"])


def test_three_therapy_units_across_two_codes_pay_half_the_pe_after_the_first(lake, db, tmp_path):
    ther, manual = priced(lake, tmp_path, {"hcpcs": "97110", "units": "2"}, {"hcpcs": "97140"})
    units = [("97110", 0), ("97110", 1), ("97140", 0)]
    pe = {c: pe_amount(db, c) for c in ("97110", "97140")}
    first = max(units, key=lambda u: pe[u[0]])  # ties: the earlier line
    amounts = {"97110": Decimal(0), "97140": Decimal(0)}
    for unit in units:
        code = unit[0]
        amounts[code] += fee(db, code) if unit == first else fee(db, code) - pe[code] / 2
    assert money(ther) == cents(amounts["97110"]) and money(manual) == cents(amounts["97140"])


def test_cardiovascular_and_ophthalmology_technical_components_are_reduced(lake, db, tmp_path):
    for indicator, share in (("6", Decimal("0.75")), ("7", Decimal("0.80"))):
        codes = [c for (c,) in db.execute(
            "SELECT hcpcs FROM rvu WHERE release = 'RVU25D' AND modifier = 'TC' AND status_code = 'A' "
            "AND mult_proc_ind = $i ORDER BY hcpcs LIMIT 2", {"i": indicator}).fetchall()]  # fmt: skip
        lines = priced(lake, tmp_path, *({"hcpcs": c, "modifiers": "TC"} for c in codes), name=f"{indicator}.csv")
        tc = {c: fee(db, c, "TC") for c in codes}
        high = max(codes, key=lambda c: tc[c])
        for code, line in zip(codes, lines, strict=True):
            assert money(line) == (tc[code] if code == high else cents(tc[code] * share)), (indicator, code)


# -- bilateral -------------------------------------------------------------------------------------------------


def test_bilateral_by_indicator_with_modifier_50(lake, db, tmp_path):
    one, two, three = (code_with(db, f"bilat_surg_ind = '{i}'") for i in ("1", "2", "3"))
    lines = priced(lake, tmp_path, *({"claim_id": c, "hcpcs": c, "modifiers": "50"} for c in (one, two, three)))
    assert money(lines[0]) == cents(fee(db, one) * Decimal("1.5"))
    assert money(lines[1]) == fee(db, two)
    assert money(lines[2]) == 2 * fee(db, three)


def test_rt_and_lt_lines_of_one_code_are_one_bilateral_procedure(lake, db, tmp_path):
    right, left = priced(lake, tmp_path, {"hcpcs": "27447", "modifiers": "RT", "place_of_service": "21"},
                         {"hcpcs": "27447", "modifiers": "LT", "place_of_service": "21"})  # fmt: skip
    assert rvu(db, "27447")["bilat_surg_ind"] == "1"
    assert money(right) == cents(fee(db, "27447", setting="facility") * Decimal("1.5"))
    assert money(left) == Decimal("0.00") and left["reasons"].startswith("bilateral with line 1")


# -- surgeons, splits and providers --------------------------------------------------------------------------------


def test_assistant_at_surgery_is_16_percent_and_as_85_percent_of_that(lake, db, tmp_path):
    never = code_with(db, "asst_surg_ind = '1'")
    documented = code_with(db, "asst_surg_ind = '0'")
    lines = priced(
        lake, tmp_path,
        *({"claim_id": f"C{i}", "hcpcs": c, "modifiers": m, "place_of_service": "21"}
          for i, (c, m) in enumerate([("27447", "80"), ("27447", "AS"), (never, "80"), (documented, "82")])),
    )  # fmt: skip
    surgeon = fee(db, "27447", setting="facility")
    assert money(lines[0]) == cents(surgeon * Decimal("0.16"))
    assert money(lines[1]) == cents(surgeon * Decimal("0.16") * Decimal("0.85"))
    assert lines[2]["status"] == "not_priced" and "ASST SURG 1" in lines[2]["reasons"]
    assert lines[3]["status"] == "by_report" and "ASST SURG 0" in lines[3]["reasons"]


def test_co_surgeons_are_paid_62_5_percent_each_and_team_surgery_by_report(lake, db, tmp_path):
    co = code_with(db, "co_surg_ind = '2'")
    never = code_with(db, "co_surg_ind = '0'")
    team = code_with(db, "team_surg_ind = '2'")
    lines = priced(lake, tmp_path, {"claim_id": "A", "hcpcs": co, "modifiers": "62", "place_of_service": "21"},
                   {"claim_id": "B", "hcpcs": never, "modifiers": "62"},
                   {"claim_id": "C", "hcpcs": team, "modifiers": "66"},
                   {"claim_id": "D", "hcpcs": never, "modifiers": "66"})  # fmt: skip
    assert money(lines[0]) == cents(fee(db, co, setting="facility") * Decimal("0.625"))
    assert lines[1]["status"] == "not_priced" and "CO-SURG 0" in lines[1]["reasons"]
    assert lines[2]["status"] == "by_report" and lines[2]["allowed_usd"] == ""
    assert lines[3]["status"] == "not_priced" and "TEAM SURG 0" in lines[3]["reasons"]


def test_the_global_split_pays_the_pre_intra_and_post_operative_shares(lake, db, tmp_path):
    row = rvu(db, "27447")
    days = int(row["global_days"])  # 090: the whole post-operative period, reported as units
    lines = priced(lake, tmp_path, *({"claim_id": m, "hcpcs": "27447", "modifiers": m, "place_of_service": "21",
                                      "units": str(days if m == "55" else 1)} for m in ("54", "55", "56")))  # fmt: skip
    surgeon = fee(db, "27447", setting="facility")
    assert [money(line) for line in lines] == [cents(surgeon * (row["preop_share"] + row["intraop_share"])),
                                               cents(surgeon * row["postop_share"]),
                                               cents(surgeon * row["preop_share"])]  # fmt: skip


def test_non_physician_practitioners_and_therapy_assistants_are_paid_85_percent(lake, db, tmp_path):
    npp, assistant = priced(lake, tmp_path, {"claim_id": "A", "hcpcs": "99213", "provider_kind": "npp"},
                            {"claim_id": "B", "hcpcs": "97110", "modifiers": "GP CQ"})  # fmt: skip
    assert money(npp) == cents(fee(db, "99213") * Decimal("0.85"))
    assert money(assistant) == cents(fee(db, "97110") * Decimal("0.85"))


def test_parquet_in_and_out_keep_the_input_columns_and_order(lake, tmp_path):
    claims = tmp_path / "claims.parquet"
    duckdb.sql(f"COPY (SELECT 'C' || (i % 3) AS claim_id, (i // 3 + 1)::VARCHAR AS line, '97140' AS hcpcs, "
               f"'' AS modifiers, "
               f"'1' AS units, '11' AS place_of_service, '{DAY}' AS date_of_service, '10112' AS mac, '00' AS locality, "
               f"i AS note FROM range(9) AS t(i)) TO '{claims}' (FORMAT PARQUET)")  # fmt: skip
    out = tmp_path / "out.parquet"
    pricing.price_file(str(lake), str(claims), str(out), part_lines=2)
    result = duckdb.sql(f"SELECT * FROM '{out}'")
    assert result.columns[:10] == ["claim_id", "line", "hcpcs", "modifiers", "units", "place_of_service",
                                   "date_of_service", "note", "release", "mac"]  # fmt: skip
    assert [r[0] for r in duckdb.sql(f"SELECT note FROM '{out}'").fetchall()] == list(range(9))


def test_pfs_price_prints_the_counts_and_each_unreadable_line_with_its_file_line(lake, tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,line,hcpcs,modifiers,units,place_of_service,date_of_service,mac,locality\n"
                      f"A,1,97140,,1,11,{DAY},10112,00\nA,2,97140,,1,11,someday,10112,00\n")  # fmt: skip
    done = CliRunner().invoke(app, ["price", str(claims), "--out", str(tmp_path / "out.csv"), "--lake", str(lake)],
                              env={"COLUMNS": "200"})  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "2 lines priced into" in done.stdout and "1 not_priced, 1 priced" in done.stdout
    assert f'{claims}:3: date_of_service "someday" is not a date (YYYY-MM-DD)' in done.stderr
    missing = CliRunner().invoke(app, ["price", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o.csv"),
                                       "--lake", str(lake)])  # fmt: skip
    assert missing.exit_code == 1 and "none.csv: no such file" in missing.output


def test_a_conversion_factor_variant_the_release_lacks_is_a_reason_not_a_null(lake, tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,line,hcpcs,modifiers,units,place_of_service,date_of_service,mac,locality\n"
                      f"A,1,97140,,1,11,{DAY},10112,00\n")  # fmt: skip
    pricing.price_file(str(lake), str(claims), str(tmp_path / "out.csv"), cf_variant="qp")
    [line] = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert (line["status"], line["allowed_usd"]) == ("not_priced", "")
    assert line["reasons"] == "RVU25D has no conversion factor of variant qp"


def test_a_claims_file_with_no_lines_gives_an_output_with_only_its_header(lake, tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,line,hcpcs,modifiers,units,place_of_service,date_of_service,mac,locality\n")
    done = pricing.price_file(str(lake), str(claims), str(tmp_path / "out.csv"))
    assert (done.lines, done.statuses, done.bad_lines) == (0, {}, [])
    header = (tmp_path / "out.csv").read_text().splitlines()
    assert header == ["claim_id,line,hcpcs,modifiers,units,place_of_service,date_of_service,release,mac,locality,"
                      "setting,fee_schedule_usd,allowed_usd,limiting_charge_usd,status,reasons"]  # fmt: skip


def test_numeric_parquet_columns_get_their_leading_zeros_back_and_fractional_units_are_refused(lake, db, tmp_path):
    claims = tmp_path / "claims.parquet"
    duckdb.sql(f"COPY (SELECT * FROM (VALUES ('A', 1, '99213', '', 1.0, 2, DATE '{DAY}', 10112, 0),"
               f"('B', 1, '99213', '', 2.5, 11, DATE '{DAY}', 10112, 0)) AS t(claim_id, line, hcpcs, modifiers, units, "
               f"place_of_service, date_of_service, mac, locality)) TO '{claims}' (FORMAT PARQUET)")  # fmt: skip
    pricing.price_file(str(lake), str(claims), str(tmp_path / "out.parquet"))
    rows = duckdb.sql(f"SELECT setting, allowed_usd, status, reasons FROM '{tmp_path / 'out.parquet'}'").fetchall()
    assert rows[0] == ("facility", fee(db, "99213", setting="facility"), "priced", "the fee schedule amount")  # 2 is 02
    assert rows[1][2:] == ("not_priced", 'units "2.5" is not a whole number of 1 or more')
