"""Where everything lives in a lake: datasets, their tables and Hive partitions, manifests, the staging area.

<lake>/<table>/year=YYYY/release=<LABEL>/part-0.parquet      a release's table: real folders, real files
<lake>/zip_locality/year_quarter=YYYYQn/part-0.parquet        a quarter's ZIP code → locality file
<lake>/zip9_locality/year_quarter=YYYYQn/part-0.parquet       its ZIP+4 file (the ZIP codes split by +4)
<lake>/_manifests/<LABEL>.json                                what is published of a release (the commit)
<lake>/_manifests/zip_locality/<YYYYQn>.json                  the same for a ZIP file
<lake>/code_specialty/year=YYYY/source=<SOURCE>/part-0.parquet  who bills each code (also code_place_of_service)
<lake>/_manifests/utilization/<YYYY>-<SOURCE>.json            the same for a year of a utilization source
<lake>/.staging/<dataset>/<label>/<version>/<table>.parquet   a version being published (hidden from globs)
<lake>/pfs.duckdb                                             every table, data inside: portable
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DB_FILE = "pfs.duckdb"
MANIFESTS = "_manifests"
STAGING = ".staging"
INCOMPLETE = ".incomplete"
PART = "part-0.parquet"

RELEASE_TABLES: tuple[str, ...] = (
    "releases", "conversion_factor", "rvu", "gpci", "localities", "anesthesia_cf", "opps_cap",
    "fee_national", "fee_locality", "category_ranking", "code_profile",
)  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    """A kind of thing published as a unit: its tables share one Hive partition per label."""

    name: str
    tables: tuple[str, ...]
    keys: tuple[str, ...]  # the Hive partition keys, outermost first
    manifests: str  # folder of its manifests, under the lake
    sql: str  # its folder under sql/: models, audits and views/
    views: tuple[str, ...]  # sql/<sql>/views/ over all its labels, created in pfs.duckdb in this order
    # Tables whose Parquet files pfs.duckdb does not copy in: it computes them in a view of the same name, from
    # the same SQL the refresh ran (sql/<sql>/<table>.sql).
    computed: tuple[str, ...] = ()

    def partition(self, manifest: dict) -> dict[str, str | int]:
        return {key: manifest["partition"][key] for key in self.keys}


RELEASE = Dataset(
    "release", RELEASE_TABLES, ("year", "release"), MANIFESTS, "releases",
    ("release_calendar", "fee_locality", "release_validity", "change_pairs", "code_change", "gpci_change"),
    ("fee_locality",),
)  # fmt: skip
ZIP_LOCALITY = Dataset(
    "zip_locality", ("zip_locality", "zip9_locality"), ("year_quarter",), f"{MANIFESTS}/zip_locality", "zip_locality",
    ("zip_validity",),
)  # fmt: skip
UTILIZATION = Dataset(
    "utilization",
    ("code_specialty", "code_place_of_service"),
    ("year", "source"),
    f"{MANIFESTS}/utilization",
    "utilization",
    (),
)
DATASETS: tuple[Dataset, ...] = (RELEASE, ZIP_LOCALITY, UTILIZATION)
DATASET = {d.name: d for d in DATASETS}


def table_file(table: str, partition: dict[str, str | int]) -> str:
    """A table's file of one partition, relative to the lake: `rvu/year=2025/release=RVU25D/part-0.parquet`."""
    return "/".join([table, *(f"{key}={value}" for key, value in partition.items()), PART])


def staged_dir(lake: Path, dataset: str, label: str, version: str) -> Path:
    return lake / STAGING / dataset / label / version
