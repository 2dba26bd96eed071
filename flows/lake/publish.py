"""Publishing to the lake in one step: stage every table, commit a manifest by one rename, then move files in.

A run writes a label's tables (a release's ten, a quarter's ZIP table) into a hidden staging folder, then
commits by replacing the label's manifest in one rename. After the commit each staged file replaces its
table's `part-0.parquet` in one rename (a Parquet reader sees the old file or the new one, never both), and
pfs.duckdb is rebuilt beside the lake and renamed over the old one (a reader of it sees a release switch
whole). Every run starts by finishing what a killed run committed and dropping what it did not.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows.lake import database, legacy
from flows.lake.layout import INCOMPLETE, STAGING, Dataset, staged_dir, table_file
from flows.lake.manifest import commit, committed, manifests

# Releases of a batch publish from threads: one commit (manifest, files, pfs.duckdb) at a time.
_COMMITS = threading.RLock()


def new_version() -> str:
    """A sortable, unique version name: UTC time and a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def stage(con: duckdb.DuckDBPyConnection, folder: Path, tables: tuple[str, ...], keys: tuple[str, ...]) -> dict:
    """Write each table (already in key order in DuckDB) into the staging folder; rows and sha256 per file.

    Partition keys a table holds as columns are left out of its file: the Hive path carries them.
    """
    folder.mkdir(parents=True)
    written = {}
    for table in tables:
        path = folder / f"{table}.parquet"
        inside = [key for key in keys if key in con.table(table).columns]
        select = f"SELECT * EXCLUDE ({', '.join(inside)}) FROM {table}" if inside else f"FROM {table}"
        rows = con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)").fetchone()[0]
        written[table] = {"rows": rows, "sha256": _sha256(path)}
    return written


def publish(
    con: duckdb.DuckDBPyConnection, lake: Path, dataset: Dataset, label: str, partition: dict, fields: dict
) -> dict:
    """Stage the dataset's tables as a new version of the label, commit its manifest, move the files in."""
    version = new_version()
    unfinished = staged_dir(lake, dataset.name, label, version + INCOMPLETE)
    staged = stage(con, unfinished, dataset.tables, dataset.keys)
    manifest = {
        "dataset": dataset.name,
        "label": label,
        "partition": partition,
        "version": version,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {table: {"file": table_file(table, partition), **entry} for table, entry in staged.items()},
        **fields,
    }
    with _COMMITS:
        manifest["previous_version"] = manifests(lake, dataset).get(label, {}).get("version")
        unfinished.rename(staged_dir(lake, dataset.name, label, version))
        commit(lake, dataset, manifest)
        _move_in(lake, dataset, manifest)
        database.sync(lake, committed(lake))
    return manifest


def reconcile(lake: Path) -> None:
    """Bring the lake to what its manifests say: finish committed versions, drop uncommitted ones, sync pfs.duckdb.

    Run at the start of every run, under the lake's lock; a lake of the older links layout is upgraded first.
    """
    with _COMMITS:
        legacy.upgrade(lake)
        current = committed(lake)
        for dataset, manifest in current:
            _move_in(lake, dataset, manifest)
        _drop_uncommitted(lake, {(d.name, m["label"], m["version"]) for d, m in current})
        database.sync(lake, current)


def _move_in(lake: Path, dataset: Dataset, manifest: dict) -> None:
    """Each staged file of a committed version replaces its table's file; then the staged folder goes."""
    folder = staged_dir(lake, dataset.name, manifest["label"], manifest["version"])
    if not folder.exists():
        return
    for table, entry in manifest["tables"].items():
        staged = folder / f"{table}.parquet"
        if staged.exists():
            target = lake / entry["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.replace(target)
    _remove(folder)


def _drop_uncommitted(lake: Path, keep: set[tuple[str, str, str]]) -> None:
    """Staged versions no manifest names: what a killed run left before its commit."""
    root = lake / STAGING
    if not root.exists():
        return
    for copy in root.glob("upgrade-*.parquet"):
        copy.unlink()  # an upgrade's copy not yet moved in (legacy.py)
    for version in list(root.glob("*/*/*")):  # listed first: _remove prunes the folders walked
        dataset, label = version.parent.parent.name, version.parent.name
        if (dataset, label, version.name) not in keep:
            _remove(version)


def _remove(version: Path) -> None:
    """A staged version's folder, and the label, dataset and staging folders it leaves empty."""
    shutil.rmtree(version, ignore_errors=True)
    for folder in (version.parent, version.parent.parent, version.parent.parent.parent):
        if not folder.exists() or any(folder.iterdir()):
            break
        folder.rmdir()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
