"""2026's two conversion factors: both PPRRVU variants are ingested; fees and rankings carry cf_variant."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import reader
from tests import cms_format as cms
from transforms.errors import CmsFileError
from transforms.releases.release import parse_release

NON_QP, QP = "33.4009", "33.5675"


def _row(cf: str, work: str = "0.43") -> str:
    return cms.pprrvu_row("97140", work=work, nf_pe="0.40", f_pe="0.40", mp="0.01", cf=cf, pric="9")


def _files(qp_work: str = "0.43") -> dict[str, bytes]:
    return {
        "PPRRVU2026_Apr_nonQPP.csv": cms.pprrvu([_row(NON_QP)], cms.HEADER_2026),
        "PPRRVU2026_Apr_QPP.csv": cms.pprrvu([_row(QP, work=qp_work)], cms.HEADER_2026),
        "GPCI2026.csv": cms.gpci(cms.GPCI_ALABAMA),
    }


def test_both_variants_parse_to_one_rvu_table_and_two_conversion_factors():
    files = _files()
    parsed = parse_release({
        "pprrvu": ("PPRRVU2026_Apr_nonQPP.csv", files["PPRRVU2026_Apr_nonQPP.csv"]),
        "pprrvu:qp": ("PPRRVU2026_Apr_QPP.csv", files["PPRRVU2026_Apr_QPP.csv"]),
    })  # fmt: skip
    assert parsed.conversion_factors == {"non_qp": Decimal(NON_QP), "qp": Decimal(QP)}
    assert parsed.frames["rvu"].height == 1


def test_variants_whose_rvus_differ_are_an_error_naming_the_line():
    files = _files(qp_work="0.44")
    with pytest.raises(CmsFileError) as error:
        parse_release({
            "pprrvu": ("PPRRVU2026_Apr_nonQPP.csv", files["PPRRVU2026_Apr_nonQPP.csv"]),
            "pprrvu:qp": ("PPRRVU2026_Apr_QPP.csv", files["PPRRVU2026_Apr_QPP.csv"]),
        })  # fmt: skip
    assert (error.value.file, error.value.line) == ("PPRRVU2026_Apr_QPP.csv", 11)


@pytest.fixture(scope="module")
def lake(tmp_path_factory, prefect) -> Path:
    from flows.releases.flow import refresh

    root = tmp_path_factory.mktemp("variants")
    folder = root / "rvu26b"
    folder.mkdir()
    for name, data in _files().items():
        (folder / name).write_bytes(data)
    refresh(release="RVU26B", source=str(folder), lake=str(root / "lake"))
    return root / "lake"


def test_fees_rankings_and_profiles_per_variant(lake: Path):
    con = reader.connect(lake)
    national = dict(con.execute("SELECT cf_variant, fee_nonfacility_usd FROM fee_national").fetchall())
    expected = {v: (Decimal("0.84") * Decimal(cf)).quantize(Decimal("0.01"), ROUND_HALF_UP) for v, cf in
                (("non_qp", NON_QP), ("qp", QP))}  # fmt: skip
    assert national == expected
    assert con.execute("SELECT count(*), count(DISTINCT cf_variant) FROM fee_locality").fetchone() == (2, 2)
    assert con.execute("SELECT cf_variants FROM releases").fetchone() == (["non_qp", "qp"],)
    ranked = con.execute("SELECT cf_variant, metric FROM category_ranking ORDER BY ALL").fetchall()
    assert ranked == [(v, m) for v in ("non_qp", "qp") for m in ("fee_nonfacility_usd", "nonfacility_total_rvu",
                                                                   "work_rvu")]  # fmt: skip
    assert con.execute("SELECT count(*) FROM code_profile").fetchone() == (2,)


def test_code_page_defaults_to_non_qp_and_shows_qp_on_request(lake: Path):
    default = CliRunner().invoke(app, ["code", "97140", "--release", "RVU26B", "--lake", str(lake)],
                                 env={"COLUMNS": "200"})  # fmt: skip
    qp = CliRunner().invoke(app, ["code", "97140", "--release", "RVU26B", "--cf-variant", "qp", "--lake", str(lake)],
                            env={"COLUMNS": "200"})  # fmt: skip
    assert f"${NON_QP}, non_qp" in default.output
    assert f"${QP}, qp" in qp.output and "$28.20" in qp.output
