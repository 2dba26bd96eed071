"""Benchmark of issue 11: the whole static site of one release through `pfs site`, as a user runs it.

    uv run python bench/static_site.py [--lake DIR] [--release RVU25D] [--runs 2] [--workers N] [--keep]

Without --lake, builds a lake of RVU25D from ../shared/data/cms/archives/rvu25d.zip in bench/out/ first (with
Prefect's temporary server: about 20 s, not measured). Then runs `pfs site` (a new process each run) and
reports its wall time, the peak memory of its processes (the largest one, and all of them together, sampled
every 0.1 s), and the site's size: bytes of its files and what they take on disk. Targets on a 2-core
machine: <= 60 s and a site of <= 300 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ZIP = ROOT.parent / "shared" / "data" / "cms" / "archives" / "rvu25d.zip"


def environment() -> dict[str, str]:
    # Prefect's temporary server: no lake server left behind for bench/out's lake
    env = os.environ | {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
                        "PREFECT_HOME": str(OUT / "prefect"), "COLUMNS": "200",
                        "PFS_BACKGROUND_SERVER": "0"}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    return env


def lake_of_rvu25d() -> Path:
    lake = OUT / "site-lake"
    if not (lake / "pfs.duckdb").exists():
        print(f"building {lake} from {ZIP} ...", flush=True)
        subprocess.run([sys.executable, "-m", "flows.cli", "refresh", "--release", "RVU25D", "--source", str(ZIP),
                        "--lake", str(lake)], cwd=ROOT, env=environment(), check=True, capture_output=True)  # fmt: skip
    return lake


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, now."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def run_site(lake: Path, out: Path, release: str, workers: int | None) -> dict:
    command = [sys.executable, "-m", "flows.cli", "site", "--lake", str(lake), "--out", str(out), "--release", release]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, text=True)
    peak_tree = 0.0
    while process.poll() is None:
        peak_tree = max(peak_tree, tree_rss_mb(process.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"pfs site failed ({process.returncode})")
    return {"wall": wall, "peak_tree_mb": peak_tree, "said": process.stdout.read().strip().splitlines()[0]}


def size(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = [p.stat().st_size for p in (site / "codes").glob("*.html")]
    return {
        "files": len(files),
        "pages": len(pages),
        "bytes": sum(p.stat().st_size for p in files),
        "disk": sum(p.stat().st_blocks * 512 for p in files),
        "assets": sum(p.stat().st_size for p in (site / "assets").rglob("*") if p.is_file()),
        "frames": len(list((site / "assets" / "charts").glob("*.svg"))),
        "page_median": statistics.median(pages),
        "page_max": max(pages),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path)
    parser.add_argument("--release", default="RVU25D")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the site in bench/out/site")
    args = parser.parse_args()
    lake = args.lake or lake_of_rvu25d()
    out = OUT / "site"
    runs = [run_site(lake, out, args.release, args.workers) for _ in range(args.runs)]
    built = size(out)
    import resource

    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(runs[-1]["said"])
    print(f"pfs site {args.release}, {os.cpu_count()} cores, {args.runs} runs")
    walls = ", ".join(f"{r['wall']:.1f} s" for r in runs)
    print(f"  wall time           {walls} (target <= 60 s)")
    print(f"  peak memory         {max(r['peak_tree_mb'] for r in runs):,.0f} MB all processes together, "
          f"{largest:,.0f} MB the largest one")  # fmt: skip
    print(f"  site                {built['bytes'] / 1e6:,.1f} MB in {built['files']:,} files, "
          f"{built['disk'] / 1e6:,.1f} MB on disk (target <= 300 MB)")  # fmt: skip
    print(f"  code pages          {built['pages']:,}, median {built['page_median'] / 1e3:.1f} kB, "
          f"largest {built['page_max'] / 1e3:.1f} kB")  # fmt: skip
    print(f"  shared assets       {built['assets'] / 1e6:,.1f} MB, {built['frames']} chart frames")
    if not args.keep:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
