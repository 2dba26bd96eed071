"""CMS utilization files → who bills each code: services per HCPCS × specialty and per setting, streamed.

Two CMS datasets, three layouts (a layout table, matched on the file's header):
- *Medicare Physician & Other Practitioners — by Provider and Service*: one row per rendering NPI × HCPCS ×
  place of service (F facility, O office) per year; the current names (`Rndrng_Prvdr_Type`, `Tot_Srvcs` …)
  and the 2012-era ones (`provider_type`, `line_srvc_cnt` …). One specialty per NPI.
- *Physician/Supplier Procedure Summary* (PSPS): HCPCS × modifiers × `PROVIDER_SPEC_CD` × carrier × locality ×
  place of service; allowed services = submitted − denied. A suppressed cell (`*`) is not services: its row
  is left out and counted.
Every function takes and returns lazy frames, so a 3 GB file is aggregated without being held in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from transforms.errors import CmsFileError

LINE = "line"  # the row's line in its file (the header is line 1)
COUNT = pl.Decimal(18, 3)
SUPPRESSED = "*"


@dataclass(frozen=True)
class Layout:
    """Where a layout keeps each field pfs reads: canonical name -> the file's column."""

    name: str
    source: str  # the lake's `source`: provider_service | psps
    columns: dict[str, str]
    counts: tuple[str, ...]  # canonical fields holding counts


LAYOUTS: tuple[Layout, ...] = (
    Layout("provider_service", "provider_service", {
        "npi": "Rndrng_NPI", "specialty": "Rndrng_Prvdr_Type", "hcpcs": "HCPCS_Cd", "place": "Place_Of_Srvc",
        "services": "Tot_Srvcs", "beneficiaries": "Tot_Benes",
    }, ("services", "beneficiaries")),
    Layout("provider_service_2012", "provider_service", {
        "npi": "npi", "specialty": "provider_type", "hcpcs": "hcpcs_code", "place": "place_of_service",
        "services": "line_srvc_cnt", "beneficiaries": "bene_unique_cnt",
    }, ("services", "beneficiaries")),
    Layout("psps", "psps", {
        "hcpcs": "HCPCS_CD", "specialty_code": "PROVIDER_SPEC_CD", "place": "PLACE_OF_SERVICE_CD",
        "submitted": "PSPS_SUBMITTED_SERVICE_CNT", "denied": "PSPS_DENIED_SERVICES_CNT",
    }, ("submitted", "denied")),
)  # fmt: skip
# Provider and Service's place of service; PSPS's two-digit codes map through the facility list given.
PLACE_SETTING = {"F": "facility", "O": "nonfacility"}


def detect_layout(header: list[str], file: str) -> Layout:
    """The layout whose columns the header has; else an error naming what the closest layout misses."""
    have = set(header)
    for layout in LAYOUTS:
        if set(layout.columns.values()) <= have:
            return layout
    closest = max(LAYOUTS, key=lambda layout: len(set(layout.columns.values()) & have))
    missing = [c for c in closest.columns.values() if c not in have]
    raise CmsFileError(
        file, f"is no utilization layout pfs knows: as {closest.name} it lacks {', '.join(missing)}",
        line=1, column=missing[0],
    )  # fmt: skip


def header(first_line: bytes) -> tuple[list[str], str]:
    """A utilization file's column names and separator (a tab, else a comma) from its first line."""
    text = first_line.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    separator = "\t" if "\t" in text else ","
    return [name.strip().strip('"') for name in text.split(separator)], separator


def crosswalk(frame: pl.DataFrame, file: str) -> pl.LazyFrame:
    """CMS's specialty code crosswalk as specialty_code, specialty_name (one name per code), whatever its
    header's spelling: the 2017 copy's `medicare_specialty_code`, today's "MEDICARE SPECIALTY CODE"."""
    frame = frame.rename({c: re.sub(r"[^a-z]+", "_", c.lower()).strip("_") for c in frame.columns})
    code = next((c for c in frame.columns if "specialty_code" in c), None)
    name = next((c for c in frame.columns if "description" in c or "type" in c), None)
    if code is None or name is None:
        raise CmsFileError(file, "is no specialty crosswalk: no specialty code column and description column",
                           line=1)  # fmt: skip
    return (
        frame.select(pl.col(code).str.strip_chars().alias("specialty_code"), pl.col(name).alias("specialty_name"))
        .unique("specialty_code", keep="first", maintain_order=True)
        .lazy()
    )


def specialty_name(name: pl.Expr, aliases: dict[str, str]) -> pl.Expr:
    """CMS's specialty name made one across years and files: the crosswalk's "Physician/" prefix and footnote
    marks dropped, spaces tidied, then config/utilization.toml's aliases (matched case-insensitively)."""
    tidy = (
        name.str.replace(r"^Physician/", "")
        .str.replace_all(r"\s*\[\d+\]", "")
        .str.replace_all(r"\s*/\s*", "/")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    lowered = {key.lower(): value for key, value in aliases.items()}
    return tidy.str.to_lowercase().replace_strict(lowered, default=tidy, return_dtype=pl.String)


def rows(frame: pl.LazyFrame, layout: Layout, facility_places: list[str]) -> pl.LazyFrame:
    """One row per file row: hcpcs, specialty as the file spells it (or specialty_code), npi, setting, services,
    beneficiaries, and the checks (`bad_column`: the first field missing or not a number; `suppressed`).
    Names are made one later, on the aggregate (see code_specialty): per row it would cost the stream its memory."""
    fields = frame.select(pl.col(LINE), *(pl.col(column).alias(name) for name, column in layout.columns.items()))
    numbers = {name: _number(pl.col(name)) for name in layout.counts}
    suppressed = pl.any_horizontal(pl.col(name) == SUPPRESSED for name in layout.counts)
    required = ["hcpcs", "specialty" if "specialty" in layout.columns else "specialty_code", "place", *layout.counts]
    required += ["npi"] if "npi" in layout.columns else []
    numbers |= {"npi": pl.col("npi").str.strip_chars().cast(pl.UInt64, strict=False)} if "npi" in layout.columns else {}
    bad = [
        pl.when(pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")).then(pl.lit(layout.columns[name]))
        for name in required
    ] + [
        pl.when(~suppressed & pl.col(name).is_not_null() & numbers[name].is_null()).then(pl.lit(layout.columns[name]))
        for name in numbers
    ]  # fmt: skip
    checked = fields.with_columns(bad_column=pl.coalesce(bad), suppressed=suppressed.fill_null(False))
    place = pl.col("place").str.strip_chars()
    if layout.source == "psps":
        return checked.select(
            LINE, "bad_column", "suppressed", pl.col("hcpcs").str.strip_chars(),
            pl.lit(None, pl.String).alias("specialty"), pl.col("specialty_code").str.strip_chars().str.zfill(2),
            pl.lit(None, pl.UInt64).alias("npi"),
            pl.when(place.is_in(facility_places)).then(pl.lit("facility")).otherwise(pl.lit("nonfacility"))
            .alias("setting"),
            (numbers["submitted"] - numbers["denied"]).alias("services"),
            pl.lit(None, COUNT).alias("beneficiaries"),
        )  # fmt: skip
    return checked.select(
        LINE, "bad_column", "suppressed", pl.col("hcpcs").str.strip_chars(), pl.col("specialty").str.strip_chars(),
        pl.lit(None, pl.String).alias("specialty_code"), numbers["npi"].alias("npi"),
        _setting(place).alias("setting"),
        numbers["services"].alias("services"), numbers["beneficiaries"].alias("beneficiaries"),
    )  # fmt: skip


def _setting(place: pl.Expr) -> pl.Expr:
    """F / O to facility / nonfacility; anything else null (when/then: replace_strict holds the stream in memory)."""
    setting = pl.lit(None, pl.String)
    for code, name in PLACE_SETTING.items():
        setting = pl.when(place == code).then(pl.lit(name)).otherwise(setting)
    return setting


def _number(text: pl.Expr) -> pl.Expr:
    """A count as CMS prints it ("1,234", "2.5"), exact to three decimals (sums then do not depend on their
    order); null when it is not a number."""
    return text.str.strip_chars().str.replace_all(",", "").cast(COUNT, strict=False)


def first_problem(checked: pl.LazyFrame) -> pl.LazyFrame:
    """The first row whose field is missing or not a number (at most one row)."""
    return checked.filter(pl.col("bad_column").is_not_null()).select(LINE, "bad_column").head(1)


def place_sums(checked: pl.LazyFrame) -> pl.LazyFrame:
    """Per hcpcs × setting: the good rows' services, and every row's count, suppressed count and first bad line;
    one pass that checks the file and gives code_place_of_service."""
    good = pl.col("bad_column").is_null() & ~pl.col("suppressed")
    return checked.group_by("hcpcs", "setting").agg(
        pl.col("services").filter(good).sum(),
        pl.len().alias("rows"),
        pl.col("suppressed").sum().alias("suppressed"),
        pl.col(LINE).filter(pl.col("bad_column").is_not_null()).min().alias("first_bad_line"),
    )


def specialty_sums(checked: pl.LazyFrame, parts: int = 1, part: int = 0) -> pl.LazyFrame:
    """Services, distinct NPIs and beneficiaries per hcpcs × specialty as the file spells it (or its code), of
    the rows whose NPI falls in `part` of `parts`. Distinct NPIs take memory in proportion to the rows summed:
    parts split them, and since no NPI is in two parts, the parts' sums add up exactly (add_sums)."""
    good = checked.filter(pl.col("bad_column").is_null() & ~pl.col("suppressed"))
    if parts > 1:
        good = good.filter(pl.col("npi") % parts == part)
    return good.group_by("hcpcs", "specialty", "specialty_code").agg(
        pl.col("services").sum(),
        pl.col("npi").drop_nulls().n_unique().alias("providers"),
        pl.col("beneficiaries").sum(),
        pl.col("npi").is_not_null().any().alias("has_npi"),
        pl.col("beneficiaries").is_not_null().any().alias("has_beneficiaries"),
    )


def add_sums(sums: pl.LazyFrame) -> pl.LazyFrame:
    """Sums of several parts (or spellings) added up per hcpcs × specialty × specialty_code."""
    return sums.group_by("hcpcs", "specialty", "specialty_code").agg(
        pl.col("services", "providers", "beneficiaries").sum(), pl.col("has_npi", "has_beneficiaries").any()
    )


def code_specialty(sums: pl.LazyFrame, crosswalk: pl.LazyFrame, aliases: dict[str, str]) -> pl.LazyFrame:
    """One row per hcpcs × specialty: services, its share of the code's services, providers, beneficiaries, rank.

    Specialties are named on the sums, not per row; spellings that name the same specialty add up (exactly
    for providers too: an NPI has one specialty in Provider and Service).
    """
    names = crosswalk.select("specialty_code", pl.col("specialty_name").alias("_crosswalk_name"))
    unknown = pl.format("specialty code {} (not in the crosswalk)", "specialty_code")
    named = sums.join(names, on="specialty_code", how="left").with_columns(
        specialty_name(pl.coalesce("specialty", "_crosswalk_name", unknown), aliases).alias("specialty")
    )
    summed = named.group_by("hcpcs", "specialty").agg(
        pl.col("specialty_code").drop_nulls().first(),
        pl.col("services").sum(),
        pl.when(pl.col("has_npi").any()).then(pl.col("providers").sum()).cast(pl.Int64).alias("providers"),
        pl.when(pl.col("has_beneficiaries").any()).then(pl.col("beneficiaries").sum()).alias("beneficiaries"),
    )
    return (
        summed.with_columns(
            pl.col("services").cast(COUNT),
            pl.col("beneficiaries").cast(pl.Int64),
            (pl.col("services").cast(pl.Float64) / pl.col("services").sum().over("hcpcs").cast(pl.Float64)).alias(
                "share"
            ),
        )
        .sort(["hcpcs", "services", "specialty"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("hcpcs").cast(pl.Int32).alias("rank"))
        .select("hcpcs", "specialty", "specialty_code", "services", "share", "providers", "beneficiaries", "rank")
    )


def code_place_of_service(sums: pl.LazyFrame) -> pl.LazyFrame:
    """One row per hcpcs × setting (facility, nonfacility): services and their share of the code's."""
    return (
        sums.filter(pl.col("setting").is_not_null())
        .select("hcpcs", "setting", pl.col("services").cast(COUNT))
        .with_columns(
            (pl.col("services").cast(pl.Float64) / pl.col("services").sum().over("hcpcs").cast(pl.Float64)).alias(
                "share"
            )
        )
        .sort("hcpcs", "setting")
    )
