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

from dataclasses import dataclass

import polars as pl

from transforms.errors import CmsFileError

LINE = "line"  # the row's line in its file (the header is line 1)
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


def specialty_name(name: pl.Expr, aliases: dict[str, str]) -> pl.Expr:
    """CMS's specialty name made one across years and files: the crosswalk's "Physician/" prefix and footnote
    marks dropped, spaces tidied, then config/specialties.toml's aliases (matched case-insensitively)."""
    tidy = (
        name.str.replace(r"^Physician/", "")
        .str.replace_all(r"\s*\[\d+\]", "")
        .str.replace_all(r"\s*/\s*", "/")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    lowered = {key.lower(): value for key, value in aliases.items()}
    return tidy.str.to_lowercase().replace_strict(lowered, default=tidy, return_dtype=pl.String)


def rows(
    frame: pl.LazyFrame, layout: Layout, facility_places: list[str], crosswalk: pl.LazyFrame, aliases: dict[str, str]
) -> pl.LazyFrame:
    """One row per file row: hcpcs, specialty, specialty_code, npi, setting, services, beneficiaries, and the
    checks (`bad_column`: the first field that is missing or not a number; `suppressed`)."""
    fields = frame.select(pl.col(LINE), *(pl.col(column).alias(name) for name, column in layout.columns.items()))
    numbers = {name: _number(pl.col(name)) for name in layout.counts}
    suppressed = pl.any_horizontal(pl.col(name) == SUPPRESSED for name in layout.counts)
    required = ["hcpcs", "specialty" if "specialty" in layout.columns else "specialty_code", "place", *layout.counts]
    bad = [
        pl.when(pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")).then(pl.lit(layout.columns[name]))
        for name in required
    ] + [
        pl.when(~suppressed & pl.col(name).is_not_null() & numbers[name].is_null()).then(pl.lit(layout.columns[name]))
        for name in layout.counts
    ]  # fmt: skip
    checked = fields.with_columns(bad_column=pl.coalesce(bad), suppressed=suppressed.fill_null(False))
    if layout.source == "psps":
        return _psps(checked, numbers, facility_places, crosswalk, aliases)
    return checked.select(
        LINE, "bad_column", "suppressed", pl.col("hcpcs").str.strip_chars(),
        specialty_name(pl.col("specialty"), aliases).alias("specialty"),
        pl.lit(None, pl.String).alias("specialty_code"),
        pl.col("npi"), pl.col("place").replace_strict(PLACE_SETTING, default=None).alias("setting"),
        numbers["services"].alias("services"), numbers["beneficiaries"].alias("beneficiaries"),
    )  # fmt: skip


def _psps(
    checked: pl.LazyFrame, numbers: dict[str, pl.Expr], facility_places: list[str], crosswalk: pl.LazyFrame,
    aliases: dict[str, str],
) -> pl.LazyFrame:  # fmt: skip
    names = crosswalk.select(
        pl.col("specialty_code"), specialty_name(pl.col("specialty_name"), aliases).alias("known_name")
    )
    code = pl.col("specialty_code").str.strip_chars().str.zfill(2)
    return (
        checked.with_columns(code.alias("specialty_code"))
        .join(names, on="specialty_code", how="left")
        .select(
            LINE, "bad_column", "suppressed", pl.col("hcpcs").str.strip_chars(),
            pl.coalesce("known_name", pl.format("specialty code {} (not in the crosswalk)", "specialty_code"))
            .alias("specialty"),
            "specialty_code", pl.lit(None, pl.String).alias("npi"),
            pl.when(pl.col("place").str.strip_chars().is_in(facility_places)).then(pl.lit("facility"))
            .otherwise(pl.lit("nonfacility")).alias("setting"),
            (numbers["submitted"] - numbers["denied"]).alias("services"),
            pl.lit(None, pl.Float64).alias("beneficiaries"),
        )
    )  # fmt: skip


def _number(text: pl.Expr) -> pl.Expr:
    """A count as CMS prints it ("1,234", "2.5"); null when it is not a number."""
    return text.str.strip_chars().str.replace_all(",", "").cast(pl.Float64, strict=False)


def first_problem(checked: pl.LazyFrame) -> pl.LazyFrame:
    """The first row whose field is missing or not a number (at most one row)."""
    return checked.filter(pl.col("bad_column").is_not_null()).select(LINE, "bad_column").head(1)


def code_specialty(checked: pl.LazyFrame) -> pl.LazyFrame:
    """One row per hcpcs × specialty: services, its share of the code's services, providers, beneficiaries, rank."""
    good = checked.filter(pl.col("bad_column").is_null() & ~pl.col("suppressed"))
    summed = good.group_by("hcpcs", "specialty").agg(
        pl.col("specialty_code").drop_nulls().first(),
        pl.col("services").sum(),
        pl.col("npi").drop_nulls().n_unique().alias("providers"),
        pl.col("beneficiaries").sum(),
        pl.col("npi").is_not_null().any().alias("_has_npi"),
        pl.col("beneficiaries").is_not_null().any().alias("_has_benes"),
    )
    return (
        summed.with_columns(
            pl.when("_has_npi").then(pl.col("providers")).cast(pl.Int64).alias("providers"),
            pl.when("_has_benes").then(pl.col("beneficiaries")).alias("beneficiaries"),
            (pl.col("services") / pl.col("services").sum().over("hcpcs")).alias("share"),
        )
        .sort(["hcpcs", "services", "specialty"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("hcpcs").cast(pl.Int32).alias("rank"))
        .select("hcpcs", "specialty", "specialty_code", "services", "share", "providers", "beneficiaries", "rank")
    )


def code_place_of_service(checked: pl.LazyFrame) -> pl.LazyFrame:
    """One row per hcpcs × setting (facility, nonfacility): services and their share of the code's."""
    good = checked.filter(pl.col("bad_column").is_null() & ~pl.col("suppressed") & pl.col("setting").is_not_null())
    return (
        good.group_by("hcpcs", "setting")
        .agg(pl.col("services").sum())
        .with_columns((pl.col("services") / pl.col("services").sum().over("hcpcs")).alias("share"))
        .sort("hcpcs", "setting")
    )


def suppressed_rows(checked: pl.LazyFrame) -> pl.LazyFrame:
    return checked.select(pl.col("suppressed").sum().alias("suppressed"), pl.len().alias("rows"))
