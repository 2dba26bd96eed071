"""The catalog's `sha256`, filled once CMS's archive is seen: recorded from downloads, then enforced."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from flows import settings
from flows.releases import catalog, checksums
from flows.shared.fingerprint import fingerprint


@pytest.fixture
def config(tmp_path: Path, monkeypatch) -> Path:
    """A copy of config/ the test may write; the catalog's RVU25D URL points at `url` once set."""
    folder = tmp_path / "config"
    shutil.copytree(settings.CONFIG, folder)
    monkeypatch.setattr(settings, "CONFIG", folder)
    yield folder


def _point_rvu25d_at(config: Path, url: str) -> None:
    path = config / "releases.toml"
    old = catalog.release("RVU25D").zip_url
    path.write_text(path.read_text().replace(f'zip_url = "{old}"', f'zip_url = "{url}"'))


def test_filling_a_sha256_changes_that_one_line_only():
    text = (settings.CONFIG / "releases.toml").read_text()
    filled = checksums.with_sha256(text, "RVU24A", "a" * 64)
    changed = [(old, new) for old, new in zip(text.splitlines(), filled.splitlines(), strict=True) if old != new]
    assert changed == [('sha256 = ""', f'sha256 = "{"a" * 64}"')]
    releases = {r["label"]: r for r in tomllib.loads(filled)["release"]}
    assert releases["RVU24A"]["sha256"] == "a" * 64
    assert releases["RVU24AR"]["sha256"] == ""  # a label that extends RVU24A is another release
    with pytest.raises(ValueError, match="RVU24A.*already has a sha256"):
        checksums.with_sha256(filled, "RVU24A", "b" * 64)


def test_a_download_from_cms_is_recorded_then_enforced(config: Path, cms: Path, mirror: str, tmp_path: Path, prefect):
    from flows.releases.flow import refresh

    lake = tmp_path / "lake"
    # a mirror's archive is seen, but it is not CMS's: nothing to record
    refresh(release="RVU25D", source=f"{mirror}/rvu25d.zip", lake=str(lake))
    assert {s.release: s.state for s in checksums.standings(lake)}["RVU25D"] == "never seen"

    # the same bytes served at the catalog's own URL (here, the local server): seen from CMS
    _point_rvu25d_at(config, f"{mirror}/rvu25d.zip")
    digest = fingerprint("release")
    assert refresh(release="RVU25D", lake=str(lake)).skipped  # the archive is unchanged: not reprocessed
    standing = {s.release: s for s in checksums.standings(lake)}["RVU25D"]
    assert standing.state == "to record"

    assert [s.release for s in checksums.record(lake)] == ["RVU25D"]
    assert catalog.release("RVU25D").sha256 == standing.seen[0]
    assert fingerprint("release") == digest  # recording a checksum does not make releases reprocess
    assert {s.release: s.state for s in checksums.standings(lake)}["RVU25D"] == "recorded"
    assert checksums.record(lake) == []

    # from now on other bytes at the catalog's URL are refused; a local copy is the user's own
    _point_rvu25d_at(config, f"{mirror}/rvu22a.zip")
    with pytest.raises(Exception, match="differs from the catalog's"):
        refresh(release="RVU25D", lake=str(lake))
    local = refresh(release="RVU25D", source=str(cms / "rvu25d"), lake=str(lake))
    assert not local.skipped
