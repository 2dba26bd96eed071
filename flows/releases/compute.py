"""Running the sql/releases/ models and audits in an embedded DuckDB over one release's validated tables."""

from __future__ import annotations

import duckdb
import polars as pl

from flows.settings import SQL

RELEASE_SQL = SQL / "releases"  # the release's models, their macros and its audits

# Inputs are loaded in key order, and every model ends in ORDER BY its key: DuckDB keeps that order
# (preserve_insertion_order), so the Parquet files come out in the same order on every run.
INPUT_KEYS: dict[str, str] = {
    "releases": "",
    "conversion_factor": "cf_variant",
    "rvu": "hcpcs, modifier",
    "gpci": "mac, locality",
    "locco": "mac, locality",
    "anesthesia_cf": "mac, locality",
    "oppscap": "hcpcs, modifier, mac, locality",
}
# Run in this order: each model may read the inputs and the models before it.
MODELS = ("localities", "opps_cap", "fee_national", "fee_locality", "category_ranking", "code_profile")
# Models pfs.duckdb also holds as views over every release: their SQL has no ORDER BY (a view would sort on
# every read), so the refresh orders them by their key here.
VIEW_MODEL_KEYS: dict[str, str] = {"fee_locality": "hcpcs, modifier, mac, locality, cf_variant"}


class AuditFailed(RuntimeError):
    """An audit query returned rows: the release is not published."""


def compute(inputs: dict[str, pl.DataFrame], year: int, release: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding the inputs and every model as tables.

    Each input carries the release's partition columns (year, release), as the lake's tables read through
    pfs.duckdb do, so a model that is also a view there reads the same columns here; publishing leaves them
    to the Hive folders.
    """
    con = duckdb.connect()
    for name, frame in inputs.items():
        con.register(f"_{name}", frame)
        order = f"ORDER BY {INPUT_KEYS[name]}" if INPUT_KEYS[name] else ""
        con.execute(
            f"CREATE TABLE {name} AS SELECT CAST($year AS INTEGER) AS year, $release AS release, * "
            f"FROM _{name} {order}",
            {"year": year, "release": release},
        )
        con.unregister(f"_{name}")
    con.execute((RELEASE_SQL / "macros.sql").read_text())
    for model in MODELS:
        query = (RELEASE_SQL / f"{model}.sql").read_text()
        if model in VIEW_MODEL_KEYS:
            query = f"SELECT * EXCLUDE (year, release) FROM ({query}) ORDER BY {VIEW_MODEL_KEYS[model]}"
        con.execute(f"CREATE TABLE {model} AS {query}")
    return con


def audit(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Run every sql/releases/audits query; raise naming each audit that returned rows (with a sample)."""
    failures = []
    counts = {}
    for path in sorted((RELEASE_SQL / "audits").glob("*.sql")):
        rows = con.sql(path.read_text()).pl()
        counts[path.stem] = rows.height
        if rows.height:
            failures.append(f"{path.stem}: {rows.height} rows, e.g.\n{rows.head(5)}")
    if failures:
        raise AuditFailed("audits failed, nothing published:\n" + "\n".join(failures))
    return counts
