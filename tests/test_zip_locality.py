"""ZIP code → locality → fee: CMS's ZIP code file in the lake, quarter-dated, and `pfs code --zip`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import reader
from flows.shared.archive import ArchiveError
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
    said = " ".join(result.stderr.split())
    assert f"ZIP {zip_code} is split between localities by its +4" in said and "--mac and --locality" in said
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


# -- ZIP+4: the ZIP9 file --------------------------------------------------------------------------------------------

SAN_MATEO = "01112,CA,06,SAN MATEO,1.05,1.15,0.45"
# ZIP 94110 split by +4: 0001 in San Francisco (05), 0002 in San Mateo (06); 35203 is one locality (00), which a
# stray ZIP9 record of it must not move
ZIP5_ROWS = [("AL", "35203", "10112", "00", "0"), ("CA", "94110", "01112", "05", "1")]
ZIP9_ROWS = [("CA", "94110", "01112", "05", "0001"), ("CA", "94110", "01112", "06", "0002"),
             ("AL", "35203", "01112", "06", "1234")]  # fmt: skip


def _zip_file(folder: Path, zip9: bytes | None) -> Path:
    """A ZIP code file as CMS ships it: one zip holding ZIP5, ZIP9 (unless None) and a layout."""
    folder.mkdir(parents=True)
    (folder / "ZIP5_OCT2025.txt").write_bytes(cms.zip5(ZIP5_ROWS))
    if zip9 is not None:
        (folder / "ZIP9_OCT2025.txt").write_bytes(zip9)
    (folder / "ZIP9lyout.txt").write_text("the record layout\r\n")
    archive = folder.parent / f"{folder.name}.zip"
    archive.write_bytes(cms.zipped(folder))
    return archive


@pytest.fixture(scope="module")
def plus_four_lake(tmp_path_factory, prefect) -> Path:
    """RVU25D (97140) with an Alabama and two California localities, and 2025Q4's ZIP file with its ZIP9 file."""
    from flows.releases.flow import refresh
    from flows.zip_locality.flow import refresh_zip_locality

    root = tmp_path_factory.mktemp("plus_four")
    folder = root / "RVU25D"
    folder.mkdir()
    (folder / "PPRRVU2025_Test.csv").write_bytes(cms.pprrvu([cms.pprrvu_row("97140")]))
    (folder / "GPCI2025.csv").write_bytes(cms.gpci([*cms.GPCI_ALABAMA, CALIFORNIA, SAN_MATEO]))
    lake = root / "lake"
    refresh(release="RVU25D", source=str(folder), lake=str(lake))
    assert refresh_zip_locality("2025Q4", str(_zip_file(root / "zip", cms.zip9(ZIP9_ROWS))), str(lake)).rows == 2
    return lake


@pytest.mark.parametrize(("zip_code", "locality"), [("94110-0001", "05"), ("941100002", "06"), ("35203-1234", "00")])
def test_a_zip_plus_four_is_priced_in_the_locality_of_its_zip9_record(plus_four_lake: Path, zip_code, locality):
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--zip", zip_code, "--json",
                                 "--lake", str(plus_four_lake)])  # fmt: skip
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert (profile["locality"], profile["zip_year_quarter"]) == (locality, "2025Q4")
    # a ZIP that is one locality ignores its +4; a split one names the +4 that decided
    assert profile["zip_plus_four"] == (zip_code[-4:] if zip_code.startswith("94110") else None)


@pytest.mark.parametrize(("zip_code", "says"), [
    ("94110", "ZIP 94110 is split between localities by its +4: give the ZIP+4 (94110-NNNN)"),
    ("94110-9999", "ZIP+4 94110-9999 is not in CMS's ZIP9 file of 2025Q4 (pfs does not guess a +4"),
])  # fmt: skip
def test_a_split_zip_without_its_plus_four_or_with_an_unknown_one_says_so(plus_four_lake: Path, zip_code, says):
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--zip", zip_code,
                                 "--lake", str(plus_four_lake)])  # fmt: skip
    assert result.exit_code == 1 and says in " ".join(result.stderr.split()) and "Traceback" not in result.output
    said = " ".join(result.stderr.split())
    assert "its localities: 01112 05 (SAN FRANCISCO, 1 +4s), 01112 06 (SAN MATEO, 1 +4s)" in said


def test_pfs_price_resolves_a_zip_plus_four_and_refuses_what_it_cannot(plus_four_lake: Path, tmp_path: Path):
    from tests.claims import price_rows

    # (zip, mac and locality given) per line: a split ZIP by its +4; without it; with a +4 the file lacks; a ZIP
    # that is not split, whose +4 changes nothing; a split ZIP beside a MAC and locality, which are used
    lines = [("94110-0002", "", ""), ("941100001", "", ""), ("94110", "", ""), ("94110-9999", "", ""),
             ("35203-1234", "", ""), ("94110-0002", "01112", "05")]  # fmt: skip
    rows = [{"claim_id": f"C{i}", "line": "1", "hcpcs": "97140", "modifiers": "", "units": "1",
             "place_of_service": "11", "date_of_service": "2025-11-03", "zip": zip_code, "mac": mac,
             "locality": locality} for i, (zip_code, mac, locality) in enumerate(lines)]  # fmt: skip
    priced = price_rows(plus_four_lake, tmp_path, rows)
    assert [(p["status"], p["locality"]) for p in priced] == [
        ("priced", "06"), ("priced", "05"), ("not_priced", ""), ("not_priced", ""), ("priced", "00"), ("priced", "05")
    ]  # fmt: skip
    con = reader.connect(plus_four_lake)
    expected = reference.locality_fee(con, "RVU25D", "97140", "", "01112", "06", "nonfacility")
    con.close()
    assert Decimal(priced[0]["allowed_usd"]) == expected
    assert "give the ZIP+4 (94110-NNNN), or mac and locality" in priced[2]["reasons"]
    assert "ZIP+4 94110-9999 is not in CMS's ZIP9 file of 2025Q4" in priced[3]["reasons"]


@pytest.mark.parametrize(("zip9", "error", "says"), [
    (None, ArchiveError, "expected one ZIP9_*.txt file (the ZIP+4 records CMS's zip carries), found 0"),
    (cms.zip9(ZIP9_ROWS, "20253"), CmsFileError, "ZIP9_OCT2025.txt, line 1, column 'year_quarter': holds 2025Q3"),
    (cms.zip9([("CA", "94110", "01112", "05", "00A1")]), CmsFileError, "'00A1' is not four digits"),
    (cms.zip9([ZIP9_ROWS[0], ZIP9_ROWS[0]]), CmsFileError, "duplicate key (zip5='94110', plus_four='0001')"),
])  # fmt: skip
def test_a_bad_zip9_file_is_refused_and_the_lake_left_as_it_was(plus_four_lake: Path, tmp_path: Path, prefect,
                                                                  zip9, error, says):  # fmt: skip
    import shutil

    from flows.zip_locality.flow import refresh_zip_locality

    lake = Path(shutil.copytree(plus_four_lake, tmp_path / "lake", ignore=shutil.ignore_patterns(".prefect")))
    before = published(lake)
    with pytest.raises(error) as refused:
        refresh_zip_locality("2025Q4", str(_zip_file(tmp_path / "bad", zip9)), str(lake), force=True)
    assert says in str(refused.value)
    assert published(lake) == before


def test_a_zip_file_published_before_pfs_read_zip9_files_has_no_zip_plus_four_rows(plus_four_lake: Path, tmp_path):
    """A quarter an older pfs published (no zip9_locality in its manifest, nor in pfs.duckdb): pfs reads the lake
    as it is, a split ZIP asking for a MAC and locality, and the next refresh's first step gives pfs.duckdb an empty
    zip9_locality for it."""
    import shutil

    import duckdb

    from flows.lake.publish import reconcile

    lake = Path(shutil.copytree(plus_four_lake, tmp_path / "lake", ignore=shutil.ignore_patterns(".prefect")))
    manifest_path = lake / "_manifests" / "zip_locality" / "2025Q4.json"
    manifest = json.loads(manifest_path.read_text())
    (lake / manifest["tables"].pop("zip9_locality")["file"]).unlink()
    manifest_path.write_text(json.dumps(manifest))
    with duckdb.connect(str(lake / "pfs.duckdb")) as con:  # as the older pfs left it: its state unchanged
        con.execute("DROP TABLE zip9_locality")
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--zip", "94110-0001", "--lake", str(lake)])
    said = " ".join(result.stderr.split())
    assert result.exit_code == 1 and "the lake holds no ZIP9 file of 2025Q4: give --mac and --locality" in said
    reconcile(lake)  # what every refresh runs first, under the lake's lock
    with duckdb.connect(str(lake / "pfs.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM zip9_locality").fetchone()[0] == 0
