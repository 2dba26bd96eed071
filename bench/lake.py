"""Benchmark: reading the lake as analysts and dashboards do, on a lake of 20 releases (the real RVU25D and
RVU22A zips under 20 catalog labels, built without Prefect), all figures from one run.

    uv run python bench/lake.py [--releases 20]

Targets (issue 8): `pfs code 97140` whole process <= 0.7 s; a code's history over every release through
pfs.duckdb <= 100 ms in-process. Reported: pfs.duckdb's size, `pfs sql` whole process, `pfs export` of one
release (time and size), and that no reading command imports Prefect.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refresh import publish_release  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARCHIVES = ROOT.parent / "shared" / "data" / "cms" / "archives"
HISTORY = (
    "SELECT release, work_rvu, fee_nonfacility_usd, fee_facility_usd FROM code_profile "
    "WHERE hcpcs = '97140' AND cf_variant = 'non_qp' ORDER BY year, release"
)


def whole_process(args: list[str], runs: int = 5) -> float:
    """Median wall time of a `pfs` command run as a user runs it."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flows.cli", *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def imports_prefect(args: list[str]) -> bool:
    script = ("import sys; from flows.cli import app; sys.argv = ['pfs', *sys.argv[1:]]\n"
              "try:\n    app()\nexcept SystemExit:\n    pass\n"
              "print(any(m.split('.')[0] == 'prefect' for m in sys.modules), file=sys.stderr)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stderr.strip().splitlines()[-1] == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=20)
    args = parser.parse_args()
    import duckdb

    from flows.releases import catalog

    labels = [r.label for r in catalog.selected()][: args.releases]
    with tempfile.TemporaryDirectory() as tmp:
        lake = Path(tmp) / "lake"
        started = time.perf_counter()
        publishes = []
        for i, label in enumerate(labels):
            zip_path = ARCHIVES / ("rvu25d.zip" if i % 2 == 0 else "rvu22a.zip")
            publishes.append(dict(publish_release(zip_path, label, lake))["publish (parquet, manifest, pfs.duckdb)"])
        build = time.perf_counter() - started
        db_mb = (lake / "pfs.duckdb").stat().st_size / 1e6
        parquet_mb = sum(p.stat().st_size for p in lake.glob("*/*=*/**/*.parquet")) / 1e6
        last = labels[-1 if len(labels) % 2 else -2]  # built from RVU25D

        con = duckdb.connect(str(lake / "pfs.duckdb"), read_only=True)
        rows = con.execute(HISTORY).fetchall()
        laps = []
        for _ in range(20):
            started = time.perf_counter()
            con.execute(HISTORY).fetchall()
            laps.append(time.perf_counter() - started)
        con.close()
        started = time.perf_counter()
        with duckdb.connect(str(lake / "pfs.duckdb"), read_only=True) as fresh:
            fresh.execute(HISTORY).fetchall()
        cold = time.perf_counter() - started

        code = whole_process(["code", "97140", "--release", last, "--lake", str(lake)])
        sql = whole_process(["sql", HISTORY, "--lake", str(lake), "--format", "csv"])
        started = time.perf_counter()
        feed = ["export", "--release", last, "--out", str(Path(tmp) / "feed"), "--lake", str(lake)]
        subprocess.run([sys.executable, "-m", "flows.cli", *feed], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        export = time.perf_counter() - started
        feed_mb = sum(p.stat().st_size for p in (Path(tmp) / "feed").rglob("*") if p.is_file()) / 1e6
        prefect = {name: imports_prefect([name, *extra]) for name, extra in (
            ("code", ["97140", "--release", last, "--lake", str(lake)]),
            ("sql", ["SELECT 1", "--lake", str(lake)]),
            ("releases", ["--lake", str(lake)]),
            ("dictionary", []),
            ("export", ["--release", last, "--out", str(Path(tmp) / "feed2"), "--lake", str(lake)]),
        )}  # fmt: skip

    print(f"lake of {len(labels)} releases, built without Prefect in {build:.1f} s")
    print(f"  publish of one release (parquet, manifest, pfs.duckdb)  median {statistics.median(publishes):.2f} s, "
          f"last {publishes[-1]:.2f} s")  # fmt: skip
    print(f"  pfs.duckdb (every table, data inside)   {db_mb:8.1f} MB   Parquet files {parquet_mb:.1f} MB")
    history_ms = statistics.median(laps) * 1000
    print(f"  code history, {len(rows)} releases, in-process     {history_ms:8.1f} ms   target <= 100 ms")
    print(f"  the same, connect + query               {cold * 1000:8.1f} ms")
    print(f"  pfs code 97140, whole process           {code:8.2f} s    target <= 0.7 s")
    print(f"  pfs sql (history, csv), whole process   {sql:8.2f} s")
    print(f"  pfs export of {last}                  {export:8.2f} s    {feed_mb:.0f} MB")
    print(f"  commands importing Prefect              {[name for name, yes in prefect.items() if yes] or 'none'}")


if __name__ == "__main__":
    main()
