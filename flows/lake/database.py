"""pfs.duckdb: every table of the lake with its data inside, so the file answers wherever the lake is copied.

DuckDB resolves a view's file paths against the reader's working directory, not the database file, so
views over the Parquet files would break once the lake moves; the tables are therefore copied in, except
those a dataset computes in a view from the others (fee_locality: sql/releases/fee_locality.sql, the query the
refresh ran). The file is rebuilt beside the lake (from a copy of the current one: only
changed labels are reloaded) and renamed over the old one, so a reader sees a release switch whole.
`_pfs_state` records which version of each label it holds and a digest of its views: a run that publishes
nothing leaves the file untouched, unless the file lacks a table pfs has added since (then it is made anew).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from datetime import date
from pathlib import Path

import duckdb

from flows.lake import dictionary, legacy
from flows.lake.layout import DATASETS, DB_FILE, Dataset
from flows.lake.reader import holds, in_storage_version, storage_version
from flows.releases import catalog
from flows.settings import SQL

STATE = "_pfs_state"
MACROS = SQL / "releases" / "macros.sql"  # the fee arithmetic: the views and the legacy columns use it
CALENDAR = "_release_calendar"  # config/releases.toml's calendar as data; the view release_calendar reads it
TMP_PREFIX = f".{DB_FILE}."


def sync(lake: Path, current: list[tuple[Dataset, dict]]) -> None:
    """Make pfs.duckdb hold exactly the versions the manifests name, with the views over them."""
    for leftover in lake.glob(f"{TMP_PREFIX}*"):
        leftover.unlink()  # from a run killed while it rebuilt the file
    db = lake / DB_FILE
    want = {f"{d.name}/{m['label']}": m["version"] for d, m in current}
    views = _view_statements(current)
    calendar = _calendar()
    want["views"] = hashlib.sha256("\n".join([*views, repr(calendar)]).encode()).hexdigest()
    have = _state(db)
    if have == want and not _lacks_a_table(db, current):
        return
    tmp = lake / f"{TMP_PREFIX}{uuid.uuid4().hex}"
    if have is not None:
        shutil.copyfile(db, tmp)
    con = duckdb.connect()
    con.execute(f"ATTACH {_quoted(str(tmp))} AS pfs (STORAGE_VERSION {_quoted(storage_version())})")
    con.execute("USE pfs")
    try:
        for (view,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall():
            con.execute(f'DROP VIEW "{view}"')
        if current:
            con.execute(MACROS.read_text())  # before the tables: a column an older label lacks is made with them
        for dataset in DATASETS:
            mine = [m for d, m in current if d is dataset]
            stale = [m for m in mine if (have or {}).get(f"{dataset.name}/{m['label']}") != m["version"]]
            gone = [k.split("/", 1)[1] for k in have or {} if k.startswith(f"{dataset.name}/") and k not in want]
            for table in dataset.computed:
                con.execute(f"DROP TABLE IF EXISTS {table}")  # a file of the time pfs.duckdb stored it
            for table in dataset.tables:
                if holds(con, table) and legacy.missing_columns(table, con.table(table).columns):
                    con.execute(f"DROP TABLE {table}")  # an older pfs's, without columns this one adds: made anew
                new_table = bool(mine) and not holds(con, table)  # a table this version of pfs added
                if table not in dataset.computed and (stale or gone or new_table):
                    _reload(con, lake, dataset, table, mine, stale, gone)
        con.execute(f"CREATE OR REPLACE TABLE {CALENDAR} (release VARCHAR, year INTEGER, effective_from DATE)")
        con.executemany(f"INSERT INTO {CALENDAR} VALUES (?, ?, ?)", calendar)
        for statement in views:
            con.execute(statement)
        con.execute(f"CREATE OR REPLACE TABLE {STATE} (what VARCHAR, value VARCHAR)")
        con.executemany(f"INSERT INTO {STATE} VALUES (?, ?)", sorted(want.items()))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    with tmp.open("rb") as written:
        os.fsync(written.fileno())
    tmp.replace(db)


def _lacks_a_table(db: Path, current: list[tuple[Dataset, dict]]) -> bool:
    """The file lacks a table a dataset it holds publishes now (pfs added the table since the file was made)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_quoted(str(db))} AS pfs (READ_ONLY)")
        con.execute("USE pfs")
        held = {d for d, _ in current}
        return any(not holds(con, t) for d in held for t in d.tables if t not in d.computed)
    finally:
        con.close()


def _state(db: Path) -> dict[str, str] | None:
    """What pfs.duckdb holds, or None for no file, one of the older, views-only kind, or one in another storage
    version (made anew in this one)."""
    if not db.exists():
        return None
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_quoted(str(db))} AS pfs (READ_ONLY)")
        con.execute("USE pfs")
        if not holds(con, STATE) or not in_storage_version(con):
            return None
        return dict(con.execute(f"SELECT what, value FROM {STATE}").fetchall())
    finally:
        con.close()


def _reload(
    con: duckdb.DuckDBPyConnection, lake: Path, dataset: Dataset, table: str,
    mine: list[dict], stale: list[dict], gone: list[str],
) -> None:  # fmt: skip
    """Replace the stale labels' rows of a table (by their partition); rebuild it whole when its columns changed
    (a new pipeline) or a label is gone."""
    exists = holds(con, table)
    selects = [_select(con, lake, dataset, m, table) for m in stale]
    if exists and not gone and all(_shape(con.sql(s)) == _shape(con.table(table)) for s in selects):
        for manifest in stale:
            partition = dataset.partition(manifest)
            where = " AND ".join(f'"{key}" = ${key}' for key in partition)
            con.execute(f"DELETE FROM {table} WHERE {where}", partition)
        for select in selects:
            con.execute(f"INSERT INTO {table} {select}")
        return
    con.execute(f"DROP TABLE IF EXISTS {table}")
    if mine:
        everything = " UNION ALL BY NAME ".join(_select(con, lake, dataset, m, table) for m in mine)
        con.execute(f"CREATE TABLE {table} AS {everything}")


def _select(con: duckdb.DuckDBPyConnection, lake: Path, dataset: Dataset, manifest: dict, table: str) -> str:
    """A label's rows of a table with its partition columns first, as the Hive layout gives them.

    A file written before the partition keys were left out of files (the links layout) still holds them.
    """
    columns = []
    for key, value in dataset.partition(manifest).items():
        literal = f"CAST({int(value)} AS INTEGER)" if isinstance(value, int) else _quoted(str(value))
        columns.append(f'{literal} AS "{key}"')
    entry = manifest["tables"].get(table)
    if entry is None:  # published before pfs had this table: made from the tables the label has
        return legacy.derived(table, columns, lambda name: _parquet(lake, manifest["tables"][name]["file"]))
    source = _parquet(lake, entry["file"])
    present = con.sql(f"FROM {source}").columns
    inside = [key for key in dataset.keys if key in present]
    rest = f"* EXCLUDE ({', '.join(inside)})" if inside else "*"
    missing = legacy.missing_columns(table, present)
    if missing:  # published before pfs had these columns: made, in the order a table of this pfs has them
        order = [c["name"] for c in dictionary.tables()[table]["columns"] if c["name"] not in dataset.keys]
        rest = ", ".join(f"{missing[c]} AS {c}" if c in missing else f'"{c}"' for c in order)
    return f"SELECT {', '.join([*columns, rest])} FROM {source}"


def _parquet(lake: Path, file: str) -> str:
    return f"read_parquet({_quoted(str((lake / file).resolve()))})"


def _shape(relation: duckdb.DuckDBPyRelation) -> list[tuple[str, str]]:
    return list(zip(relation.columns, map(str, relation.types), strict=True))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _view_statements(current: list[tuple[Dataset, dict]]) -> list[str]:
    """The macros, and the views (sql/<dataset>/views/) of each dataset the lake holds."""
    held = {d.name for d, _ in current}
    statements = [MACROS.read_text()] if held else []
    for dataset in DATASETS:
        if dataset.name in held:
            for view in dataset.views:
                path = SQL / dataset.sql / (f"{view}.sql" if view in dataset.computed else f"views/{view}.sql")
                statements.append(f"CREATE VIEW {view} AS {path.read_text()}")
    return statements


def _calendar() -> list[tuple[str, int, date]]:
    """The CMS release calendar of config/releases.toml, for effective dating: (release, year, effective_from)."""
    return [(r.label, r.year, r.effective_from) for r in catalog.catalog().values()]
