"""Steps of sql/pricing/ run alone, on inputs written here (no lake, no ../shared): the policy in force on each day
(sql/pricing/days.sql), the global surgery split (a macro) and the multiple procedure ranking (7_line_amounts.sql).
Expected shares are the statute's and CMS's; expected amounts are computed here in Decimal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from flows.lake.database import MACROS
from flows.pricing.policy import _check_names, create_policy_tables, parameters
from flows.pricing.price import STEPS, made, set_variables
from flows.settings import SQL


def connection() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the fee and pricing macros and the pricer's variables."""
    con = duckdb.connect()
    con.execute(MACROS.read_text())
    con.execute((SQL / "pricing" / "macros.sql").read_text())
    set_variables(con, parameters("non_qp"))
    return con


def run_step(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(next(step for step in STEPS if made(step)[1] == name).read_text())


# -- the policy in force on each day --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def days() -> duckdb.DuckDBPyConnection:
    """pricing_days for a release in force from 2005 to 2025 (the shares' dates lie between)."""
    con = connection()
    con.execute("CREATE TEMP TABLE release_validity AS SELECT 'RVU05A' AS release, DATE '2005-01-01' AS valid_from, "
                "DATE '2025-12-31' AS valid_to")  # fmt: skip
    con.execute("CREATE TEMP TABLE zip_validity AS SELECT '20254' AS year_quarter, DATE '2025-10-01' AS valid_from, "
                "NULL::DATE AS valid_to")  # fmt: skip
    create_policy_tables(con)
    return con


# (day, share, expected): each change in law or rule, the day before and the day it took effect
SHARES = [
    ("2005-12-31", "imaging_tc_others", "1"),  # no multiple imaging reduction before 2006
    ("2006-01-01", "imaging_tc_others", "0.75"),  # CY 2006 PFS: 25% off
    ("2010-07-01", "imaging_tc_others", "0.50"),  # Affordable Care Act s. 3135: 50% off
    ("2011-12-31", "imaging_pc_others", "1"),
    ("2012-01-01", "imaging_pc_others", "0.75"),  # CY 2012 PFS: 25% off the professional component
    ("2017-01-01", "imaging_pc_others", "0.95"),  # Consolidated Appropriations Act, 2016, s. 502: 5% off
    ("2010-12-31", "therapy_pe_others", "1"),
    ("2011-01-01", "therapy_pe_others", "0.80"),  # CY 2011 PFS: 20% off the PE (office)
    ("2013-04-01", "therapy_pe_others", "0.50"),  # American Taxpayer Relief Act of 2012 s. 633: 50% off
    ("2012-12-31", "cardiology_tc_others", "1"),
    ("2013-01-01", "cardiology_tc_others", "0.75"),  # CY 2013 PFS
    ("2013-01-01", "ophthalmology_tc_others", "0.80"),  # CY 2013 PFS
    ("2021-12-31", "therapy_assistant_share", "1"),
    ("2022-01-01", "therapy_assistant_share", "0.85"),  # SSA s. 1834(v)
    ("2025-06-30", "assistant_share", "0.16"),  # 42 CFR 414.52
]


@pytest.mark.parametrize(("day", "share", "expected"), SHARES)
def test_each_share_is_the_one_in_force_on_the_day(days, day, share, expected):
    in_force = days.execute(f"SELECT {share} FROM pricing_days WHERE day = $d", {"d": day}).fetchone()[0]
    assert in_force == Decimal(expected)


# (day, modifier, expected share of the technical component)
TECHNICAL = [
    ("2016-12-31", "FX", "1"),
    ("2017-01-01", "FX", "0.80"),  # Consolidated Appropriations Act, 2016, s. 502: film, 20% off
    ("2017-12-31", "FY", "1"),
    ("2018-01-01", "FY", "0.93"),  # computed radiography: 7% off 2018 to 2022
    ("2023-01-01", "FY", "0.90"),  # and 10% off from 2023
    ("2016-01-01", "CT", "0.95"),  # PAMA s. 218: CT short of NEMA XR-29, 5% off in 2016
    ("2017-01-01", "CT", "0.85"),  # and 15% off from 2017
]


@pytest.mark.parametrize(("day", "modifier", "expected"), TECHNICAL)
def test_technical_component_modifiers_take_the_share_of_their_day(days, day, modifier, expected):
    row = days.execute("SELECT share FROM pricing_technical_component_days WHERE day = $d AND modifier = $m",
                       {"d": day, "m": modifier}).fetchone()  # fmt: skip
    assert row[0] == Decimal(expected)


def test_each_mult_proc_indicator_ranks_what_cms_ranks_at_its_shares(days):
    """[R] "Multiple Procedure": 2 and 3 rank procedures (50% after the first), 4 imaging's technical and professional
    components, 5 therapy's practice expense, 6 and 7 technical components; 0, 1 and 9 are not reduced."""
    rows = days.execute(
        "SELECT mult_proc_ind, ranks, others, tc_others, pc_others, pc_others_from "
        "FROM pricing_class_days WHERE day = DATE '2025-06-30' ORDER BY 1"
    ).fetchall()
    half, none = Decimal("0.5"), None
    assert rows == [
        ("2", "procedure", half, none, none, none),
        ("3", "procedure", half, none, none, none),
        ("4", "parts", none, half, Decimal("0.95"), date(2017, 1, 1)),
        ("5", "practice_expense", half, none, none, none),
        ("6", "parts", none, Decimal("0.75"), none, none),
        ("7", "parts", none, Decimal("0.8"), none, none),
    ]
    together = "SELECT count(DISTINCT class_name) FROM pricing_class_days WHERE mult_proc_ind IN ('2', '3')"
    assert days.execute(together).fetchone()[0] == 1  # an endoscopic family ranks with the day's other procedures


@pytest.mark.parametrize(("day", "place", "facility"), [
    ("2016-12-31", "02", False), ("2017-01-01", "02", True),  # telehealth: the facility rate from 2017
    ("2021-12-31", "10", False), ("2022-01-01", "10", True), ("2024-01-01", "10", False),  # telehealth at home
    ("2025-06-30", "21", True), ("2025-06-30", "11", False),
])  # fmt: skip
def test_the_facility_places_are_those_of_the_day(days, day, place, facility):
    places = days.execute("SELECT facility_places FROM pricing_days WHERE day = $d", {"d": day}).fetchone()[0]
    assert (place in places) is facility


# -- worked examples of the global surgery split (rule shape, from the publications) ---------------------------------


@pytest.mark.parametrize(("split", "days_given", "expected"), [
    # Palmetto GBA, "Global Surgery": pre-op 10% and intra-op 80% -> the surgeon billing 54 gets 90% of the fee
    ("54", 1, "0.90"),
    # ch. 12 s. 40.2: 56, pre-operative care only, the pre-operative share
    ("56", 1, "0.10"),
    # ch. 12 s. 40.4: 78, return to the operating room, the intra-operative share
    ("78", 1, "0.80"),
    # ch. 12 s. 40.2: 55, the post-operative share for the days of care given, of the 90-day global period
    ("55", 45, "0.05"),
    ("55", 90, "0.10"),
    ("55", 120, "0.10"),  # more days than the period are the period
])  # fmt: skip
def test_the_global_split_pays_the_shares_of_the_care_given(split, days_given, expected):
    share = connection().execute("SELECT split_share($s, 0.10, 0.80, 0.10, $d, '090')",
                                 {"s": split, "d": days_given}).fetchone()[0]  # fmt: skip
    assert share == Decimal(expected)


def test_post_operative_care_of_a_code_without_a_10_or_90_day_period_has_no_share():
    assert connection().execute("SELECT split_share('55', 0, 0, 0.1, 5, '000')").fetchone()[0] is None


# -- the multiple procedure ranking, alone ----------------------------------------------------------------------------

# the columns of `shared` that 7_line_amounts.sql reads, and their defaults: one unit of a surgeon's line on a claim
# and day, no split, no bilateral payment, no technical modifier, no payee share
SHARED = {
    "input_row": ("BIGINT", None), "claim_key": ("VARCHAR", "C1"), "dos": ("DATE", "2025-11-03"),
    "role": ("VARCHAR", "surgeon"), "family": ("VARCHAR", None), "folded": ("BOOLEAN", False),
    "fee": ("DECIMAL(12, 2)", None), "base_fee": ("DECIMAL(12, 2)", None), "pe_amount": ("DECIMAL(38, 12)", None),
    "technical_fee": ("DECIMAL(12, 2)", None), "professional_fee": ("DECIMAL(12, 2)", None),
    "split_share": ("DECIMAL(18, 12)", 1), "bilateral_share": ("DECIMAL(9, 6)", 1),
    "tc_equipment_share": ("DECIMAL(9, 6)", 1), "class_name": ("VARCHAR", None), "ranks": ("VARCHAR", None),
    "others": ("DECIMAL(9, 6)", None), "tc_others": ("DECIMAL(9, 6)", None), "pc_others": ("DECIMAL(9, 6)", None),
    "paid_units": ("INTEGER", 1), "payee_share": ("DECIMAL(18, 12)", 1),
}  # fmt: skip
STANDARD = {"class_name": "multiple procedures", "ranks": "procedure", "others": "0.5"}
IMAGING = {"class_name": "imaging", "ranks": "parts", "tc_others": "0.5", "pc_others": "0.95"}


def amounts(*lines: dict) -> dict[int, tuple]:
    """The lines (input_row 1, 2, ... in order) through 7_line_amounts.sql: {input_row: (amount, beyond_most,
    reduced_ranks, reduced_tc_ranks, reduced_pc_ranks)}."""
    con = connection()
    con.execute(f"CREATE TEMP TABLE shared ({', '.join(f'{c} {t}' for c, (t, _) in SHARED.items())})")
    rows = [[{"input_row": i + 1, **line}.get(c, default) for c, (_, default) in SHARED.items()]
            for i, line in enumerate(lines)]  # fmt: skip
    con.executemany(f"INSERT INTO shared VALUES ({', '.join('?' * len(SHARED))})", rows)
    run_step(con, "line_amounts")
    found = con.execute("SELECT input_row, amount, beyond_most, reduced_ranks, reduced_tc_ranks, reduced_pc_ranks "
                        "FROM line_amounts ORDER BY 1").fetchall()  # fmt: skip
    return {row[0]: row[1:] for row in found}


def test_procedures_rank_by_amount_ties_in_file_order_and_each_payee_apart():
    """ch. 12 s. 40.6: the highest in full, the others at 50%; equal ones in the order billed; an assistant's
    procedures are ranked among the assistant's."""
    found = amounts({**STANDARD, "fee": "100.00"}, {**STANDARD, "fee": "300.00"}, {**STANDARD, "fee": "200.00"},
                    {**STANDARD, "fee": "200.00"}, {**STANDARD, "fee": "250.00", "role": "assistant"})  # fmt: skip
    half = Decimal("0.5")
    assert {row: (amount, ranks) for row, (amount, _, ranks, _, _) in found.items()} == {
        1: (Decimal("100.00") * half, [4]),
        2: (Decimal("300.00"), None),
        3: (Decimal("200.00") * half, [2]),
        4: (Decimal("200.00") * half, [3]),
        5: (Decimal("250.00"), None),
    }


def test_the_units_of_a_ranked_line_are_procedures_and_the_sixth_is_beyond_those_paid():
    found = amounts({**STANDARD, "fee": "100.00", "paid_units": 3}, {**STANDARD, "fee": "80.00", "paid_units": 3})
    assert found[1][0] == Decimal("100.00") + 2 * Decimal("50.00") and found[1][2] == [2, 3]
    assert found[2][1] is True  # its units are procedures 4, 5 and 6: by report, as more than five
    assert amounts({**STANDARD, "fee": "80.00", "paid_units": 2})[1][1] is False


def test_imaging_ranks_technical_parts_by_technical_fee_and_professional_parts_apart():
    """MULT PROC 4: line 1 has the larger technical part, line 2 the larger global fee and professional part, so
    ranking by the global fee would reduce the other line's technical part."""
    found = amounts(
        {**IMAGING, "fee": "300.00", "technical_fee": "250.00", "professional_fee": "50.00"},
        {**IMAGING, "fee": "350.00", "technical_fee": "150.00", "professional_fee": "200.00"},
    )
    assert found[1][0] == Decimal("300.00") - Decimal("50.00") * (1 - Decimal("0.95"))  # its PC is second
    assert found[2][0] == Decimal("350.00") - Decimal("150.00") * (1 - Decimal("0.5"))  # its TC is second
    assert (found[1][3:], found[2][3:]) == ((None, [2]), ([2], None))


def test_therapy_pays_half_the_practice_expense_of_every_unit_after_the_one_with_the_most():
    therapy = {"class_name": "therapy", "ranks": "practice_expense", "others": "0.5"}
    found = amounts({**therapy, "fee": "40.00", "pe_amount": "20"}, {**therapy, "fee": "30.00", "pe_amount": "25"})
    assert found[1][0] == Decimal("40.00") - Decimal("20") * Decimal("0.5") and found[2][0] == Decimal("30.00")


def test_a_line_no_class_ranks_is_its_fee_times_its_units_and_payee_share():
    found = amounts({"fee": "10.00", "paid_units": 3, "payee_share": "0.85"}, {"fee": "10.00", "payee_share": "0.85"})
    assert found[1][0] == Decimal("10.00") * Decimal("0.85") * 3 and found[2][0] == Decimal("10.00") * Decimal("0.85")


def test_a_class_naming_a_share_not_in_shares_is_an_error_naming_both():
    with pytest.raises(ValueError, match=r"\[multiple_procedure.classes\] 2: no share 'standard_other' in \[shares\]"):
        _check_names(["standard_others"], {"2": {"ranks": "procedure", "others": "standard_other"}}, {})


@pytest.mark.parametrize(("entry", "error"), [
    ({"ranks": "procedures", "others": "standard_others"}, "ranks 'procedures' is not one of procedure"),
    ({"ranks": "parts", "pc_others": "standard_others"}, "ranks parts needs tc_others"),
])  # fmt: skip
def test_a_class_ranking_what_pfs_cannot_rank_is_an_error_naming_it(entry, error):
    with pytest.raises(ValueError, match=error):
        _check_names(["standard_others"], {"4": entry}, {})
