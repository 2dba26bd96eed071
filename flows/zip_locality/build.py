"""A kept ZIP code file → the quarter's `zip_locality` table in an embedded DuckDB, ready to publish."""

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
from transforms.validation import validate
from transforms.zip_locality import ZipLocalitySchema, parse_zip5

if TYPE_CHECKING:
    from flows.shared import raw


def build_zip_locality(archive: raw.RawArchive, year_quarter: str) -> duckdb.DuckDBPyConnection:
    """The quarter's zip_locality table from the kept archive: extract, parse and validate, compute."""
    name, data = extract(archive)
    return compute(transform(name, data, year_quarter))


def extract(archive: raw.RawArchive) -> tuple[str, bytes]:
    """The ZIP5 file of the archive (its .xlsx, the ZIP9 file and the layouts stay in the raw area only)."""
    limits = settings.defaults()["archive"]
    if archive.path.is_file() and not zipfile.is_zipfile(archive.path):
        members = {archive.path.name: archive.path.read_bytes()}  # the ZIP5 file itself
    else:
        members = read_members(archive.path, limits["max_unpacked_bytes"], limits["max_ratio"])
    found = sorted(n for n in members if re.search(catalog.file_pattern(), n, re.IGNORECASE))
    if len(found) != 1:
        names = ", ".join(sorted(members)) or "nothing"
        raise ArchiveError(f"{archive.path.name}: expected one ZIP5_*.txt file, found {len(found)} among {names}")
    return found[0], members[found[0]]


def transform(name: str, data: bytes, year_quarter: str) -> pl.DataFrame:
    """Parse and validate; a file of another quarter than the one asked for is refused."""
    rows = validate(ZipLocalitySchema, parse_zip5(data, name), name)
    if rows["year_quarter"][0] != year_quarter:
        raise CmsFileError(name, f"holds {rows['year_quarter'][0]}, not {year_quarter}", line=1, column="year_quarter")
    return rows


def compute(zip5: pl.DataFrame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("zip5", zip5)
    con.execute(f"CREATE TABLE zip_locality AS {(SQL / 'zip_locality' / 'zip_locality.sql').read_text()}")
    con.unregister("zip5")
    return con
