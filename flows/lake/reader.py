"""Opening pfs.duckdb to read it as it is now."""

from __future__ import annotations

import functools
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from flows import settings
from flows.lake import legacy
from flows.lake.layout import DB_FILE


def connect(lake: Path) -> duckdb.DuckDBPyConnection:
    """pfs.duckdb attached read-only to a private in-memory database, its tables and views unqualified.

    DuckDB keeps one database per path in a process: `duckdb.connect(path)` while another connection of the
    process is open returns that database, which may be a file a later publish has since replaced.
    """
    con = duckdb.connect()
    con.execute("ATTACH $db AS pfs (READ_ONLY)", {"db": str(lake / DB_FILE)})
    con.execute("USE pfs")
    return con


def storage_version() -> str:
    """The DuckDB storage version pfs.duckdb is written in: the oldest DuckDB that must open it (config/defaults.toml
    [lake])."""
    return settings.defaults()["lake"]["duckdb_storage_version"]


def in_storage_version(con: duckdb.DuckDBPyConnection) -> bool:
    """The database the connection uses is written in that storage version."""
    return _storage_tag(con) == _expected_tag(storage_version())


def _storage_tag(con: duckdb.DuckDBPyConnection) -> str:
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    return tags.get("storage_version", "")


@functools.cache
def _expected_tag(version: str) -> str:
    """How DuckDB tags a file written in `version` (v1.4.0 -> "v1.4.0+"; a later 1.4 -> the first of its format)."""
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect()
        con.execute(f"ATTACH '{folder}/probe.duckdb' AS probe (STORAGE_VERSION '{version}')")
        con.execute("USE probe")
        tag = _storage_tag(con)
        con.close()
    return tag


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """pfs.duckdb has every table and column this version of pfs added (flows/lake/legacy.py names them): a file an
    older pfs wrote lacks some, until the next rebuild makes them."""
    tables = [(t, d) for t, d in legacy.DERIVED.items() if t not in legacy.READERS_DO_WITHOUT]
    return not any(holds(con, source) and not holds(con, table) for table, (source, _) in tables) and not any(
        holds(con, table) and legacy.missing_columns(table, con.table(table).columns)
        for table in legacy.DERIVED_COLUMNS
    )


def holds(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """The database has this table (a lake holds a dataset's tables once one of its labels is published)."""
    return con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = $t", {"t": table}).fetchone() is not None


def stream(con: duckdb.DuckDBPyConnection, query: str, params: dict, named: bool = False) -> Iterator:
    """A query's rows a few thousand at a time, on a cursor of its own (several streams are read side by side)."""
    database = con.execute("SELECT current_database()").fetchone()[0]
    cursor = con.cursor()
    cursor.execute(f'USE "{database}"')  # a cursor starts in the in-memory database, not the lake's
    cursor.execute(query, params)
    names = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(5_000):
        for row in rows:
            yield dict(zip(names, row, strict=True)) if named else row
    cursor.close()


def grouped(rows: Iterator) -> Iterator[tuple[str, list]]:
    """(hcpcs, its rows) of a stream sorted by code; hcpcs is each row's first column."""
    for hcpcs, group in itertools.groupby(rows, key=lambda row: row["hcpcs"] if isinstance(row, dict) else row[0]):
        yield hcpcs, list(group)


Grouped = Iterator[tuple[str, list]]


def merged_by_code(leading: Iterator[dict], parts: dict[str, Grouped]) -> Iterator[tuple[dict, dict[str, list]]]:
    """Each row of a stream sorted by hcpcs, with the rows of every grouped part stream for its code."""
    pending = {name: next(part, None) for name, part in parts.items()}
    for row in leading:
        hcpcs = row["hcpcs"]
        mine = {}
        for name, part in parts.items():
            while pending[name] is not None and pending[name][0] < hcpcs:
                pending[name] = next(part, None)
            mine[name] = pending[name][1] if pending[name] is not None and pending[name][0] == hcpcs else []
        yield row, mine
