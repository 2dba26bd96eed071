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
    from flows.releases import catalog
    from flows.releases.flow import refresh_releases

    if args.parallel:
        refresh_releases.task_runner.max_workers = args.parallel
    labels = [r.label for r in catalog.selected()][: args.releases]
    with tempfile.TemporaryDirectory() as tmp:
        mirror = Path(tmp) / "mirror"
        mirror.mkdir()
        for i, label in enumerate(labels):  # alternate the two real releases under the synthetic labels
            (mirror / f"{label.lower()}.zip").symlink_to(ARCHIVES / ("rvu25d.zip" if i % 2 == 0 else "rvu22a.zip"))
        batch = [(label, str(mirror / f"{label.lower()}.zip")) for label in labels]
        outcomes = refresh_releases(batch, lake=str(Path(tmp) / "lake"))
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    server_cpu = _descendants_cpu(os.getpid())  # Prefect's ephemeral server, still running: read from /proc
    failed = [o for o in outcomes if o.status != "published"]
    print(f"{len(labels)} releases, {sum(o.status == 'published' for o in outcomes)} published, {len(failed)} not")
    for outcome in failed:
        print(f"  {outcome.release}: {outcome.status} {outcome.detail}")
    print(f"  wall time, Prefect start-up included  {wall:6.1f} s   target <= 60 s")
    print(f"  CPU time of the pipeline process      {cpu:6.1f} s   = {cpu / wall:.2f} cores busy on average")
    print(f"  CPU time of Prefect's server          {server_cpu:6.1f} s")
    total = cpu + server_cpu
    print(f"  CPU time in all                       {total:6.1f} s   = {total / wall:.2f} of {os.cpu_count()} cores")
    print(f"  peak RSS of this process              {usage.ru_maxrss / 1024:6.0f} MB")


def _descendants_cpu(pid: int) -> float:
    """User + system seconds of a process's live descendants (Linux /proc; 0 elsewhere)."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(child)  # field 4 of stat: the parent's pid
        cpu[child] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # fields 14, 15: utime, stime
    total, stack = 0.0, list(children.get(pid, []))
    while stack:
        child = stack.pop()
        total += cpu.get(child, 0.0)
        stack += children.get(child, [])
    return total


if __name__ == "__main__":
    main()
