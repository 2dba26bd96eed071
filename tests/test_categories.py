"""Code -> category, with the digit pattern checked before the numeric ranges."""

import polars as pl
import pytest

from transforms.releases.categories import category_of


@pytest.mark.parametrize(
    ("hcpcs", "category"),
    [
        ("00100", "Anesthesia"),
        ("01999", "Anesthesia"),
        ("10004", "Surgery"),
        ("69990", "Surgery"),
        ("70010", "Radiology"),
        ("80047", "Pathology and Laboratory"),
        ("0001U", "Pathology and Laboratory"),
        ("97140", "Medicine"),
        ("99199", "Medicine"),
        ("99500", "Medicine"),
        ("99213", "Evaluation and Management"),
        ("9001F", "Category II"),
        ("0001F", "Category II"),
        ("0633T", "Category III"),
        ("G0008", "HCPCS G: Procedures and Professional Services"),
        ("J1100", "HCPCS J: Drugs Administered Other Than Oral Method"),
        ("99201", "Unclassified"),
        ("ABCDE", "Unclassified"),
    ],
)
def test_category(hcpcs, category):
    assert pl.select(category_of(pl.lit(hcpcs))).item() == category
