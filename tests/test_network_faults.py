"""Downloads that go wrong: each gives a clear error after bounded retries where retrying makes sense,
leaves no partial file in the raw area, and leaves the published lake byte-identical."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.releases import catalog
from flows.releases import flow as refresh_module
from flows.shared import raw as acquire
from flows.shared import tasks as shared_tasks
from tests import cms_format as cms
from tests.faultserver import FaultServer
from tests.lakefiles import everything

RELEASE = "RVU25B"


def _release_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("PPRRVU2025_Apr.csv", cms.pprrvu([cms.pprrvu_row("97140")]))
        archive.writestr("GPCI2025.csv", cms.gpci(["10112,AL,0,ALABAMA,1,0.869,0.575"]))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server():
    with FaultServer(_release_zip()) as running:
        yield running


@pytest.fixture(scope="module")
def lake(tmp_path_factory, server: FaultServer, prefect) -> Iterator[Path]:
    """A lake with the release published from the good URL; retries without waiting, short timeouts.

    Shared by the tests of this module: each compares the lake before and after its own fault."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shared_tasks.download, "retry_delay_seconds", [0, 0, 0])
        patch.setitem(shared_tasks.DOWNLOAD, "timeout_seconds", 1)
        lake = tmp_path_factory.mktemp("faults") / "lake"
        refresh_module.refresh(release=RELEASE, source=f"{server.url}/ok.zip", lake=str(lake))
        yield lake


def _fails(lake: Path, url: str, match: str, error=Exception) -> None:
    before = everything(lake)
    with pytest.raises(error, match=match):
        refresh_module.refresh(release=RELEASE, source=url, lake=str(lake))
    assert everything(lake) == before, "the lake (raw area included) changed"
    assert not list((lake / "raw").rglob("*.part")), "a partial download was left behind"


@pytest.mark.parametrize(
    ("path", "match", "attempts"),
    [
        ("/always-500.zip", "500 Internal Server Error", 4),
        ("/missing.zip", "404 Not Found", 1),
        ("/html.zip", "did not serve a zip", 1),
        ("/truncated.zip", "peer closed connection|got [0-9,]+ of", 4),
        ("/reset.zip", "Connection reset|Server disconnected|RemoteProtocolError|reset by peer", 4),
        ("/empty.zip", "empty body", 1),
        ("/elsewhere.zip", r"redirects to another host \(http://127.0.0.2", 1),
    ],
)
def test_fault_gives_clear_error_bounded_retries_and_an_unchanged_lake(lake, server, path, match, attempts):
    server.hits.clear()
    _fails(lake, f"{server.url}{path}", match)
    assert server.hits[path] == attempts


def test_timeout_is_retried_then_reported(lake, server):
    server.hits.clear()
    _fails(lake, f"{server.url}/slow.zip", "timed out", Exception)
    assert server.hits["/slow.zip"] == 4


def test_transient_503_is_retried_until_it_succeeds(lake, server):
    server.hits.clear()
    done = refresh_module.refresh(release=RELEASE, source=f"{server.url}/flaky-503.zip", lake=str(lake))
    assert server.hits["/flaky-503.zip"] == 3
    assert done.skipped  # the archive it finally got is the one already published


def test_same_host_redirect_is_followed(lake, server):
    server.hits.clear()
    refresh_module.refresh(release=RELEASE, source=f"{server.url}/same-host-redirect.zip", lake=str(lake))
    assert (server.hits["/same-host-redirect.zip"], server.hits["/ok.zip"]) == (1, 1)


def test_archive_differing_from_the_catalog_sha256_is_refused(lake, server, monkeypatch):
    entry = dataclasses.replace(catalog.release(RELEASE), zip_url=f"{server.url}/ok.zip", sha256="0" * 64)
    monkeypatch.setattr(catalog, "release", lambda label: entry)
    before = everything(lake)
    with pytest.raises(acquire.ChecksumMismatch, match="differs from the catalog's"):
        refresh_module.refresh(release=RELEASE, lake=str(lake))
    assert everything(lake) == before
