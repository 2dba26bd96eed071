"""`pfs releases`: what the lake holds of each release, from pfs.duckdb and the manifests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.lake.manifest import manifests

QUERY = """
SELECT r.release, r.year, v.valid_from AS effective_from, v.valid_to AS effective_to, r.released_on,
       (SELECT map(list(cf_variant ORDER BY cf_variant), list(conversion_factor_usd ORDER BY cf_variant))
        FROM (SELECT DISTINCT cf_variant, conversion_factor_usd FROM fee_national AS f WHERE f.release = r.release))
           AS conversion_factors_usd,
       r.files, r.files_missing, r.origin, r.archive_sha256, r.archive_bytes
FROM releases AS r
LEFT JOIN release_validity AS v USING (release)
ORDER BY v.valid_from, r.release
"""


def lake_releases(con: duckdb.DuckDBPyConnection, lake: Path) -> list[dict]:
    """One record per release: dates, conversion factors, files present and missing, rows per table, source."""
    cursor = con.execute(QUERY)
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
