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

    def provenance(self) -> dict:
        """What a manifest records of the source."""
        return {"origin": self.origin, "sha256": self.sha256, "size_bytes": self.size_bytes}


def is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


ZIP_MAGIC = b"PK\x03\x04"
MAX_REDIRECTS = 5


class DownloadError(RuntimeError):
    """A download that cannot give the release's archive; `transient` ones are worth another try."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def is_transient(error: BaseException | None) -> bool:
    """Timeouts, dropped connections, 5xx/429 and cut-short bodies; not 404s, wrong content or hosts."""
    if isinstance(error, DownloadError):
        return error.transient
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code >= 500 or error.response.status_code == 429
    return isinstance(error, httpx.TransportError)


def download(url: str, into: Path, timeout_seconds: float, zip_only: bool = True) -> Path:
    """Stream a URL's zip into a temporary file in `into`; the caller owns the file. Nothing is left on failure.

    Redirects are followed only on the same host; the body must be as long as announced and be a zip (or,
    with zip_only off, a data file: anything but a web page).
    """
    into.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=into)
    try:
        with os.fdopen(fd, "wb") as out, httpx.Client(timeout=timeout_seconds) as client:
            _fetch(client, url, out, zip_only)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _fetch(client: httpx.Client, url: str, out, zip_only: bool) -> None:
    host = urlparse(url).hostname
    for _ in range(MAX_REDIRECTS + 1):
        with client.stream("GET", url) as response:
            if response.is_redirect:
                target = str(response.next_request.url) if response.next_request else ""
                if urlparse(target).hostname != host:
                    raise DownloadError(f"{url} redirects to another host ({target}); not followed")
                url = target
                continue
            response.raise_for_status()
            received = 0
            for chunk in response.iter_bytes(1 << 20):
                if received == 0 and not _expected_start(chunk, zip_only):
                    kind = response.headers.get("content-type", "unknown type")
                    wanted = "a zip" if zip_only else "a data file"
                    raise DownloadError(f"{url} did not serve {wanted} (content type {kind}, starts {chunk[:15]!r})")
                out.write(chunk)
                received += len(chunk)
            announced = response.headers.get("content-length")
            if announced is not None and received != int(announced):
                raise DownloadError(f"{url}: got {received:,} of {int(announced):,} bytes", transient=True)
            if received == 0:
                raise DownloadError(f"{url} served an empty body")
            return
    raise DownloadError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _expected_start(chunk: bytes, zip_only: bool) -> bool:
    """A zip's signature; else anything but an HTML page (what a moved download link tends to serve)."""
    if zip_only:
        return chunk.startswith(ZIP_MAGIC)
    return not chunk.lstrip().lower().startswith((b"<!doctype", b"<html"))


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


class ChecksumMismatch(ValueError):
    """The archive is not the one the catalog recorded."""


def keep_file(
    lake: Path, release: str, file: Path, name: str, origin: str, move: bool = False, expected_sha256: str = ""
) -> RawArchive:
    """Keep one archive file in the raw area (moved if it is a download, else copied); idempotent.

    With `expected_sha256` (the catalog's), a different archive is refused and nothing is kept.
    """
    sha = sha256_of(file)
    if expected_sha256 and sha != expected_sha256:
        if move:
            file.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{origin}: sha256 {sha} differs from the catalog's {expected_sha256} for {release}; nothing kept"
        )
    target = lake / "raw" / release / sha
    if not target.exists():
        _publish_dir(target, lambda tmp: (shutil.move if move else shutil.copy2)(file, tmp / name), origin, sha)
    elif move:
        file.unlink(missing_ok=True)
    # the same bytes seen before, maybe under another name: the copy kept first is the one used
    (kept,) = [p for p in target.iterdir() if p.name != "source.json"]
    return RawArchive(release, origin, kept, sha, kept.stat().st_size)


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


def sweep_partials(lake: Path) -> list[Path]:
    """Delete what a killed run left half-received in the raw area (never a kept archive); returns it."""
    partials = [*(lake / "raw").glob("*/.download-*.part"), *(lake / "raw").glob("*/.incoming-*")]
    for path in partials:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return partials


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
