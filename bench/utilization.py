"""Benchmark of issue 10: a year of "Provider and Service" at CMS's size, generated, through `pfs refresh`.

    uv run python bench/utilization.py [--rows 10000000] [--keep]

Writes a CSV in the current layout (all 28 columns, ~300 bytes a row like CMS's) to bench/out/, then runs
`pfs refresh --utilization 2023 --source FILE` in a fresh lake whose `pfs server` runs (so the peak RSS is
the refresh's own, not a temporary Prefect server's), and reports wall time, the refresh's own "done in",
and that process's peak RSS. Target: <= 60 s and <= 1 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "Rndrng_NPI", "Rndrng_Prvdr_Last_Org_Name", "Rndrng_Prvdr_First_Name", "Rndrng_Prvdr_MI", "Rndrng_Prvdr_Crdntls",
    "Rndrng_Prvdr_Ent_Cd", "Rndrng_Prvdr_St1", "Rndrng_Prvdr_St2", "Rndrng_Prvdr_City", "Rndrng_Prvdr_State_Abrvtn",
    "Rndrng_Prvdr_State_FIPS", "Rndrng_Prvdr_Zip5", "Rndrng_Prvdr_RUCA", "Rndrng_Prvdr_RUCA_Desc", "Rndrng_Prvdr_Cntry",
    "Rndrng_Prvdr_Type", "Rndrng_Prvdr_Mdcr_Prtcptg_Ind", "HCPCS_Cd", "HCPCS_Desc", "HCPCS_Drug_Ind", "Place_Of_Srvc",
    "Tot_Benes", "Tot_Srvcs", "Tot_Bene_Day_Srvcs", "Avg_Sbmtd_Chrg", "Avg_Mdcr_Alowd_Amt", "Avg_Mdcr_Pymt_Amt",
    "Avg_Mdcr_Stdzd_Amt",
]  # fmt: skip
SPECIALTIES = [
    "Internal Medicine", "Family Practice", "Nurse Practitioner", "Diagnostic Radiology",
    "Physical Therapist in Private Practice", "Cardiology", "Physician Assistant", "Orthopedic Surgery",
    "Ophthalmology", "Chiropractic",
]  # fmt: skip
FILLER = {  # the columns pfs does not read, at CMS's typical width
    "Rndrng_Prvdr_Last_Org_Name": "LASTNAME-ORGANISATION", "Rndrng_Prvdr_First_Name": "FIRSTNAME",
    "Rndrng_Prvdr_MI": "M", "Rndrng_Prvdr_Crdntls": "M.D.", "Rndrng_Prvdr_Ent_Cd": "I",
    "Rndrng_Prvdr_St1": "1234 SOME STREET NAME", "Rndrng_Prvdr_St2": "SUITE 100", "Rndrng_Prvdr_City": "SPRINGFIELD",
    "Rndrng_Prvdr_State_Abrvtn": "IL", "Rndrng_Prvdr_State_FIPS": "17", "Rndrng_Prvdr_Zip5": "62701",
    "Rndrng_Prvdr_RUCA": "1", "Rndrng_Prvdr_RUCA_Desc": "Metropolitan area core: primary flow within an urbanized area",
    "Rndrng_Prvdr_Cntry": "US", "Rndrng_Prvdr_Mdcr_Prtcptg_Ind": "Y", "HCPCS_Drug_Ind": "N",
    "HCPCS_Desc": "Established patient office or other outpatient visit, 20-29 minutes",
}  # fmt: skip
CHUNK = 1_000_000


def generate(path: Path, rows: int) -> None:
    """`rows` rows in chunks (the generator's memory stays small), ~1.2 M NPIs, 6,000 codes, both places."""
    rng = np.random.default_rng(2023)
    with path.open("wb") as out:
        out.write((",".join(COLUMNS) + "\n").encode())
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            npi = 1_000_000_000 + np.sort(rng.integers(0, 1_200_000, n))
            money = {name: np.round(rng.random(n) * 300, 6) for name in COLUMNS if name.startswith("Avg_")}
            frame = pl.DataFrame({
                **FILLER, **money,
                "Rndrng_NPI": npi.astype(str),
                "Rndrng_Prvdr_Type": np.array(SPECIALTIES)[npi % len(SPECIALTIES)],
                "HCPCS_Cd": np.char.zfill((10_000 + rng.integers(0, 6_000, n)).astype(str), 5),
                "Place_Of_Srvc": np.where(rng.random(n) < 0.3, "F", "O"),
                "Tot_Benes": rng.integers(11, 500, n),
                "Tot_Srvcs": np.round(rng.random(n) * 1000 + 11, 1),
                "Tot_Bene_Day_Srvcs": rng.integers(11, 900, n),
            })  # fmt: skip
            frame.select(COLUMNS).write_csv(out, include_header=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated file in bench/out for the next run")
    args = parser.parse_args()
    data = ROOT / "bench" / "out" / f"provider_service_{args.rows}.csv"
    data.parent.mkdir(parents=True, exist_ok=True)
    if not data.exists():
        started = time.perf_counter()
        generate(data, args.rows)
        print(f"generated {data.name}: {data.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - started:.1f} s")
    env = os.environ | {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
                        "PREFECT_HOME": str(ROOT / "bench" / "out" / "prefect"), "COLUMNS": "200"}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        lake = str(Path(tmp) / "lake")
        pfs = [sys.executable, "-m", "flows.cli"]
        subprocess.run([*pfs, "server", "start", "--lake", lake], env=env, cwd=ROOT, check=True, capture_output=True)
        try:
            started = time.perf_counter()
            done = subprocess.run([*pfs, "refresh", "--utilization", "2023", "--source", str(data), "--lake", lake],
                                  env=env, cwd=ROOT, capture_output=True, text=True, check=True)  # fmt: skip
            wall = time.perf_counter() - started
        finally:
            subprocess.run([*pfs, "server", "stop", "--lake", lake], env=env, cwd=ROOT, check=True, capture_output=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    inside = re.search(r"done in ([\d.]+) s", done.stdout)
    print(done.stdout.strip())
    print(f"{args.rows:,} rows, {data.stat().st_size / 1e9:.2f} GB on {os.cpu_count()} cores")
    print(f"  pfs refresh --utilization, whole process  {wall:6.1f} s   target <= 60 s")
    print(f"  of which inside the flow                  {float(inside[1]) if inside else float('nan'):6.1f} s")
    print(f"  peak RSS of that process                  {peak:6.0f} MB  target <= 1024 MB")
    if not args.keep:
        data.unlink()


if __name__ == "__main__":
    main()
