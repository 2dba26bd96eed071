"""The Parquet lake: its layout, manifests, the one-step publish, and pfs.duckdb (see layout.py)."""

from flows.lake.layout import DB_FILE, RELEASE, RELEASE_TABLES, ZIP_LOCALITY, table_file
from flows.lake.manifest import committed, is_current, manifests
from flows.lake.publish import publish, reconcile

__all__ = [
    "DB_FILE", "RELEASE", "RELEASE_TABLES", "ZIP_LOCALITY", "committed", "is_current", "manifests", "publish",
    "reconcile", "table_file",
]  # fmt: skip
