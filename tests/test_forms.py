"""CMS ships each file as .csv, .xlsx and fixed-width .txt: on the real RVU25D, what each form gives pfs.

The .csv and .xlsx are the same tables. The .txt is the same for PPRRVU, GPCI and OPPSCAP, and fees priced
from it are the same to the cent; for ANES and LOCCO CMS's .txt carries less (checked here line by line).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows import settings
from flows.releases import catalog
from flows.releases.compute import compute
from flows.releases.extract import classify
from transforms.errors import CmsFileError
from transforms.releases.locco import parse_locco
from transforms.releases.release import parse_release, release_row, validate_release

FILES = ["PPRRVU2025_Oct", "GPCI2025", "25LOCCO", "ANES2025", "OPPSCAP_Oct"]
SAME_IN_EVERY_FORM = ["rvu", "gpci", "oppscap", "conversion_factor"]


def _files(folder: Path, forms: dict[str, str]) -> dict:
    members = {
        f"{name}.{forms.get(name, 'csv')}": (folder / f"{name}.{forms.get(name, 'csv')}").read_bytes() for name in FILES
    }
    found = classify(
        members, settings.defaults()["files"], "non_qp", forms=tuple(settings.defaults()["forms"]["preferred"])
    )
    assert found.missing == [], found.missing
    assert sorted(name for name, _ in found.files.values()) == sorted(members)
    return found.files


def _tables(folder: Path, form: str, except_for: tuple[str, ...] = ()) -> dict:
    """The validated input tables, plus the `releases` row the models read."""
    parsed = parse_release(_files(folder, {name: form for name in FILES if name not in except_for}))
    entry = catalog.release("RVU25D")
    releases = release_row(parsed, "test", "0" * 64, 0, entry.work_gpci_floor, entry.effective_from)
    return validate_release(parsed) | {"releases": releases}


@pytest.fixture(scope="module")
def csv_tables(cms: Path) -> dict:
    return _tables(cms / "rvu25d", "csv")


@pytest.fixture(scope="module")
def txt_tables(cms: Path) -> dict:
    return _tables(cms / "rvu25d", "txt", except_for=("25LOCCO",))  # its .txt is refused, see below


@pytest.fixture(scope="module")
def xlsx_tables(cms: Path) -> dict:
    """Parsed once for the module: reading CMS's xlsx files is most of this module's time."""
    return _tables(cms / "rvu25d", "xlsx")


@pytest.mark.parametrize("table", ["rvu", "gpci", "locco", "anesthesia_cf", "oppscap", "conversion_factor"])
def test_xlsx_and_csv_give_identical_tables(csv_tables: dict, xlsx_tables: dict, table: str):
    assert csv_tables[table].height > 0
    assert_frame_equal(xlsx_tables[table], csv_tables[table])


@pytest.mark.parametrize("table", SAME_IN_EVERY_FORM)
def test_txt_and_csv_give_identical_tables(csv_tables: dict, txt_tables: dict, table: str):
    assert csv_tables[table].height > 0
    # only the line numbers differ: the .txt has 7 HDR lines where the .csv has a 10-line header
    assert_frame_equal(
        txt_tables[table].drop("source_line", strict=False), csv_tables[table].drop("source_line", strict=False)
    )


def test_fees_priced_from_the_txt_equal_those_from_the_csv(csv_tables: dict, txt_tables: dict):
    def fees(tables: dict) -> pl.DataFrame:
        return compute(tables, 2025, "RVU25D").sql("SELECT * FROM fee_locality").pl()

    from_csv, from_txt = fees(csv_tables), fees(txt_tables)
    assert from_csv.height > 2_000_000
    assert_frame_equal(from_txt, from_csv)


def test_the_anes_txt_has_no_national_cf_and_cuts_names_at_40_characters(csv_tables: dict, txt_tables: dict):
    csv, txt = csv_tables["anesthesia_cf"], txt_tables["anesthesia_cf"]
    key = ["mac", "locality"]
    assert_frame_equal(txt.select(*key, "anesthesia_cf_usd"), csv.select(*key, "anesthesia_cf_usd"))
    assert txt["national_anesthesia_cf_usd"].null_count() == txt.height  # null, not 0: the .txt does not say
    names = csv.join(txt, on=key, suffix="_txt").select("locality_name", "locality_name_txt")
    cut = names.filter(pl.col("locality_name") != pl.col("locality_name_txt"))
    assert cut.height > 0
    for full, short in cut.iter_rows():
        assert len(full) > 40 and full.startswith(short) and len(short) <= 40


def test_the_locco_txt_is_refused_where_cms_dropped_california(cms: Path):
    """Line 13 of 25LOCCO.txt, California's first locality, has no state: reading on would file it under Arkansas."""
    data = (cms / "rvu25d" / "25LOCCO.txt").read_bytes()
    with pytest.raises(CmsFileError) as refused:
        parse_locco(data, "25LOCCO.txt")
    assert (refused.value.line, refused.value.column) == (13, "State")


def test_the_locco_txt_with_california_restored_matches_the_csv_but_for_cms_wording_and_cut_counties(cms: Path):
    lines = (cms / "rvu25d" / "25LOCCO.txt").read_bytes().split(b"\r\n")
    assert lines[12][22:42].strip() == b""
    lines[12] = lines[12][:22] + b"CALIFORNIA".ljust(20) + lines[12][42:]
    txt = parse_locco(b"\r\n".join(lines), "25LOCCO.txt")
    csv = parse_locco((cms / "rvu25d" / "25LOCCO.csv").read_bytes(), "25LOCCO.csv")

    same = ["mac", "locality", "state", "state_name", "served_by_two_macs"]
    assert_frame_equal(txt.select(same), csv.select(same))
    both = csv.join(txt, on=["mac", "locality"], suffix="_txt")
    # the two forms word Los Angeles and San Francisco differently (the .csv has CMS's typo "ORAGNGE")
    reworded = both.filter(pl.col("fee_schedule_area") != pl.col("fee_schedule_area_txt"))
    assert sorted(reworded.select("mac", "locality").iter_rows()) == [("01112", "05"), ("01182", "18")]
    counties = both.filter(pl.col("counties") != pl.col("counties_txt")).filter(
        ~pl.struct("mac", "locality").is_in(reworded.select(pl.struct("mac", "locality")).to_series().implode())
    )
    assert counties.height > 0
    for full, short in counties.select("counties", "counties_txt").iter_rows():
        assert len(full) > 58 and full.startswith(short)


def test_each_form_is_read_only_when_the_ones_before_it_are_absent():
    members = {
        "GPCI2025.csv": b"c",
        "GPCI2025.xlsx": b"x",
        "GPCI2025.txt": b"t",
        "25LOCCO.xlsx": b"l",
        "25LOCCO.txt": b"t",
        "ANES2025.txt": b"a",
    }
    defaults = settings.defaults()
    found = classify(
        members, defaults["files"], "non_qp", defaults["companions"], tuple(defaults["forms"]["preferred"])
    )
    assert found.files["gpci"] == ("GPCI2025.csv", b"c")
    assert found.files["locco"] == ("25LOCCO.xlsx", b"l")
    assert found.files["anes"] == ("ANES2025.txt", b"a")
    assert found.unexpected == []  # the other forms are CMS's companions, not surprises
