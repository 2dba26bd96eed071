"""Benchmark: a backfill of 20 releases (the real RVU25D and RVU22A zips under 20 catalog labels), timed with
Prefect's start-up included, and how much of both cores it used.

    uv run python bench/backfill.py [--releases 20] [--parallel 2]

Target (issue 3): <= 60 s on this 2-core machine, using both cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVES = ROOT.parent / "shared" / "data" / "cms" / "archives"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=None, help="override config/defaults.toml [refresh]")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    home = ROOT / "bench" / "out" / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))

    started = time.perf_counter()
    from flows import settings
    from flows.refresh import refresh_releases

    if args.parallel:
        refresh_releases.task_runner.max_workers = args.parallel
    labels = [r.label for r in settings.selected()][: args.releases]
    with tempfile.TemporaryDirectory() as tmp:
        mirror = Path(tmp) / "mirror"
        mirror.mkdir()
        for i, label in enumerate(labels):  # alternate the two real releases under the synthetic labels
            (mirror / f"{label.lower()}.zip").symlink_to(ARCHIVES / ("rvu25d.zip" if i % 2 == 0 else "rvu22a.zip"))
        batch = [(label, str(mirror / f"{label.lower()}.zip")) for label in labels]
        outcomes = refresh_releases(batch, lake=str(Path(tmp) / "lake"))
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)  # Prefect's server process is still running: not counted
    cpu = usage.ru_utime + usage.ru_stime
    failed = [o for o in outcomes if o.status != "published"]
    print(f"{len(labels)} releases, {sum(o.status == 'published' for o in outcomes)} published, {len(failed)} not")
    for outcome in failed:
        print(f"  {outcome.release}: {outcome.status} {outcome.detail}")
    print(f"  wall time, Prefect start-up included  {wall:6.1f} s   target <= 60 s")
    print(f"  CPU time of the pipeline process      {cpu:6.1f} s   = {cpu / wall:.2f} cores busy on average")
    print(f"  peak RSS of this process              {usage.ru_maxrss / 1024:6.0f} MB")


if __name__ == "__main__":
    main()
