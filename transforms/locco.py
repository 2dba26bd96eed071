"""LOCCO: locality -> state, fee schedule area and counties."""

from __future__ import annotations

import polars as pl

from transforms.errors import CmsFileError
from transforms.grid import LINE, read_grid
from transforms.states import STATE_CODES
from transforms.tables import Labels, data_rows, find_header, require_unique, zero_pad

LABELS: Labels = (
    (r"^(Medicare Adm\w* Contractor|Contractor|Carrier)", "mac"),
    (r"^Locality Number$", "locality"),
    (r"^State$", "state_name"),
    (r"^Fee Schedule Area$", "fee_schedule_area"),
    (r"^Counties$", "counties"),
)
TWO_MACS = "*"  # CMS's footnote: the payment locality is serviced by two carriers


def parse_locco(data: bytes, file: str) -> pl.DataFrame:
    """One row per MAC + locality; the state name, printed only on a state's first line, is carried down."""
    grid = read_grid(data, file)
    header_at, mapping = find_header(grid, LABELS, file)
    rows = data_rows(grid, header_at, mapping, file)
    rows = rows.with_columns(
        mac=zero_pad("mac", 5, file, rows),
        locality=zero_pad("locality", 2, file, rows),
        state_name=pl.col("state_name").forward_fill(),
        served_by_two_macs=pl.col("fee_schedule_area").str.contains(TWO_MACS, literal=True).fill_null(False),
        fee_schedule_area=pl.col("fee_schedule_area").str.replace_all(TWO_MACS, "", literal=True).str.strip_chars(),
    ).with_columns(state=pl.col("state_name").replace_strict(STATE_CODES, default=None))
    unknown = rows.filter(pl.col("state").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        raise CmsFileError(file, f"unknown state {row['state_name']!r}", line=row[LINE], column="State")
    # CMS repeats some lines (MO 99 in 2025): identical repeats collapse, differing ones fail below.
    columns = ["mac", "locality", "state", "state_name", "fee_schedule_area", "counties", "served_by_two_macs"]
    rows = rows.unique(subset=columns, keep="first", maintain_order=True)
    require_unique(rows, ["mac", "locality"], file)
    return rows.select(LINE, *columns)
