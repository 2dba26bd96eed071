"""OPPSCAP: the OPPS payment caps per HCPCS + modifier + MAC + locality, as CMS computed them."""

from __future__ import annotations

import polars as pl

from transforms.grid import LINE, read_grid, to_decimal
from transforms.tables import Labels, data_rows, find_header, require_unique, zero_pad

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


def parse_oppscap(data: bytes, file: str) -> pl.DataFrame:
    """One row per HCPCS + modifier + MAC + locality with CMS's capped price in each setting."""
    grid = read_grid(data, file)
    header_at, mapping = find_header(grid, LABELS, file)
    rows = data_rows(grid, header_at, mapping, file)
    rows = rows.with_columns(
        modifier=pl.col("modifier").fill_null(""),
        mac=zero_pad("mac", 5, file, rows),
        locality=zero_pad("locality", 2, file, rows),
        **{c: pl.lit(to_decimal(rows, c, 12, 2, file)) for c in ("opps_cap_facility_usd", "opps_cap_nonfacility_usd")},
    )
    require_unique(rows, KEY, file)
    return rows.select(LINE, *KEY, "status_code", "opps_cap_nonfacility_usd", "opps_cap_facility_usd")
