"""The lake published to an object store (s3://), where no rename exists: whole snapshots, switched by one pointer.

    <url>/CURRENT.json          which snapshot to read: {"snapshot", "root", "published", "superseded"}
    <url>/snapshots/<id>/...    a lake as published: each table's Parquet in its Hive folders, _manifests/,
                                pfs.duckdb, and _snapshot.json (each file's sha256 and size), written last

A publish (1) hashes the local lake's files under the lake's lock (not raw/, not hidden files); (2) writes nothing
when CURRENT's snapshot holds exactly those; (3) else fills the snapshot named by their digest: a file CURRENT's
snapshot holds with the same sha256 is copied inside the store (no bytes sent), every other one uploaded; the
Parquet first, then the manifests, then pfs.duckdb, then _snapshot.json; (4) switches CURRENT.json to it, one PUT, so
a reader that resolved CURRENT reads one snapshot whole; (5) removes the snapshots superseded more than the grace
period ago, and unfinished ones as old. A publish killed midway leaves CURRENT on the previous snapshot; the next
publish of the same lake fills the same snapshot, writing only what is missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows import settings
from flows.lake.layout import DB_FILE
from flows.shared import storage
from flows.shared.lock import lake_lock

POINTER = "CURRENT.json"
SNAPSHOTS = "snapshots"
LISTING = "_snapshot.json"
MANIFESTS = "_manifests"
LEFT_OUT = ("raw",)  # the sources as received: the raw archive stays with the lake that fetched them


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


def publish_lake(lake: Path, url: str, grace_hours: float | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Published:  # fmt: skip
    """Bring the object store at `url` to the local lake's state (the module's protocol); `progress` is told (files
    written, files to write) as it goes."""
    grace = timedelta(hours=settings.defaults()["publish"]["grace_hours"] if grace_hours is None else grace_hours)
    url = url.rstrip("/")
    fs = storage.filesystem(url)
    if not (lake / DB_FILE).exists():
        raise FileNotFoundError(f"no lake at {lake} (run `pfs refresh` first)")
    with lake_lock(lake, wait_seconds=60):
        files = lake_files(lake)
        snapshot = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        pointer = _pointer(fs, url)
        root = f"{url}/{SNAPSHOTS}/{snapshot}"
        if pointer.get("snapshot") == snapshot:
            return Published(root, snapshot, unchanged=True)
        previous = _listing(fs, pointer["root"]) if pointer else {}
        done = _present(fs, root)
        todo = [path for path in _in_order(files) if path not in done]
        result = Published(root, snapshot, unchanged=False)
        for count, path in enumerate(todo, start=1):
            if previous.get(path) == files[path]:
                fs.copy(f"{pointer['root']}/{path}", f"{root}/{path}")
                result.copied += 1
            else:
                fs.put_file(str(lake / path), f"{root}/{path}")
                result.uploaded += 1
                result.bytes_sent += files[path]["bytes"]
            if progress:
                progress(count, len(todo))
        fs.pipe_file(f"{root}/{LISTING}", json.dumps(files, indent=1, sort_keys=True).encode())
        now = datetime.now(UTC)
        superseded = dict(pointer.get("superseded", {}))
        if pointer:
            superseded[pointer["snapshot"]] = now.isoformat(timespec="seconds")
        fs.pipe_file(f"{url}/{POINTER}", json.dumps({"snapshot": snapshot, "root": root,
                                                    "published": now.isoformat(timespec="seconds"),
                                                    "superseded": superseded}, indent=1).encode())  # fmt: skip
    result.removed = _expire(fs, url, snapshot, superseded, now, grace)
    return result


def published_root(url: str) -> str:
    """The snapshot of the lake published at `url` that readers read now (its CURRENT.json)."""
    pointer = _pointer(storage.filesystem(url), url.rstrip("/"))
    if not pointer:
        raise FileNotFoundError(f"no lake published at {url} (no {POINTER}: `pfs publish {url} --lake LAKE`)")
    return pointer["root"]


def lake_files(lake: Path) -> dict[str, dict]:
    """Each file of the lake a reader needs, by its path in the lake: its sha256 and size."""
    files = {}
    for path in sorted(lake.rglob("*")):
        relative = path.relative_to(lake)
        if path.is_dir() or relative.parts[0] in LEFT_OUT or any(p.startswith(".") for p in relative.parts):
            continue
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        files[relative.as_posix()] = {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}
    return files


def _in_order(files: dict[str, dict]) -> list[str]:
    """The Parquet first, then the manifests, then pfs.duckdb: each names what came before it."""
    return sorted(files, key=lambda path: (path == DB_FILE, path.startswith(f"{MANIFESTS}/"), path))


def _pointer(fs, url: str) -> dict:
    path = f"{url}/{POINTER}"
    fs.invalidate_cache()
    return json.loads(fs.cat_file(path)) if fs.exists(path) else {}


def _listing(fs, root: str) -> dict[str, dict]:
    return json.loads(fs.cat_file(f"{root}/{LISTING}"))


def _present(fs, root: str) -> set[str]:
    """The files a snapshot already holds: all of a finished one, what a killed publish wrote of an unfinished one
    (an object appears whole or not at all)."""
    if not fs.exists(root):
        return set()
    prefix = root.split("://", 1)[1].rstrip("/") + "/"
    return {path.removeprefix(prefix) for path in fs.find(root)}


def _expire(fs, url: str, current: str, superseded: dict[str, str], now: datetime, grace: timedelta) -> list[str]:
    """Remove the snapshots superseded more than `grace` ago, and unfinished ones whose last write is as old."""
    removed = []
    folder = f"{url}/{SNAPSHOTS}"
    fs.invalidate_cache()
    for path in fs.ls(folder, detail=False) if fs.exists(folder) else []:
        snapshot = path.rstrip("/").rsplit("/", 1)[1]
        if snapshot == current:
            continue
        if snapshot in superseded:
            since = datetime.fromisoformat(superseded[snapshot])
        else:
            since = max(info["LastModified"] for info in fs.find(f"{folder}/{snapshot}", detail=True).values())
        if now - since >= grace:
            fs.rm(f"{folder}/{snapshot}", recursive=True)
            removed.append(snapshot)
    if removed:
        kept = {s: t for s, t in superseded.items() if s not in removed}
        pointer = _pointer(fs, url)
        fs.pipe_file(f"{url}/{POINTER}", json.dumps(pointer | {"superseded": kept}, indent=1).encode())
    return removed
