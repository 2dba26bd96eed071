"""What a refresh costs a user and where (issues 9 and 18), every figure from one run on one machine.

    uv run --group bench python bench/speed.py [--zip ../shared/data/cms/archives/rvu25d.zip] [--runs 3]

Reports (medians of --runs), each whole process and against the yardstick, the plain pandas core script
(bench/pandas_core.py):
- pfs's pipeline work for one release (every step, no Prefect);
- the first `pfs refresh` with an empty home (so an empty Prefect home) and a new lake: it starts the lake's
  background server, which creates its database;
- the same command again, nothing started by hand: `unchanged`, and with --force (the whole work again) —
  target <= 3x the pandas script;
- the same with --temporary-server (Prefect's temporary server, as before issue 18);
- `pfs code` — target <= 0.5x the pandas script;
- what a Prefect task boundary and a flow run cost against the running server.
The servers it starts are stopped before it ends.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    times = [measure() for _ in range(runs)]
    return statistics.median(times), times


def whole_process(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def pipeline_work(zip_path: Path, release: str) -> float:
    from refresh import publish_release

    with tempfile.TemporaryDirectory() as tmp:
        return sum(seconds for _, seconds in publish_release(zip_path, release, Path(tmp)))


def prefect_costs(api_url: str, runs: int) -> dict[str, float]:
    """A flow run of 0 and of 5 no-op tasks against the running server, heartbeat on (180 s) and off."""
    code = f"""
import json, statistics, time
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

@task(cache_policy=NO_CACHE)
def nothing(i):
    return i

@flow
def tasks(n):
    for i in range(n):
        nothing(i)

def timed(n):
    started = time.perf_counter(); tasks(n); return time.perf_counter() - started

tasks(1)
out = {{}}
for heartbeat in (180, None):
    with temporary_settings(updates={{PREFECT_FLOWS_HEARTBEAT_FREQUENCY: heartbeat}}):
        out[f"flow_{{heartbeat}}"] = statistics.median(timed(0) for _ in range({runs}))
        out[f"tasks_{{heartbeat}}"] = statistics.median(timed(5) for _ in range({runs}))
print(json.dumps(out))
"""
    import json

    env = os.environ | {"PREFECT_API_URL": api_url, "PREFECT_LOGGING_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def pfs(*args: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=ROOT.parent / "shared/data/cms/archives/rvu25d.zip")
    parser.add_argument("--release", default="RVU25D")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = args.runs
    zip_path = args.zip.resolve()
    rows: list[tuple[str, float, list[float], str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"  # a new user's: empty, so Prefect's home is too
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PFS_"))}
        env |= {"HOME": str(home), "PREFECT_LOGGING_LEVEL": "WARNING"}
        out = Path(tmp) / "pandas"
        pandas, times = median_of(runs, lambda: whole_process([sys.executable, "bench/pandas_core.py", str(zip_path),
                                                                 str(out)]))  # fmt: skip
        rows.append(("pandas core script, whole process", pandas, times, "the yardstick"))
        work, times = median_of(runs, lambda: pipeline_work(zip_path, args.release))
        rows.append(("pfs pipeline work, one release", work, times, f"{work / pandas:.2f}x pandas"))

        lake = Path(tmp) / "lake"
        refresh = pfs("refresh", "--release", args.release, "--source", str(zip_path), "--lake", str(lake))
        try:
            first, times = median_of(1, lambda: whole_process(refresh, env))
            rows.append(("pfs refresh, first, empty Prefect home", first, times, f"{first / pandas:.2f}x pandas"))
            again, times = median_of(runs, lambda: whole_process(refresh, env))
            rows.append(("pfs refresh again (unchanged)", again, times, f"{again / pandas:.2f}x pandas"))
            forced, times = median_of(runs, lambda: whole_process([*refresh, "--force"], env))
            rows.append(("pfs refresh again --force (all work)", forced, times,
                         f"{forced / pandas:.2f}x pandas, target <= 3x"))  # fmt: skip
            from flows.server import local

            costs = prefect_costs(local.running(lake).api_url, runs)
        finally:
            subprocess.run(pfs("server", "stop", "--lake", str(lake)), env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        temporary = [*refresh, "--force", "--temporary-server"]
        whole_process(temporary, env)  # Prefect's home in HOME: its first start creates its database
        alone, times = median_of(1, lambda: whole_process(temporary, env))
        rows.append(("pfs refresh --force --temporary-server", alone, times, f"{alone / pandas:.2f}x pandas"))
        lookup = pfs("code", "97140", "--release", args.release, "--lake", str(lake))
        code, times = median_of(5, lambda: whole_process(lookup, env))
        rows.append(("pfs code 97140, whole process", code, times, f"{code / pandas:.2f}x pandas, target <= 0.5x"))

    print(f"{args.release} from {zip_path.name}, {os.cpu_count()} cores, medians of {runs} runs")
    for name, seconds, times, target in rows:
        print(f"  {name:40s} {seconds:6.2f} s   {target:32s} [{', '.join(f'{t:.2f}' for t in times)}]")
    per_task_on = (costs["tasks_180"] - costs["flow_180"]) / 5
    per_task_off = (costs["tasks_None"] - costs["flow_None"]) / 5
    print("  Prefect, against the lake's server:")
    print(f"    {'a flow run of no task, heartbeat on':38s} {costs['flow_180']:6.3f} s")
    print(f"    {'a flow run of no task, heartbeat off':38s} {costs['flow_None']:6.3f} s")
    print(f"    {'one task boundary (of 5 no-op tasks)':38s} {per_task_off * 1000:6.1f} ms "
          f"(heartbeat on: {per_task_on * 1000:.1f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
