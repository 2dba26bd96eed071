"""CMS ships each file as .csv and .xlsx (and .txt): on the real RVU25D, both forms read pfs give identical tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from flows import settings
from flows.extract import classify
from transforms.release import parse_release, validate_release

FILES = ["PPRRVU2025_Oct", "GPCI2025", "25LOCCO", "ANES2025", "OPPSCAP_Oct"]


def _tables(folder: Path, form: str) -> dict:
    members = {f"{name}.{form}": (folder / f"{name}.{form}").read_bytes() for name in FILES}
    found = classify(members, settings.defaults()["files"], "non_qp")
    assert found.missing == [], found.missing
    return validate_release(parse_release(found.files))


@pytest.fixture(scope="module")
def csv_tables(cms: Path) -> dict:
    return _tables(cms / "rvu25d", "csv")


@pytest.mark.parametrize("table", ["rvu", "gpci", "locco", "anesthesia_cf", "oppscap", "conversion_factors"])
def test_xlsx_and_csv_give_identical_tables(cms: Path, csv_tables: dict, table: str):
    xlsx_tables = _tables(cms / "rvu25d", "xlsx")
    assert csv_tables[table].height > 0
    assert_frame_equal(xlsx_tables[table], csv_tables[table])


def test_the_csv_is_read_when_both_forms_are_there_and_the_xlsx_when_alone():
    members = {"GPCI2025.csv": b"c", "GPCI2025.xlsx": b"x", "25LOCCO.xlsx": b"l", "25LOCCO.txt": b"t"}
    found = classify(members, settings.defaults()["files"], "non_qp", settings.defaults()["companions"])
    assert found.files["gpci"] == ("GPCI2025.csv", b"c")
    assert found.files["locco"] == ("25LOCCO.xlsx", b"l")
    assert found.unexpected == []  # the other forms are CMS's companions, not surprises
