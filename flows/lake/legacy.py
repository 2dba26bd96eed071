"""Reading lakes written by older versions of pfs: the links layout, and tables added since.

A lake of the older layout, where `<table>/year=Y/release=R` were links into `.versions/`, is upgraded: links
hide the files from DuckDB's `**`, object stores, zips and Windows, so each link becomes a real folder holding
a copy of the file it pointed at, the manifest is rewritten to name it, and `.versions/` goes once every
release is upgraded. A run killed midway leaves links and folders mixed; the next one carries on.

A table or column added since a label was published is made, in pfs.duckdb, from the label's other tables or
columns (`DERIVED`, `DERIVED_COLUMNS`).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from flows.lake.layout import RELEASE, STAGING, table_file
from flows.lake.manifest import commit, manifests

VERSIONS = ".versions"

# A table pfs publishes now that a label published earlier lacks: the query making it from a table the label
# has ({source}), so pfs.duckdb holds it for every label without recomputing any.
DERIVED: dict[str, tuple[str, str]] = {
    "conversion_factor": (
        "fee_national", "SELECT DISTINCT cf_variant, conversion_factor_usd FROM {source} ORDER BY cf_variant",
    ),
    # a ZIP code file published before pfs read the ZIP9 file: no ZIP+4 rows (its split ZIPs need a MAC and locality;
    # readers do without the table: READERS_DO_WITHOUT)
    "zip9_locality": (
        "zip_locality",
        "SELECT zip5, ''::VARCHAR AS plus_four, state, mac, locality, rural_indicator FROM {source} WHERE false",
    ),
}  # fmt: skip
# Tables of DERIVED that pfs's readers do without (a lookup or the pricer says what the missing table would have
# answered): a pfs.duckdb lacking them is still current for reading, and the next refresh makes them.
READERS_DO_WITHOUT = ("zip9_locality",)


# Columns pfs publishes now that a table of a label published earlier lacks: each made from the columns it has, with
# the macros of sql/releases/macros.sql, so pfs.duckdb's tables have every column for every label.
_NONPAR = {
    "fee_nonfacility_nonpar_usd": "nonpar_usd(fee_nonfacility_usd)",
    "fee_facility_nonpar_usd": "nonpar_usd(fee_facility_usd)",
    "limiting_charge_nonfacility_usd": "limiting_charge_usd(fee_nonfacility_usd)",
    "limiting_charge_facility_usd": "limiting_charge_usd(fee_facility_usd)",
}
DERIVED_COLUMNS: dict[str, dict[str, str]] = {"fee_national": _NONPAR, "code_profile": _NONPAR}


def missing_columns(table: str, present: list[str]) -> dict[str, str]:
    """The columns of DERIVED_COLUMNS a table (of these `present` columns) lacks, each with its expression."""
    return {
        column: expression for column, expression in DERIVED_COLUMNS.get(table, {}).items() if column not in present
    }


def derived(table: str, columns: list[str], parquet: Callable[[str], str]) -> str:
    """A label's rows of `table` made from the table it derives from (`parquet` names that table's file),
    with the partition `columns` first; an error naming the table when pfs cannot make it."""
    if table not in DERIVED:
        raise KeyError(f"{table}: this label was published without it, and pfs cannot make it from its other tables")
    source, query = DERIVED[table]
    return f"SELECT {', '.join(columns)}, * FROM ({query.format(source=parquet(source))})"


def upgrade(lake: Path) -> None:
    """Turn every release of the links layout into real folders; nothing lost, nothing recomputed."""
    old = lake / VERSIONS
    if not old.exists():
        return
    for label, manifest in manifests(lake).items():
        if "partition" in manifest:
            continue
        partition = {"year": manifest["year"], "release": label}
        for table, entry in manifest["tables"].items():
            _make_real(lake, old / label / manifest["version"] / entry["file"], lake / table_file(table, partition))
            entry["file"] = table_file(table, partition)
        commit(lake, RELEASE, manifest | {"dataset": RELEASE.name, "label": label, "partition": partition})
    shutil.rmtree(old)


def _make_real(lake: Path, source: Path, target: Path) -> None:
    """The link folder of `target` replaced by a real folder holding a copy of `source`."""
    folder = target.parent
    if not folder.is_symlink() and target.exists():
        return  # done by an earlier, interrupted upgrade
    (lake / STAGING).mkdir(exist_ok=True)
    copy = lake / STAGING / f"upgrade-{uuid.uuid4().hex}.parquet"
    shutil.copyfile(source, copy)
    if folder.is_symlink():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    copy.replace(target)
