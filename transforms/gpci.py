"""GPCI (Addendum E): geographic practice cost indices per MAC + locality."""

from __future__ import annotations

import polars as pl

from transforms.grid import LINE, read_grid, to_decimal
from transforms.tables import Labels, data_rows, find_header, require_unique, strip_footnote_marks, zero_pad

LABELS: Labels = (
    (r"^(Medicare Adm\w* Contractor|Contractor|Carrier)", "mac"),
    (r"^State$", "state"),
    (r"^Locality Number$", "locality"),
    (r"^Locality Name$", "locality_name"),
    (r"PW GPCI \(with 1\.0 Floor\)", "work_gpci_with_floor"),
    (r"PE GPCI", "pe_gpci"),
    (r"MP GPCI", "mp_gpci"),
)
WITHOUT_FLOOR: Labels = ((r"PW GPCI \(without 1\.0 Floor\)", "work_gpci_without_floor"),)
GPCI_DECIMAL = (4, 3)  # 0.000-9.999


def parse_gpci(data: bytes, file: str, work_gpci_floor: bool = True) -> pl.DataFrame:
    """One row per MAC + locality; `work_gpci` is the floored or unfloored index, as the release prices."""
    grid = read_grid(data, file)
    header_at, mapping = find_header(grid, LABELS, file, optional=WITHOUT_FLOOR)
    rows = data_rows(grid, header_at, mapping, file)
    if "work_gpci_without_floor" not in rows.columns:
        rows = rows.with_columns(work_gpci_without_floor=pl.lit(None, pl.String))
    rows = rows.with_columns(
        locality_name=strip_footnote_marks("locality_name"),
        mac=zero_pad("mac", 5, file, rows),
        locality=zero_pad("locality", 2, file, rows),
        **{
            c: pl.lit(to_decimal(rows, c, *GPCI_DECIMAL, file))
            for c in ("work_gpci_with_floor", "work_gpci_without_floor", "pe_gpci", "mp_gpci")
        },
    )
    require_unique(rows, ["mac", "locality"], file)
    chosen = "work_gpci_with_floor" if work_gpci_floor else "work_gpci_without_floor"
    return rows.with_columns(work_gpci=pl.col(chosen)).select(
        LINE,
        "mac",
        "state",
        "locality",
        "locality_name",
        "work_gpci",
        "work_gpci_with_floor",
        "work_gpci_without_floor",
        "pe_gpci",
        "mp_gpci",
    )
