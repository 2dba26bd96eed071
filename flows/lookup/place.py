"""Where a service is priced: a ZIP code or a MAC + locality, resolved against the lake."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb

from flows.lake import reader


class PlaceError(LookupError):
    """A place the lake cannot price: an unknown ZIP, a ZIP split by +4, a locality the release lacks."""


@dataclass(frozen=True)
class Place:
    mac: str
    locality: str
    locality_name: str | None
    state: str | None
    zip5: str | None = None
    year_quarter: str | None = None  # the ZIP code file it was read from
    plus_four: str | None = None  # the +4 that decided the locality (a ZIP CMS splits by +4)


ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")


def zip_quarter(con: duckdb.DuckDBPyConnection, day: date) -> str:
    """The ZIP code file in force on a date (sql/zip_locality/views/zip_validity.sql)."""
    row = con.execute(
        "SELECT year_quarter FROM zip_validity "
        "WHERE valid_from <= $day AND coalesce(valid_to, DATE '9999-12-31') >= $day",
        {"day": day},
    ).fetchone()
    if row is None:
        held = con.execute("SELECT string_agg(year_quarter, ', ' ORDER BY valid_from) FROM zip_validity").fetchone()
        raise PlaceError(f"no ZIP code file of the lake is in force on {day} (it holds {held[0] or 'none'})")
    return row[0]


def of_zip(con: duckdb.DuckDBPyConnection, zip_code: str, release: str, day: date) -> Place:
    """The locality CMS prices a ZIP code in on a date, from the ZIP code file of that date's quarter."""
    match = ZIP.match(zip_code.strip())
    if match is None:
        raise PlaceError(f"{zip_code!r} is not a ZIP code (five digits, or ZIP+4)")
    if not reader.holds(con, "zip_locality"):
        raise PlaceError("the lake has no ZIP code file: pfs refresh --zip-locality YYYYQn")
    zip5, quarter = match.group(1), zip_quarter(con, day)
    row = con.execute(
        "SELECT mac, locality, state, plus_four_required FROM zip_locality WHERE year_quarter = $q AND zip5 = $zip",
        {"q": quarter, "zip": zip5},
    ).fetchone()
    if row is None:
        raise PlaceError(f"ZIP {zip5} is not in CMS's ZIP code file of {quarter}")
    mac, locality, state, split = row
    plus_four = match.group(2)
    if split:
        mac, locality = _by_plus_four(con, quarter, zip5, plus_four, state, mac, release)
    place = of_locality(con, mac, locality, release)
    return Place(**vars(place) | {"zip5": zip5, "year_quarter": quarter, "plus_four": plus_four if split else None})


def _by_plus_four(con: duckdb.DuckDBPyConnection, quarter: str, zip5: str, plus_four: str | None, state: str,
                  mac: str, release: str) -> tuple[str, str]:  # fmt: skip
    """The MAC and locality of a ZIP CMS splits by +4, from the quarter's ZIP9 file; an error saying what to give
    when the +4 is missing, unknown, or the lake holds no ZIP9 file for the quarter."""
    held = (
        reader.holds(con, "zip9_locality")
        and con.execute("SELECT count(*) FROM zip9_locality WHERE year_quarter = $q", {"q": quarter}).fetchone()[0]
    )
    if not held:
        candidates = f"candidates: {', '.join(_candidates(con, quarter, state, mac, release))}"
        raise PlaceError(f"ZIP {zip5} is split between localities by its +4, and the lake holds no ZIP9 file of "
                         f"{quarter}: give --mac and --locality; {candidates}")  # fmt: skip
    candidates = f"its localities: {', '.join(_zip9_localities(con, quarter, zip5, release))}"
    if plus_four is None:
        raise PlaceError(f"ZIP {zip5} is split between localities by its +4: give the ZIP+4 ({zip5}-NNNN), or --mac "
                         f"and --locality; {candidates}")  # fmt: skip
    row = con.execute(
        "SELECT mac, locality FROM zip9_locality WHERE year_quarter = $q AND zip5 = $zip AND plus_four = $p",
        {"q": quarter, "zip": zip5, "p": plus_four},
    ).fetchone()
    if row is None:
        raise PlaceError(f"ZIP+4 {zip5}-{plus_four} is not in CMS's ZIP9 file of {quarter} (pfs does not guess a +4 "
                         f"the file lacks): give --mac and --locality; {candidates}")  # fmt: skip
    return row


def _candidates(con: duckdb.DuckDBPyConnection, quarter: str, state: str, mac: str, release: str) -> list[str]:
    """The localities the ZIP code file gives the ZIPs of the same state and MAC, with their names."""
    rows = con.execute(
        "SELECT DISTINCT z.mac, z.locality, l.locality_name FROM zip_locality AS z "
        "LEFT JOIN localities AS l ON l.release = $release AND l.mac = z.mac AND l.locality = z.locality "
        "WHERE z.year_quarter = $q AND z.state = $state AND z.mac = $mac ORDER BY 1, 2",
        {"release": release, "q": quarter, "state": state, "mac": mac},
    ).fetchall()
    return [f"{m} {loc} ({name or 'unnamed'})" for m, loc, name in rows]


def _zip9_localities(con: duckdb.DuckDBPyConnection, quarter: str, zip5: str, release: str) -> list[str]:
    """The localities the ZIP9 file gives the +4s of a ZIP code, with their names and how many +4s each."""
    rows = con.execute(
        "SELECT z.mac, z.locality, any_value(l.locality_name), count(*) FROM zip9_locality AS z "
        "LEFT JOIN localities AS l ON l.release = $release AND l.mac = z.mac AND l.locality = z.locality "
        "WHERE z.year_quarter = $q AND z.zip5 = $zip GROUP BY 1, 2 ORDER BY 1, 2",
        {"release": release, "q": quarter, "zip": zip5},
    ).fetchall()
    return [f"{m} {loc} ({name or 'unnamed'}, {n} +4s)" for m, loc, name, n in rows]


def of_locality(con: duckdb.DuckDBPyConnection, mac: str, locality: str, release: str) -> Place:
    """A MAC + locality of the release's GPCI file (numbers taken with or without their leading zeros)."""
    mac, locality = mac.strip().zfill(5), locality.strip().zfill(2)
    row = con.execute(
        "SELECT locality_name, state FROM localities WHERE release = $release AND mac = $mac AND locality = $locality",
        {"release": release, "mac": mac, "locality": locality},
    ).fetchone()
    if row is None:
        known = con.execute(
            "SELECT list(locality ORDER BY locality) FROM localities WHERE release = $release AND mac = $mac",
            {"release": release, "mac": mac},
        ).fetchone()[0]
        if not known:
            raise PlaceError(f"MAC {mac} has no locality in {release}")
        raise PlaceError(f"MAC {mac} has no locality {locality} in {release} (it has {', '.join(known)})")
    return Place(mac, locality, row[0], row[1])
