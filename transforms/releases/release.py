"""A release's files -> its validated input tables: one parser and one schema per CMS file kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import dataframely as dy
import polars as pl

from transforms.errors import CmsFileError
from transforms.releases.anes import parse_anes
from transforms.releases.gpci import parse_gpci
from transforms.releases.locco import parse_locco
from transforms.releases.oppscap import parse_oppscap
from transforms.releases.pprrvu import CF_VARIANTS, parse_pprrvu
from transforms.releases.schemas import AnesSchema, GpciSchema, LoccoSchema, OppsCapSchema, RvuSchema
from transforms.validation import empty, validate


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
    conversion_factors: dict[str, Decimal]  # cf variant -> conversion factor; the first is the default
    missing: list[str] = field(default_factory=list)


def parse_release(files: dict[str, tuple[str, bytes]], work_gpci_floor: bool = True) -> ParsedRelease:
    """Parse every file present ({kind: (file name, bytes)}); a release without a PPRRVU cannot be priced."""
    if "pprrvu" not in files:
        raise ValueError("the release has no PPRRVU file: nothing to price")
    name, data = files["pprrvu"]
    pprrvu = parse_pprrvu(data, name)
    factors = {pprrvu.cf_variant: pprrvu.conversion_factor_usd}
    for key in sorted(k for k in files if k.startswith("pprrvu:")):
        other = parse_pprrvu(files[key][1], files[key][0])
        _require_same_rvus(pprrvu.rows, other.rows, files[key][0])
        factors[other.cf_variant] = other.conversion_factor_usd
    frames = {"rvu": pprrvu.rows, "conversion_factor": _factors_frame(factors)}
    for kind, spec in KINDS.items():
        if kind in files:
            kind_name, kind_data = files[kind]
            extra = {"work_gpci_floor": work_gpci_floor} if kind == "gpci" else {}
            frames[spec.table] = spec.parse(kind_data, kind_name, **extra)
    return ParsedRelease(
        frames=frames,
        files={kind: name for kind, (name, _) in files.items()},
        released_on=pprrvu.released_on,
        conversion_factors=factors,
        missing=[kind for kind in ALL_KINDS if kind not in files],
    )


def _require_same_rvus(main: pl.DataFrame, other: pl.DataFrame, file: str) -> None:
    """The QPP and non-QPP files differ only in their conversion factor; anything else is an error."""
    columns = [c for c in main.columns if c not in ("source_line", "conversion_factor_usd")]
    differing = other.select("source_line", *columns).join(
        main.select(columns), on=columns, how="anti", nulls_equal=True
    )
    if differing.height or other.height != main.height:
        line = differing["source_line"][0] if differing.height else None
        raise CmsFileError(file, "its RVUs differ from the other PPRRVU variant's (only the CF may)", line=line)


def _factors_frame(factors: dict[str, Decimal]) -> pl.DataFrame:
    return pl.DataFrame(
        {"cf_variant": list(factors), "conversion_factor_usd": list(factors.values())},
        # an Enum: DuckDB then carries the variant through 2 million fee rows as a small integer
        schema={"cf_variant": pl.Enum(CF_VARIANTS), "conversion_factor_usd": pl.Decimal(7, 4)},
    )


def validate_release(parsed: ParsedRelease) -> dict[str, pl.DataFrame]:
    """Every input table checked against its schema; an absent file gives an empty table of that schema."""
    schemas = {"rvu": RvuSchema} | {k.table: k.schema for k in KINDS.values()}
    names = {"rvu": parsed.files["pprrvu"]} | {
        KINDS[kind].table: name for kind, name in parsed.files.items() if kind in KINDS
    }
    tables = {
        table: validate(schema, parsed.frames[table], names[table]) if table in parsed.frames else empty(schema)
        for table, schema in schemas.items()
    }
    return tables | {"conversion_factor": parsed.frames["conversion_factor"]}


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
            "conversion_factor_usd": pl.Series(
                [next(iter(parsed.conversion_factors.values()))], dtype=pl.Decimal(7, 4)
            ),
            "cf_variant": [next(iter(parsed.conversion_factors))],
            "cf_variants": pl.Series([list(parsed.conversion_factors)], dtype=pl.List(pl.String)),
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
