"""`pfs price`: a claims file (CSV or Parquet) priced line by line into a new file, written whole or not at all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.lake import reader
from flows.pricing.policy import parameters
from flows.settings import SQL

REQUIRED = ("claim_id", "line", "hcpcs", "modifiers", "units", "place_of_service", "date_of_service")
OPTIONAL = ("zip", "mac", "locality", "provider_kind", "charge_usd")
# when the lake has no ZIP code file, the ZIP lookup joins empty tables (a line with a ZIP is then refused)
EMPTY_ZIP = {
    "zip_validity": "SELECT NULL::VARCHAR AS year_quarter, NULL::DATE AS valid_from, NULL::DATE AS valid_to LIMIT 0",
    "zip_locality": "SELECT NULL::VARCHAR AS year_quarter, NULL::VARCHAR AS zip5, NULL::VARCHAR AS mac, "
    "NULL::VARCHAR AS locality, NULL::BOOLEAN AS plus_four_required LIMIT 0",
}


class ClaimsError(ValueError):
    """A claims file pfs cannot read as claim lines (not a line's problem: the file's)."""


@dataclass
class Priced:
    lines: int
    statuses: dict[str, int]
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # (file line, reasons) of unreadable lines


def price_file(lake: Path, claims: Path, out: Path, cf_variant: str = "non_qp") -> Priced:
    """Price every line of `claims` into `out` (CSV or Parquet, by its suffix)."""
    con = reader.connect(lake)
    try:
        first_line = _load(con, claims)
        for view, empty in EMPTY_ZIP.items():
            if not reader.holds(con, "zip_locality"):
                con.execute(f"CREATE TEMP VIEW {view} AS {empty}")
        query = (SQL / "pricing" / "price.sql").read_text()
        con.execute(f"CREATE TEMP TABLE priced AS {query}", parameters(cf_variant))
        _write(con, out)
        statuses = dict(con.execute("SELECT status, count(*) FROM priced GROUP BY 1 ORDER BY 1").fetchall())
        bad = con.execute("SELECT input_row, reasons FROM priced WHERE input_problem ORDER BY 1").fetchall()
        return Priced(sum(statuses.values()), statuses, [(row + first_line - 1, why) for row, why in bad])
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, claims: Path) -> int:
    """claim_input: the file's columns as text, input_row each line's position; the file line of the first."""
    if not claims.is_file():
        raise ClaimsError(f"{claims}: no such file")
    path = str(claims).replace("'", "''")
    if claims.suffix.lower() == ".parquet":
        source, first_line = f"read_parquet('{path}')", 1
    else:
        source, first_line = f"read_csv('{path}', all_varchar = true, header = true)", 2
    try:
        columns = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb.Error as error:
        raise ClaimsError(f"{claims}: not a CSV or Parquet file of claim lines ({error})") from None
    missing = [c for c in REQUIRED if c not in columns]
    if "zip" not in columns and not {"mac", "locality"} <= set(columns):
        missing.append("zip (or mac and locality)")
    if missing:
        raise ClaimsError(f"{claims}: missing column(s) {', '.join(missing)} (it has {', '.join(columns)})")
    absent = ", ".join(f"NULL::VARCHAR AS {c}" for c in OPTIONAL if c not in columns)
    text = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in columns)
    con.execute(f"CREATE TEMP TABLE claim_input AS SELECT row_number() OVER () AS input_row, {text}"
                f"{', ' + absent if absent else ''} FROM {source}")  # fmt: skip
    return first_line


def _write(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """The priced lines into `out`, through a temporary file beside it: never half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "PARQUET" if out.suffix.lower() == ".parquet" else "CSV, HEADER"
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}")
    try:
        target = str(tmp).replace("'", "''")
        con.execute(f"COPY (SELECT * EXCLUDE (input_row, input_problem) FROM priced ORDER BY input_row) "
                    f"TO '{target}' (FORMAT {fmt})")  # fmt: skip
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
