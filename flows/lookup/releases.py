"""`pfs releases`: what the lake holds of each release, from pfs.duckdb and the manifests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.lake.manifest import manifests
from flows.settings import SQL


def lake_releases(con: duckdb.DuckDBPyConnection, lake: Path) -> list[dict]:
    """One record per release: dates, conversion factors, files present and missing, rows per table, source."""
    cursor = con.execute((SQL / "lookup" / "releases.sql").read_text())
    names = [d[0] for d in cursor.description]
    published = manifests(lake)
    listed = []
    for row in cursor.fetchall():
        record = dict(zip(names, row, strict=True))
        record["conversion_factors_usd"] = dict(record["conversion_factors_usd"] or {})
        manifest = published.get(record["release"], {})
        record["rows"] = {table: entry["rows"] for table, entry in sorted(manifest.get("tables", {}).items())}
        record["published_at"] = manifest.get("published_at")
        listed.append(record)
    return listed
