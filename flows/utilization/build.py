"""A kept utilization file → one year's `code_specialty` and `code_place_of_service` tables in an embedded
DuckDB, ready to publish: the header matched to a layout, every row checked and aggregated in streamed passes."""

from __future__ import annotations

import math
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from flows import settings
from flows.utilization.rules import rules
from transforms import utilization
from transforms.errors import CmsFileError
from transforms.places_of_service import facility_places

if TYPE_CHECKING:
    from flows.shared import raw

Log = Callable[[str], None]


@dataclass
class BuiltUtilization:
    con: duckdb.DuckDBPyConnection
    source: str
    rows: int
    suppressed_rows: int


def build_utilization(
    year: int, archive: raw.RawArchive, names: raw.RawArchive | None, staging: Path, log: Log
) -> BuiltUtilization:
    """The year's tables from the kept file (and crosswalk): find the data file, match its layout, check and
    aggregate it in streamed passes (the first stops at the first bad row), name the specialties."""
    with _data_file(archive, staging) as data:
        header, separator = _header(data)
        layout = utilization.detect_layout(header, data.name)
        if layout.source == "psps" and names is None:
            raise CmsFileError(data.name, "is a PSPS file: give --crosswalk (CMS's specialty code crosswalk)")
        crosswalk = _crosswalk(names) if names else pl.LazyFrame(schema={"specialty_code": pl.String,
                                                                          "specialty_name": pl.String})  # fmt: skip
        data_rules = rules()
        frame = pl.scan_csv(
            data, separator=separator, infer_schema=False, quote_char=None if separator == "\t" else '"',
            row_index_name=utilization.LINE, row_index_offset=2, encoding="utf8-lossy",
        )  # fmt: skip
        checked = utilization.rows(frame, layout, facility_places(settings.places_of_service(), date(year, 1, 1)))
        try:
            place_counts = utilization.place_sums(checked).collect(engine="streaming")
            if place_counts["first_bad_line"].is_not_null().any():
                line, column = utilization.first_problem(checked).collect(engine="streaming").row(0)
                raise CmsFileError(data.name, "no value, or not a number, where a count or an NPI belongs",
                                   line=line, column=column)  # fmt: skip
            parts = _npi_passes(data, data_rules) if layout.source == "provider_service" else 1
            sums = [utilization.specialty_sums(checked, parts, i).collect(engine="streaming") for i in range(parts)]
        except pl.exceptions.PolarsError as error:
            raise CmsFileError(data.name, f"cannot be read as {layout.name}: {str(error).splitlines()[0]}") from None
    summed = utilization.add_sums(pl.concat(sums).lazy())
    specialty = utilization.code_specialty(summed, crosswalk, data_rules["aliases"]).collect()
    rows, suppressed = int(place_counts["rows"].sum()), int(place_counts["suppressed"].sum())
    place_of_service = utilization.code_place_of_service(place_counts.lazy()).collect()
    log(f"{data.name}, layout {layout.name}: {rows:,} rows, {suppressed:,} suppressed")
    con = duckdb.connect()
    for name, table in (("code_specialty", specialty), ("code_place_of_service", place_of_service)):
        con.register(f"_{name}", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}")  # already in key order
        con.unregister(f"_{name}")
    return BuiltUtilization(con, layout.source, rows, suppressed)


def _npi_passes(data: Path, rules: dict) -> int:
    """One pass per config/utilization.toml [provider_service] bytes_per_npi_pass of the file (at least one)."""
    return max(1, math.ceil(data.stat().st_size / rules["provider_service"]["bytes_per_npi_pass"]))


@contextmanager
def _data_file(archive: raw.RawArchive, staging: Path) -> Iterator[Path]:
    """The data file of what was kept: the file itself, the one data file of a folder, or a zip's member
    (unpacked into `staging`, the lake's hidden staging area, for the run)."""
    path, pattern = archive.path, rules()["files"]["data"]
    if path.is_dir():
        yield path / _one(sorted(p.name for p in path.iterdir()), pattern, path)
    elif not zipfile.is_zipfile(path):
        yield path
    else:
        unpacked = staging / f"unpacked-{uuid.uuid4().hex}"
        try:
            with zipfile.ZipFile(path) as zipped:
                member = _one(zipped.namelist(), pattern, path)
                unpacked.mkdir(parents=True)
                with zipped.open(member) as source, (unpacked / Path(member).name).open("wb") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
            yield unpacked / Path(member).name
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)


def _one(names: list[str], pattern: str, where: Path) -> str:
    found = [n for n in names if re.search(pattern, n, re.IGNORECASE)]
    if len(found) != 1:
        raise CmsFileError(where.name, f"expected one data file (.csv, .tsv, .txt), found {len(found)}: {found}")
    return found[0]


def _header(data: Path) -> tuple[list[str], str]:
    with data.open("rb") as file:
        return utilization.header(file.readline())


def _crosswalk(names: raw.RawArchive) -> pl.LazyFrame:
    """CMS's specialty code crosswalk as kept: the file, or the CSV of a folder."""
    path = names.path if names.path.is_file() else next(p for p in names.path.iterdir() if p.suffix == ".csv")
    return utilization.crosswalk(pl.read_csv(path, infer_schema=False), path.name)
