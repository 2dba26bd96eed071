"""The flow that brings one quarter's ZIP code to carrier locality file into the lake, like a release."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import lake as lake_files
from flows.shared import raw
from flows.shared.fingerprint import fingerprint
from flows.shared.lock import lake_lock
from flows.shared.tasks import acquire, recover
from flows.zip_locality import catalog
from flows.zip_locality.build import build_zip_locality


@dataclass(frozen=True)
class ZipPublished:
    year_quarter: str
    rows: int
    skipped: bool = False


def raw_label(year_quarter: str) -> str:
    """The ZIP file's folder in the raw area, beside the releases'."""
    return f"ZIP5-{year_quarter}"


@task(cache_policy=NO_CACHE)
def build(archive: raw.RawArchive, year_quarter: str) -> duckdb.DuckDBPyConnection:
    """Extract, parse and validate, compute: one task, as for a release (flows/releases/build.py says why)."""
    con = build_zip_locality(archive, year_quarter)
    split = con.execute("SELECT count(*) FROM zip_locality WHERE plus_four_required").fetchone()[0]
    if split and not con.execute("SELECT count(*) FROM zip9_locality").fetchone()[0]:
        get_run_logger().warning("%s: no ZIP9 file in %s: its %d ZIP codes split by +4 need a MAC and locality",
                                 year_quarter, archive.path.name, split)  # fmt: skip
    return con


@task(cache_policy=NO_CACHE)
def publish(
    con: duckdb.DuckDBPyConnection, lake: Path, year_quarter: str, archive: raw.RawArchive, pipeline: str
) -> int:
    fields = {
        "run_id": str(flow_run.id) if flow_run.id else "",
        "pipeline": pipeline,
        "source": archive.provenance(),
    }
    partition = {"year_quarter": year_quarter}
    manifest = lake_files.publish(con, lake, lake_files.ZIP_LOCALITY, year_quarter, partition, fields)
    return manifest["tables"]["zip_locality"]["rows"]


@flow(name="refresh-zip-locality")
def refresh_zip_locality(
    year_quarter: str, source: str | None = None, lake: str = "lake", wait_seconds: float = 0, force: bool = False
) -> ZipPublished:
    """Acquire, extract, parse and validate, compute and publish one quarter's ZIP code file, holding the lock."""
    lake_dir = Path(lake)
    entry = catalog.quarter(year_quarter) if source is None else None
    label = year_quarter.upper()
    with lake_lock(lake_dir, wait_seconds, on_stale=get_run_logger().warning):
        recover(lake_dir)
        archive = acquire(source, entry.zip_url if entry else "", entry.sha256 if entry else "", lake_dir,
                          raw_label(label))  # fmt: skip
        pipeline = fingerprint("zip_locality")
        if not force and lake_files.is_current(lake_dir, lake_files.ZIP_LOCALITY, label, archive.sha256, pipeline):
            get_run_logger().info("%s: ZIP code file %s unchanged, not reprocessed", label, archive.sha256[:12])
            manifest = lake_files.manifests(lake_dir, lake_files.ZIP_LOCALITY)[label]
            return ZipPublished(label, manifest["tables"]["zip_locality"]["rows"], skipped=True)
        con = build(archive, label)
        published = publish(con, lake_dir, label, archive, pipeline)
        con.close()
    return ZipPublished(label, published)
