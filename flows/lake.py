"""The Parquet lake: `<lake>/<table>/year=YYYY/release=<LABEL>/part-0.parquet`, and pfs.duckdb views over it.

A run writes every table of a release into `<lake>/.staging/<run>/`, and only when all are written swaps
each release folder into place; `year` and `release` live in the path, not inside the files.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb

# The lake's tables; each is already in key order in DuckDB (flows/compute.py), and written as it is.
TABLES: tuple[str, ...] = (
    "releases",
    "rvu",
    "gpci",
    "localities",
    "anesthesia_cf",
    "opps_cap",
    "fee_national",
    "fee_locality",
    "category_ranking",
    "code_profile",
)
DB_FILE = "pfs.duckdb"


def partition(table: str, year: int, release: str) -> Path:
    return Path(table) / f"year={year}" / f"release={release}"


def stage(con: duckdb.DuckDBPyConnection, lake: Path, year: int, release: str) -> Path:
    """Write every table of the release into a fresh staging folder; returns it."""
    staging = lake / ".staging" / uuid.uuid4().hex
    for table in TABLES:
        folder = staging / partition(table, year, release)
        folder.mkdir(parents=True)
        con.execute(f"COPY {table} TO '{folder / 'part-0.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
    return staging


def publish(staging: Path, lake: Path, year: int, release: str) -> None:
    """Swap each staged release folder into place (the old one is set aside until all are in), then views."""
    trash = lake / ".trash" / staging.name
    for table in TABLES:
        target = lake / partition(table, year, release)
        if target.exists():
            (trash / table).mkdir(parents=True, exist_ok=True)
            target.rename(trash / table / target.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / partition(table, year, release)).rename(target)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    write_views(lake)


def write_views(lake: Path) -> None:
    """Recreate pfs.duckdb with one view per table over all releases; replaced in one rename."""
    lake = lake.resolve()
    tmp = lake / f".{DB_FILE}.{uuid.uuid4().hex}"
    con = duckdb.connect(str(tmp))
    try:
        for table in TABLES:
            if not any((lake / table).glob("year=*/release=*/*.parquet")):
                continue
            glob = lake / table / "*" / "*" / "*.parquet"
            con.execute(
                f"CREATE VIEW {table} AS SELECT release, year, * EXCLUDE (release, year) "
                f"FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true, "
                "hive_types = {'year': INTEGER, 'release': VARCHAR})"
            )
    finally:
        con.close()
    tmp.rename(lake / DB_FILE)
