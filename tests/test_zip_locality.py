"""ZIP code → locality → fee: CMS's ZIP code file in the lake, quarter-dated, and `pfs code --zip`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import reader
from tests import cms_format as cms
from tests import reference
from tests.lakefiles import published
from transforms.errors import CmsFileError

runner = CliRunner()
ZIP5 = "zip5_oct2025/ZIP5_OCT2025.txt"


def _records(cms: Path) -> list[str]:
    """The file's records, read here without pfs's parser."""
    return [line for line in (cms / ZIP5).read_text("latin-1").splitlines() if line.strip()]


def test_every_zip_of_the_october_file_resolves_to_one_rvu25d_locality(lake: Path, cms: Path):
    records = _records(cms)
    con = reader.connect(lake)
    matched = con.execute(
        "SELECT z.zip5, count(l.locality) AS n FROM zip_locality AS z "
        "LEFT JOIN localities AS l ON l.release = 'RVU25D' AND l.mac = z.mac AND l.locality = z.locality "
        "WHERE z.year_quarter = '2025Q4' GROUP BY z.zip5"
    ).fetchall()
    assert len(matched) == len(records) == 42_956
    assert {n for _, n in matched} == {1}
    flagged = con.execute("SELECT list(zip5 ORDER BY zip5) FROM zip_locality WHERE plus_four_required").fetchone()[0]
    assert flagged == sorted(r[2:7] for r in records if r[20] == "1") and len(flagged) == 580
    assert con.execute("SELECT count(DISTINCT (mac, locality)) FROM zip_locality").fetchone()[0] == 109


def test_code_at_a_zip_gives_its_locality_and_the_lake_fee(lake: Path):
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--zip", "94110", "--json",
                                 "--lake", str(lake)])  # fmt: skip
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert (profile["mac"], profile["locality"], profile["zip_year_quarter"]) == ("01112", "05", "2025Q4")
    con = reader.connect(lake)
    fee = tuple(
        reference.locality_fee(con, "RVU25D", "97140", "", "01112", "05", s) for s in ("nonfacility", "facility")
    )
    con.close()
    assert (
        Decimal(str(profile["locality_fee_nonfacility_usd"])),
        Decimal(str(profile["locality_fee_facility_usd"])),
    ) == fee
    plus_four = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--zip", "94110-2301", "--lake", str(lake)])
    assert plus_four.exit_code == 0 and "SAN FRANCISCO" in plus_four.stdout


def test_a_zip_priced_by_its_plus_four_names_the_candidate_localities(lake: Path, cms: Path):
    record = next(r for r in _records(cms) if r[20] == "1" and r[:2] == "AL")
    zip_code, mac, locality = record[2:7], record[7:12], record[12:14]
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--zip", zip_code, "--lake", str(lake)])
    assert result.exit_code == 1
    assert f"ZIP {zip_code} is priced by its +4" in result.stderr and "--mac and --locality" in result.stderr
    assert f"{mac} {locality} (ALABAMA)" in result.stderr


@pytest.mark.parametrize(("zip_code", "says"), [("00000", "ZIP 00000 is not in CMS's ZIP code file of 2025Q4"),
                                                ("9411", "'9411' is not a ZIP code")])  # fmt: skip
def test_an_unknown_zip_is_a_clear_error(lake: Path, zip_code: str, says: str):
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--zip", zip_code, "--lake", str(lake)])
    assert result.exit_code == 1 and says in result.stderr and "Traceback" not in result.output


CALIFORNIA = "01112,CA,05,SAN FRANCISCO,1.1,1.2,0.5"


@pytest.fixture(scope="module")
def quarters_lake(tmp_path_factory, prefect) -> Path:
    """Fixture releases RVU25C and RVU25D, and two quarters' ZIP files that move ZIP 94110 between localities."""
    from flows.releases.flow import refresh
    from flows.zip_locality.flow import refresh_zip_locality

    root = tmp_path_factory.mktemp("quarters")
    lake = root / "lake"
    for label in ("RVU25C", "RVU25D"):
        folder = root / label
        folder.mkdir()
        (folder / "PPRRVU2025_Test.csv").write_bytes(cms.pprrvu([cms.pprrvu_row("97140")]))
        (folder / "GPCI2025.csv").write_bytes(cms.gpci([*cms.GPCI_ALABAMA, CALIFORNIA]))
        refresh(release=label, source=str(folder), lake=str(lake))
    for quarter, locality in (("20253", "00"), ("20254", "05")):
        mac = "10112" if locality == "00" else "01112"
        (root / f"ZIP5_{quarter}.txt").write_bytes(cms.zip5([("CA", "94110", mac, locality, "0")], quarter))
        refresh_zip_locality(f"{quarter[:4]}Q{quarter[4]}", str(root / f"ZIP5_{quarter}.txt"), str(lake))
    return lake


@pytest.mark.parametrize(
    ("day", "release", "mac"), [("2025-08-01", "RVU25C", "10112"), ("2025-11-01", "RVU25D", "01112")]
)
def test_a_date_of_service_picks_the_zip_file_of_its_quarter(quarters_lake: Path, day: str, release: str, mac: str):
    result = runner.invoke(
        app, ["code", "97140", "--date", day, "--zip", "94110", "--json", "--lake", str(quarters_lake)]
    )
    profile = json.loads(result.stdout)
    assert (profile["release"], profile["mac"], profile["zip_year_quarter"]) == (
        release,
        mac,
        f"2025Q{int(day[5:7]) // 3 + 1}",
    )
    early = runner.invoke(
        app, ["code", "97140", "--date", "2025-01-15", "--zip", "94110", "--lake", str(quarters_lake)]
    )
    assert early.exit_code == 1


def test_a_zip_file_of_another_quarter_or_layout_is_refused_and_the_lake_kept(quarters_lake: Path, tmp_path: Path):
    from flows.zip_locality.flow import refresh_zip_locality

    before = published(quarters_lake)
    wrong = tmp_path / "ZIP5_JAN2026.txt"
    wrong.write_bytes(cms.zip5([("CA", "94110", "01112", "05", "0")], "20261"))
    with pytest.raises(
        CmsFileError, match=r"ZIP5_JAN2026.txt, line 1, column 'year_quarter': holds 2026Q1, not 2025Q4"
    ):
        refresh_zip_locality("2025Q4", str(wrong), str(quarters_lake))
    shifted = tmp_path / "ZIP5_OCT2025.txt"
    one_place_right = "CA9411101112 05 Z9   0 A".ljust(75) + "20254\r\n"  # a blank crept in after the MAC
    shifted.write_bytes(cms.zip5([("CA", "94110", "01112", "05", "0")]) + one_place_right.encode())
    with pytest.raises(CmsFileError, match=r"ZIP5_OCT2025.txt, line 2, column 'character 22': '0' where"):
        refresh_zip_locality("2025Q4", str(shifted), str(quarters_lake))
    assert published(quarters_lake) == before
