"""The Prefect tasks every dataset's flow shares: the raw archive acquired (downloaded with retries, or taken
from a local zip, folder or file), the lake recovered from a run that did not finish, and the lake published to an
object store after a run."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import lake as lake_files
from flows import settings
from flows.shared import raw

DOWNLOAD = settings.defaults()["download"]


def _transient(_task, _task_run, state) -> bool:
    """Retry only what another try can mend (timeouts, resets, 5xx, short bodies)."""
    return raw.is_transient(state.result(raise_on_failure=False))


@task(
    retries=DOWNLOAD["retries"],
    retry_delay_seconds=DOWNLOAD["retry_delay_seconds"],
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
)
def download(url: str, lake: Path, label: str, expected_sha256: str = "", zip_only: bool = True) -> raw.RawArchive:
    """The network step, and the only one retried."""
    part = raw.download(url, lake / "raw" / label, DOWNLOAD["timeout_seconds"], zip_only)
    return raw.keep_file(lake, label, part, raw.file_name_of(url), url, move=True, expected_sha256=expected_sha256)


@task(cache_policy=NO_CACHE)
def keep_local(source: Path, lake: Path, label: str) -> raw.RawArchive:
    """A zip or folder the user hands over, kept as given (the catalog's sha256 pins CMS's URL, not copies)."""
    if source.is_dir():
        return raw.keep_folder(lake, label, source)
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such zip or folder")
    return raw.keep_file(lake, label, source, source.name, str(source.resolve()))


@task(cache_policy=NO_CACHE)
def recover(lake: Path) -> None:
    """Finish or undo what a killed run left: files and pfs.duckdb follow the committed manifests."""
    lake_files.reconcile(lake)
    for partial in raw.sweep_partials(lake):
        get_run_logger().warning("removed %s, left half-received by a run that did not finish", partial)


def acquire(
    source: str | None, catalog_url: str, catalog_sha256: str, lake: Path, label: str, zip_only: bool = True
) -> raw.RawArchive:
    """The archive into the raw area: downloaded (retried) from a URL, else taken from a local zip or folder.

    The recorded checksum pins the catalog's URL: another URL is a mirror (maybe of rebuilt zips) or a newer
    archive CMS published elsewhere, reported by discovery as url_changed.
    """
    origin = source or catalog_url
    if raw.is_url(origin):
        return download(origin, lake, label, catalog_sha256 if origin == catalog_url else "", zip_only)
    return keep_local(Path(origin), lake, label)


@task(cache_policy=NO_CACHE, retries=DOWNLOAD["retries"], retry_delay_seconds=DOWNLOAD["retry_delay_seconds"])
def publish_to_store(lake: Path, url: str) -> str:
    """The lake published to the object store at `url` (flows/lake/remote.py); what was written, in words."""
    from flows.lake.remote import publish_lake

    done = publish_lake(lake, url)
    said = (f"{url} already holds this lake ({done.root})" if done.unchanged else
            f"published to {done.root}: {done.uploaded} uploaded ({done.bytes_sent / 1e6:,.1f} MB), "
            f"{done.copied} copied inside the store, {len(done.removed)} old snapshot(s) removed")  # fmt: skip
    get_run_logger().info(said)
    return said
