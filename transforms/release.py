"""A release's files -> its validated input tables: one parser and one schema per CMS file kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import dataframely as dy
import polars as pl

from transforms.anes import parse_anes
from transforms.gpci import parse_gpci
from transforms.locco import parse_locco
from transforms.oppscap import parse_oppscap
from transforms.pprrvu import parse_pprrvu
from transforms.schemas import AnesSchema, GpciSchema, LoccoSchema, OppsCapSchema, RvuSchema, empty, validate


@dataclass(frozen=True)
class Kind:
    """A CMS file kind: the input table it feeds (sql/ reads it by that name), its parser and its schema."""

    table: str
    parse: Callable[..., pl.DataFrame]
    schema: type[dy.Schema]


KINDS: dict[str, Kind] = {
    "gpci": Kind("gpci", parse_gpci, GpciSchema),
    "locco": Kind("locco", parse_locco, LoccoSchema),
    "anes": Kind("anesthesia_cf", parse_anes, AnesSchema),
    "oppscap": Kind("oppscap", parse_oppscap, OppsCapSchema),
}
ALL_KINDS = ("pprrvu", *KINDS)


@dataclass
class ParsedRelease:
    """Parsed (not yet validated) frames of one release, keyed by lake table, and release-wide facts."""

    frames: dict[str, pl.DataFrame]
    files: dict[str, str]  # kind -> file name it came from
    released_on: date | None
    conversion_factor_usd: Decimal
    cf_variant: str
    missing: list[str] = field(default_factory=list)


def parse_release(files: dict[str, tuple[str, bytes]], work_gpci_floor: bool = True) -> ParsedRelease:
    """Parse every file present ({kind: (file name, bytes)}); a release without a PPRRVU cannot be priced."""
    if "pprrvu" not in files:
        raise ValueError("the release has no PPRRVU file: nothing to price")
    name, data = files["pprrvu"]
    pprrvu = parse_pprrvu(data, name)
    frames = {"rvu": pprrvu.rows}
    for kind, spec in KINDS.items():
        if kind in files:
            kind_name, kind_data = files[kind]
            extra = {"work_gpci_floor": work_gpci_floor} if kind == "gpci" else {}
            frames[spec.table] = spec.parse(kind_data, kind_name, **extra)
    return ParsedRelease(
        frames=frames,
        files={kind: files[kind][0] for kind in ALL_KINDS if kind in files},
        released_on=pprrvu.released_on,
        conversion_factor_usd=pprrvu.conversion_factor_usd,
        cf_variant=pprrvu.cf_variant,
        missing=[kind for kind in ALL_KINDS if kind not in files],
    )


def validate_release(parsed: ParsedRelease) -> dict[str, pl.DataFrame]:
    """Every input table checked against its schema; an absent file gives an empty table of that schema."""
    schemas = {"rvu": RvuSchema} | {k.table: k.schema for k in KINDS.values()}
    names = {"rvu": parsed.files["pprrvu"]} | {
        KINDS[kind].table: name for kind, name in parsed.files.items() if kind in KINDS
    }
    return {
        table: validate(schema, parsed.frames[table], names[table]) if table in parsed.frames else empty(schema)
        for table, schema in schemas.items()
    }


RANKING_DEFINITION = (
    "Population: the distinct HCPCS codes of a category in a release with a value > 0. A code's value: the "
    "largest on any of its rows. Percentile: cume_dist x 100 (share of the population at or below the value). "
    "Median of the population; ratio_to_median = median/value below it, value/median above it. Status codes "
    "are not filtered. Metrics: work_rvu, nonfacility_total_rvu, fee_nonfacility_usd (national)."
)


def release_row(
    parsed: ParsedRelease,
    origin: str,
    archive_sha256: str,
    archive_bytes: int,
    work_gpci_floor: bool,
    effective_from: date,
) -> pl.DataFrame:
    """The release's one row of the `releases` table: where it came from and what it holds."""
    return pl.DataFrame(
        {
            "effective_from": [effective_from],
            "released_on": [parsed.released_on],
            "conversion_factor_usd": pl.Series([parsed.conversion_factor_usd], dtype=pl.Decimal(7, 4)),
            "cf_variant": [parsed.cf_variant],
            "work_gpci_floor": [work_gpci_floor],
            "origin": [origin],
            "archive_sha256": [archive_sha256],
            "archive_bytes": [archive_bytes],
            "files": pl.Series([sorted(parsed.files.values())], dtype=pl.List(pl.String)),
            "files_missing": pl.Series([parsed.missing], dtype=pl.List(pl.String)),
            "ranking_definition": [RANKING_DEFINITION],
        },
        schema_overrides={"effective_from": pl.Date, "released_on": pl.Date, "archive_bytes": pl.Int64},
    )
