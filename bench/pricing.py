"""Benchmark of issue 12: claim lines generated at scale and priced through `pfs price`, as a user runs it.

    uv run python bench/pricing.py [--lake DIR] [--lines 10000000] [--workers N] [--keep]

Without --lake, builds a lake of RVU25D from ../shared/data/cms/archives/rvu25d.zip in bench/out/ first (not
measured). Generates claims (Parquet, not measured) in bench/out/: codes drawn from RVU25D's active codes,
one to three units, a mix of places of service (office, hospital, telehealth 02 and 10, ...), modifiers on
some lines (26, TC, 50, 80, 62, 54, CQ, LT, RT, 59), four lines a claim, dates of service in RVU25D's
quarter, MAC and locality given, a provider kind and a charge on some lines. Then runs `pfs price` (a new
process; with --workers, on a local Dask cluster of that many processes) and reports wall time, lines per
second and the peak RSS of the largest process. Target on a 2-core machine: 10 M lines in <= 30 s and <= 2 GB.
Then times the floor, the same lines joined to their locality fee into Parquet with no rule (issue 20: pfs price
within 4x of it). Then checks the amounts: a sample of lines no rule can change (chosen by their input and PPRRVU
row: no modifier, a physician, no charge, status A, MULT PROC and BILAT SURG 0 or 9, a setting CMS pays) against
the locality fee x units computed in Decimal from the lake's RVU and GPCI rows (tests/reference.py); and, that
parts change nothing, the first claims priced again on their own against the same lines of the large run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from static_site import OUT, ROOT, environment, lake_of_rvu25d  # noqa: E402  (the same RVU25D lake)

sys.path.insert(0, str(ROOT))
from flows import settings  # noqa: E402
from flows.lake import reader  # noqa: E402
from flows.pricing.price import price_file  # noqa: E402
from tests.reference import locality_fee  # noqa: E402
from transforms.places_of_service import facility_places  # noqa: E402

SAMPLE = 2_000  # lines checked against the Decimal reference
ALONE = 8_000  # the first lines (2,000 claims of four) priced again on their own

GENERATE = """
COPY (
    WITH pools AS (
        SELECT
            (SELECT list(DISTINCT hcpcs ORDER BY hcpcs) FROM rvu
             WHERE release = 'RVU25D' AND status_code = 'A' AND modifier = '') AS codes,
            (SELECT list(mac ORDER BY mac, locality) FROM gpci WHERE release = 'RVU25D') AS macs,
            (SELECT list(locality ORDER BY mac, locality) FROM gpci WHERE release = 'RVU25D') AS localities
    )
    SELECT
        'C' || (g // 4)::VARCHAR AS claim_id,
        (g % 4 + 1)::VARCHAR AS line,
        codes[(hash(g, 8) % len(codes) + 1)::BIGINT] AS hcpcs,
        ['', '', '', '', '', '26', 'TC', '50', '80', '62', '54', 'CQ', 'LT', 'RT', '59', '']
            [(hash(g, 1) % 16 + 1)::BIGINT]
            AS modifiers,
        (hash(g, 2) % 3 + 1)::VARCHAR AS units,
        ['11', '11', '11', '22', '21', '02', '10', '19', '31', '81'][(hash(g, 3) % 10 + 1)::BIGINT] AS place_of_service,
        (DATE '2025-10-01' + (hash(g // 4, 4) % 92)::INTEGER)::VARCHAR AS date_of_service,
        macs[(hash(g // 4, 9) % len(macs) + 1)::BIGINT] AS mac,
        localities[(hash(g // 4, 9) % len(macs) + 1)::BIGINT] AS locality,
        CASE WHEN hash(g, 5) % 10 = 0 THEN 'npp' ELSE 'physician' END AS provider_kind,
        CASE WHEN hash(g, 6) % 4 = 0 THEN (hash(g, 7) % 50000 / 100)::VARCHAR END AS charge_usd
    FROM range($lines) AS t(g), pools
) TO '{out}' (FORMAT PARQUET)
"""


# The floor pfs price is measured against (issue 20): the same lines joined to their locality fee and written to
# Parquet, with no rule at all.
FLOOR = """
COPY (
    SELECT c.*, f.fee_nonfacility_usd, f.fee_facility_usd
    FROM read_parquet('{claims}') AS c
    LEFT JOIN read_parquet('{fees}', hive_partitioning = true) AS f
        ON f.release = 'RVU25D' AND f.cf_variant = 'non_qp' AND f.hcpcs = c.hcpcs AND f.modifier = ''
           AND f.mac = c.mac AND f.locality = c.locality
) TO '{out}' (FORMAT PARQUET)
"""


def floor(lake: Path, claims: Path, out: Path) -> float:
    """Seconds the plain join takes, in this process."""
    started = time.perf_counter()
    fees = lake / "fee_locality" / "**" / "*.parquet"
    duckdb.connect().execute(FLOOR.format(claims=claims, fees=fees, out=out))
    return time.perf_counter() - started


def check_against_reference(lake: Path, claims: Path, priced: Path) -> int:
    """Lines no rule can change, each priced at the Decimal locality fee x units; how many were checked."""
    # the generated claims all fall in RVU25D's quarter: the facility places of config/places_of_service.toml then
    places = ", ".join(f"'{p}'" for p in facility_places(settings.places_of_service(), date(2025, 11, 1)))
    no_rule = f"""
        SELECT c.hcpcs, c.units, c.mac, c.locality, o.release, o.allowed_usd, o.status,
               CASE WHEN c.place_of_service IN ({places}) THEN 'facility' ELSE 'nonfacility' END AS setting
        FROM (SELECT row_number() OVER () AS n, * FROM '{claims}') AS c
        POSITIONAL JOIN (SELECT * FROM '{priced}') AS o
        JOIN pfs.rvu AS r ON r.release = o.release AND r.hcpcs = c.hcpcs AND r.modifier = ''
        WHERE coalesce(c.modifiers, '') = '' AND c.provider_kind = 'physician' AND c.charge_usd IS NULL
              AND r.status_code = 'A' AND r.mult_proc_ind IN ('0', '9') AND r.bilat_surg_ind IN ('0', '9')
              AND NOT r.nonfacility_na AND NOT r.facility_na
    """
    con = duckdb.connect()
    con.execute(f"ATTACH '{lake / 'pfs.duckdb'}' AS pfs (READ_ONLY)")
    lines = con.execute(f"SELECT * FROM ({no_rule}) USING SAMPLE {SAMPLE} ROWS (reservoir, 7)").fetchall()
    db = reader.connect(lake)
    for hcpcs, units, mac, locality, release, allowed, status, setting in lines:
        fee = locality_fee(db, release, hcpcs, "", mac, locality, setting)
        if status != "priced" or fee * int(units) != allowed:
            raise SystemExit(f"{hcpcs} x{units} in {mac}/{locality} ({setting}): {status} {allowed}, reference {fee}")
    return len(lines)


def check_alone(lake: Path, claims: Path, priced: Path) -> int:
    """Parts change nothing: the first claims priced on their own equal the same lines of the large run, column for
    column (pfs against pfs: the reference check is the amounts' own)."""
    con = duckdb.connect()
    first, again = OUT / "claims-first.parquet", OUT / "priced-first.parquet"
    con.execute(f"COPY (SELECT * FROM '{claims}' LIMIT {ALONE}) TO '{first}' (FORMAT PARQUET)")
    price_file(str(lake), str(first), str(again))
    differ = con.execute(
        f"SELECT count(*) FROM ((SELECT * FROM '{again}') EXCEPT ALL (SELECT * FROM '{priced}' LIMIT {ALONE}))"
    ).fetchone()[0]
    first.unlink()
    again.unlink()
    if differ:
        raise SystemExit(f"{differ} of the first {ALONE} lines price differently on their own")
    return ALONE


def generate(lake: Path, path: Path, lines: int) -> None:
    con = duckdb.connect()
    con.execute(f"ATTACH '{lake / 'pfs.duckdb'}' AS pfs (READ_ONLY)")
    con.execute("USE pfs")
    con.execute(GENERATE.format(out=path), {"lines": lines})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    lake = args.lake or lake_of_rvu25d()
    claims = OUT / f"claims-{args.lines}.parquet"
    if not claims.exists():
        started = time.perf_counter()
        generate(lake, claims, args.lines)
        print(
            f"generated {args.lines:,} lines in {time.perf_counter() - started:.1f} s "
            f"({claims.stat().st_size / 1e6:,.0f} MB)"
        )
    priced = OUT / "priced.parquet"
    started = time.perf_counter()
    command = [sys.executable, "-m", "flows.cli", "price", str(claims), "--out", str(priced), "--lake", str(lake)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    done = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr or done.stdout)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(done.stdout.strip())
    print(f"pfs price, {args.lines:,} lines, {os.cpu_count()} cores, {args.workers or 'no'} Dask workers: "
          f"{wall:.1f} s wall, "
          f"{args.lines / wall:,.0f} lines/s, peak RSS {peak:,.0f} MB (target <= 30 s, <= 2 GB)")  # fmt: skip
    joined = OUT / "floor.parquet"
    plain = floor(lake, claims, joined)
    print(f"the floor, a plain join of the same lines to their locality fee into Parquet: {plain:.1f} s; "
          f"pfs price takes {wall / plain:.1f}x the floor (target <= 4x)")  # fmt: skip
    joined.unlink()
    print(f"amounts: {check_against_reference(lake, claims, priced):,} sampled lines no rule changes equal the Decimal "
          f"reference; the first {check_alone(lake, claims, priced):,} lines priced on their own equal the large "
          "run's")  # fmt: skip
    if not args.keep:
        claims.unlink()
        priced.unlink()


if __name__ == "__main__":
    main()
