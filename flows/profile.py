"""`pfs code`: a code's page, read from the lake's code_profile view."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from flows.lake import DB_FILE


def load_profile(lake: Path, hcpcs: str, release: str, cf_variant: str = "non_qp") -> dict | None:
    """The code_profile row of a code in a release at a conversion factor variant, or None."""
    con = duckdb.connect(str(lake / DB_FILE), read_only=True)
    try:
        rel = con.sql(
            "SELECT * FROM code_profile WHERE hcpcs = $hcpcs AND release = $release AND cf_variant = $variant",
            params={"hcpcs": hcpcs.upper(), "release": release.upper(), "variant": cf_variant},
        )
        rows = rel.fetchall()
        return dict(zip(rel.columns, rows[0], strict=True)) if rows else None
    finally:
        con.close()


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ranking_sentence(p: dict) -> str:
    """The sentence a code page shows about the code's work RVU within its category."""
    if p["percentile"] is None:
        return f"Not ranked: no work RVU (the {p['category']} ranking covers codes with work RVU > 0)."
    pct = ordinal(round(p["percentile"]))
    if p["direction"] == "at":
        relation = "at the median"
    else:
        relation = f"{p['ratio_to_median']:.1f}× {p['direction']} the median"
    return (
        f"ranks in the {pct} percentile among {p['category']} codes — {relation} ({p['median']:g}). "
        f"The highest wRVU in this category is {p['max_value']:g} ({p['max_hcpcs']})."
    )


def money(amount: Decimal | None, na: bool = False) -> str:
    if na:
        return "NA" + (f" (computed ${amount:,.2f})" if amount is not None else "")
    return "—" if amount is None else f"${amount:,.2f}"


def render(p: dict) -> list[tuple[str, str]]:
    """The code page as (label, value) lines."""
    shown = f" (row {p['shown_modifier']})" if p["shown_modifier"] else ""
    spread = "—"
    if p["localities"]:
        spread = (
            f"{money(p['fee_nonfacility_min_usd'])} – {money(p['fee_nonfacility_max_usd'])}, "
            f"median {money(p['fee_nonfacility_median_usd'])} over {p['localities']} localities"
        )
    return [
        ("Code", f"{p['hcpcs']}{shown} — {p['description']}"),
        ("Release", f"{p['release']} (conversion factor ${p['conversion_factor_usd']}, {p['cf_variant']})"),
        ("Status", p["status_code"]),
        ("Global days", p["global_days"] or "—"),
        ("Modifiers", ", ".join(m or "(none)" for m in p["modifiers"])),
        ("Category", p["category"]),
        ("Work RVU", f"{p['work_rvu']}"),
        ("PE RVU", f"non-facility {p['nonfacility_pe_rvu']}, facility {p['facility_pe_rvu']}"),
        ("MP RVU", f"{p['mp_rvu']}"),
        ("Total RVU", f"non-facility {p['nonfacility_total_rvu']}, facility {p['facility_total_rvu']}"),
        ("National fee, non-facility", money(p["fee_nonfacility_usd"], p["nonfacility_na"])),
        ("National fee, facility", money(p["fee_facility_usd"], p["facility_na"])),
        ("Locality fees, non-facility", spread),
        ("Ranking", ranking_sentence(p)),
    ]
