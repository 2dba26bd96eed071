"""Benchmark of issue 21 (ZIP+4): a generated ZIP9 file of 1.1 M records read, validated and made into the
zip9_locality table, as `pfs refresh --zip-locality` does; wall time and peak RSS of the process.

    uv run python bench/zip9.py [--records 1100000]

Generates the file in bench/out/ on a first run, in CMS's layout (tests/cms_format.py zip9); run it again to measure
the ingest alone. The issue's target: the
ingest of a million records in well under the memory a release takes (RVU25D's refresh: see bench/refresh.py).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_100_000)
    args = parser.parse_args()
    from flows.zip_locality.build import compute, transform, transform9
    from tests import cms_format as cms

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ZIP9_{args.records}.txt"
    if not path.exists():
        rows = [("CA", f"{10000 + i // 100:05}", "01112", "05" if i % 3 else "06", f"{i % 100:04}")
                for i in range(args.records)]  # fmt: skip
        path.write_bytes(cms.zip9(rows))
    zip5 = transform("ZIP5_T.txt", cms.zip5([("CA", "90000", "01112", "05", "1")]), "2025Q4")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    data = path.read_bytes()
    con = compute(zip5, transform9(path.name, data, "2025Q4"))
    rows = con.execute("SELECT count(*) FROM zip9_locality").fetchone()[0]
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ZIP9 file of {rows:,} records ({len(data) / 1e6:,.0f} MB): read, validated and tabled in {wall:.1f} s; "
          f"peak RSS {peak:,.0f} MB ({before:,.0f} MB before reading)")  # fmt: skip


if __name__ == "__main__":
    main()
