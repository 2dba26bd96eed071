"""Benchmark of issue 22: a 20-release lake published to an S3-compatible store (moto's server on loopback), then
published again unchanged, then again after one release is refreshed from another archive.

    uv run python bench/publish.py [--releases 20]

Builds the lake first in bench/out/publish-lake (not measured): the real RVU25D and RVU22A zips under 20 catalog
labels, as bench/backfill.py does. Reports for each publish its wall time, files uploaded, bytes sent and files
copied inside the store. Targets: a first publish bound by the bytes; an unchanged one writing nothing, in seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ARCHIVES = ROOT.parent / "shared" / "data" / "cms" / "archives"
OUT = ROOT / "bench" / "out"


def build(lake: Path, releases: int) -> list[str]:
    """The lake of `releases` catalog labels, the two real zips alternating; their labels."""
    from flows.releases import catalog
    from flows.releases.flow import refresh_releases

    labels = [r.label for r in catalog.selected()][:releases]
    if not (lake / "pfs.duckdb").exists():
        with tempfile.TemporaryDirectory() as tmp:
            batch = []
            for i, label in enumerate(labels):
                zipped = Path(tmp) / f"{label.lower()}.zip"
                zipped.symlink_to(ARCHIVES / ("rvu25d.zip" if i % 2 == 0 else "rvu22a.zip"))
                batch.append((label, str(zipped)))
            refresh_releases(batch, lake=str(lake))
    return labels


def report(what: str, started: float, done) -> None:
    print(f"{what:<34} {time.perf_counter() - started:6.1f} s   {done.uploaded:4} uploaded  "
          f"{done.bytes_sent / 1e6:8.1f} MB sent  {done.copied:4} copied in the store"
          f"{'  (nothing written)' if done.unchanged else ''}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_HOME", str(OUT / "prefect"))
    from flows.lake.remote import lake_files, publish_lake
    from flows.releases.flow import refresh
    from tests.objectstore import s3_server

    lake = OUT / "publish-lake"
    labels = build(lake, args.releases)
    files = lake_files(lake)
    print(f"lake: {len(labels)} releases, {len(files)} files, {sum(f['bytes'] for f in files.values()) / 1e6:,.1f} MB "
          "(raw/ not published)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, s3_server(Path(tmp) / "moto.log") as store:
        url = f"{store}/lake"
        started = time.perf_counter()
        report("first publish", started, publish_lake(lake, url))
        started = time.perf_counter()
        report("again, unchanged", started, publish_lake(lake, url))
        changed = labels[0]  # refreshed from the other zip: a new version of one release
        refresh(release=changed, source=str(ARCHIVES / "rvu22a.zip"), lake=str(lake))
        started = time.perf_counter()
        report(f"after {changed} is refreshed", started, publish_lake(lake, url))
        refresh(release=changed, source=str(ARCHIVES / "rvu25d.zip"), lake=str(lake))  # as built, for the next run


if __name__ == "__main__":
    main()
