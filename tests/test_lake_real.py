"""The real RVU25D, RVU22A and RVU26C files through the whole refresh, checked against CMS's own numbers."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path


def one(db, sql: str, **params):
    return db.execute(sql, params).fetchall()


def test_row_counts_of_both_releases(db):
    counts = dict(one(db, "SELECT release, count(*) FROM rvu GROUP BY release"))
    assert counts == {"RVU25D": 19090, "RVU22A": 17600, "RVU26C": 19356}
    gpci = dict(one(db, "SELECT release, count(*) FROM gpci GROUP BY release"))
    assert gpci == {"RVU25D": 109, "RVU22A": 112}


def test_keys_are_unique(db):
    assert one(
        db, "SELECT count(*) FROM (SELECT release, hcpcs, modifier FROM rvu GROUP BY ALL HAVING count(*) > 1)"
    ) == [(0,)]
    assert one(
        db, "SELECT count(*) FROM (SELECT release, mac, locality FROM gpci GROUP BY ALL HAVING count(*) > 1)"
    ) == [(0,)]


def test_codes_and_localities_keep_leading_zeros(db):
    assert one(db, "SELECT count(*) FROM rvu WHERE release = 'RVU25D' AND hcpcs IN ('0001F', '00100')") == [(2,)]
    # GPCI2022.csv prints MAC 2102 and locality 1 for Alaska
    assert one(db, "SELECT mac, locality FROM gpci WHERE release = 'RVU22A' AND state = 'AK'") == [("02102", "01")]


def test_97140_national_and_alabama_fees(db):
    national = one(
        db,
        "SELECT fee_nonfacility_usd, facility_na FROM fee_national "
        "WHERE release = 'RVU25D' AND hcpcs = '97140' AND modifier = ''",
    )
    assert national == [(Decimal("27.17"), True)]
    alabama = one(
        db,
        "SELECT fee_nonfacility_usd FROM fee_locality WHERE release = 'RVU25D' AND hcpcs = '97140' "
        "AND modifier = '' AND mac = '10112' AND locality = '00'",
    )
    assert alabama == [(Decimal("25.34"),)]


def test_na_setting_is_published_with_its_amount_and_flag(db):
    rows = one(
        db,
        "SELECT count(*), count(*) FILTER (WHERE fee_facility_usd = fee_nonfacility_usd AND facility_na) "
        "FROM fee_locality WHERE release = 'RVU25D' AND hcpcs = '76145'",
    )
    assert rows == [(109, 109)]


def test_every_status_a_oppscap_price_is_reproduced_to_the_cent(db, cms: Path):
    """Independent of the pipeline's own opps_cap table: CMS's CSV, matched by state and locality number."""
    gpci_state = {}
    with open(cms / "rvu25d" / "GPCI2025.csv", encoding="latin-1") as f:
        for row in csv.reader(f):
            if row and row[0].strip().isdigit():
                gpci_state.setdefault(row[0].strip(), set()).add(row[1].strip())
    fees = {
        (h, m, s, loc): (nf, fac)
        for h, m, s, loc, nf, fac in one(
            db,
            "SELECT f.hcpcs, f.modifier, g.state, f.locality, f.fee_nonfacility_usd, f.fee_facility_usd "
            "FROM fee_locality f JOIN gpci g USING (release, mac, locality) WHERE f.release = 'RVU25D'",
        )
    }
    checked = southern_california = 0
    with open(cms / "rvu25d" / "OPPSCAP_Oct.csv", encoding="latin-1") as f:
        for row in csv.DictReader(f):
            if row["PROCSTAT"] != "A":
                continue
            # a MAC may serve two states (09202: PR and VI); the locality number tells which
            (key,) = [
                k
                for state in gpci_state[row["CARRIER"]]
                if (k := (row["HCPCS"], row["MOD"], state, row["LOCALITY"])) in fees
            ]
            assert fees[key] == (Decimal(row["NON-FACILTY PRICE"]), Decimal(row["FACILITY PRICE"])), key
            checked += 1
            if row["CARRIER"] == "01112" and row["LOCALITY"] in {"17", "18", "71", "72", "73", "74"}:
                southern_california += 1
    assert checked == 6670
    assert southern_california > 0  # OPPSCAP's MAC 01112 rows priced through GPCI's 01182 localities


def test_opps_cap_table_matches_southern_california_to_gpci_01182(db):
    rows = one(
        db,
        "SELECT DISTINCT gpci_mac FROM opps_cap WHERE release = 'RVU25D' AND mac = '01112' "
        "AND locality IN ('17', '18', '71', '72', '73', '74')",
    )
    assert rows == [("01182",)]


def test_cap_binds_only_for_the_codes_oppscap_lists(db, cms: Path):
    with open(cms / "rvu25d" / "OPPSCAP_Oct.csv", encoding="latin-1") as f:
        listed = {(r["HCPCS"], r["MOD"]) for r in csv.DictReader(f) if r["PROCSTAT"] == "A"}
    capped = set(
        one(
            db,
            "SELECT DISTINCT hcpcs, modifier FROM fee_locality WHERE release = 'RVU25D' "
            "AND (is_opps_capped_nonfacility OR is_opps_capped_facility)",
        )
    )
    assert capped == listed and len(listed) == 58


def test_rvu26c_loads_without_gpci_with_national_fees_and_rankings(db):
    release = one(db, "SELECT cf_variant, conversion_factor_usd, files_missing FROM releases WHERE release = 'RVU26C'")
    assert release == [("non_qp", Decimal("33.4009"), ["gpci", "locco", "anes", "oppscap"])]
    assert one(db, "SELECT count(*) FROM fee_locality WHERE release = 'RVU26C'") == [(0,)]
    assert one(db, "SELECT count(*) > 0 FROM category_ranking WHERE release = 'RVU26C' AND metric = 'work_rvu'") == [
        (True,)
    ]
    assert one(db, "SELECT count(pricing_ind) FROM rvu WHERE release = 'RVU26C'") == [(19356,)]


def test_work_rvu_ranking_follows_the_reference_definition(db, cms: Path):
    """Recomputed here from the CSV: distinct Medicine codes with work > 0, the largest work on any row."""
    work: dict[str, Decimal] = {}
    with open(cms / "rvu25d" / "PPRRVU2025_Oct.csv", encoding="latin-1") as f:
        for row in csv.reader(f):
            code = row[0].strip()
            if len(code) == 5 and code.isdigit() and (90281 <= int(code) <= 99199 or 99500 <= int(code) <= 99607):
                value = Decimal(row[5])
                work[code] = max(value, work.get(code, Decimal(0)))
    population = sorted(v for v in work.values() if v > 0)
    mine = work["97140"]
    expected_percentile = 100 * sum(1 for v in population if v <= mine) / len(population)
    n = len(population)
    median = (population[(n - 1) // 2] + population[n // 2]) / 2
    top = max(population)
    top_code = min(c for c, v in work.items() if v == top)
    (row,) = one(
        db,
        "SELECT percentile, n, ties, median, max_value, max_hcpcs, ratio_to_median, direction "
        "FROM category_ranking WHERE release = 'RVU25D' AND hcpcs = '97140' AND metric = 'work_rvu'",
    )
    percentile, got_n, ties, got_median, max_value, max_hcpcs, ratio, direction = row
    assert abs(percentile - expected_percentile) < 1e-9
    assert got_n == n
    assert ties == sum(1 for v in population if v == mine) - 1
    assert Decimal(str(got_median)) == median
    assert (Decimal(str(max_value)), max_hcpcs) == (top, top_code)
    assert direction == "below" and abs(ratio - float(median / mine)) < 1e-9


def test_code_profile_has_one_row_per_code_with_what_a_page_shows(db):
    (row,) = one(db, "SELECT count(*), count(DISTINCT hcpcs) FROM code_profile WHERE release = 'RVU25D'")
    assert row[0] == row[1] == 16852
    (p,) = one(
        db,
        "SELECT description, status_code, global_days, work_rvu, nonfacility_total_rvu, facility_total_rvu, "
        "fee_nonfacility_usd, category, localities, fee_nonfacility_min_usd <= fee_nonfacility_median_usd "
        "AND fee_nonfacility_median_usd <= fee_nonfacility_max_usd "
        "FROM code_profile WHERE release = 'RVU25D' AND hcpcs = '97140'",
    )
    assert p == (
        "Manual therapy 1/> regions",
        "A",
        "XXX",
        Decimal("0.43"),
        Decimal("0.84"),
        Decimal("0.84"),
        Decimal("27.17"),
        "Medicine",
        109,
        True,
    )


def _printed_conversion_factors(text: str) -> set[Decimal]:
    """The CONV FACTOR column of every code row of a PPRRVU .csv, read here with csv."""
    rows = list(csv.reader(text.splitlines()))
    header = next(i for i, row in enumerate(rows) if row[:2] == ["HCPCS", "MOD"])
    column = rows[header].index("FACTOR")
    return {Decimal(row[column]) for row in rows[header + 1 :] if row and row[0].strip() and row[column].strip()}


def test_each_release_publishes_the_conversion_factor_its_pprrvu_prints(lake: Path, db, cms: Path):
    import zipfile

    with zipfile.ZipFile(cms / "archives" / "rvu22a.zip") as z:
        rvu22a = z.read("PPRRVU22_JAN.csv").decode("latin-1")
    printed = {
        "RVU22A": _printed_conversion_factors(rvu22a),
        "RVU25D": _printed_conversion_factors((cms / "rvu25d" / "PPRRVU2025_Oct.csv").read_text("latin-1")),
        "RVU26C": _printed_conversion_factors((cms / "rvu26c" / "PPRRVU2026_Jul_nonQPP.csv").read_text("latin-1")),
    }
    assert all(len(factors) == 1 for factors in printed.values()), printed  # one factor a file
    expected = sorted((release, "non_qp", factor) for release, (factor,) in printed.items())
    assert one(db, "SELECT release, cf_variant, conversion_factor_usd FROM conversion_factor ORDER BY 1, 2") == expected
    files = str(lake / "conversion_factor" / "**" / "*.parquet")
    parquet = one(db, f"SELECT release, cf_variant, conversion_factor_usd FROM read_parquet('{files}', "
                      "hive_partitioning = true) ORDER BY 1, 2")  # fmt: skip
    assert [(r, str(v), f) for r, v, f in parquet] == expected


def test_non_participating_fees_and_limiting_charges_follow_each_fee(db):
    """95% of the fee and 115% of that (SSA 1848(a)(3), (g)), from the rounded fee, half up to cents: every national
    row of RVU25D (fee_national's columns) and every locality of 97140 (pfs.duckdb's macros)."""
    columns = ("fee_nonfacility_usd, fee_facility_usd, fee_nonfacility_nonpar_usd, fee_facility_nonpar_usd, "
               "limiting_charge_nonfacility_usd, limiting_charge_facility_usd")  # fmt: skip
    national = one(db, f"SELECT {columns} FROM fee_national WHERE release = 'RVU25D'")
    local = one(db, "SELECT fee_nonfacility_usd, fee_facility_usd, nonpar_usd(fee_nonfacility_usd), "
                    "nonpar_usd(fee_facility_usd), limiting_charge_usd(fee_nonfacility_usd), "
                    "limiting_charge_usd(fee_facility_usd) FROM fee_locality "
                    "WHERE release = 'RVU25D' AND hcpcs = '97140'")  # fmt: skip
    assert len(national) > 19_000 and len(local) == 109
    for nonfacility, facility, *derived in national + local:
        expected = [None if fee is None else (fee * share).quantize(Decimal("0.01"), ROUND_HALF_UP)
                    for share in (Decimal("0.95"), Decimal("1.0925")) for fee in (nonfacility, facility)]  # fmt: skip
        assert derived == expected


def test_hive_layout_and_views(lake: Path, db):
    assert (lake / "fee_locality" / "year=2025" / "release=RVU25D" / "part-0.parquet").exists()
    assert (lake / "rvu" / "year=2022" / "release=RVU22A" / "part-0.parquet").exists()
    assert not (lake / ".staging").exists() or not list((lake / ".staging").rglob("*.parquet"))
    assert one(db, "SELECT DISTINCT year FROM rvu WHERE release = 'RVU22A'") == [(2022,)]


def test_pfs_duckdb_computes_exactly_the_published_locality_fees(lake: Path, db):
    """pfs.duckdb keeps no copy of fee_locality: its view gives every row of the Parquet files, no other."""
    assert one(db, "SELECT table_type FROM information_schema.tables WHERE table_name = 'fee_locality'") == [("VIEW",)]
    files = f"read_parquet('{lake}/fee_locality/*/*/*.parquet', hive_partitioning = true)"
    columns = ", ".join(db.table("fee_locality").columns)
    # no row of the files is missing from the view, and the view has no more rows: the same multiset
    assert one(db, f"SELECT count(*) FROM (SELECT {columns} FROM {files} EXCEPT ALL SELECT {columns} FROM fee_locality)"
               ) == [(0,)]  # fmt: skip
    counts = dict(one(db, "SELECT release, count(*) FROM fee_locality GROUP BY release"))
    assert counts == dict(one(db, f"SELECT release, count(*) FROM {files} GROUP BY release"))
    assert counts == {"RVU25D": 19090 * 109, "RVU22A": 17600 * 112}  # RVU26C ships no GPCI: no locality fees


def test_raw_archive_is_kept_with_its_digest_and_origin(lake: Path, mirror: str):
    import hashlib
    import json

    (kept,) = (lake / "raw" / "RVU25D").iterdir()
    zip_file = kept / "rvu25d.zip"
    assert hashlib.sha256(zip_file.read_bytes()).hexdigest() == kept.name
    record = json.loads((kept / "source.json").read_text())
    assert record["origin"] == f"{mirror}/rvu25d.zip" and record["sha256"] == kept.name
    (folder,) = (lake / "raw" / "RVU26C").iterdir()
    assert (folder / "PPRRVU2026_Jul_nonQPP.csv").exists()


def test_refreshing_a_real_release_again_gives_byte_identical_parquet(lake_copy: Path, mirror: str):
    """A new version of RVU25D, from the same archive, has the same bytes (on a copy: the session's lake is read)."""
    from flows.lake import manifests
    from flows.releases.flow import refresh

    lake = lake_copy
    before = manifests(lake)["RVU25D"]
    again = refresh(release="RVU25D", source=f"{mirror}/rvu25d.zip", lake=str(lake))
    assert again.skipped  # the same archive, the same pipeline: nothing to do ...
    refresh(release="RVU25D", source=f"{mirror}/rvu25d.zip", lake=str(lake), force=True)  # ... unless forced
    after = manifests(lake)["RVU25D"]
    assert after["version"] != before["version"]
    assert {t: e["sha256"] for t, e in after["tables"].items()} == {t: e["sha256"] for t, e in before["tables"].items()}
    assert after["tables"]["fee_locality"]["rows"] == 2_080_810
