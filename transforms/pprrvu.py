"""PPRRVU: RVUs and payment indicators per HCPCS + modifier, mapped from CMS's stacked header labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from transforms.categories import category_of
from transforms.errors import CmsFileError
from transforms.grid import LINE, blank_row, read_grid, to_decimal, to_flag

# kind -> how a cell is typed: code/text stay strings, rvu/share/cf are exact decimals of that scale,
# na/flag are CMS indicators turned into booleans.
# Decimal (precision, scale) kept narrow on purpose: DuckDB then prices in 64-bit integers, exactly.
RVU, SHARE, CF = ("decimal", (5, 2)), ("decimal", (3, 2)), ("decimal", (7, 4))


@dataclass(frozen=True)
class Column:
    label: str  # CMS's stacked label, words joined by single spaces
    name: str
    kind: tuple[str, object]
    required: bool = True


LAYOUT: tuple[Column, ...] = (
    Column("HCPCS", "hcpcs", ("code", None)),
    Column("MOD", "modifier", ("code", None)),
    Column("DESCRIPTION", "description", ("text", None)),
    Column("STATUS CODE", "status_code", ("code", None)),
    Column("NOT USED FOR MEDICARE PAYMENT", "not_used_for_medicare_payment", ("flag", "+")),
    Column("WORK RVU", "work_rvu", RVU),
    Column("NON-FAC PE RVU", "nonfacility_pe_rvu", RVU),
    Column("NON-FAC NA INDICATOR", "nonfacility_na", ("flag", "NA")),
    Column("FACILITY PE RVU", "facility_pe_rvu", RVU),
    Column("FACILITY NA INDICATOR", "facility_na", ("flag", "NA")),
    Column("MP RVU", "mp_rvu", RVU),
    Column("NON-FACILITY TOTAL", "nonfacility_total_rvu", RVU),
    Column("FACILITY TOTAL", "facility_total_rvu", RVU),
    Column("PCTC IND", "pctc_ind", ("code", None)),
    Column("GLOB DAYS", "global_days", ("code", None)),
    Column("PRE OP", "preop_share", SHARE),
    Column("INTRA OP", "intraop_share", SHARE),
    Column("POST OP", "postop_share", SHARE),
    Column("MULT PROC", "mult_proc_ind", ("code", None)),
    Column("BILAT SURG", "bilat_surg_ind", ("code", None)),
    Column("ASST SURG", "asst_surg_ind", ("code", None)),
    Column("CO- SURG", "co_surg_ind", ("code", None)),
    Column("TEAM SURG", "team_surg_ind", ("code", None)),
    Column("PRIC IND", "pricing_ind", ("code", None), required=False),  # from 2026
    Column("ENDO BASE", "endo_base", ("code", None)),
    Column("CONV FACTOR", "conversion_factor_usd", CF),
    Column("PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES", "phys_supervision_ind", ("code", None)),
    Column("CALCULATION FLAG", "calculation_flag", ("code", None)),
    Column("DIAGNOSTIC IMAGING FAMILY INDICATOR", "imaging_family_ind", ("code", None)),
    Column("NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT", "opps_nonfacility_pe_rvu", RVU),
    Column("FACILITY PE USED FOR OPPS PAYMENT AMOUNT", "opps_facility_pe_rvu", RVU),
    Column("MP USED FOR OPPS PAYMENT AMOUNT", "opps_mp_rvu", RVU),
)
BY_LABEL = {c.label: c for c in LAYOUT}
RELEASED = re.compile(r"RELEASED\s+(\d{1,2}/\d{1,2}/\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class Pprrvu:
    """The parsed file: its rows, and the facts its preamble and columns carry for the whole release."""

    rows: pl.DataFrame
    released_on: date | None
    conversion_factor_usd: object  # decimal.Decimal
    cf_variant: str


CF_VARIANTS = ("non_qp", "qp")


def cf_variant_of(file: str) -> str:
    """CMS's 2026 split: `_QPP` / `_nonQPP` files carry different conversion factors.

    Before 2026 one file and one conversion factor served every clinician: it is filed as `non_qp`, the
    variant pfs shows by default.
    """
    return "qp" if "_qpp" in file.lower() else "non_qp"


def parse_pprrvu(data: bytes, file: str) -> Pprrvu:
    """Parse a PPRRVU CSV of any year's layout into one typed row per HCPCS + modifier."""
    grid = read_grid(data, file)
    header_at = _header_index(grid, file)
    released_on = _released_on(grid.head(header_at))
    labels = _stacked_labels(grid, header_at)
    columns = _match_layout(labels, file)

    body = grid.slice(header_at + 1).filter(~blank_row(grid))
    body = body.select(LINE, *(pl.col(f"c{i}").alias(col.name) for i, col in columns.items()))
    missing_code = body.filter(pl.col("hcpcs").is_null())
    if missing_code.height:
        raise CmsFileError(file, "a data row without a HCPCS code", line=missing_code[LINE][0], column="HCPCS")

    typed = [pl.col(LINE)]
    for col in LAYOUT:
        if col.name not in body.columns:
            typed.append(pl.lit(None, pl.String).alias(col.name))
        elif col.kind[0] == "decimal":
            precision, scale = col.kind[1]
            typed.append(pl.lit(to_decimal(body, col.name, precision, scale, file)).alias(col.name))
        elif col.kind[0] == "flag":
            typed.append(pl.lit(to_flag(body, col.name, str(col.kind[1]), file)).alias(col.name))
        elif col.name == "modifier":
            typed.append(pl.col("modifier").fill_null(""))
        else:
            typed.append(pl.col(col.name))
    rows = body.select(typed).with_columns(category=category_of(pl.col("hcpcs")))

    factors = rows["conversion_factor_usd"].drop_nulls().unique()
    if factors.len() != 1:
        raise CmsFileError(
            file,
            f"expected one conversion factor, found {', '.join(sorted(map(str, factors.to_list())))}",
            column="conversion_factor_usd",
        )
    return Pprrvu(rows=rows, released_on=released_on, conversion_factor_usd=factors[0], cf_variant=cf_variant_of(file))


def _header_index(grid: pl.DataFrame, file: str) -> int:
    hits = grid.with_row_index("_i").filter(pl.col("c0").str.to_uppercase() == "HCPCS")
    if hits.is_empty():
        raise CmsFileError(file, "no header line starting with 'HCPCS': not a PPRRVU layout")
    return int(hits["_i"][0])


def _released_on(preamble: pl.DataFrame) -> date | None:
    for row in preamble.drop(LINE).iter_rows():
        for cell in row:
            match = RELEASED.search(cell or "")
            if match:
                return datetime.strptime(match.group(1), "%m/%d/%Y").date()
    return None


def _stacked_labels(grid: pl.DataFrame, header_at: int) -> list[str]:
    """Join each column's label words from the header block: the lines after the RELEASED line up to HCPCS."""
    start = header_at
    while start > 0 and not _is_preamble(grid.row(start - 1)):
        start -= 1
    block = grid.slice(start, header_at - start + 1).drop(LINE)
    return [" ".join(v for v in block[c].to_list() if v) for c in block.columns]


def _is_preamble(row: tuple) -> bool:
    """A preamble line: the RELEASED date, or a title/copyright sentence in a single cell."""
    cells = [c for c in row[1:] if c]
    return len(cells) == 1 and (bool(RELEASED.search(cells[0])) or len(cells[0]) > 40)


def _match_layout(labels: list[str], file: str) -> dict[int, Column]:
    """Position -> layout column; an unknown or missing label fails naming every one of them."""
    matched: dict[int, Column] = {}
    unknown = []
    for i, label in enumerate(labels):
        norm = re.sub(r"\s+", " ", label.upper()).strip()
        if not norm:
            continue
        col = BY_LABEL.get(norm)
        if col is None:
            unknown.append(f"{norm!r} (column {i + 1})")
        else:
            matched[i] = col
    missing = [c.label for c in LAYOUT if c.required and c not in matched.values()]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append("unknown column labels: " + ", ".join(unknown))
        if missing:
            parts.append("missing columns: " + ", ".join(repr(m) for m in missing))
        raise CmsFileError(file, "unknown PPRRVU layout; " + "; ".join(parts))
    return matched
