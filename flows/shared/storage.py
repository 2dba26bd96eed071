"""Where pfs reads and writes beyond the lake folder: local paths, or s3:// URLs on any S3-compatible store
(through fsspec's s3fs).

The endpoint and credentials are the AWS SDK's usual ones (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, or a profile), so a MinIO, Ceph or moto server works like AWS.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import duckdb
import fsspec

from flows.lake.layout import DB_FILE

REMOTE = ("s3://",)


def is_remote(location: str) -> bool:
    return str(location).startswith(REMOTE)


def filesystem(location: str) -> fsspec.AbstractFileSystem:
    """The filesystem of a location; the S3 endpoint from AWS_ENDPOINT_URL when set."""
    if not is_remote(location):
        return fsspec.filesystem("file")
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return fsspec.filesystem("s3", client_kwargs={"endpoint_url": endpoint} if endpoint else {})


def attach(con: duckdb.DuckDBPyConnection, *locations: str) -> None:
    """Let DuckDB read and write the remote ones of these locations (read_parquet, read_csv, COPY TO)."""
    if any(is_remote(location) for location in locations):
        con.register_filesystem(filesystem("s3://"))


def exists(location: str) -> bool:
    return filesystem(location).exists(str(location))


def join(location: str, name: str) -> str:
    return f"{str(location).rstrip('/')}/{name}"


def lake_root(lake: str) -> str:
    """Where a lake's files are: a local folder or a plain copy where it lies; for a lake `pfs publish` wrote, the
    snapshot its CURRENT.json names now (resolved once, so every part of a job reads one snapshot)."""
    from flows.lake.remote import POINTER, published_root

    if is_remote(lake) and filesystem(lake).exists(join(lake, POINTER)):
        return published_root(lake)
    return lake


def local_lake(lake: str) -> Path:
    """A lake folder on this machine: the lake itself, or for an s3:// lake a cached copy of its pfs.duckdb.

    Pricing reads only pfs.duckdb (18 MB for three releases), which DuckDB cannot attach from an fsspec
    filesystem; each machine copies it once per version (its ETag) into the temporary folder.
    """
    if not is_remote(lake):
        return Path(lake)
    fs = filesystem(lake)
    remote = join(lake, DB_FILE)
    if not fs.exists(remote):
        raise FileNotFoundError(f"no lake at {lake} ({remote} does not exist)")
    version = str(fs.info(remote).get("ETag", "")).strip('"')
    key = hashlib.sha256(f"{remote}\0{version}".encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "pfs-lakes" / key
    if not (folder / DB_FILE).exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{DB_FILE}.{os.getpid()}"
        fs.get(remote, str(partial))
        partial.replace(folder / DB_FILE)
    return folder


def publish(local: Path, location: str) -> None:
    """Move a finished local file to its location whole: a rename on this machine, one upload to S3 (an
    object appears whole or not at all)."""
    if is_remote(location):
        filesystem(location).put(str(local), str(location))
        local.unlink()
    else:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        local.replace(location)
