"""Reading the lake across releases: the release in force on a date, and what changed between two releases."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import duckdb

from flows.settings import SQL

if TYPE_CHECKING:  # polars is imported by the functions that use it: `pfs code` starts faster without it
    import polars as pl


def release_on(con: duckdb.DuckDBPyConnection, day: date) -> str:
    """The release of the lake in force for a date of service; an error naming the one the lake lacks."""
    row = con.execute((SQL / "lookup" / "release_on.sql").read_text(), {"day": day}).fetchone()
    if row:
        return row[0]
    calendar = con.execute((SQL / "lookup" / "calendar_on.sql").read_text(), {"day": day}).fetchone()
    if calendar is None:
        raise LookupError(f"no CMS release of the catalog prices dates of service on {day}")
    raise LookupError(f"{calendar[0]} is in force on {day} but not in the lake: pfs refresh --release {calendar[0]}")


def effective_from(con: duckdb.DuckDBPyConnection, release: str) -> date:
    """The first day a release of the lake prices."""
    row = con.execute("SELECT valid_from FROM release_validity WHERE release = $r", {"r": release}).fetchone()
    if row is None:
        raise LookupError(f"{release} is not in the lake")
    return row[0]


def code_changes(con: duckdb.DuckDBPyConnection, from_release: str, to_release: str) -> pl.DataFrame:
    """code_change between any two releases of the lake (the view holds consecutive ones only)."""
    known = {r for (r,) in con.execute("SELECT release FROM releases").fetchall()}
    absent = [r for r in (from_release, to_release) if r not in known]
    if absent:
        raise KeyError(f"not in the lake: {', '.join(absent)} (it has {', '.join(sorted(known))})")
    body = (SQL / "releases" / "views" / "code_change.sql").read_text()
    query = f"WITH change_pairs AS (SELECT $from AS from_release, $to AS to_release) SELECT * FROM (\n{body}\n)"
    return con.sql(query, params={"from": from_release, "to": to_release}).pl()


def largest_changes(changes: pl.DataFrame, top: int) -> pl.DataFrame:
    """Codes present on both sides, largest national non-facility fee change (in dollars) first."""
    import polars as pl

    both = changes.filter(pl.col("change").is_in(["rvu_changed", "status_changed"]))
    size = pl.col("fee_nonfacility_change_usd").cast(pl.Float64).abs()
    return both.sort(size, pl.col("nonfacility_total_rvu_change").cast(pl.Float64).abs(), descending=True,
                     nulls_last=True).head(top)  # fmt: skip
