"""GPCI (Addendum E): geographic practice cost indices per MAC + locality."""

from __future__ import annotations

import polars as pl

from transforms.fixed_width import Field, FixedLayout, is_fixed_width, read_records
from transforms.grid import LINE, to_decimal
from transforms.tables import Labels, labelled_rows, require_unique, strip_footnote_marks, zero_pad

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
# The .txt form, as RVU25D's GPCI2025.txt lays it out (CMS publishes no layout for it). Its labels are cut to
# `2025 PW GPCI`: it carries the one work GPCI the release prices with, filed as the floored one as in the .csv.
FIXED = FixedLayout(
    name="GPCI .txt layout of RVU25D",
    fields=(
        Field("mac", 1, 5),
        Field("state", 17, 18),
        Field("locality", 25, 26),
        Field("locality_name", 30, 116),
        Field("work_gpci_with_floor", 117, 126),
        Field("pe_gpci", 127, 138),
        Field("mp_gpci", 139, 150),
    ),
    record=r"\d{5} ",
    header=r"Medicare Adm\w*\s+State\s+Locality\s+Locality Name\s+\d{4} PW GPCI\s*\d{4} PE GPCI\s*\d{4} MP GPCI$",
)


def parse_gpci(data: bytes, file: str, work_gpci_floor: bool = True) -> pl.DataFrame:
    """One row per MAC + locality; `work_gpci` is the floored or unfloored index, as the release prices."""
    if is_fixed_width(file):
        rows = read_records(data, file, FIXED)
    else:
        rows = labelled_rows(data, file, LABELS, optional=WITHOUT_FLOOR)
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
