"""PPRRVU: RVUs and payment indicators per HCPCS + modifier, mapped from CMS's stacked header labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from transforms.errors import CmsFileError
from transforms.fixed_width import Field, FixedLayout, is_fixed_width, read_records
from transforms.grid import LINE, blank_row, read_grid, to_decimal, to_flag
from transforms.releases.categories import category_of

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

# The .txt form: CMS's record layout (RVU25D.pdf, "DATA RECORD"), positions 1-based and inclusive. The PDF
# garbles the last field's position; the records end at 171. 2026's PRIC IND has no published position here:
# a longer record fails rather than being read by this layout.
FIXED = FixedLayout(
    name="PPRRVU record layout of RVU25D.pdf",
    fields=tuple(
        Field(name, start, end)
        for name, start, end in (
            ("hcpcs", 1, 5),
            ("modifier", 6, 7),
            ("description", 8, 57),
            ("status_code", 58, 58),
            ("not_used_for_medicare_payment", 59, 59),
            ("work_rvu", 60, 65),
            ("nonfacility_pe_rvu", 67, 72),
            ("nonfacility_na", 73, 74),
            ("facility_pe_rvu", 76, 81),
            ("facility_na", 82, 83),
            ("mp_rvu", 85, 89),
            ("nonfacility_total_rvu", 91, 96),
            ("facility_total_rvu", 97, 102),
            ("pctc_ind", 103, 103),
            ("global_days", 104, 106),
            ("preop_share", 107, 109),
            ("intraop_share", 110, 112),
            ("postop_share", 113, 115),
            ("mult_proc_ind", 116, 116),
            ("bilat_surg_ind", 117, 117),
            ("asst_surg_ind", 118, 118),
            ("co_surg_ind", 119, 119),
            ("team_surg_ind", 120, 120),
            ("endo_base", 128, 132),
            ("conversion_factor_usd", 133, 140),
            ("phys_supervision_ind", 142, 143),
            ("calculation_flag", 144, 144),
            ("imaging_family_ind", 146, 147),
            ("opps_nonfacility_pe_rvu", 152, 157),
            ("opps_facility_pe_rvu", 159, 164),
            ("opps_mp_rvu", 166, 171),
        )
    ),
    record=r"[0-9A-Z]{5}",
    skip=r"HDR ",
)
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
    """Parse a PPRRVU (.csv or .xlsx of any year's layout, or the .txt) into one typed row per HCPCS + modifier."""
    body, released_on = (read_records(data, file, FIXED), None) if is_fixed_width(file) else _labelled(data, file)
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


def _labelled(data: bytes, file: str) -> tuple[pl.DataFrame, date | None]:
    """The data rows of a .csv/.xlsx, columns named by their stacked labels, and the RELEASED date above them."""
    grid = read_grid(data, file)
    header_at = _header_index(grid, file)
    columns = _match_layout(_stacked_labels(grid, header_at), file)
    body = grid.slice(header_at + 1).filter(~blank_row(grid))
    body = body.select(LINE, *(pl.col(f"c{i}").alias(col.name) for i, col in columns.items()))
    return body, _released_on(grid.head(header_at))


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
