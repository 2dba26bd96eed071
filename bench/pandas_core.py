"""The yardstick of issue 9: a plain pandas script doing the core of a refresh, timed whole-process by bench/speed.py.

    uv run --group bench python bench/pandas_core.py ZIP OUT_DIR

What a competent analyst would write in an afternoon: read PPRRVU and GPCI from the release zip, price every
code nationally and in every locality (the OPPS cap applied, statuses the PFS does not pay left empty), and
write both tables to Parquet. No validation, no other files, no rankings, no atomic publish: pfs's pipeline
does all of those, and issue 9 asks it to be no slower than this.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

PPRRVU = {
    "HCPCS": "hcpcs", "MOD": "modifier", "CODE": "status_code", "RVU": "work_rvu", "PE RVU": "nonfacility_pe_rvu",
    "PE RVU.1": "facility_pe_rvu", "RVU.1": "mp_rvu", "FACTOR": "conversion_factor_usd",
    "AMOUNT": "opps_nonfacility_pe_rvu", "AMOUNT.1": "opps_facility_pe_rvu", "AMOUNT.2": "opps_mp_rvu",
}  # fmt: skip
GPCI = ["mac", "state", "locality", "locality_name", "work_gpci", "pe_gpci", "mp_gpci"]
PAYABLE = ["A", "R", "T"]


def member(archive: zipfile.ZipFile, prefix: str) -> io.BytesIO:
    name = next(n for n in archive.namelist() if n.upper().startswith(prefix) and n.lower().endswith(".csv"))
    return io.BytesIO(archive.read(name))


def read(zip_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with zipfile.ZipFile(zip_path) as archive:
        rvu = pd.read_csv(member(archive, "PPRRVU"), skiprows=9, dtype=str, keep_default_na=False)
        gpci = pd.read_csv(member(archive, "GPCI"), skiprows=3, header=None, names=GPCI, dtype=str)
    rvu = rvu[list(PPRRVU)].rename(columns=PPRRVU)
    rvu = rvu[rvu["hcpcs"].str.len() == 5]
    numbers = [c for c in PPRRVU.values() if c not in ("hcpcs", "modifier", "status_code")]
    rvu[numbers] = rvu[numbers].apply(pd.to_numeric)
    gpci = gpci.dropna(subset=["locality"])
    gpci[["work_gpci", "pe_gpci", "mp_gpci"]] = gpci[["work_gpci", "pe_gpci", "mp_gpci"]].apply(pd.to_numeric)
    return rvu, gpci


def cents(amount: pd.Series) -> pd.Series:
    """Rounded half away from zero (float arithmetic: the yardstick does not promise CMS's cents)."""
    return np.sign(amount) * np.floor(np.abs(amount) * 100 + 0.5) / 100


def national(rvu: pd.DataFrame) -> pd.DataFrame:
    out = rvu[["hcpcs", "modifier", "status_code"]].copy()
    payable = rvu["status_code"].isin(PAYABLE)
    for setting in ("nonfacility", "facility"):
        total = rvu["work_rvu"] + rvu[f"{setting}_pe_rvu"] + rvu["mp_rvu"]
        out[f"fee_{setting}_usd"] = cents(total * rvu["conversion_factor_usd"]).where(payable)
    return out


def locality(rvu: pd.DataFrame, gpci: pd.DataFrame) -> pd.DataFrame:
    both = rvu.merge(gpci, how="cross")
    payable = both["status_code"].isin(PAYABLE)
    has_opps = both[["opps_nonfacility_pe_rvu", "opps_facility_pe_rvu", "opps_mp_rvu"]].sum(axis=1) > 0
    out = both[["hcpcs", "modifier", "mac", "locality", "state"]].copy()
    for setting in ("nonfacility", "facility"):
        pfs = amount(both, both[f"{setting}_pe_rvu"], both["mp_rvu"])
        opps = amount(both, both[f"opps_{setting}_pe_rvu"], both["opps_mp_rvu"])
        fee = pfs.where(~has_opps, np.minimum(pfs, opps))
        out[f"fee_{setting}_usd"] = cents(fee).where(payable)
        out[f"is_opps_capped_{setting}"] = payable & has_opps & (opps < pfs)
    return out


def amount(both: pd.DataFrame, pe_rvu: pd.Series, mp_rvu: pd.Series) -> pd.Series:
    gpci_weighted = both["work_rvu"] * both["work_gpci"] + pe_rvu * both["pe_gpci"] + mp_rvu * both["mp_gpci"]
    return gpci_weighted * both["conversion_factor_usd"]


def main() -> None:
    zip_path, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rvu, gpci = read(zip_path)
    national(rvu).to_parquet(out / "fee_national.parquet", index=False)
    locality(rvu, gpci).to_parquet(out / "fee_locality.parquet", index=False)


if __name__ == "__main__":
    main()
