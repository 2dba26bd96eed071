"""HCPCS code -> category: CPT sections by numeric range, CPT II/III/PLA by suffix, Level II by letter."""

from __future__ import annotations

import polars as pl

# Five-digit CPT Category I codes, inclusive ranges (AMA's sections).
CPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (100, 1999, "Anesthesia"),
    (10004, 69990, "Surgery"),
    (70010, 79999, "Radiology"),
    (80047, 89398, "Pathology and Laboratory"),
    (90281, 99199, "Medicine"),
    (99202, 99499, "Evaluation and Management"),
    (99500, 99607, "Medicine"),
)

# Four digits + a letter; checked before the numeric ranges so that 9001F is not Medicine.
CPT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("F", "Category II"),
    ("T", "Category III"),
    ("U", "Pathology and Laboratory"),  # Proprietary Laboratory Analyses
)

# HCPCS Level II: a letter and four digits, grouped by the letter's section.
LEVEL_II: dict[str, str] = {
    "A": "HCPCS A: Transportation, Medical and Surgical Supplies",
    "B": "HCPCS B: Enteral and Parenteral Therapy",
    "C": "HCPCS C: Outpatient PPS",
    "D": "HCPCS D: Dental Procedures",
    "E": "HCPCS E: Durable Medical Equipment",
    "G": "HCPCS G: Procedures and Professional Services",
    "H": "HCPCS H: Alcohol and Drug Abuse Treatment",
    "J": "HCPCS J: Drugs Administered Other Than Oral Method",
    "K": "HCPCS K: Temporary Codes for DME MACs",
    "L": "HCPCS L: Orthotic and Prosthetic Procedures",
    "M": "HCPCS M: Medical Services",
    "P": "HCPCS P: Pathology and Laboratory Services",
    "Q": "HCPCS Q: Temporary Codes",
    "R": "HCPCS R: Diagnostic Radiology Services",
    "S": "HCPCS S: Temporary National Codes (Non-Medicare)",
    "T": "HCPCS T: National Codes for State Medicaid Agencies",
    "U": "HCPCS U: Coronavirus Diagnostic Panel",
    "V": "HCPCS V: Vision, Hearing and Speech-Language Services",
}
UNCLASSIFIED = "Unclassified"


def category_of(hcpcs: pl.Expr) -> pl.Expr:
    """The category of each code, built from the tables above (first match wins)."""
    digits = hcpcs.str.contains(r"^\d{5}$")
    number = pl.when(digits).then(hcpcs.cast(pl.Int32, strict=False))
    four_digits_and = hcpcs.str.contains(r"^\d{4}[A-Z]$")
    letter_code = hcpcs.str.contains(r"^[A-Z]\d{4}$")

    expr: pl.Expr | pl.When | pl.Then | None = None
    rules = [(four_digits_and & hcpcs.str.ends_with(s), name) for s, name in CPT_SUFFIXES]
    rules += [(digits & number.is_between(lo, hi), name) for lo, hi, name in CPT_RANGES]
    rules += [(letter_code & hcpcs.str.starts_with(letter), name) for letter, name in LEVEL_II.items()]
    for condition, name in rules:
        expr = (pl.when(condition) if expr is None else expr.when(condition)).then(pl.lit(name))
    return expr.otherwise(pl.lit(UNCLASSIFIED))
