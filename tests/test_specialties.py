"""Who bills each code: CMS's utilization files into code_specialty and code_place_of_service, checked against
counts made here from the files themselves."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import reader
from tests.lakefiles import everything, published
from transforms.errors import CmsFileError

ROOT = Path(__file__).resolve().parent.parent
ALIASES = {k.lower(): v for k, v in tomllib.loads((ROOT / "config/utilization.toml").read_text())["aliases"].items()}

CURRENT = [  # Provider and Service, current layout: an NPI per row, F/O places, a name with a comma, fractions
    "Rndrng_NPI,Rndrng_Prvdr_Last_Org_Name,Rndrng_Prvdr_Type,HCPCS_Cd,HCPCS_Desc,Place_Of_Srvc,Tot_Benes,Tot_Srvcs",
    '1000000001,"SMITH, JR",Physical Therapist in Private Practice,97140,"Manual therapy, 1+ regions",O,40,300',
    "1000000002,JONES,Physical Therapist in Private Practice,97140,Manual therapy,O,20,100",
    "1000000003,LEE,Chiropractic,97140,Manual therapy,O,15,100",
    "1000000003,LEE,Chiropractic,97140,Manual therapy,F,11,50",
    "1000000004,DOE,Ambulance Service Supplier,A0425,Ground mileage,O,12,12.5",
    "1000000005,ROE,Ambulance Service Supplier,A0425,Ground mileage,F,13,7.5",
]
PSPS = [  # PSPS: allowed = submitted - denied; '*' suppressed; a code the crosswalk lacks; facility place 21
    "HCPCS_CD,HCPCS_INITIAL_MODIFIER_CD,PROVIDER_SPEC_CD,CARRIER_NUM,PRICING_LOCALITY_CD,TYPE_OF_SERVICE_CD,"
    "PLACE_OF_SERVICE_CD,HCPCS_SECOND_MODIFIER_CD,PSPS_SUBMITTED_SERVICE_CNT,PSPS_DENIED_SERVICES_CNT",
    "97140,GP,65,01112,05,1,11,,1000,100",
    "97140,GP,65,10112,00,1,22,,400,0",
    "97140,,35,01112,05,1,11,,600,100",
    "97140,,35,01112,05,1,21,,*,0",
    "97140,,ZZ,01112,05,1,11,,50,0",
]
CROSSWALK = [
    "medicare_specialty_code,medicare_provider_supplier_type_description",
    "35,Chiropractic",
    "65,Physical Therapist in Private Practice",
    "08,Physician/Family Practice [1]",
]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _rows(lake: Path, sql: str, **params) -> list[tuple]:
    con = reader.connect(lake)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def fixture_lake(tmp_path_factory, prefect) -> Path:
    """A lake holding the current-layout fixture as 2023 and the PSPS fixture as 2023."""
    from flows.utilization.flow import refresh_utilization

    root = tmp_path_factory.mktemp("specialties")
    lake = root / "lake"
    refresh_utilization(2023, str(_write(root / "prov_svc.csv", CURRENT)), str(lake))
    crosswalk = _write(root / "crosswalk.csv", CROSSWALK)
    refresh_utilization(2023, str(_write(root / "psps.csv", PSPS)), str(lake), str(crosswalk))
    return lake


def test_current_layout_shares_providers_and_places(fixture_lake: Path):
    rows = _rows(fixture_lake, "SELECT specialty, services, share, providers, beneficiaries, rank FROM code_specialty "
                 "WHERE source = 'provider_service' AND hcpcs = '97140' ORDER BY rank")  # fmt: skip
    assert rows == [
        ("Physical Therapist in Private Practice", 400.0, 400 / 550, 2, 60.0, 1),
        ("Chiropractic", 150.0, 150 / 550, 1, 26.0, 2),
    ]
    places = _rows(fixture_lake, "SELECT hcpcs, setting, services, share FROM code_place_of_service "
                   "WHERE source = 'provider_service' ORDER BY ALL")  # fmt: skip
    assert places == [
        ("97140", "facility", 50.0, 50 / 550), ("97140", "nonfacility", 500.0, 500 / 550),
        ("A0425", "facility", 7.5, 7.5 / 20), ("A0425", "nonfacility", 12.5, 12.5 / 20),
    ]  # fmt: skip


def test_psps_allowed_services_crosswalk_names_and_suppressed_cells(fixture_lake: Path):
    columns = "specialty, specialty_code, services, providers, beneficiaries"
    rows = _rows(fixture_lake, f"SELECT {columns} FROM code_specialty WHERE source = 'psps' AND hcpcs = '97140' "
                 "ORDER BY rank")  # fmt: skip
    assert rows == [
        ("Physical Therapist in Private Practice", "65", 1300.0, None, None),  # (1000 - 100) + 400
        ("Chiropractic", "35", 500.0, None, None),  # 600 - 100; the suppressed row is not services
        ("specialty code ZZ (not in the crosswalk)", "ZZ", 50.0, None, None),
    ]
    assert _rows(fixture_lake, "SELECT setting, services FROM code_place_of_service WHERE source = 'psps' "
                 "ORDER BY setting") == [("facility", 400.0), ("nonfacility", 1450.0)]  # fmt: skip
    manifest = _manifest(fixture_lake, "2023-psps")
    assert manifest["suppressed_rows"] == 1 and manifest["source_rows"] == 5


def _manifest(lake: Path, label: str) -> dict:
    import json

    return json.loads((lake / "_manifests" / "utilization" / f"{label}.json").read_text())


def test_every_codes_shares_sum_to_one_per_source_and_year(fixture_lake: Path):
    for table in ("code_specialty", "code_place_of_service"):
        sums = _rows(fixture_lake, f"SELECT year, source, hcpcs, sum(share) FROM {table} GROUP BY ALL")
        assert sums and all(abs(total - 1) < 1e-12 for *_, total in sums), table


def test_pfs_code_shows_the_top_specialties_and_says_when_there_are_none(
    fixture_lake: Path, tmp_path: Path, cms, prefect
):
    import shutil

    from flows.releases.flow import refresh

    lake = tmp_path / "lake"
    shutil.copytree(fixture_lake, lake)
    refresh(release="RVU25D", source=str(cms / "archives" / "rvu25d.zip"), lake=str(lake))
    page = CliRunner().invoke(
        app, ["code", "97140", "--release", "RVU25D", "--lake", str(lake)], env={"COLUMNS": "250"}
    )
    assert page.exit_code == 0, page.output
    assert "2023 provider_service: Physical Therapist in Private Practice 72.7%, Chiropractic 27.3%" in page.output
    other = CliRunner().invoke(
        app, ["code", "99213", "--release", "RVU25D", "--lake", str(lake)], env={"COLUMNS": "250"}
    )
    assert "none in the lake for this code" in other.output


def test_the_real_2012_file_gives_the_counts_made_from_it_directly(tmp_path: Path, cms: Path, prefect):
    """Every row of code_specialty 2012 recomputed here from the TSV with csv, by provider_type."""
    from flows.utilization.flow import refresh_utilization

    sample = cms / "utilization" / "physician_supplier_puf_cy2012_sample.tsv"
    lake = tmp_path / "lake"
    done = refresh_utilization(2012, str(sample), str(lake))
    services: Counter = Counter()
    npis: dict[tuple[str, str], set] = defaultdict(set)
    with sample.open(newline="") as file:
        for row in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE):
            key = (row["hcpcs_code"], ALIASES.get(row["provider_type"].lower(), row["provider_type"]))
            services[key] += Decimal(row["line_srvc_cnt"])
            npis[key].add(row["npi"])
    totals: Counter = Counter()
    for (hcpcs, _), count in services.items():
        totals[hcpcs] += count
    lake_rows = _rows(lake, "SELECT hcpcs, specialty, services, share, providers FROM code_specialty WHERE year = 2012")
    assert len(lake_rows) == len(services) == done.rows["code_specialty"]
    for hcpcs, specialty, count, share, providers in lake_rows:
        assert count == services[(hcpcs, specialty)]
        assert share == pytest.approx(float(services[(hcpcs, specialty)] / totals[hcpcs]), abs=1e-12)
        assert providers == len(npis[(hcpcs, specialty)])
    top = _rows(lake, "SELECT specialty, share FROM code_specialty WHERE hcpcs = '97140' AND rank = 1")
    expected = float(services[("97140", "Physical Therapist in Private Practice")] / totals["97140"])
    assert top == [("Physical Therapist in Private Practice", pytest.approx(expected))]


def test_running_the_same_file_again_changes_no_byte(fixture_lake: Path, tmp_path: Path):
    from flows.utilization.flow import refresh_utilization

    before = everything(fixture_lake)
    again = refresh_utilization(2023, str(_write(tmp_path / "prov_svc.csv", CURRENT)), str(fixture_lake))
    assert again.skipped and everything(fixture_lake) == before


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (
            [*CURRENT[:3], CURRENT[3].replace(",100", ",many")],
            r"prov_svc.csv, line 4, column 'Tot_Srvcs': .*not a number",
        ),
        (
            [CURRENT[0].replace("Tot_Srvcs", "Services"), *CURRENT[1:]],
            r"prov_svc.csv, line 1, column 'Tot_Srvcs': is no utilization layout pfs knows",
        ),
        ([*CURRENT[:4], CURRENT[4][:30]], r"prov_svc.csv, line 5, column 'Place_Of_Srvc': no value"),
        ([*CURRENT[:2], CURRENT[2].replace("97140", "")], r"prov_svc.csv, line 3, column 'HCPCS_Cd': no value"),
    ],
    ids=["a count that is not a number", "a renamed column", "a truncated file", "a row without its code"],
)
def test_bad_input_is_refused_naming_file_line_and_column_and_the_lake_kept(
    fixture_lake: Path, tmp_path: Path, lines: list[str], says: str
):
    from flows.utilization.flow import refresh_utilization

    before = published(fixture_lake)
    with pytest.raises(CmsFileError, match=says):
        refresh_utilization(2023, str(_write(tmp_path / "prov_svc.csv", lines)), str(fixture_lake))
    assert published(fixture_lake) == before


def test_a_year_is_loaded_from_a_url_and_a_web_page_instead_is_refused(tmp_path: Path, prefect):
    from flows.shared.raw import DownloadError
    from flows.utilization.flow import refresh_utilization
    from tests.conftest import serving

    site = tmp_path / "site"
    site.mkdir()
    _write(site / "prov_svc.csv", CURRENT)
    _write(site / "moved.csv", ["<!DOCTYPE html>", "<html><body>This dataset has moved</body></html>"])
    with serving(site) as url:
        lake = tmp_path / "lake"
        done = refresh_utilization(2023, f"{url}/prov_svc.csv", str(lake))
        assert done.rows == {"code_specialty": 3, "code_place_of_service": 4}  # 97140 x 2 specialties, A0425 x 1
        assert reader_origin(lake) == f"{url}/prov_svc.csv"
        before = everything(lake)
        with pytest.raises(DownloadError, match="did not serve a data file"):
            refresh_utilization(2023, f"{url}/moved.csv", str(lake))
        assert everything(lake) == before


def reader_origin(lake: Path) -> str:
    return _manifest(lake, "2023-provider_service")["source"]["origin"]


def test_psps_names_come_from_cms_crosswalk_which_lacks_the_newer_codes(tmp_path: Path, cms: Path, prefect):
    """CMS's 2017 crosswalk: its "Physician/" names are tidied, a code it lacks (21, newer) keeps its code."""
    from flows.utilization.flow import refresh_utilization

    lines = [PSPS[0], "99213,,08,01112,05,1,11,,70,0", "99213,,65,01112,05,1,11,,20,0", "99213,,21,01112,05,1,11,,10,0"]
    crosswalk = cms / "utilization" / "medicare_specialty_codes_2017.csv"
    lake = tmp_path / "lake"
    refresh_utilization(2024, str(_write(tmp_path / "psps.csv", lines)), str(lake), str(crosswalk))
    assert _rows(lake, "SELECT specialty, specialty_code, share FROM code_specialty ORDER BY rank") == [
        ("Family Practice", "08", 0.7),
        ("Physical Therapist in Private Practice", "65", 0.2),
        ("specialty code 21 (not in the crosswalk)", "21", 0.1),
    ]


def test_a_crosswalk_without_code_and_name_columns_is_refused_naming_the_file():
    import polars as pl

    from transforms.utilization import crosswalk

    with pytest.raises(CmsFileError, match=r"taxonomy.csv, line 1: is no specialty crosswalk"):
        crosswalk(pl.DataFrame({"PROVIDER TAXONOMY CODE": ["207Q00000X"]}), "taxonomy.csv")
    today = crosswalk(
        pl.DataFrame(
            {
                "MEDICARE SPECIALTY CODE": ["08", "08"],
                "MEDICARE PROVIDER/SUPPLIER TYPE DESCRIPTION": ["Family Practice", "Other"],
            }
        ),
        "x",
    )
    assert today.collect().rows() == [("08", "Family Practice")]  # one name per code: the first


def test_a_changed_alias_reprocesses_the_same_file_with_the_new_names(tmp_path: Path, monkeypatch, prefect):
    import shutil

    from flows import settings
    from flows.utilization.flow import refresh_utilization

    lake, data = tmp_path / "lake", _write(tmp_path / "prov_svc.csv", CURRENT)
    refresh_utilization(2023, str(data), str(lake))
    names = "SELECT DISTINCT specialty FROM code_specialty WHERE hcpcs = '97140' ORDER BY 1"
    assert _rows(lake, names) == [("Chiropractic",), ("Physical Therapist in Private Practice",)]
    assert refresh_utilization(2023, str(data), str(lake)).skipped  # nothing changed: not read again

    config = tmp_path / "config"
    shutil.copytree(settings.CONFIG, config)
    rules_file = config / "utilization.toml"
    rules_file.write_text(rules_file.read_text().replace("[aliases]\n", '[aliases]\n"Chiropractic" = "Chiropractor"\n'))
    monkeypatch.setattr(settings, "CONFIG", config)
    again = refresh_utilization(2023, str(data), str(lake))
    monkeypatch.undo()
    assert not again.skipped
    assert _rows(lake, names) == [("Chiropractor",), ("Physical Therapist in Private Practice",)]
