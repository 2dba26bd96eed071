"""`pfs code`: a code's page, read from the lake's code_profile table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from flows.lake import reader
from flows.lookup.place import Place
from flows.settings import SQL

TOP_SPECIALTIES = 5


def load_profile(lake: Path, hcpcs: str, release: str, cf_variant: str = "non_qp") -> dict | None:
    """The code_profile row of a code in a release at a conversion factor variant, or None."""
    con = reader.connect(lake)
    try:
        return profile_of(con, hcpcs, release, cf_variant)
    finally:
        con.close()


def profile_of(con: duckdb.DuckDBPyConnection, hcpcs: str, release: str, cf_variant: str = "non_qp") -> dict | None:
    cursor = con.execute(
        "SELECT * FROM code_profile WHERE hcpcs = $hcpcs AND release = $release AND cf_variant = $variant",
        {"hcpcs": hcpcs.upper(), "release": release.upper(), "variant": cf_variant},
    )
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None


def with_place(con: duckdb.DuckDBPyConnection, profile: dict, place: Place) -> dict:
    """The profile and, for one locality, its identity and the fees of the shown row there (OPPS cap applied)."""
    fees = con.execute(
        "SELECT fee_nonfacility_usd, fee_facility_usd, is_opps_capped_nonfacility, is_opps_capped_facility, "
        "nonpar_usd(fee_nonfacility_usd), nonpar_usd(fee_facility_usd), limiting_charge_usd(fee_nonfacility_usd), "
        "limiting_charge_usd(fee_facility_usd) "
        "FROM fee_locality WHERE release = $release AND hcpcs = $hcpcs AND modifier = $modifier "
        "AND cf_variant = $variant AND mac = $mac AND locality = $locality",
        {"release": profile["release"], "hcpcs": profile["hcpcs"], "modifier": profile["shown_modifier"],
         "variant": profile["cf_variant"], "mac": place.mac, "locality": place.locality},
    ).fetchone() or (None,) * 8  # fmt: skip
    return profile | {
        "zip5": place.zip5,
        "zip_plus_four": place.plus_four,
        "zip_year_quarter": place.year_quarter,
        "mac": place.mac,
        "locality": place.locality,
        "locality_name": place.locality_name,
        "state": place.state,
        "locality_fee_nonfacility_usd": fees[0],
        "locality_fee_facility_usd": fees[1],
        "is_opps_capped_nonfacility": fees[2],
        "is_opps_capped_facility": fees[3],
        "locality_fee_nonfacility_nonpar_usd": fees[4],
        "locality_fee_facility_nonpar_usd": fees[5],
        "locality_limiting_charge_nonfacility_usd": fees[6],
        "locality_limiting_charge_facility_usd": fees[7],
    }


def with_specialties(con: duckdb.DuckDBPyConnection, profile: dict) -> dict:
    """The profile and the specialties that bill the code most (CMS's utilization data), when the lake has any."""
    rows = []
    if reader.holds(con, "code_specialty"):
        cursor = con.execute(
            (SQL / "lookup" / "code_specialties.sql").read_text(), {"hcpcs": profile["hcpcs"], "top": TOP_SPECIALTIES}
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return profile | {"specialties": rows}


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
        ("Non-participating", _nonpar(p, "")),
        ("Locality fees, non-facility", spread),
        ("Ranking", ranking_sentence(p)),
        *_specialty_lines(p),
        *_place_lines(p),
    ]


def _specialty_lines(p: dict) -> list[tuple[str, str]]:
    """The top specialties per source, or a line saying the lake has none for the code."""
    if "specialties" not in p:
        return []
    if not p["specialties"]:
        return [("Specialties", "none in the lake for this code (`pfs refresh --utilization YEAR --source FILE`)")]
    lines = []
    for source in dict.fromkeys(s["source"] for s in p["specialties"]):
        mine = [s for s in p["specialties"] if s["source"] == source]
        shares = ", ".join(f"{s['specialty']} {s['share']:.1%}" for s in mine)
        lines.append(("Specialties", f"{mine[0]['year']} {source}: {shares}"))
    return lines


def _place_lines(p: dict) -> list[tuple[str, str]]:
    if p.get("mac") is None:
        return []
    where = f"{p['locality_name']} ({p['state']}), MAC {p['mac']} locality {p['locality']}"
    if p["zip5"]:
        code = f"{p['zip5']}-{p['zip_plus_four']}" if p.get("zip_plus_four") else p["zip5"]
        kind = "ZIP+4, split by +4" if p.get("zip_plus_four") else "ZIP"
        where = f"{kind} {code} ({p['zip_year_quarter']} file): {where}"
    return [
        ("Place", where),
        ("Locality fee, non-facility", money(p["locality_fee_nonfacility_usd"], p["nonfacility_na"])),
        ("Locality fee, facility", money(p["locality_fee_facility_usd"], p["facility_na"])),
        ("Non-participating here", _nonpar(p, "locality_")),
    ]


def _nonpar(p: dict, prefix: str) -> str:
    """A non-participating provider's fees and limiting charges, as CMS's look-up tool shows them beside the fee."""
    parts = []
    for setting, label in (("nonfacility", "non-facility"), ("facility", "facility")):
        fee, limit = p[f"{prefix}fee_{setting}_nonpar_usd"], p[f"{prefix}limiting_charge_{setting}_usd"]
        na = " (NA setting)" if p[f"{setting}_na"] else ""
        parts.append(f"{label} {money(fee)}, limiting charge {money(limit)}{na}")
    return "; ".join(parts)
