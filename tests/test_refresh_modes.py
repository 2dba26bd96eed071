"""Refreshing many releases: unchanged archives are not reprocessed, changed ones replace their release,
a batch goes on past a failure, and a refresh with no release named ingests what CMS's pages list."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from flows import settings
from flows.cli import app
from flows.lake import manifests
from flows.refresh import refresh_releases
from tests import cms_format as cms
from tests.lakefiles import everything

GPCI = ["10112,AL,0,ALABAMA,1,0.869,0.575"]


def _release(folder: Path, work: str = "0.43") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "PPRRVU2025_Test.csv").write_bytes(cms.pprrvu([cms.pprrvu_row("97140", work=work)]))
    (folder / "GPCI2025.csv").write_bytes(cms.gpci(GPCI))
    return folder


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def test_second_run_does_no_work_and_changes_no_byte(tmp_path: Path, prefect):
    lake = tmp_path / "lake"
    source = str(_release(tmp_path / "rvu25b"))
    (first,) = refresh_releases([("RVU25B", source)], lake=str(lake))
    before = everything(lake)
    (second,) = refresh_releases([("RVU25B", source)], lake=str(lake))
    assert (first.status, second.status) == ("published", "unchanged")
    assert everything(lake) == before


def test_changed_archive_is_reprocessed_and_replaces_its_release(tmp_path: Path, prefect):
    lake = tmp_path / "lake"
    refresh_releases([("RVU25B", str(_release(tmp_path / "v1")))], lake=str(lake))
    version = manifests(lake)["RVU25B"]["version"]
    (outcome,) = refresh_releases([("RVU25B", str(_release(tmp_path / "v2", work="0.50")))], lake=str(lake))
    assert outcome.status == "published"
    manifest = manifests(lake)["RVU25B"]
    assert manifest["version"] != version and manifest["previous_version"] == version
    (forced,) = refresh_releases([("RVU25B", str(tmp_path / "v2"))], lake=str(lake), force=True)
    assert forced.status == "published"


def test_a_batch_goes_on_past_a_failed_release(tmp_path: Path, prefect):
    lake = tmp_path / "lake"
    outcomes = refresh_releases(
        [("RVU25A", str(tmp_path / "absent.zip")), ("RVU25B", str(_release(tmp_path / "rvu25b")))], lake=str(lake)
    )
    assert [(o.release, o.status) for o in outcomes] == [("RVU25A", "failed"), ("RVU25B", "published")]
    assert "absent.zip: no such zip or folder" in outcomes[0].detail


def test_year_from_a_mirror_folder(tmp_path: Path, prefect):
    mirror = tmp_path / "mirror"
    _release(mirror / "rvu25b")
    (mirror / "rvu25c.zip").write_bytes(_zip(_release(tmp_path / "c", work="0.45")))
    result = CliRunner().invoke(
        app, ["refresh", "--year", "2025", "--mirror", str(mirror), "--lake", str(tmp_path / "lake")],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 1  # RVU25A and RVU25D are not in the mirror
    assert sorted(manifests(tmp_path / "lake")) == ["RVU25B", "RVU25C"]
    assert "RVU25A  │ failed" in result.output and "RVU25C  │ published" in result.output


class _Site(http.server.BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


def test_refresh_without_a_release_ingests_what_the_pages_list(tmp_path: Path, prefect, monkeypatch):
    """Discovery finds RVU25B and RVU27A (a label the catalog does not know yet); both are ingested."""
    pages = {
        "/pfs": b'<a href="/pfs/rvu25b">RVU25B</a> <a href="/pfs/rvu27a">RVU27A</a>',
        "/pfs/rvu25b": b'<a href="/files/zip/rvu25b-updated.zip">zip</a>',
        "/pfs/rvu27a": b'<a href="/files/zip/rvu27a.zip">zip</a>',
        "/files/zip/rvu25b-updated.zip": _zip(_release(tmp_path / "b")),
        "/files/zip/rvu27a.zip": _zip(_release(tmp_path / "a27", work="0.60")),
    }
    handler = type("Handler", (_Site,), {"pages": pages})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(settings, "landing_page", lambda: f"http://127.0.0.1:{server.server_address[1]}/pfs")
        lake = tmp_path / "lake"
        first = CliRunner().invoke(app, ["refresh", "--lake", str(lake)], env={"COLUMNS": "200"})
        again = CliRunner().invoke(app, ["refresh", "--lake", str(lake)], env={"COLUMNS": "200"})
    finally:
        server.shutdown()
    assert first.exit_code == 0, first.output
    assert sorted(manifests(lake)) == ["RVU25B", "RVU27A"]
    assert manifests(lake)["RVU27A"]["year"] == 2027
    assert again.output.count("unchanged") == 2
