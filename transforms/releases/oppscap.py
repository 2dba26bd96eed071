"""OPPSCAP: the OPPS payment caps per HCPCS + modifier + MAC + locality, as CMS computed them."""

from __future__ import annotations

import polars as pl

from transforms.fixed_width import Field, FixedLayout, is_fixed_width, read_records
from transforms.grid import LINE, to_decimal
from transforms.tables import Labels, labelled_rows, require_unique, zero_pad

LABELS: Labels = (
    (r"^HCPCS$", "hcpcs"),
    (r"^MOD$", "modifier"),
    (r"^PROCSTAT$", "status_code"),
    (r"^CARRIER$", "mac"),
    (r"^LOCALITY$", "locality"),
    (r"^FACILITY PRICE$", "opps_cap_facility_usd"),
    (r"^NON-FACI?LI?TY PRICE$", "opps_cap_nonfacility_usd"),  # CMS spells it NON-FACILTY
)
KEY = ["hcpcs", "modifier", "mac", "locality"]
# The .txt form, as RVU25D's OPPSCAP_Oct.txt lays it out (no header; CMS publishes no layout). Its two prices
# are equal on every line of that file, so their order is taken from the .csv's: facility, then non-facility.
FIXED = FixedLayout(
    name="OPPSCAP .txt layout of RVU25D",
    fields=(
        Field("hcpcs", 1, 5),
        Field("modifier", 6, 7),
        Field("status_code", 9, 9),
        Field("mac", 11, 15),
        Field("locality", 18, 19),
        Field("opps_cap_facility_usd", 20, 28),
        Field("opps_cap_nonfacility_usd", 29, 38),
    ),
    record=r"[0-9A-Z]{5}",
)


def parse_oppscap(data: bytes, file: str) -> pl.DataFrame:
    """One row per HCPCS + modifier + MAC + locality with CMS's capped price in each setting."""
    rows = read_records(data, file, FIXED) if is_fixed_width(file) else labelled_rows(data, file, LABELS)
    rows = rows.with_columns(
        modifier=pl.col("modifier").fill_null(""),
        mac=zero_pad("mac", 5, file, rows),
        locality=zero_pad("locality", 2, file, rows),
        **{c: pl.lit(to_decimal(rows, c, 12, 2, file)) for c in ("opps_cap_facility_usd", "opps_cap_nonfacility_usd")},
    )
    require_unique(rows, KEY, file)
    return rows.select(LINE, *KEY, "status_code", "opps_cap_nonfacility_usd", "opps_cap_facility_usd")
