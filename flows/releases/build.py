"""A kept archive → the release's tables computed and audited in an embedded DuckDB, ready to publish.

One step for the flow (one Prefect task): none of its parts gains from a retry or runs beside another, and
each task boundary costs a round trip to Prefect's server. `on_step` hears each part's name and time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from flows.releases import compute
from flows.releases.catalog import Release
from flows.releases.extract import Extracted, release_files
from transforms.releases.release import parse_release, release_row, validate_release

if TYPE_CHECKING:
    from flows.shared import raw

Step = Callable[[str, float], None]


@dataclass
class BuiltRelease:
    """A release ready to publish: every table in `con`, and what its archive held."""

    con: duckdb.DuckDBPyConnection
    found: Extracted


def build_release(
    archive: raw.RawArchive, entry: Release, on_step: Step = lambda _name, _seconds: None
) -> BuiltRelease:
    """Extract, parse, validate, compute every sql/ model and run every audit (AuditFailed stops it)."""
    clock = _Clock(on_step)
    found = release_files(archive.path)
    clock.lap("extract")
    parsed = parse_release(found.files, entry.work_gpci_floor)
    clock.lap("transform")
    tables = validate_release(parsed)
    clock.lap("validate")
    releases = release_row(
        parsed, archive.origin, archive.sha256, archive.size_bytes, entry.work_gpci_floor, entry.effective_from
    )
    con = compute.compute(tables | {"releases": releases}, entry.year, entry.label)
    clock.lap("compute")
    try:
        compute.audit(con)
    except compute.AuditFailed:
        con.close()
        raise
    clock.lap("audit")
    return BuiltRelease(con, found)


class _Clock:
    def __init__(self, on_step: Step) -> None:
        self.on_step = on_step
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.on_step(name, now - self.last)
        self.last = now
