"""A kept ZIP code file → the quarter's `zip_locality` and `zip9_locality` tables in an embedded DuckDB, ready to
publish."""

from __future__ import annotations

import re
import zipfile
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from flows import settings
from flows.settings import SQL
from flows.shared.archive import ArchiveError, read_members
from flows.zip_locality import catalog
from transforms.errors import CmsFileError
from transforms.grid import LINE
from transforms.validation import validate
from transforms.zip_locality import Zip9LocalitySchema, ZipLocalitySchema, parse_zip5, parse_zip9

if TYPE_CHECKING:
    from flows.shared import raw


def build_zip_locality(archive: raw.RawArchive, year_quarter: str) -> duckdb.DuckDBPyConnection:
    """The quarter's tables from the kept archive: extract, parse and validate, compute."""
    (name, data), zip9 = extract(archive)
    zip5 = transform(name, data, year_quarter)
    return compute(zip5, transform9(*zip9, year_quarter) if zip9 else None)


def extract(archive: raw.RawArchive) -> tuple[tuple[str, bytes], tuple[str, bytes] | None]:
    """The ZIP5 file of the archive, and its ZIP9 file: required in a zip (CMS's always carries it), optional in a
    folder or file given by hand. The .xlsx and the layouts stay in the raw area only."""
    limits = settings.defaults()["archive"]
    is_zip = archive.path.is_file() and zipfile.is_zipfile(archive.path)
    if archive.path.is_file() and not is_zip:
        members = {archive.path.name: archive.path.read_bytes()}  # the ZIP5 file itself
    else:
        members = read_members(archive.path, limits["max_unpacked_bytes"], limits["max_ratio"])
    names = ", ".join(sorted(members)) or "nothing"
    zip5 = sorted(n for n in members if re.search(catalog.file_pattern(), n, re.IGNORECASE))
    zip9 = sorted(n for n in members if re.search(catalog.zip9_pattern(), n, re.IGNORECASE))
    if len(zip5) != 1:
        raise ArchiveError(f"{archive.path.name}: expected one ZIP5_*.txt file, found {len(zip5)} among {names}")
    if len(zip9) > 1 or (is_zip and not zip9):
        raise ArchiveError(f"{archive.path.name}: expected one ZIP9_*.txt file (the ZIP+4 records CMS's zip carries), "
                           f"found {len(zip9)} among {names}")  # fmt: skip
    return (zip5[0], members[zip5[0]]), ((zip9[0], members[zip9[0]]) if zip9 else None)


def transform(name: str, data: bytes, year_quarter: str) -> pl.DataFrame:
    """Parse and validate the ZIP5 file; a file of another quarter than the one asked for is refused."""
    rows = parse_zip5(data, name)
    _same_quarter(rows, name, year_quarter)
    return validate(ZipLocalitySchema, rows, name)


def transform9(name: str, data: bytes, year_quarter: str) -> pl.DataFrame:
    """Parse and validate the ZIP9 file, of the same quarter."""
    rows = parse_zip9(data, name)
    _same_quarter(rows, name, year_quarter)
    return validate(Zip9LocalitySchema, rows, name)


def _same_quarter(rows: pl.DataFrame, name: str, year_quarter: str) -> None:
    if rows["year_quarter"][0] != year_quarter:
        held, line = rows["year_quarter"][0], int(rows[LINE][0])
        raise CmsFileError(name, f"holds {held}, not {year_quarter}", line=line, column="year_quarter")


def compute(zip5: pl.DataFrame, zip9: pl.DataFrame | None) -> duckdb.DuckDBPyConnection:
    """The tables from the parsed files; zip9_locality empty when the source had no ZIP9 file."""
    con = duckdb.connect()
    con.register("zip5", zip5)
    con.register("zip9", zip9 if zip9 is not None else pl.DataFrame(schema=EMPTY_ZIP9))
    for table in ("zip_locality", "zip9_locality"):
        con.execute(f"CREATE TABLE {table} AS {(SQL / 'zip_locality' / f'{table}.sql').read_text()}")
    con.unregister("zip5")
    con.unregister("zip9")
    return con


EMPTY_ZIP9 = dict.fromkeys(
    ("year_quarter", "zip5", "plus_four", "state", "mac", "locality", "rural_indicator"), pl.String
)
