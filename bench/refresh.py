"""Benchmark: time per stage and peak memory for one release from a local zip, then `pfs refresh` end to end.

    uv run python bench/refresh.py [--zip ../shared/data/cms/archives/rvu25d.zip] [--release RVU25D]

Targets (issue 2): pipeline work <= 1.5 s, `pfs refresh` end to end <= 8 s, peak RSS <= 1 GB.
The end-to-end runs use Prefect's ephemeral server unless PREFECT_API_URL names a running one.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stages(zip_path: Path, release: str) -> list[tuple[str, float]]:
    """The flow's steps called directly (no Prefect), each timed, into a temporary lake."""
    with tempfile.TemporaryDirectory() as tmp:
        return publish_release(zip_path, release, Path(tmp))


def publish_release(zip_path: Path, release: str, lake_dir: Path) -> list[tuple[str, float]]:
    """One release through every step of the refresh flow, without Prefect; the time of each step."""
    from flows import lake
    from flows.releases import catalog
    from flows.releases.build import build_release
    from flows.shared import raw as acquire

    laps: list[tuple[str, float]] = []
    entry = catalog.release(release)
    started = time.perf_counter()
    archive = acquire.keep_file(lake_dir, release, zip_path, zip_path.name, str(zip_path))
    laps.append(("acquire (keep raw)", time.perf_counter() - started))
    built = build_release(archive, entry, lambda step, seconds: laps.append((step, seconds)))
    started = time.perf_counter()
    fields = {"release": release, "year": entry.year, "source": {"sha256": archive.sha256}}
    lake.publish(built.con, lake_dir, lake.RELEASE, release, {"year": entry.year, "release": release}, fields)
    built.con.close()
    laps.append(("publish (parquet, manifest, pfs.duckdb)", time.perf_counter() - started))
    return laps


def end_to_end(zip_path: Path, release: str) -> float:
    """One `pfs refresh` in a fresh lake; Prefect's home persists in bench/out as a user's ~/.prefect does."""
    home = ROOT / "bench" / "out" / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # Prefect's temporary server: a lake's background server would outlive the temporary lake
        env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "WARNING", "PFS_BACKGROUND_SERVER": "0"}
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "refresh",
                "--release",
                release,
                "--source",
                str(zip_path),
                "--lake",
                str(Path(tmp) / "lake"),
            ],
            check=True,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=ROOT.parent / "shared/data/cms/archives/rvu25d.zip")
    parser.add_argument("--release", default="RVU25D")
    parser.add_argument("--stages-only", action="store_true", help="skip the end-to-end `pfs refresh` runs")
    args = parser.parse_args()
    started = time.perf_counter()
    import flows.releases.compute  # noqa: E401,F401  (imports timed apart from the work)

    imports = time.perf_counter() - started

    laps = stages(args.zip.resolve(), args.release)
    work = sum(seconds for _, seconds in laps)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.release} from {args.zip.name} on {os.cpu_count()} cores")
    print(f"  {'imports (polars, duckdb, dataframely)':40s} {imports:6.3f} s")
    for name, seconds in laps:
        print(f"  {name:40s} {seconds:6.3f} s")
    print(f"  {'pipeline work (all stages)':40s} {work:6.3f} s   target <= 1.5 s")
    print(f"  {'peak RSS of the stages':40s} {peak_mb:6.0f} MB  target <= 1024 MB")
    if args.stages_only:
        return
    first = end_to_end(args.zip.resolve(), args.release)
    second = end_to_end(args.zip.resolve(), args.release)
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  {'pfs refresh end to end, first run':40s} {first:6.3f} s   (creates Prefect's database if new)")
    print(f"  {'pfs refresh end to end, next run':40s} {second:6.3f} s   target <= 8 s")
    print(f"  {'peak RSS of pfs refresh':40s} {child_mb:6.0f} MB  target <= 1024 MB")


if __name__ == "__main__":
    main()
