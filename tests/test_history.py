"""Releases over time: the release in force on a date of service, and what changed between releases."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import reader
from flows.lookup.history import code_changes, release_on
from tests import cms_format as cms

ALABAMA = "10112,AL,0,ALABAMA,1,0.869,0.575"


def _publish(lake: Path, root: Path, release: str, rows: list[str], gpci: list[str]) -> None:
    from flows.releases.flow import refresh

    folder = root / release
    folder.mkdir()
    (folder / "PPRRVU2024_Test.csv").write_bytes(cms.pprrvu(rows))
    (folder / "GPCI2024.csv").write_bytes(cms.gpci(gpci))
    refresh(release=release, source=str(folder), lake=str(lake))


@pytest.fixture(scope="module")
def history_lake(tmp_path_factory, prefect) -> Path:
    """RVU24A, its correction RVU24AR (97140's work RVU fixed) and RVU24B (99213 added, 97110 deleted)."""
    root = tmp_path_factory.mktemp("history")
    lake = root / "lake"
    code_a, code_b = cms.pprrvu_row("97140", work="0.43"), cms.pprrvu_row("97110", work="0.45")
    _publish(lake, root, "RVU24A", [code_a, code_b], [ALABAMA])
    _publish(lake, root, "RVU24AR", [cms.pprrvu_row("97140", work="0.48"), code_b], [ALABAMA])
    alaska = "2102,AK,1,ALASKA*,1.5,1.081,0.592"
    _publish(lake, root, "RVU24B", [cms.pprrvu_row("97140", work="0.48"), cms.pprrvu_row("99213")],
             ["10112,AL,0,ALABAMA,1,0.870,0.575", alaska])  # fmt: skip
    return lake


@pytest.fixture
def db(history_lake: Path):
    con = reader.connect(history_lake)
    yield con
    con.close()


@pytest.mark.parametrize(
    ("day", "release"),
    [
        (date(2024, 1, 1), "RVU24AR"),  # the correction, not RVU24A, from the first day
        (date(2024, 3, 31), "RVU24AR"),
        (date(2024, 4, 1), "RVU24B"),
        (date(2024, 6, 30), "RVU24B"),
    ],
)
def test_release_in_force_at_quarter_boundaries_and_around_a_correction(db, day, release):
    assert release_on(db, day) == release


def test_a_date_priced_by_a_release_the_lake_lacks_names_it(db):
    with pytest.raises(LookupError, match="RVU24C is in force on 2024-07-01 but not in the lake"):
        release_on(db, date(2024, 7, 1))
    with pytest.raises(LookupError, match="no CMS release of the catalog prices dates of service on 2019-12-31"):
        release_on(db, date(2019, 12, 31))


def test_code_change_between_consecutive_releases(db):
    rows = db.execute(
        "SELECT from_release, to_release, hcpcs, change, from_work_rvu, to_work_rvu FROM code_change ORDER BY ALL"
    ).fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("RVU24A", "RVU24AR", "97140", "rvu_changed"),
        ("RVU24AR", "RVU24B", "97110", "deleted"),
        ("RVU24AR", "RVU24B", "99213", "added"),
    ]
    assert [str(v) for v in rows[0][4:]] == ["0.43", "0.48"]


def test_gpci_change_per_locality(db):
    rows = db.execute("SELECT from_release, to_release, mac, locality, change FROM gpci_change ORDER BY ALL").fetchall()
    assert rows == [("RVU24AR", "RVU24B", "02102", "01", "added"), ("RVU24AR", "RVU24B", "10112", "00", "gpci_changed")]


def test_code_page_by_date_of_service(history_lake: Path):
    page = CliRunner().invoke(app, ["code", "97140", "--date", "2024-02-15", "--lake", str(history_lake)])
    assert page.exit_code == 0, page.output
    assert "release RVU24AR in force" in page.output and "0.48" in page.output


def test_change_report_between_any_two_releases(history_lake: Path):
    report = CliRunner().invoke(app, ["changes", "--from", "RVU24A", "--to", "RVU24B", "--lake", str(history_lake)],
                                env={"COLUMNS": "200"})  # fmt: skip
    assert report.exit_code == 0, report.output
    assert "RVU24A → RVU24B: 3 codes × modifiers changed" in report.output
    unknown = CliRunner().invoke(app, ["changes", "--from", "RVU23D", "--to", "RVU24B", "--lake", str(history_lake)])
    assert unknown.exit_code == 1 and "not in the lake: RVU23D" in unknown.output


def _codes(path: Path) -> set[tuple[str, str]]:
    with open(path, encoding="latin-1") as f:
        return {(r[0].strip(), r[1].strip()) for r in csv.reader(f) if r and len(r[0].strip()) == 5 and r[0] != "HCPCS"}


def test_real_change_report_counts_match_the_two_files(cms: Path, db_real):
    """RVU22A -> RVU25D: added and deleted codes, compared with the two CSVs directly."""
    old, new = _codes(cms / "rvu22a" / "PPRRVU22_JAN.csv"), _codes(cms / "rvu25d" / "PPRRVU2025_Oct.csv")
    changes = code_changes(db_real, "RVU22A", "RVU25D")
    counts = dict(changes.group_by("change").len().iter_rows())
    assert counts["added"] == len(new - old)
    assert counts["deleted"] == len(old - new)
    added = set(changes.filter(changes["change"] == "added").select("hcpcs", "modifier").iter_rows())
    assert added == new - old
