"""Reading a CMS CSV into a grid of stripped strings, and typing its cells strictly."""

from __future__ import annotations

import io

import fastexcel
import polars as pl

from transforms.errors import CmsFileError

LINE = "source_line"
DOS_EOF = "\x1a"


def read_grid(data: bytes, file: str) -> pl.DataFrame:
    """All cells as stripped strings (empty -> null) in columns c0..cN, plus the 1-based source line.

    A CSV (Latin-1, CRLF; a DOS end-of-file byte line, as in RVU22A, is not a row) or the first sheet of
    an .xlsx, where the line is the sheet's row number.
    """
    grid = _xlsx_cells(data, file) if file.lower().endswith(".xlsx") else _csv_cells(data, file)
    grid = grid.with_columns(pl.all().str.strip_chars().replace("", None))
    used = [c for c in grid.columns if grid[c].null_count() < grid.height]
    if not used:
        raise CmsFileError(file, "the file is empty")
    grid = grid.select(grid.columns[: int(used[-1][1:]) + 1])
    grid = grid.with_row_index(LINE, offset=1).with_columns(pl.col(LINE).cast(pl.Int64))
    first = pl.col("c0")
    others_empty = pl.all_horizontal(pl.col(c).is_null() for c in grid.columns[2:])
    return grid.filter(~((first == DOS_EOF) & others_empty))


def _xlsx_cells(data: bytes, file: str) -> pl.DataFrame:
    """The first sheet's cells as text, as Excel shows them (fastexcel; no file system)."""
    try:
        sheet = fastexcel.read_excel(data).load_sheet(0, header_row=None, dtypes="string")
    except Exception as error:  # noqa: BLE001 (fastexcel raises its own types for every kind of bad workbook)
        raise CmsFileError(file, f"not a readable .xlsx workbook ({error})") from None
    grid = sheet.to_polars()
    return grid.rename({c: f"c{i}" for i, c in enumerate(grid.columns)}).cast(pl.String)


def _csv_cells(data: bytes, file: str) -> pl.DataFrame:
    text = decode_text(data, file)
    if not text.strip():
        raise CmsFileError(file, "the file is empty")
    # CMS lines differ in width and Polars sizes a header-less CSV by its first line, so a header line of
    # generated names, as wide as the line with the most commas, comes first; empty columns past the last
    # used one are dropped by the caller.
    width = max(line.count(",") for line in text.splitlines()) + 1
    names = ",".join(f"c{i}" for i in range(width))
    return pl.read_csv(io.StringIO(f"{names}\n{text}"), infer_schema=False)


def decode_text(data: bytes, file: str) -> str:
    """CMS promises no encoding and writes Latin-1; a UTF-8 BOM says UTF-8; NUL bytes say neither (UTF-16?)."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CmsFileError(file, "NUL bytes: not a Latin-1 or UTF-8 text file (UTF-16?)", line=line)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start + 3].count(b"\n") + 1
            raise CmsFileError(file, f"starts as UTF-8 but is not ({error.reason})", line=line) from None
    return data.decode("latin-1")


def blank_row(grid: pl.DataFrame) -> pl.Expr:
    """True where every cell of the row is empty."""
    return pl.all_horizontal(pl.col(c).is_null() for c in grid.columns if c != LINE)


def to_decimal(frame: pl.DataFrame, column: str, precision: int, scale: int, file: str) -> pl.Series:
    """Cast a string column to Decimal(precision, scale), failing on text or on digits that do not fit.

    Never rounds: a value with more decimals than CMS's layout has is an error, not a silent change.
    """
    values = frame[column]
    whole = precision - scale
    pattern = rf"^-?\d{{0,{whole}}}(\.\d{{0,{scale}}})?$"
    bad = values.is_not_null() & ~values.str.contains(pattern)
    rule = f"not a number with at most {whole} digits before the point and {scale} after"
    _raise_first_bad(frame, bad, column, file, rule)
    return values.cast(pl.Decimal(precision, scale))


def to_flag(frame: pl.DataFrame, column: str, true_value: str, file: str) -> pl.Series:
    """A CMS indicator cell as a boolean: `true_value` is True, empty is False, anything else fails."""
    values = frame[column]
    bad = values.is_not_null() & (values != true_value)
    _raise_first_bad(frame, bad, column, file, f"expected {true_value!r} or empty")
    return values.is_not_null()


def _raise_first_bad(frame: pl.DataFrame, bad: pl.Series, column: str, file: str, rule: str) -> None:
    if bad.any():
        row = frame.filter(bad).row(0, named=True)
        raise CmsFileError(file, f"{row[column]!r} is {rule}", line=row[LINE], column=column)
