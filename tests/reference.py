"""An independent reference for expected amounts: a locality fee computed here in Decimal, from a release's RVU
and GPCI rows as CMS prints them (the lake's `rvu` and `gpci` hold them as parsed, checked against CMS's files
in test_lake_real.py), by the formula of CMS's RVU file documentation, never through pfs's SQL."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PAID = ("A", "R", "T")


def _row(db, query: str, params: dict) -> dict:
    cursor = db.execute(query, params)
    found = cursor.fetchone()
    assert found is not None, f"no row for {params}"
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def locality_fee(db, release: str, hcpcs: str, modifier: str, mac: str, locality: str, setting: str) -> Decimal | None:
    """(work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x CF, capped by the same sum with the RVUs used
    for OPPS where PPRRVU has them, rounded half up to cents; None for a status the PFS does not pay."""
    rvu = _row(db, "SELECT * FROM rvu WHERE release = $r AND hcpcs = $h AND modifier = $m",
               {"r": release, "h": hcpcs, "m": modifier})  # fmt: skip
    gpci = _row(db, "SELECT * FROM gpci WHERE release = $r AND mac = $mac AND locality = $l",
                {"r": release, "mac": mac, "l": locality})  # fmt: skip
    if rvu["status_code"] not in PAID:
        return None
    cf = Decimal(rvu["conversion_factor_usd"])  # PPRRVU's CONV FACTOR column

    def amount(pe: Decimal, mp: Decimal) -> Decimal:
        return (rvu["work_rvu"] * gpci["work_gpci"] + pe * gpci["pe_gpci"] + mp * gpci["mp_gpci"]) * cf

    pfs = amount(rvu[f"{setting}_pe_rvu"], rvu["mp_rvu"])
    opps_rvus = (rvu["opps_nonfacility_pe_rvu"], rvu["opps_facility_pe_rvu"], rvu["opps_mp_rvu"])
    if sum(opps_rvus) > 0:
        pfs = min(pfs, amount(rvu[f"opps_{setting}_pe_rvu"], rvu["opps_mp_rvu"]))
    return pfs.quantize(CENT, rounding=ROUND_HALF_UP)
