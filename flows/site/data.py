"""What the site shows, read from the lake: the release, its categories' populations, and each code's parts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

from flows.export.feed import PROFILE
from flows.lake import reader
from flows.settings import SQL

HCPCS = re.compile(r"^[A-Z0-9]{5}$")
PARTS = {  # a code page's parts: each query sorted by hcpcs, its first column
    "rows": SQL / "feed" / "code_rows.sql",
    "locality_fees": SQL / "site" / "locality_fees.sql",
    "history": SQL / "feed" / "history.sql",
    "specialties": SQL / "feed" / "specialties.sql",
}


@dataclass(frozen=True)
class Release:
    """The release a site shows, where its numbers come from, and the releases its history spans."""

    release: str
    year: int
    cf_variant: str
    valid_from: date
    valid_to: date | None
    files: tuple[str, ...]
    files_missing: tuple[str, ...]
    origin: str
    archive_sha256: str
    ranking_definition: str
    lake_releases: tuple[str, ...]  # in the order they took effect
    has_specialties: bool


@dataclass(frozen=True)
class Category:
    """A category's work RVU ranking population (what its percentiles are read against)."""

    name: str
    slug: str
    values: tuple[float, ...]
    median: float
    max_value: float
    max_hcpcs: str


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def newest_release(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT release FROM release_validity ORDER BY valid_from DESC, release DESC LIMIT 1").fetchone()
    if row is None:
        raise LookupError("the lake has no release yet (run `pfs refresh` first)")
    return row[0]


def release_of(con: duckdb.DuckDBPyConnection, release: str, cf_variant: str) -> Release:
    """The release's facts; an error naming the releases the lake has when it lacks this one."""
    cursor = con.execute((SQL / "site" / "release.sql").read_text(), {"r": release, "v": cf_variant})
    row = cursor.fetchone()
    if row is None:
        known = ", ".join(r for (r,) in con.execute("SELECT release FROM releases ORDER BY 1").fetchall())
        raise LookupError(f"{release} is not in the lake (it has {known})")
    r = dict(zip([d[0] for d in cursor.description], row, strict=True))
    if not r["has_variant"]:
        raise LookupError(f"{release} has no {cf_variant} conversion factor")
    ordered = con.execute("SELECT release FROM release_validity ORDER BY valid_from, release").fetchall()
    return Release(
        release=r["release"], year=r["year"], cf_variant=cf_variant, valid_from=r["valid_from"],
        valid_to=r["valid_to"], files=tuple(r["files"]), files_missing=tuple(r["files_missing"]), origin=r["origin"],
        archive_sha256=r["archive_sha256"], ranking_definition=r["ranking_definition"],
        lake_releases=tuple(label for (label,) in ordered), has_specialties=reader.holds(con, "code_specialty"),
    )  # fmt: skip


def categories(con: duckdb.DuckDBPyConnection, release: Release) -> dict[str, Category]:
    """Every category of the release that has a work RVU population, by name."""
    cursor = con.execute(
        (SQL / "site" / "category_population.sql").read_text(), {"r": release.release, "v": release.cf_variant}
    )
    found: dict[str, list] = {}
    for name, _, value, median, max_value, max_hcpcs in cursor.fetchall():
        found.setdefault(name, [[], median, max_value, max_hcpcs])[0].append(value)
    return {
        name: Category(name, slug(name), tuple(values), median, max_value, max_hcpcs)
        for name, (values, median, max_value, max_hcpcs) in found.items()
    }


def code_pages(con: duckdb.DuckDBPyConnection, release: Release, codes: Sequence[str] | None = None) -> Iterator[dict]:
    """Each code's profile with its page's parts (rows, locality_fees, history, specialties), in code order;
    only those of `codes` when given."""
    params = {"r": release.release, "v": release.cf_variant}
    names = [name for name in PARTS if name != "specialties" or release.has_specialties]
    # locality fees (a hundred rows a code) stay tuples: as dicts they would be most of the reading time
    parts = {name: reader.grouped(reader.stream(con, _scoped(PARTS[name].read_text(), codes), params,
                                                named=name != "locality_fees")) for name in names}  # fmt: skip
    for profile, mine in reader.merged_by_code(reader.stream(con, _scoped(PROFILE, codes), params, named=True), parts):
        yield profile | {name: mine.get(name, []) for name in PARTS}


def _scoped(query: str, codes: Sequence[str] | None) -> str:
    """The query, or its rows of some codes (DuckDB pushes the filter into it)."""
    if codes is None:
        return query
    listed = ", ".join(f"'{code}'" for code in checked(codes))
    return f"SELECT * FROM (\n{query}\n) WHERE hcpcs IN ({listed})"


def checked(codes: Sequence[str]) -> list[str]:
    """The codes upper-cased; an error naming any that is not a HCPCS code."""
    upper = [code.strip().upper() for code in codes]
    wrong = [code for code in upper if not HCPCS.match(code)]
    if wrong:
        raise LookupError(f"not HCPCS codes (five letters or digits): {', '.join(wrong)}")
    return upper


def missing(con: duckdb.DuckDBPyConnection, release: Release, codes: Sequence[str]) -> list[str]:
    """The codes the release does not have."""
    have = {hcpcs for (hcpcs,) in con.execute(
        "SELECT hcpcs FROM code_profile WHERE release = $r AND cf_variant = $v AND hcpcs IN (SELECT unnest($c))",
        {"r": release.release, "v": release.cf_variant, "c": checked(codes)}).fetchall()}  # fmt: skip
    return [code for code in checked(codes) if code not in have]
