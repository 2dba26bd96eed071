"""LOCCO: locality -> state, fee schedule area and counties."""

from __future__ import annotations

import polars as pl

from transforms.errors import CmsFileError
from transforms.fixed_width import Field, FixedLayout, is_fixed_width, read_records
from transforms.grid import LINE
from transforms.states import STATE_CODES
from transforms.tables import Labels, labelled_rows, require_unique, zero_pad

LABELS: Labels = (
    (r"^(Medicare Adm\w* Contractor|Contractor|Carrier)", "mac"),
    (r"^Locality Number$", "locality"),
    (r"^State$", "state_name"),
    (r"^Fee Schedule Area$", "fee_schedule_area"),
    (r"^Counties$", "counties"),
)
# The .txt form, as RVU25D's 25LOCCO.txt lays it out (CMS publishes no layout). CMS's .txt is a poorer copy:
# county lists cut at 58 characters, and in 2025 California's first line lost its state name, so that file is
# refused (see parse_locco). The .csv and .xlsx are read before it.
FIXED = FixedLayout(
    name="LOCCO .txt layout of RVU25D",
    fields=(
        Field("mac", 5, 9),
        Field("locality", 17, 18),
        Field("state_name", 23, 42),
        Field("fee_schedule_area", 46, 143),
        Field("counties", 144, 201),
    ),
    record=r" {4}\d{5} ",
    header=r"Medicare Adm\w*\s*Locality\s+State\s+Fee Schedule Area\s+Counties$",
)
TWO_MACS = "*"  # CMS's footnote: the payment locality is serviced by two carriers


def parse_locco(data: bytes, file: str) -> pl.DataFrame:
    """One row per MAC + locality; the state name, printed only on a state's first line, is carried down.

    Only within its group of lines: CMS separates states by a blank line, so a group whose first line has no
    state name fails rather than inheriting the state above it (RVU25D's .txt would put California in Arkansas).
    """
    rows = read_records(data, file, FIXED) if is_fixed_width(file) else labelled_rows(data, file, LABELS)
    rows = rows.with_columns(
        mac=zero_pad("mac", 5, file, rows),
        locality=zero_pad("locality", 2, file, rows),
        state_name=pl.col("state_name").forward_fill().over((pl.col(LINE).diff().fill_null(0) != 1).cum_sum()),
        served_by_two_macs=pl.col("fee_schedule_area").str.contains(TWO_MACS, literal=True).fill_null(False),
        fee_schedule_area=pl.col("fee_schedule_area").str.replace_all(TWO_MACS, "", literal=True).str.strip_chars(),
    ).with_columns(state=pl.col("state_name").replace_strict(STATE_CODES, default=None))
    nameless = rows.filter(pl.col("state_name").is_null())
    if nameless.height:
        line = nameless[LINE][0]
        raise CmsFileError(file, "no state name on the first line of a state's localities", line=line, column="State")
    unknown = rows.filter(pl.col("state").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        raise CmsFileError(file, f"unknown state {row['state_name']!r}", line=row[LINE], column="State")
    # CMS repeats some lines (MO 99 in 2025): identical repeats collapse, differing ones fail below.
    columns = ["mac", "locality", "state", "state_name", "fee_schedule_area", "counties", "served_by_two_macs"]
    rows = rows.unique(subset=columns, keep="first", maintain_order=True)
    require_unique(rows, ["mac", "locality"], file)
    return rows.select(LINE, *columns)
