"""`pfs code` as a user reads it, and a failed refresh that leaves the published lake as it was."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import reader
from tests import cms_format as cms
from tests.lakefiles import published as published_files
from transforms.errors import CmsFileError

runner = CliRunner()


def test_code_page_shows_fees_ranking_sentence_and_na(lake: Path):
    page = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--lake", str(lake)], env={"COLUMNS": "200"})
    assert page.exit_code == 0, page.output
    assert "Manual therapy" in page.output
    assert "$27.17" in page.output
    # beside it, as CMS's look-up tool: a non-participating provider's 95% and its limiting charge (109.25%)
    assert "non-facility $25.81, limiting charge $29.68" in page.output  # 27.17 x 0.95, 27.17 x 1.0925
    assert "percentile among Medicine codes" in page.output and "below the median" in page.output
    assert "The highest wRVU in this category is" in page.output
    na = runner.invoke(app, ["code", "76145", "--release", "RVU25D", "--lake", str(lake)], env={"COLUMNS": "200"})
    assert (
        "National fee, facility" in na.output and "NA" in na.output.split("National fee, facility")[1].splitlines()[0]
    )


def test_2026_code_page_reads_as_the_issue_example(lake: Path):
    """The sentence of the brief's example page, on the real RVU26C file."""
    page = runner.invoke(app, ["code", "97140", "--release", "RVU26C", "--lake", str(lake)], env={"COLUMNS": "250"})
    assert "ranks in the 27th percentile among Medicine codes — 1.8× below the median" in page.output


def test_unknown_code_is_a_clear_error(lake: Path):
    result = runner.invoke(app, ["code", "XXXXX", "--release", "RVU25D", "--lake", str(lake)])
    assert result.exit_code == 1 and "not in release RVU25D" in result.output


def _release_folder(tmp_path: Path, name: str, rows: list[str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "PPRRVU2025_Apr.csv").write_bytes(cms.pprrvu(rows))
    (folder / "GPCI2025.csv").write_bytes(cms.gpci(["10112,AL,0,ALABAMA,1,0.869,0.575"]))
    return folder


def test_refresh_is_repeatable_and_a_failed_one_keeps_the_previous_release(tmp_path: Path, prefect):
    from flows.releases.flow import refresh

    lake = tmp_path / "lake"
    good = _release_folder(
        tmp_path, "good", [cms.pprrvu_row("97140", work="0.43", nf_pe="0.40", f_pe="0.40", mp="0.01")]
    )
    published = refresh(release="RVU25B", source=str(good), lake=str(lake))
    assert published.rows["fee_locality"] == 1
    first = published_files(lake)
    refresh(release="RVU25B", source=str(good), lake=str(lake))
    before = published_files(lake)
    parquet = [name for name in first if name.endswith(".parquet")]
    assert [before[name] for name in parquet] == [first[name] for name in parquet]  # byte-identical files
    bad = _release_folder(tmp_path, "bad", [cms.pprrvu_row("97140"), cms.pprrvu_row("97140")])
    with pytest.raises(CmsFileError, match="PPRRVU2025_Apr.csv"):
        refresh(release="RVU25B", source=str(bad), lake=str(lake))
    assert published_files(lake) == before
    # the alabama fee of the fixture row: (0.43 x 1 + 0.40 x 0.869 + 0.01 x 0.575) x 32.3465 = 25.34
    con = reader.connect(lake)
    assert con.execute("SELECT fee_nonfacility_usd FROM fee_locality").fetchall()[0][0] == Decimal("25.34")
