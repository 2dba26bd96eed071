"""CMS's ZIP code to carrier locality files: ZIP5, one record per ZIP code, and ZIP9, one record per ZIP+4 of the
ZIP codes CMS splits between localities; fixed width, one quarter a file."""

from __future__ import annotations

import dataframely as dy
import polars as pl

from transforms.errors import CmsFileError
from transforms.fixed_width import Field, FixedLayout, read_records
from transforms.grid import LINE
from transforms.tables import require_unique
from transforms.validation import LOCALITY, MAC, STATE

# Where both files put a ZIP code's place: the same positions in ZIP5lyout.txt and ZIP9lyout.txt (1-based, inclusive)
PLACE = (
    Field("state", 1, 2),
    Field("zip5", 3, 7),
    Field("mac", 8, 12),
    Field("locality", 13, 14),
    Field("rural_indicator", 15, 15),
)
# CMS's record layout, ZIP5lyout.txt; position 22 is not described there and is blank.
FIXED = FixedLayout(
    name="ZIP5 record layout (ZIP5lyout.txt)",
    fields=(
        *PLACE,
        Field("lab_cb_locality", 16, 17),
        Field("rural_indicator_2006", 18, 18),
        Field("plus_four_flag", 21, 21),
        Field("part_b_payment_indicator", 23, 23),
        Field("year_quarter", 76, 80),
    ),
    record=r"[A-Z]{2}\d{5}",
)
COLUMNS = ("year_quarter", "zip5", "state", "mac", "locality", "rural_indicator", "plus_four_required")

# CMS's ZIP9 record layout, ZIP9lyout.txt (1-based, inclusive): the fields pfs reads; the spans between them hold
# fields it does not (read, not checked blank)
FIXED9 = FixedLayout(
    name="ZIP9 record layout (ZIP9lyout.txt)",
    fields=(
        *PLACE,
        Field("unread_16_20", 16, 20),
        Field("plus_four_flag", 21, 21),
        Field("plus_four", 22, 25),
        Field("unread_26_31", 26, 31),
        Field("part_b_payment_indicator", 32, 32),
        Field("unread_33_75", 33, 75),
        Field("year_quarter", 76, 80),
    ),
    record=r"[A-Z]{2}\d{5}",
)


def parse_zip5(data: bytes, file: str) -> pl.DataFrame:
    """One row per ZIP code: its state, MAC and locality, rural indicator, and whether its +4 decides the locality.

    `year_quarter` is CMS's `YYYYQ` as `YYYYQn`; every record of a file must carry the same quarter.
    """
    rows = read_records(data, file, FIXED)
    _one_quarter(rows, file)
    _require(rows, pl.col("plus_four_flag").is_in(["0", "1"]), file, "plus_four_flag", "is not 0 or 1")
    require_unique(rows, ["zip5"], file)
    return rows.select(
        LINE,
        _quarter(),
        "zip5",
        "state",
        "mac",
        "locality",
        pl.col("rural_indicator").fill_null(""),
        (pl.col("plus_four_flag") == "1").alias("plus_four_required"),
    )


def parse_zip9(data: bytes, file: str) -> pl.DataFrame:
    """One row per ZIP+4 CMS lists: its state, MAC and locality, rural indicator; one quarter a file, as ZIP5."""
    rows = read_records(data, file, FIXED9)
    _one_quarter(rows, file)
    _require(rows, pl.col("plus_four_flag") == "1", file, "plus_four_flag", "is not 1 (a ZIP+4 record)")
    _require(rows, pl.col("plus_four").str.contains(r"^\d{4}$"), file, "plus_four", "is not four digits")
    require_unique(rows, ["zip5", "plus_four"], file)
    return rows.select(
        LINE,
        _quarter(),
        "zip5",
        "plus_four",
        "state",
        "mac",
        "locality",
        pl.col("rural_indicator").fill_null(""),
    )


def _one_quarter(rows: pl.DataFrame, file: str) -> None:
    """Every record carries CMS's `YYYYQ`, the same in the whole file."""
    _require(rows, pl.col("year_quarter").str.contains(r"^\d{4}[1-4]$"), file, "year_quarter", "is not YYYYQ")
    _require(rows, pl.col("year_quarter") == rows["year_quarter"][0], file, "year_quarter",
             f"differs from the file's first record ({rows['year_quarter'][0]}): one quarter a file")  # fmt: skip


def _quarter() -> pl.Expr:
    """CMS's `YYYYQ` as `YYYYQn`."""
    return (pl.col("year_quarter").str.slice(0, 4) + "Q" + pl.col("year_quarter").str.slice(4, 1)).alias("year_quarter")


def _require(rows: pl.DataFrame, good: pl.Expr, file: str, column: str, message: str) -> None:
    bad = rows.filter(~good.fill_null(False))
    if bad.height:
        row = bad.row(0, named=True)
        raise CmsFileError(file, f"{row[column]!r} {message}", line=row[LINE], column=column)


class ZipLocalitySchema(dy.Schema):
    source_line = dy.Int64()
    year_quarter = dy.String(regex=r"^\d{4}Q[1-4]$")
    zip5 = dy.String(primary_key=True, regex=r"^\d{5}$")
    state = dy.String(regex=STATE)
    mac = dy.String(regex=MAC)
    locality = dy.String(regex=LOCALITY)
    rural_indicator = dy.String(regex=r"^[RB]?$")
    plus_four_required = dy.Bool()


class Zip9LocalitySchema(dy.Schema):
    source_line = dy.Int64()
    year_quarter = dy.String(regex=r"^\d{4}Q[1-4]$")
    zip5 = dy.String(primary_key=True, regex=r"^\d{5}$")
    plus_four = dy.String(primary_key=True, regex=r"^\d{4}$")
    state = dy.String(regex=STATE)
    mac = dy.String(regex=MAC)
    locality = dy.String(regex=LOCALITY)
    rural_indicator = dy.String(regex=r"^[RB]?$")
