"""Refreshing many releases: unchanged archives are not reprocessed, changed ones replace their release,
a batch goes on past a failure, and a refresh with no release named ingests what CMS's pages list."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app
from flows.lake import manifests
from flows.releases import catalog
from flows.releases.flow import refresh_releases
from tests.cms_format import release_folder, zipped
from tests.cms_site import serve
from tests.lakefiles import everything


def test_second_run_does_no_work_and_changes_no_byte(tmp_path: Path, prefect):
    lake = tmp_path / "lake"
    source = str(release_folder(tmp_path / "rvu25b"))
    (first,) = refresh_releases([("RVU25B", source)], lake=str(lake))
    before = everything(lake)
    (second,) = refresh_releases([("RVU25B", source)], lake=str(lake))
    assert (first.status, second.status) == ("published", "unchanged")
    assert everything(lake) == before


def test_changed_archive_is_reprocessed_and_replaces_its_release(tmp_path: Path, prefect):
    lake = tmp_path / "lake"
    refresh_releases([("RVU25B", str(release_folder(tmp_path / "v1")))], lake=str(lake))
    version = manifests(lake)["RVU25B"]["version"]
    (outcome,) = refresh_releases([("RVU25B", str(release_folder(tmp_path / "v2", work="0.50")))], lake=str(lake))
    assert outcome.status == "published"
    manifest = manifests(lake)["RVU25B"]
    assert manifest["version"] != version and manifest["previous_version"] == version
    (forced,) = refresh_releases([("RVU25B", str(tmp_path / "v2"))], lake=str(lake), force=True)
    assert forced.status == "published"


def test_a_batch_goes_on_past_a_failedrelease_folder(tmp_path: Path, prefect):
    lake = tmp_path / "lake"
    outcomes = refresh_releases(
        [("RVU25A", str(tmp_path / "absent.zip")), ("RVU25B", str(release_folder(tmp_path / "rvu25b")))], lake=str(lake)
    )
    assert [(o.release, o.status) for o in outcomes] == [("RVU25A", "failed"), ("RVU25B", "published")]
    assert "absent.zip: no such zip or folder" in outcomes[0].detail


def test_year_from_a_mirror_folder(tmp_path: Path, prefect):
    mirror = tmp_path / "mirror"
    release_folder(mirror / "rvu25b")
    (mirror / "rvu25c.zip").write_bytes(zipped(release_folder(tmp_path / "c", work="0.45")))
    result = CliRunner().invoke(
        app, ["refresh", "--year", "2025", "--mirror", str(mirror), "--lake", str(tmp_path / "lake")],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 1  # RVU25A and RVU25D are not in the mirror
    assert sorted(manifests(tmp_path / "lake")) == ["RVU25B", "RVU25C"]
    assert "RVU25A  │ failed" in result.output and "RVU25C  │ published" in result.output


def test_refresh_without_a_release_ingests_what_the_pages_list(tmp_path: Path, prefect, monkeypatch):
    """Discovery finds RVU25B and RVU27A (a label the catalog does not know yet); both are ingested."""
    pages = {
        "/pfs": b'<a href="/pfs/rvu25b">RVU25B</a> <a href="/pfs/rvu27a">RVU27A</a>',
        "/pfs/rvu25b": b'<a href="/files/zip/rvu25b-updated.zip">zip</a>',
        "/pfs/rvu27a": b'<a href="/files/zip/rvu27a.zip">zip</a>',
        "/files/zip/rvu25b-updated.zip": zipped(release_folder(tmp_path / "b")),
        "/files/zip/rvu27a.zip": zipped(release_folder(tmp_path / "a27", work="0.60")),
    }
    lake = tmp_path / "lake"
    with serve(pages) as site:
        monkeypatch.setattr(catalog, "landing_page", lambda: f"{site}/pfs")
        first = CliRunner().invoke(app, ["refresh", "--lake", str(lake)], env={"COLUMNS": "200"})
        again = CliRunner().invoke(app, ["refresh", "--lake", str(lake)], env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert sorted(manifests(lake)) == ["RVU25B", "RVU27A"]
    assert manifests(lake)["RVU27A"]["year"] == 2027
    assert again.output.count("unchanged") == 2
