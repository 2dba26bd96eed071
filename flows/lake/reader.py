"""Opening pfs.duckdb to read it as it is now."""

from __future__ import annotations

from pathlib import Path

import duckdb

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


def holds(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """The database has this table (a lake holds a dataset's tables once one of its labels is published)."""
    return con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = $t", {"t": table}).fetchone() is not None
