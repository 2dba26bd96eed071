"""`pfs price`: a claims file (CSV or Parquet) priced line by line into a new file, written whole or not at all.

Pricing runs in parts of whole claims (the multiple procedure and status T rules look across a claim's lines):
`number` cuts the file into parts, `price_part` prices one through sql/pricing/steps/, `combine` writes the output
in the input's order. `price_file` runs the parts one after another on this machine; flows/pricing/distributed.py
runs the same three steps on a Dask cluster.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.lake import reader
from flows.lake.database import MACROS
from flows.lake.layout import DB_FILE
from flows.pricing.policy import create_policy_tables, parameters
from flows.settings import SQL
from flows.shared import storage

REQUIRED = ("claim_id", "line", "hcpcs", "modifiers", "units", "place_of_service", "date_of_service")
OPTIONAL = ("zip", "mac", "locality", "provider_kind", "charge_usd", "participating")
PART_LINES = 500_000  # lines of claims priced at once: about 1 GB of DuckDB memory on 2 threads
MEMORY_LIMIT = "1500MB"  # DuckDB spills past it, so 10 M lines price in less than 2 GB
# when the lake lacks a ZIP table, the ZIP lookup joins empty ones in its place (a line with a ZIP is then refused,
# with the reason): each table, and what stands in for it and the views over it
EMPTY_ZIP = {
    "zip_locality": {
        "zip_validity": "SELECT NULL::VARCHAR AS year_quarter, NULL::DATE AS valid_from, NULL::DATE AS valid_to "
        "LIMIT 0",
        "zip_locality": "SELECT NULL::VARCHAR AS year_quarter, NULL::VARCHAR AS zip5, NULL::VARCHAR AS mac, "
        "NULL::VARCHAR AS locality, NULL::BOOLEAN AS plus_four_required LIMIT 0",
    },
    "zip9_locality": {
        "zip9_locality": "SELECT NULL::VARCHAR AS year_quarter, NULL::VARCHAR AS zip5, NULL::VARCHAR AS plus_four, "
        "NULL::VARCHAR AS mac, NULL::VARCHAR AS locality LIMIT 0",
    },
}


class ClaimsError(ValueError):
    """A claims file pfs cannot read as claim lines (not a line's problem: the file's)."""


@dataclass
class Parts:
    """A claims file numbered into parts of whole claims (temp table claim_lines)."""

    count: int
    columns: list[str]  # the claims file's own columns, in its order
    first_line: int  # the file line of input_row 1 (2 for a CSV with its header)
    in_order: bool  # the parts, one after another, hold the lines in the file's order


@dataclass
class Priced:
    lines: int
    statuses: dict[str, int]
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # (file line, reasons) of unreadable lines


def price_file(lake: str, claims: str, out: str, cf_variant: str = "non_qp", part_lines: int = PART_LINES,
               progress: Callable[[int, int], None] | None = None) -> Priced:  # fmt: skip
    """Price every line of `claims` into `out` (CSV or Parquet, by its suffix), part after part; `progress` is
    told (parts done, parts) after each."""
    with tempfile.TemporaryDirectory(prefix="pfs-price-") as stage:
        con = _lake_connection(storage.local_lake(storage.lake_root(lake)), stage, claims)
        try:
            parts = number(con, claims, part_lines)
            priced = []
            for part in range(parts.count):
                priced.append(storage.join(stage, f"priced-{part:05}.parquet"))
                price_into(con, f"SELECT * EXCLUDE (part) FROM claim_lines WHERE part = {part}", priced[-1], cf_variant)
                if progress:
                    progress(part + 1, parts.count)
        finally:
            con.close()
        return combine(priced, parts, out)


def number(con: duckdb.DuckDBPyConnection, claims: str, part_lines: int = PART_LINES) -> Parts:
    """claim_lines: the claims file's lines, each with its input_row and its part (of whole claims)."""
    source, first_line, columns = _source(con, claims)
    absent = "".join(f", NULL::VARCHAR AS {c}" for c in OPTIONAL if c not in columns)
    given = ", ".join(f'"{c}"' for c in columns)
    row = "file_row_number + 1" if first_line == 1 else "row_number() OVER ()"
    con.execute(f"CREATE TEMP TABLE numbered AS SELECT {row} AS input_row, {given}{absent} FROM {source}")
    # a claim goes to the part of its first line: parts hold whole claims, in the file's order
    con.execute(
        "CREATE TEMP TABLE claim_lines AS SELECT n.*, c.part FROM numbered AS n JOIN "
        "(SELECT claim_id, (min(input_row) - 1) // $n AS part FROM numbered GROUP BY claim_id) AS c USING (claim_id)",
        {"n": part_lines},
    )
    con.execute("DROP TABLE numbered")
    ranges = con.execute(
        "SELECT part, min(input_row), max(input_row) FROM claim_lines GROUP BY 1 ORDER BY 1"
    ).fetchall()
    in_order = all(before[2] < after[1] for before, after in zip(ranges, ranges[1:], strict=False))
    return Parts(max(len(ranges), 1), columns, first_line, in_order)  # an empty file is one empty part


def price_part(lake: Path, part: str, priced: str, cf_variant: str, threads: int | None = None) -> str:
    """One part written by `number` (a Parquet file) priced into `priced`, on a connection of its own, with `threads`
    (a Dask worker's: DuckDB would take every core of the machine for each worker)."""
    con = _lake_connection(lake, tempfile.gettempdir(), part, priced)
    if threads:
        con.execute("SET threads = $n", {"n": threads})
    try:
        price_into(con, f"SELECT * FROM read_parquet('{quoted(part)}')", priced, cf_variant)
        return priced
    finally:
        con.close()


def price_into(con: duckdb.DuckDBPyConnection, lines: str, priced: str, cf_variant: str) -> None:
    """The claim lines of the query `lines` priced by the steps of sql/pricing/steps/ into `priced` (Parquet, with
    input_row and input_problem)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE claim_input AS {lines}")
    run_steps(con, parameters(cf_variant))
    con.execute(f"COPY priced TO '{quoted(priced)}' (FORMAT PARQUET)")
    for kind, name in reversed([made(step) for step in STEPS]):  # the next part makes its own
        con.execute(f"DROP {kind} {name}")
    con.execute("DROP TABLE claim_input")


def run_steps(con: duckdb.DuckDBPyConnection, values: dict) -> None:
    """Run the steps of sql/pricing/steps/ in order, each making the table or view it is named for. `values` are the
    variables they read (getvariable)."""
    set_variables(con, values)
    for step in STEPS:
        con.execute(step.read_text())


def set_variables(con: duckdb.DuckDBPyConnection, values: dict) -> None:
    for name, value in values.items():
        con.execute(f"SET VARIABLE {name} = $value", {"value": value})


def made(step: Path) -> tuple[str, str]:
    """What a step makes, ("TABLE" or "VIEW", its name): a step read by two later ones is a table, made once; the
    others are views, which DuckDB plans into the step reading them."""
    kind, name = re.search(r"^CREATE OR REPLACE TEMP (TABLE|VIEW) (\w+)", step.read_text(), re.MULTILINE).groups()
    return kind, name


STEPS = sorted((SQL / "pricing" / "steps").glob("*.sql"), key=lambda step: int(step.stem.split("_", 1)[0]))


def _lake_connection(lake: Path, spill: str, *locations: str) -> duckdb.DuckDBPyConnection:
    """The lake read-only, with pricing's macros, empty ZIP tables when it has none, and a memory limit past
    which DuckDB spills to `spill`."""
    con = reader.connect(lake)
    if not reader.is_current(con):
        con.close()
        raise ClaimsError(f"{lake / DB_FILE} was written by an older pfs: any pfs command on the lake where it was "
                          "built (`pfs releases --lake LAKE`) brings it up to date; then copy it again")  # fmt: skip
    storage.attach(con, *locations)
    con.execute("SET memory_limit = $m", {"m": MEMORY_LIMIT})
    con.execute("SET temp_directory = $t", {"t": spill})
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")  # on a Dask worker it would print into the worker's log
    for table, stand_ins in EMPTY_ZIP.items():
        if not reader.holds(con, table):
            for view, empty in stand_ins.items():
                con.execute(f"CREATE TEMP VIEW {view} AS {empty}")
    # this pfs's fee arithmetic, not the copy in a pfs.duckdb an older pfs wrote: TEMP macros are found first
    con.execute(MACROS.read_text().replace("CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO"))
    con.execute((SQL / "pricing" / "macros.sql").read_text())
    create_policy_tables(con)
    return con


def combine(priced: list[str], parts: Parts, out: str) -> Priced:
    """The priced parts as one file at `out`, in the claims file's order, written whole; what it holds."""
    con = duckdb.connect()
    storage.attach(con, out, *priced)
    try:
        files = ", ".join(f"'{quoted(p)}'" for p in priced)
        con.execute(f"CREATE TEMP VIEW priced AS SELECT * FROM read_parquet([{files}])")
        dropped = ["input_row", "input_problem", *(c for c in OPTIONAL if c not in parts.columns and c not in
                                                     ("mac", "locality"))]  # fmt: skip
        order = "" if parts.in_order else " ORDER BY input_row"
        fmt = "PARQUET" if out.lower().endswith(".parquet") else "CSV, HEADER"
        name = Path(out.rstrip("/")).name
        local = (
            Path(tempfile.gettempdir()) if storage.is_remote(out) else Path(out).parent
        ) / f".{name}.{uuid.uuid4().hex[:8]}"
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            con.execute(f"COPY (SELECT * EXCLUDE ({', '.join(dropped)}) FROM priced{order}) TO '{quoted(str(local))}' "
                        f"(FORMAT {fmt})")  # fmt: skip
            storage.publish(local, out)
        finally:
            local.unlink(missing_ok=True)
        statuses = dict(con.execute("SELECT status, count(*) FROM priced GROUP BY 1 ORDER BY 1").fetchall())
        bad = con.execute("SELECT input_row, reasons FROM priced WHERE input_problem ORDER BY 1").fetchall()
        return Priced(sum(statuses.values()), statuses, [(row + parts.first_line - 1, why) for row, why in bad])
    finally:
        con.close()


def _source(con: duckdb.DuckDBPyConnection, claims: str) -> tuple[str, int, list[str]]:
    """The claims file as a DuckDB source, the file line of its first claim line, and its columns, checked."""
    if not storage.exists(claims):
        raise ClaimsError(f"{claims}: no such file")
    if claims.lower().endswith(".parquet"):
        source, first_line = f"read_parquet('{quoted(claims)}', file_row_number = true)", 1
    else:
        source, first_line = f"read_csv('{quoted(claims)}', all_varchar = true, header = true)", 2
    try:
        columns = [
            d[0] for d in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall() if d[0] != "file_row_number"
        ]
    except duckdb.Error as error:
        raise ClaimsError(f"{claims}: not a CSV or Parquet file of claim lines ({error})") from None
    missing = [c for c in REQUIRED if c not in columns]
    if "zip" not in columns and not {"mac", "locality"} <= set(columns):
        missing.append("zip (or mac and locality)")
    if missing:
        raise ClaimsError(f"{claims}: missing column(s) {', '.join(missing)} (it has {', '.join(columns)})")
    return source, first_line, columns


def quoted(path: str) -> str:
    """A path inside a SQL string literal."""
    return str(path).replace("'", "''")
