"""The refresh flow: one CMS release in, its tables published in the lake."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from flows import lake as lake_files
from flows import settings
from flows.releases import catalog
from flows.releases.build import BuiltRelease, build_release
from flows.shared import raw
from flows.shared.fingerprint import fingerprint
from flows.shared.lock import lake_lock
from flows.shared.tasks import acquire, publish_to_store, recover

PARALLEL_RELEASES = settings.defaults()["refresh"]["parallel_releases"]


@dataclass(frozen=True)
class Published:
    release: str
    year: int
    rows: dict[str, int]
    missing: list[str]
    raw_path: Path
    skipped: bool = False  # the lake already held this archive, processed by this pipeline


@task(cache_policy=NO_CACHE)
def build(archive: raw.RawArchive, entry: catalog.Release) -> BuiltRelease:
    """Extract, parse, validate, compute and audit in memory (releases/build.py says why one task); times logged."""
    logger = get_run_logger()
    built = build_release(archive, entry, lambda step, seconds: logger.info("%s: %.2f s", step, seconds))
    found = built.found
    logger.info("files: %s", ", ".join(f"{k}={name}" for k, (name, _) in found.files.items()))
    if found.unexpected:
        logger.warning("%s holds files pfs does not know, ignored: %s", archive.release, ", ".join(found.unexpected))
    if found.missing:
        logger.warning(
            "%s lacks %s: their tables stay empty for this release", archive.release, ", ".join(found.missing)
        )
    return built


@task(cache_policy=NO_CACHE)
def publish(
    con: duckdb.DuckDBPyConnection, lake: Path, year: int, release: str, archive: raw.RawArchive, pipeline: str
) -> dict[str, int]:
    fields = {
        "release": release,
        "year": year,
        "run_id": str(flow_run.id) if flow_run.id else "",
        "pipeline": pipeline,
        "source": archive.provenance(),
    }
    partition = {"year": year, "release": release}
    manifest = lake_files.publish(con, lake, lake_files.RELEASE, release, partition, fields)
    return {table: entry["rows"] for table, entry in manifest["tables"].items()}


@flow(name="refresh")
def refresh(
    release: str, source: str | None = None, lake: str = "lake", wait_seconds: float = 0, force: bool = False
) -> Published:
    """Acquire, extract, transform, validate, compute and publish one release, holding the lake's lock.

    A release whose archive and pipeline are those the lake already published is not processed again.
    """
    lake_dir = Path(lake)
    with lake_lock(lake_dir, wait_seconds, on_stale=get_run_logger().warning):
        recover(lake_dir)
        return _pipeline(release, source, lake_dir, force)


def _pipeline(release: str, source: str | None, lake: Path, force: bool) -> Published:
    """One release through every step; the caller holds the lake's lock."""
    entry = _entry(release, source)
    archive = acquire(source, entry.zip_url, entry.sha256, lake, entry.label)
    pipeline = fingerprint("release")
    if not force and lake_files.is_current(lake, lake_files.RELEASE, entry.label, archive.sha256, pipeline):
        get_run_logger().info("%s: archive %s unchanged, not reprocessed", entry.label, archive.sha256[:12])
        return _unchanged(lake, entry.label, entry.year, archive.path)
    built = build(archive, entry)
    rows = publish(built.con, lake, entry.year, entry.label, archive, pipeline)
    built.con.close()
    missing = built.found.missing
    create_markdown_artifact(
        key=f"refresh-{entry.label.lower()}",
        markdown=summary(entry.label, rows, missing),
        description=f"rows per table for {entry.label}",
    )
    return Published(entry.label, entry.year, rows, missing, archive.path)


def _entry(release: str, source: str | None) -> catalog.Release:
    """The catalog's entry, or for a label CMS lists that the catalog lacks, one dated by its label."""
    if release.upper() in catalog.catalog() or source is None or not raw.is_url(source):
        return catalog.release(release)
    return catalog.discovered_release(release, source, "")


def _unchanged(lake: Path, release: str, year: int, raw_path: Path) -> Published:
    manifest = lake_files.manifests(lake)[release]
    rows = {table: entry["rows"] for table, entry in manifest["tables"].items()}
    return Published(release, year, rows, [], raw_path, skipped=True)


@dataclass(frozen=True)
class Outcome:
    """How one release of a batch ended."""

    release: str
    status: str  # published | unchanged | failed
    detail: str


@task(cache_policy=NO_CACHE)
def refresh_one(release: str, source: str | None, lake: Path, force: bool) -> Published:
    """One release of a batch, its steps as nested tasks."""
    return _pipeline(release, source, lake, force)


@flow(name="refresh-releases", task_runner=ThreadPoolTaskRunner(max_workers=PARALLEL_RELEASES))
def refresh_releases(
    releases: list[tuple[str, str | None]], lake: str = "lake", wait_seconds: float = 0, force: bool = False
) -> list[Outcome]:
    """Refresh each (release, source), a few at a time; a release that fails is reported and the others go on."""
    lake_dir = Path(lake)
    with lake_lock(lake_dir, wait_seconds, on_stale=get_run_logger().warning):
        recover(lake_dir)
        futures = [refresh_one.submit(release, source, lake_dir, force) for release, source in releases]
        results = [future.result(raise_on_failure=False) for future in futures]
    return [_outcome(release, result) for (release, _), result in zip(releases, results, strict=True)]


def _outcome(release: str, result: Published | BaseException) -> Outcome:
    if isinstance(result, BaseException):
        return Outcome(release, "failed", f"{type(result).__name__}: {result}")
    detail = f"{result.rows['rvu']:,} rvu rows, {result.rows['fee_locality']:,} locality fees"
    return Outcome(release, "unchanged" if result.skipped else "published", detail)


@flow(name="refresh-from-cms")
def refresh_from_cms(
    lake: str = "lake", landing_page: str | None = None, wait_seconds: float = 0, force: bool = False,
    publish_to: str | None = None,
) -> list[Outcome]:  # fmt: skip
    """Discover the releases CMS lists now and refresh each, then publish the lake to the object store of
    `publish_to` (default: config/defaults.toml [publish] to; none when empty): what the schedule runs."""
    from flows.releases.discover import discover_releases

    found = discover_releases(landing_page)
    batch = [(f.label, f.zip_url) for f in reversed(found)]
    outcomes = refresh_releases(batch, lake=lake, wait_seconds=wait_seconds, force=force)
    target = settings.defaults()["publish"]["to"] if publish_to is None else publish_to
    if target:
        publish_to_store(Path(lake), target)
    return outcomes


def summary(release: str, rows: dict[str, int], missing: list[str]) -> str:
    lines = [f"# {release}", "", "| table | rows |", "|---|---:|"]
    lines += [f"| {table} | {count:,} |" for table, count in rows.items()]
    if missing:
        lines += ["", f"Files absent from the release: {', '.join(missing)} (their tables are empty)."]
    return "\n".join(lines)
