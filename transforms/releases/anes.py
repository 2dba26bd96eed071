"""ANES: the anesthesia conversion factor per MAC + locality; the national CF sits in the column label."""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl

from transforms.errors import CmsFileError
from transforms.fixed_width import Field, FixedLayout, is_fixed_width, read_records
from transforms.grid import LINE, read_grid, to_decimal
from transforms.tables import Labels, data_rows, find_header, require_unique, strip_footnote_marks, zero_pad

LABELS: Labels = (
    (r"^(Contractor|Carrier|Medicare Adm\w* Contractor)", "mac"),
    (r"^Locality( Number)?$", "locality"),
    (r"^Locality Name$", "locality_name"),
    (r"Anes\w* CF", "anesthesia_cf_usd"),
)
# The .txt form, as RVU25D's ANES2025.txt lays it out (no header; CMS publishes no layout): the CF with two
# implied decimals, locality names cut at 40 characters, and no national CF (null when read from it).
FIXED = FixedLayout(
    name="ANES .txt layout of RVU25D",
    fields=(
        Field("mac", 1, 5),
        Field("locality", 13, 14),
        Field("locality_name", 19, 58),
        Field("anesthesia_cf_usd", 59, 77, implied_decimals=2),
    ),
    record=r"\d{5} ",
)
NATIONAL = re.compile(r"(?:National )?Anes\w* CF of\s*([0-9.]+)", re.IGNORECASE)  # the .xlsx drops "National"


def parse_anes(data: bytes, file: str) -> pl.DataFrame:
    """One row per MAC + locality with its CF, and the national CF from the header beside every row."""
    rows, national = (read_records(data, file, FIXED), None) if is_fixed_width(file) else _labelled(data, file)
    rows = rows.with_columns(
        locality_name=strip_footnote_marks("locality_name"),
        mac=zero_pad("mac", 5, file, rows),
        locality=zero_pad("locality", 2, file, rows),
        anesthesia_cf_usd=pl.lit(to_decimal(rows, "anesthesia_cf_usd", 7, 4, file)),
        national_anesthesia_cf_usd=pl.lit(national, pl.Decimal(7, 4)),
    )
    require_unique(rows, ["mac", "locality"], file)
    return rows.select(LINE, "mac", "locality", "locality_name", "anesthesia_cf_usd", "national_anesthesia_cf_usd")


def _labelled(data: bytes, file: str) -> tuple[pl.DataFrame, Decimal]:
    """The data rows, and the national CF the CF column's label carries."""
    grid = read_grid(data, file)
    header_at, mapping = find_header(grid, LABELS, file)
    header_cells = " ".join(c or "" for c in grid.drop(LINE).row(header_at))
    national = NATIONAL.search(header_cells)
    if national is None:
        raise CmsFileError(file, "the CF column label does not carry the national anesthesia CF", line=header_at + 1)
    return data_rows(grid, header_at, mapping, file), Decimal(national.group(1))
