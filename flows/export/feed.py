"""`pfs export`: one release of the lake as a feed a dashboard loads without DuckDB.

    <out>/feed.json              what the feed holds: release, dates, conversion factor variant, source sha256
    <out>/index.json             every code with its descriptor, category, status and national fee
    <out>/localities.json        the release's payment localities
    <out>/codes/<HCPCS>.json     one code: profile, national rows, fees in every locality, rankings, history,
                                specialties
    <out>/schemas/*.schema.json  a JSON Schema per file kind (config/feed/)
    <out>/tables/<table>.csv     the release's rows of every lake table

Written into a temporary folder beside <out> and swapped in whole; the same release exported again gives
byte-identical files (sorted rows, no timestamps but the release's own publication time).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from flows.export.folder import replaced
from flows.lake import dictionary, reader
from flows.lake.layout import RELEASE_TABLES
from flows.lake.manifest import manifests
from flows.lookup.jsonable import dumps
from flows.settings import CONFIG, SQL

FEED_VERSION = 2  # 2: a non-participating fee and limiting charge beside each fee (rows, locality_fees)
SCHEMAS = CONFIG / "feed"
LOCALITY_COLUMNS = [
    "modifier", "mac", "locality", "fee_nonfacility_usd", "fee_facility_usd", "is_opps_capped_nonfacility",
    "is_opps_capped_facility", "fee_nonfacility_nonpar_usd", "fee_facility_nonpar_usd",
    "limiting_charge_nonfacility_usd", "limiting_charge_facility_usd",
]  # fmt: skip
PROFILE = "SELECT * FROM code_profile WHERE release = $r AND cf_variant = $v ORDER BY hcpcs"


def export(con: duckdb.DuckDBPyConnection, lake: Path, release: str, cf_variant: str, out: Path) -> dict:
    """Write the feed of a release into `out` (replacing what is there); returns feed.json's content."""
    meta = _release(con, lake, release, cf_variant)
    with replaced(out) as tmp:
        (tmp / "codes").mkdir()
        index = _codes(con, release, cf_variant, tmp / "codes")
        _write(tmp / "index.json", index)
        _write(tmp / "localities.json", _localities(con, release))
        shutil.copytree(SCHEMAS, tmp / "schemas")
        _tables(con, release, tmp / "tables")
        meta["codes"] = len(index)
        meta["files"] = {
            "index": "index.json", "localities": "localities.json", "codes": "codes/<HCPCS>.json",
            "schemas": "schemas/<kind>.schema.json", "tables": "tables/<table>.csv",
        }  # fmt: skip
        _write(tmp / "feed.json", meta)
    return meta


def _release(con: duckdb.DuckDBPyConnection, lake: Path, release: str, cf_variant: str) -> dict:
    row = con.execute(
        "SELECT r.year, v.valid_from, v.valid_to, r.archive_sha256, r.ranking_definition, "
        "list_contains(r.cf_variants, $v) FROM releases AS r JOIN release_validity AS v USING (release) "
        "WHERE release = $r",
        {"r": release, "v": cf_variant},
    ).fetchone()
    if row is None:
        known = ", ".join(r for (r,) in con.execute("SELECT release FROM releases ORDER BY 1").fetchall())
        raise LookupError(f"{release} is not in the lake (it has {known})")
    year, valid_from, valid_to, sha, definition, has_variant = row
    if not has_variant:
        raise LookupError(f"{release} has no {cf_variant} conversion factor")
    return {
        "feed_version": FEED_VERSION, "release": release, "year": year, "cf_variant": cf_variant,
        "effective_from": valid_from.isoformat(), "effective_to": valid_to.isoformat() if valid_to else None,
        "source_sha256": sha, "published_at": manifests(lake)[release]["published_at"], "definition": definition,
    }  # fmt: skip


def _codes(con: duckdb.DuckDBPyConnection, release: str, cf_variant: str, folder: Path) -> list[dict]:
    """One file per code, its parts read as sorted streams and merged by code; the index entries."""
    params = {"r": release, "v": cf_variant}
    profiles = reader.stream(con, PROFILE, params, named=True)
    # locality fees (a hundred rows a code) stay tuples, written as arrays: they are most of the feed
    names = ["code_rows", "locality_fees", "rankings", "history"]
    if reader.holds(con, "code_specialty"):
        names.append("specialties")  # once the lake holds utilization data
    parts = {
        name: reader.grouped(reader.stream(con, _sql(name), params, named=name != "locality_fees")) for name in names
    }
    index = []
    for profile, mine in reader.merged_by_code(profiles, parts):
        hcpcs = profile["hcpcs"]
        _write(folder / f"{hcpcs}.json", _code(release, cf_variant, profile, mine), indent=None)
        index.append({
            "hcpcs": hcpcs, "description": profile["description"], "category": profile["category"],
            "status_code": profile["status_code"], "fee_nonfacility_usd": profile["fee_nonfacility_usd"],
            "file": f"codes/{hcpcs}.json",
        })  # fmt: skip
    return index


def _sql(name: str) -> str:
    return (SQL / "feed" / f"{name}.sql").read_text()


def _code(release: str, cf_variant: str, profile: dict, parts: dict[str, list]) -> dict:
    return {
        "feed_version": FEED_VERSION,
        "release": release,
        "cf_variant": cf_variant,
        "profile": profile,
        "rows": [_without(r, "hcpcs") for r in parts["code_rows"]],
        "locality_fees": {"columns": LOCALITY_COLUMNS, "rows": [list(r[1:]) for r in parts["locality_fees"]]},
        "rankings": {r["metric"]: _without(r, "hcpcs", "metric") for r in parts["rankings"]},
        "history": [_without(r, "hcpcs") for r in parts["history"]],
        "specialties": [_without(r, "hcpcs") for r in parts.get("specialties", [])],
    }


def _without(row: dict, *names: str) -> dict:
    return {k: v for k, v in row.items() if k not in names}


def _localities(con: duckdb.DuckDBPyConnection, release: str) -> list[dict]:
    cursor = con.execute(
        "SELECT mac, locality, state, locality_name, fee_schedule_area FROM localities WHERE release = $r "
        "ORDER BY mac, locality",
        {"r": release},
    )
    return [dict(zip([d[0] for d in cursor.description], row, strict=True)) for row in cursor.fetchall()]


def _tables(con: duckdb.DuckDBPyConnection, release: str, folder: Path) -> None:
    """Each release table's rows of the release as CSV, in key order (the dictionary's keys)."""
    folder.mkdir()
    described = dictionary.tables()
    for table in RELEASE_TABLES:
        order = ", ".join(described[table]["key"])
        path = str(folder / f"{table}.csv").replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {table} WHERE release = $r ORDER BY {order}) TO '{path}' (HEADER)",
                    {"r": release})  # fmt: skip


def _write(path: Path, value, indent: int | None = 2) -> None:
    path.write_text(dumps(value, indent=indent) + "\n", encoding="utf-8")
