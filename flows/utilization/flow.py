"""The flow that brings one year of a CMS utilization file into the lake: who bills each code, and where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import lake as lake_files
from flows.lake.layout import STAGING, UTILIZATION
from flows.shared import raw
from flows.shared.fingerprint import fingerprint
from flows.shared.lock import lake_lock
from flows.shared.tasks import acquire, recover
from flows.utilization.build import BuiltUtilization, build_utilization


@dataclass(frozen=True)
class UtilizationPublished:
    year: int
    source: str
    rows: dict[str, int]
    suppressed_rows: int
    skipped: bool = False


@flow(name="refresh-utilization")
def refresh_utilization(
    year: int, source: str, lake: str = "lake", crosswalk: str | None = None, wait_seconds: float = 0,
    force: bool = False,
) -> UtilizationPublished:  # fmt: skip
    """Acquire, read the layout, aggregate (streamed) and check, publish one year of one utilization file."""
    lake_dir = Path(lake)
    with lake_lock(lake_dir, wait_seconds, on_stale=get_run_logger().warning):
        recover(lake_dir)
        archive = acquire(source, "", "", lake_dir, f"utilization-{year}", zip_only=False)
        names = acquire(crosswalk, "", "", lake_dir, "specialty-crosswalk", zip_only=False) if crosswalk else None
        pipeline = fingerprint("utilization") + (f"+{names.sha256}" if names else "")
        published = _published(lake_dir, year, archive.sha256, pipeline)
        if published and not force:
            get_run_logger().info("%s: file %s unchanged, not reprocessed", published["label"], archive.sha256[:12])
            return _unchanged(published)
        built = build(year, archive, names, lake_dir)
        rows = publish(built, lake_dir, year, archive, pipeline)
        built.con.close()
    return UtilizationPublished(year, built.source, rows, built.suppressed_rows)


@task(cache_policy=NO_CACHE)
def build(year: int, archive: raw.RawArchive, names: raw.RawArchive | None, lake: Path) -> BuiltUtilization:
    """Check, aggregate (streamed) and name one year's file: one task, as a release's (releases/build.py says why)."""
    return build_utilization(year, archive, names, lake / STAGING, get_run_logger().info)


@task(cache_policy=NO_CACHE)
def publish(built: BuiltUtilization, lake: Path, year: int, archive: raw.RawArchive, pipeline: str) -> dict[str, int]:
    fields = {
        "year": year,
        "run_id": str(flow_run.id) if flow_run.id else "",
        "pipeline": pipeline,
        "source": archive.provenance(),
        "source_rows": built.rows,
        "suppressed_rows": built.suppressed_rows,
    }
    label = f"{year}-{built.source}"
    partition = {"year": year, "source": built.source}
    manifest = lake_files.publish(built.con, lake, UTILIZATION, label, partition, fields)
    return {table: entry["rows"] for table, entry in manifest["tables"].items()}


def _published(lake: Path, year: int, sha256: str, pipeline: str) -> dict | None:
    """The manifest of this year published from this very file by this very pipeline, if any (the layout, and
    so the label's source, is known only once the file is read)."""
    for manifest in lake_files.manifests(lake, UTILIZATION).values():
        if (manifest["year"], manifest["source"]["sha256"], manifest.get("pipeline")) == (year, sha256, pipeline):
            return manifest
    return None


def _unchanged(manifest: dict) -> UtilizationPublished:
    rows = {table: entry["rows"] for table, entry in manifest["tables"].items()}
    source = manifest["partition"]["source"]
    return UtilizationPublished(manifest["year"], source, rows, manifest["suppressed_rows"], skipped=True)
