"""The lake published to an object store (s3://), where no rename exists: whole snapshots, switched by one pointer.

    <url>/CURRENT.json          which snapshot to read: {"snapshot", "published", "superseded"}
    <url>/snapshots/<id>/...    a lake as published: each table's Parquet in its Hive folders, _manifests/,
                                pfs.duckdb, and _snapshot.json (each file's sha256 and size), written last

A publish, under the lake's lock: (1) finishes a run killed mid-commit, as every run does first, then hashes the
files the lake's manifests name, the manifests and pfs.duckdb; (2) writes nothing when CURRENT's snapshot holds
exactly those; (3) else fills the snapshot named by their digest: a file CURRENT's snapshot holds with the same
sha256 is copied inside the store (no bytes sent), every other one uploaded; the Parquet first, then the manifests,
then pfs.duckdb, then _snapshot.json; (4) switches CURRENT.json to it, one PUT, so a reader that resolved CURRENT
reads one snapshot whole; (5) removes the snapshots superseded more than the grace period ago, and unfinished ones
as old. A publish killed midway leaves CURRENT on the previous snapshot; the next publish of the same lake fills the
same snapshot, writing only what is missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows import settings
from flows.lake.layout import DATASETS, DB_FILE, MANIFESTS
from flows.lake.manifest import manifests
from flows.shared import storage
from flows.shared.lock import lake_lock

POINTER = "CURRENT.json"
SNAPSHOTS = "snapshots"
LISTING = "_snapshot.json"


@dataclass
class Published:
    """What a publish did."""

    root: str  # the snapshot readers now read
    snapshot: str
    unchanged: bool  # the store already held this lake: nothing written
    uploaded: int = 0
    copied: int = 0  # copied inside the store from the previous snapshot: no bytes sent
    bytes_sent: int = 0
    removed: list[str] = field(default_factory=list)  # snapshots past their grace period
    left: str = ""  # why old snapshots were left in place this time (the next publish removes them)


def publish_lake(lake: Path, url: str, grace_hours: float | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Published:  # fmt: skip
    """Bring the object store at `url` to the local lake's state (the module's protocol); `progress` is told (files
    written, files to write) as it goes."""
    from flows.lake.publish import reconcile

    hours = settings.defaults()["publish"]["grace_hours"] if grace_hours is None else grace_hours
    if not storage.is_remote(url):
        raise ValueError(f"{url}: not an object store URL (s3://bucket/prefix)")
    if hours < 0:
        raise ValueError(f"grace period of {hours} hours: it cannot be negative")
    url = url.rstrip("/")
    fs = storage.filesystem(url)
    if not (lake / DB_FILE).exists():
        raise FileNotFoundError(f"no lake at {lake} (run `pfs refresh` first)")
    with lake_lock(lake, wait_seconds=60):
        reconcile(lake)  # a run killed after its commit is finished, so the files agree with the manifests
        files = lake_files(lake)
        snapshot = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        root = snapshot_root(url, snapshot)
        pointer = _pointer(fs, url)
        if pointer.get("snapshot") == snapshot and fs.exists(f"{root}/{LISTING}"):
            result = Published(root, snapshot, unchanged=True)
        else:
            result = _fill(fs, lake, files, root, _listing(fs, url, pointer), progress)
            result.snapshot = snapshot
            superseded = dict(pointer.get("superseded", {}))
            if pointer.get("snapshot") not in (None, snapshot):
                superseded[pointer["snapshot"]] = _now().isoformat(timespec="seconds")
            _write_pointer(fs, url, {"snapshot": snapshot, "published": _now().isoformat(timespec="seconds"),
                                     "superseded": superseded})  # fmt: skip
        try:
            result.removed = _expire(fs, url, timedelta(hours=hours))
        except OSError as error:  # the lake is published; removing old snapshots waits for the next publish
            result.left = str(error)
    return result


def published_root(url: str) -> str:
    """The snapshot of the lake published at `url` that readers read now (its CURRENT.json)."""
    pointer = _pointer(storage.filesystem(url), url.rstrip("/"))
    if not pointer:
        raise FileNotFoundError(f"no lake published at {url} (no {POINTER}: `pfs publish {url} --lake LAKE`)")
    return snapshot_root(url.rstrip("/"), pointer["snapshot"])


def snapshot_root(url: str, snapshot: str) -> str:
    return f"{url}/{SNAPSHOTS}/{snapshot}"


def lake_files(lake: Path) -> dict[str, dict]:
    """What a reader needs of the lake, by path in it: pfs.duckdb, every committed manifest and the files each
    names; each with its sha256 and size. Nothing else (the raw area, staging, locks, stray files) is published."""
    paths = {DB_FILE}
    for dataset in DATASETS:
        for name, manifest in manifests(lake, dataset).items():
            paths.add(f"{dataset.manifests}/{name}.json")
            paths.update(entry["file"] for entry in manifest["tables"].values())
    return {path: _described(lake / path) for path in sorted(paths)}


def _described(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def _fill(fs, lake: Path, files: dict[str, dict], root: str, previous: tuple[str, dict] | None,
          progress: Callable[[int, int], None] | None) -> Published:  # fmt: skip
    """Write into the snapshot at `root` what it lacks, copying what the previous snapshot holds alike."""
    result = Published(root, "", unchanged=False)
    done = _present(fs, root)
    todo = [path for path in _in_order(files) if path not in done]
    for count, path in enumerate(todo, start=1):
        if previous and previous[1].get(path) == files[path] and _copied(fs, f"{previous[0]}/{path}", f"{root}/{path}"):
            result.copied += 1
        else:
            fs.put_file(str(lake / path), f"{root}/{path}")
            result.uploaded += 1
            result.bytes_sent += files[path]["bytes"]
        if progress:
            progress(count, len(todo))
    fs.pipe_file(f"{root}/{LISTING}", json.dumps(files, indent=1, sort_keys=True).encode())
    return result


def _copied(fs, source: str, target: str) -> bool:
    """A copy inside the store; False when the source is gone (then the file is uploaded)."""
    try:
        fs.copy(source, target)
        return True
    except FileNotFoundError:
        return False


def _in_order(files: dict[str, dict]) -> list[str]:
    """The Parquet first, then the manifests, then pfs.duckdb: each names what came before it."""
    return sorted(files, key=lambda path: (path == DB_FILE, path.startswith(f"{MANIFESTS}/"), path))


def _now() -> datetime:
    return datetime.now(UTC)


def _pointer(fs, url: str) -> dict:
    path = f"{url}/{POINTER}"
    fs.invalidate_cache()
    return json.loads(fs.cat_file(path)) if fs.exists(path) else {}


def _write_pointer(fs, url: str, pointer: dict) -> None:
    fs.pipe_file(f"{url}/{POINTER}", json.dumps(pointer, indent=1).encode())


def _listing(fs, url: str, pointer: dict) -> tuple[str, dict] | None:
    """The current snapshot's root and files, or None where there is none (or it was removed)."""
    if not pointer:
        return None
    root = snapshot_root(url, pointer["snapshot"])
    try:
        return root, json.loads(fs.cat_file(f"{root}/{LISTING}"))
    except FileNotFoundError:
        return None


def _present(fs, root: str) -> set[str]:
    """The files a snapshot already holds: all of a finished one, what a killed publish wrote of an unfinished one
    (an object appears whole or not at all)."""
    if not fs.exists(root):
        return set()
    prefix = root.split("://", 1)[1].rstrip("/") + "/"
    return {path.removeprefix(prefix) for path in fs.find(root)}


def _expire(fs, url: str, grace: timedelta) -> list[str]:
    """Remove the snapshots superseded more than `grace` ago, and unfinished ones whose last write is as old; never
    the current one."""
    pointer = _pointer(fs, url)
    current, superseded = pointer.get("snapshot"), pointer.get("superseded", {})
    folder = f"{url}/{SNAPSHOTS}"
    removed = []
    for path in fs.ls(folder, detail=False) if fs.exists(folder) else []:
        snapshot = path.rstrip("/").rsplit("/", 1)[1]
        if snapshot == current:
            continue
        if snapshot in superseded:
            since = datetime.fromisoformat(superseded[snapshot])
        else:
            writes = [info["LastModified"] for info in fs.find(f"{folder}/{snapshot}", detail=True).values()]
            since = max(writes, default=_now())
        if _now() - since >= grace:
            fs.rm(f"{folder}/{snapshot}", recursive=True)
            removed.append(snapshot)
    if any(snapshot in superseded for snapshot in removed):
        _write_pointer(fs, url, pointer | {"superseded": {s: t for s, t in superseded.items() if s not in removed}})
    return removed
