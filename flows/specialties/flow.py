"""The flow that brings one year of a CMS utilization file into the lake: who bills each code, and where."""

from __future__ import annotations

import math
import re
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import acquire as raw
from flows import lake as lake_files
from flows import settings
from flows.lake.layout import STAGING, UTILIZATION
from flows.lock import lake_lock
from flows.shared.tasks import acquire, recover
from flows.specialties.rules import rules
from transforms import utilization
from transforms.errors import CmsFileError


@dataclass(frozen=True)
class SpecialtiesPublished:
    year: int
    source: str
    rows: dict[str, int]
    suppressed_rows: int
    skipped: bool = False


@dataclass
class Built:
    con: duckdb.DuckDBPyConnection
    source: str
    rows: int
    suppressed_rows: int


@flow(name="refresh-specialties")
def refresh_specialties(
    year: int, source: str, lake: str = "lake", crosswalk: str | None = None, wait_seconds: float = 0,
    force: bool = False,
) -> SpecialtiesPublished:  # fmt: skip
    """Acquire, read the layout, aggregate (streamed) and check, publish one year of one utilization file."""
    lake_dir = Path(lake)
    with lake_lock(lake_dir, wait_seconds, on_stale=get_run_logger().warning):
        recover(lake_dir)
        archive = acquire(source, "", "", lake_dir, f"utilization-{year}", zip_only=False)
        names = acquire(crosswalk, "", "", lake_dir, "specialty-crosswalk", zip_only=False) if crosswalk else None
        pipeline = settings.pipeline_digest() + (f"+{names.sha256}" if names else "")
        published = _published(lake_dir, year, archive.sha256, pipeline)
        if published and not force:
            get_run_logger().info("%s: file %s unchanged, not reprocessed", published["label"], archive.sha256[:12])
            return _unchanged(published)
        built = build(archive, names, lake_dir)
        rows = publish(built, lake_dir, year, archive, pipeline)
        built.con.close()
    return SpecialtiesPublished(year, built.source, rows, built.suppressed_rows)


@task(cache_policy=NO_CACHE)
def build(archive: raw.RawArchive, names: raw.RawArchive | None, lake: Path) -> Built:
    """Find the data file, match its layout, check and aggregate it in streamed passes (the first stops at the
    first bad row), name the specialties."""
    with _data_file(archive, lake) as data:
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
        checked = utilization.rows(frame, layout, data_rules["psps"]["facility_places"])
        try:
            places = utilization.place_sums(checked).collect(engine="streaming")
            if places["first_bad_line"].is_not_null().any():
                line, column = utilization.first_problem(checked).collect(engine="streaming").row(0)
                raise CmsFileError(data.name, "no value, or not a number, where a count or an NPI belongs",
                                   line=line, column=column)  # fmt: skip
            parts = _npi_passes(data, data_rules) if layout.source == "provider_service" else 1
            sums = [utilization.specialty_sums(checked, parts, i).collect(engine="streaming") for i in range(parts)]
        except pl.exceptions.PolarsError as error:
            raise CmsFileError(data.name, f"cannot be read as {layout.name}: {str(error).splitlines()[0]}") from None
    summed = utilization.add_sums(pl.concat(sums).lazy())
    specialty = utilization.code_specialty(summed, crosswalk, data_rules["aliases"]).collect()
    rows, suppressed = int(places["rows"].sum()), int(places["suppressed"].sum())
    places = utilization.code_place_of_service(places.lazy()).collect()
    get_run_logger().info("%s, layout %s: %s rows, %s suppressed", data.name, layout.name, f"{rows:,}", suppressed)
    con = duckdb.connect()
    for name, table in (("code_specialty", specialty), ("code_place_of_service", places)):
        con.register(f"_{name}", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}")  # already in key order
        con.unregister(f"_{name}")
    return Built(con, layout.source, rows, suppressed)


@task(cache_policy=NO_CACHE)
def publish(built: Built, lake: Path, year: int, archive: raw.RawArchive, pipeline: str) -> dict[str, int]:
    fields = {
        "year": year,
        "run_id": str(flow_run.id) if flow_run.id else "",
        "pipeline": pipeline,
        "source": archive.provenance(),
        "source_rows": built.rows,
        "suppressed_rows": built.suppressed_rows,
    }
    label = f"{year}-{built.source}"
    partition = {"year": year, "source": built.source}
    manifest = lake_files.publish(built.con, lake, UTILIZATION, label, partition, fields)
    return {table: entry["rows"] for table, entry in manifest["tables"].items()}


def _npi_passes(data: Path, rules: dict) -> int:
    """One pass per config/utilization.toml [provider_service] bytes_per_npi_pass of the file (at least one)."""
    return max(1, math.ceil(data.stat().st_size / rules["provider_service"]["bytes_per_npi_pass"]))


def _published(lake: Path, year: int, sha256: str, pipeline: str) -> dict | None:
    """The manifest of this year published from this very file by this very pipeline, if any (the layout, and
    so the label's source, is known only once the file is read)."""
    for manifest in lake_files.manifests(lake, UTILIZATION).values():
        if (manifest["year"], manifest["source"]["sha256"], manifest.get("pipeline")) == (year, sha256, pipeline):
            return manifest
    return None


def _unchanged(manifest: dict) -> SpecialtiesPublished:
    rows = {table: entry["rows"] for table, entry in manifest["tables"].items()}
    source = manifest["partition"]["source"]
    return SpecialtiesPublished(manifest["year"], source, rows, manifest["suppressed_rows"], skipped=True)


@contextmanager
def _data_file(archive: raw.RawArchive, lake: Path) -> Iterator[Path]:
    """The data file of what was kept: the file itself, the one data file of a folder, or a zip's member
    (unpacked into the lake's hidden staging area for the run)."""
    path, pattern = archive.path, rules()["files"]["data"]
    if path.is_dir():
        yield path / _one(sorted(p.name for p in path.iterdir()), pattern, path)
    elif not zipfile.is_zipfile(path):
        yield path
    else:
        unpacked = lake / STAGING / f"unpacked-{uuid.uuid4().hex}"
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
