"""Running an analyst's SQL over pfs.duckdb without letting it change anything, and writing what it returns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.lake import reader
from flows.lake.layout import DB_FILE

FORMATS = ("table", "csv", "json", "parquet")


class QueryError(RuntimeError):
    """A query DuckDB refused, as one line."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    arrow: object | None = None  # a pyarrow Table, fetched only for Parquet output


def connect(lake: Path) -> duckdb.DuckDBPyConnection:
    """pfs.duckdb opened read-only, with no access to other files: a query reads the lake and writes nothing."""
    db = lake / DB_FILE
    if not db.exists():
        raise QueryError(f"no lake at {lake} (run `pfs refresh` first)")
    con = reader.connect(lake)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def run(con: duckdb.DuckDBPyConnection, query: str, as_arrow: bool = False) -> Result:
    """The last statement's result; DuckDB's refusal as one line (read-only, syntax, unknown names …)."""
    try:
        if as_arrow:
            relation = con.sql(query)
            if relation is None:
                return Result([], [], [])
            return Result(relation.columns, list(map(str, relation.types)), [], relation.to_arrow_table())
        cursor = con.execute(query)
        if cursor.description is None:
            return Result([], [], [])
        return Result([d[0] for d in cursor.description], [str(d[1]) for d in cursor.description], cursor.fetchall())
    except duckdb.Error as error:
        raise QueryError(one_line(error)) from None


def one_line(error: BaseException) -> str:
    """DuckDB's message without the caret drawing under the query."""
    first = str(error).strip().splitlines()[0]
    if "read-only mode" in first or "disabled by configuration" in first:
        first += " (pfs sql is read-only: it never changes the lake)"
    return first


def write(result: Result, fmt: str, out: Path | None) -> str | None:
    """csv or json text (returned when there is no --out), or a Parquet file (which needs --out)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(result.arrow, out)
        return None
    text = _csv(result) if fmt == "csv" else _json(result)
    if out is None:
        return text
    out.write_text(text)
    return None


def _csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows(["" if v is None else v for v in row] for row in result.rows)
    return buffer.getvalue()


def _json(result: Result) -> str:
    from flows.lookup.jsonable import dumps

    return dumps([dict(zip(result.columns, row, strict=True)) for row in result.rows]) + "\n"
