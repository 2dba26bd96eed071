"""Getting a release's archive into the lake's raw area: from CMS or a mirror URL, a zip, or a folder.

The raw area is content-addressed, `raw/<RELEASE>/<sha256>/<file>` with a `source.json` beside it, so a
later run never modifies or deletes what an earlier run kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx


@dataclass(frozen=True)
class RawArchive:
    """What a run keeps of its source: a zip file or a folder of files, with its digest and origin."""

    release: str
    origin: str
    path: Path
    sha256: str
    size_bytes: int


def is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def download(url: str, into: Path, timeout_seconds: float) -> Path:
    """Stream a URL into a temporary file in `into`; fail on an HTTP error. The caller owns the file."""
    into.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=into)
    try:
        with os.fdopen(fd, "wb") as out, httpx.stream("GET", url, timeout=timeout_seconds, follow_redirects=True) as r:
            r.raise_for_status()
            for chunk in r.iter_bytes(1 << 20):
                out.write(chunk)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def file_name_of(url: str) -> str:
    """The zip's name as CMS gives it; CMS puts slashes in some (rvu24b-updated-03/18/2024.zip)."""
    path = unquote(urlparse(url).path)
    marker = "/files/zip/"
    name = path.split(marker, 1)[1] if marker in path else path.rsplit("/", 1)[-1]
    return name.replace("/", "-") or "release.zip"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def keep_file(lake: Path, release: str, file: Path, name: str, origin: str, move: bool = False) -> RawArchive:
    """Keep one archive file in the raw area (moved if it is a download, else copied); idempotent."""
    sha = sha256_of(file)
    target = lake / "raw" / release / sha
    if not target.exists():
        _publish_dir(target, lambda tmp: (shutil.move if move else shutil.copy2)(file, tmp / name), origin, sha)
    elif move:
        file.unlink(missing_ok=True)
    return RawArchive(release, origin, target / name, sha, (target / name).stat().st_size)


def keep_folder(lake: Path, release: str, folder: Path) -> RawArchive:
    """Keep a folder of extracted release files; its digest covers every file's name and content."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if not files:
        raise FileNotFoundError(f"{folder}: the folder holds no files")
    listing = "".join(f"{sha256_of(p)}  {p.name}\n" for p in files)
    sha = hashlib.sha256(listing.encode()).hexdigest()
    target = lake / "raw" / release / sha
    if not target.exists():
        _publish_dir(target, lambda tmp: [shutil.copy2(p, tmp / p.name) for p in files], str(folder.resolve()), sha)
    size = sum(p.stat().st_size for p in files)
    return RawArchive(release, str(folder.resolve()), target, sha, size)


def _publish_dir(target: Path, fill, origin: str, sha: str) -> None:
    """Fill a temporary folder beside `target`, then rename it into place: nothing half-kept."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=target.parent))
    try:
        fill(tmp)
        size = sum(p.stat().st_size for p in tmp.iterdir())
        record = {
            "origin": origin,
            "sha256": sha,
            "size_bytes": size,
            "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp / "source.json").write_text(json.dumps(record, indent=2) + "\n")
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if not target.exists():
            raise
