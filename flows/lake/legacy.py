"""Upgrading a lake of the older layout, where `<table>/year=Y/release=R` were links into `.versions/`.

Links hide the files from DuckDB's `**`, object stores, zips and Windows, so each link becomes a real folder
holding a copy of the file it pointed at, the manifest is rewritten to name it, and `.versions/` goes once
every release is upgraded. A run killed midway leaves links and folders mixed; the next one carries on.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from flows.lake.layout import RELEASE, STAGING, table_file
from flows.lake.manifest import commit, manifests

VERSIONS = ".versions"


def upgrade(lake: Path) -> None:
    """Turn every release of the links layout into real folders; nothing lost, nothing recomputed."""
    old = lake / VERSIONS
    if not old.exists():
        return
    for label, manifest in manifests(lake).items():
        if "partition" in manifest:
            continue
        partition = {"year": manifest["year"], "release": label}
        for table, entry in manifest["tables"].items():
            _make_real(lake, old / label / manifest["version"] / entry["file"], lake / table_file(table, partition))
            entry["file"] = table_file(table, partition)
        commit(lake, RELEASE, manifest | {"dataset": RELEASE.name, "label": label, "partition": partition})
    shutil.rmtree(old)


def _make_real(lake: Path, source: Path, target: Path) -> None:
    """The link folder of `target` replaced by a real folder holding a copy of `source`."""
    folder = target.parent
    if not folder.is_symlink() and target.exists():
        return  # done by an earlier, interrupted upgrade
    (lake / STAGING).mkdir(exist_ok=True)
    copy = lake / STAGING / f"upgrade-{uuid.uuid4().hex}.parquet"
    shutil.copyfile(source, copy)
    if folder.is_symlink():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    copy.replace(target)
