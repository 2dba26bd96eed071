"""Shared reading of CMS's small tables (GPCI, LOCCO, ANES, OPPSCAP): a labelled header, data rows, footnotes."""

from __future__ import annotations

import re

import polars as pl

from transforms.errors import CmsFileError
from transforms.grid import LINE, blank_row, read_grid

Labels = tuple[tuple[str, str], ...]  # (regex on the header cell, column name)


def find_header(grid: pl.DataFrame, labels: Labels, file: str, optional: Labels = ()) -> tuple[int, dict[str, str]]:
    """The first line whose cells match every label (and any optional ones); its index and column -> name."""
    for i, row in enumerate(grid.drop(LINE).iter_rows()):
        mapping = _match(row, labels)
        if len(mapping) == len(labels):
            return i, mapping | _match(row, optional)
    wanted = ", ".join(name for _, name in labels)
    raise CmsFileError(file, f"no header line with the expected columns ({wanted}): unknown layout")


def _match(row: tuple, labels: Labels) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for i, cell in enumerate(row):
        text = re.sub(r"\s+", " ", cell or "").strip()
        for pattern, name in labels:
            if name not in mapping.values() and re.search(pattern, text, re.IGNORECASE):
                mapping[f"c{i}"] = name
                break
    return mapping


def data_rows(grid: pl.DataFrame, header_at: int, mapping: dict[str, str], file: str) -> pl.DataFrame:
    """Rows after the header whose first cell is a number; blank lines and one-cell footnotes are skipped.

    Any other line (text where a MAC or code should be, with values beside it) fails: nothing is dropped silently.
    """
    body = grid.slice(header_at + 1)
    body = body.filter(~blank_row(body))
    first = next(iter(mapping))
    rest = [c for c in body.columns if c not in (LINE, first)]
    footnote = pl.col(first).is_not_null() & pl.all_horizontal(pl.col(c).is_null() for c in rest)
    rows = body.filter(~footnote)
    not_data = rows.filter(~pl.col(first).str.contains(r"^[0-9A-Z]{1,5}$"))
    if not_data.height:
        bad = not_data.row(0, named=True)
        raise CmsFileError(file, f"{bad[first]!r} is not a data row", line=bad[LINE], column=mapping[first])
    return rows.select(LINE, *(pl.col(c).alias(name) for c, name in mapping.items()))


def labelled_rows(data: bytes, file: str, labels: Labels, optional: Labels = ()) -> pl.DataFrame:
    """A .csv or .xlsx table's data rows, columns named by the labels of its header line."""
    grid = read_grid(data, file)
    header_at, mapping = find_header(grid, labels, file, optional=optional)
    return data_rows(grid, header_at, mapping, file)


def zero_pad(column: str, width: int, file: str, frame: pl.DataFrame) -> pl.Expr:
    """CMS's CSVs strip leading zeros from MAC and locality numbers; put them back, refusing non-digits."""
    bad = frame.filter(~pl.col(column).str.contains(r"^\d+$") | (pl.col(column).str.len_chars() > width))
    if bad.height:
        row = bad.row(0, named=True)
        raise CmsFileError(file, f"{row[column]!r} is not a {width}-digit number", line=row[LINE], column=column)
    return pl.col(column).str.zfill(width)


def strip_footnote_marks(column: str) -> pl.Expr:
    """`ALASKA*`, `WYOMING**`: the stars point at footnotes (floors), and the .xlsx forms leave them out."""
    return pl.col(column).str.strip_chars_end("*").str.strip_chars_end()


def require_unique(frame: pl.DataFrame, key: list[str], file: str) -> None:
    """Fail on the first repeated key, naming the line that repeats it."""
    repeated = frame.filter(pl.struct(key).is_duplicated() & ~pl.struct(key).is_first_distinct())
    if repeated.height:
        row = repeated.row(0, named=True)
        shown = ", ".join(f"{k}={row[k]!r}" for k in key)
        raise CmsFileError(file, f"duplicate key ({shown})", line=row[LINE])
