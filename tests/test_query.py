"""`pfs sql`, `pfs code --json`, `pfs releases`: the lake read by analysts and scripts, never changed by them."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.lakefiles import everything

runner = CliRunner()
QUERY = (
    "SELECT hcpcs, modifier, fee_nonfacility_usd FROM fee_national "
    "WHERE release = 'RVU25D' AND hcpcs IN ('97140', '76145') ORDER BY 1, 2"
)


def _expected(db) -> list[tuple]:
    return db.execute(QUERY).fetchall()


def test_sql_as_csv_and_json_equals_the_lake(lake: Path, db):
    expected = _expected(db)
    as_csv = runner.invoke(app, ["sql", QUERY, "--lake", str(lake), "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["hcpcs"], r["modifier"], Decimal(r["fee_nonfacility_usd"])) for r in rows] == expected
    as_json = runner.invoke(app, ["sql", QUERY, "--lake", str(lake), "--format", "json"])
    records = json.loads(as_json.stdout)
    assert [(r["hcpcs"], r["modifier"], Decimal(str(r["fee_nonfacility_usd"]))) for r in records] == expected


def test_sql_as_a_table_and_as_parquet(lake: Path, db, tmp_path: Path):
    table = runner.invoke(app, ["sql", QUERY, "--lake", str(lake)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "97140" in table.stdout and "27.17" in table.stdout
    assert f"{len(_expected(db))} rows" in table.stdout
    out = tmp_path / "fees.parquet"
    done = runner.invoke(app, ["sql", QUERY, "--lake", str(lake), "--format", "parquet", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert [tuple(r.values()) for r in pq.read_table(out).to_pylist()] == _expected(db)
    refused = runner.invoke(app, ["sql", QUERY, "--lake", str(lake), "--format", "parquet"])
    assert refused.exit_code == 2 and "--out" in refused.stderr


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("CREATE TABLE mine AS SELECT 1", "read-only mode"),
        ("DELETE FROM rvu", "read-only mode"),
        ("DROP VIEW code_change", "read-only mode"),
        ("COPY rvu TO 'stolen.csv'", "disabled by configuration"),
        ("ATTACH 'other.duckdb' AS other", "disabled by configuration"),
    ],
)
def test_sql_refuses_to_write_and_changes_nothing(lake: Path, statement: str, says: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = everything(lake)
    result = runner.invoke(app, ["sql", statement, "--lake", str(lake)])
    assert result.exit_code == 1
    assert says in result.stderr and "read-only" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert everything(lake) == before and not list(tmp_path.iterdir())


def test_a_bad_query_is_one_line_of_duckdb_and_status_1(lake: Path):
    result = runner.invoke(app, ["sql", "SELECT nope FROM rvu", "--lake", str(lake)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert 'Referenced column "nope" not found' in result.stderr and "Traceback" not in result.output


def test_the_prompt_runs_statements_until_quit_and_survives_errors(lake: Path):
    typed = "SELECT count(*) AS n\nFROM rvu WHERE release = 'RVU25D';\nSELEC 1;\nSELECT 2 AS two;\n.quit\nSELECT 3;\n"
    result = runner.invoke(app, ["sql", "--lake", str(lake), "--format", "csv"], input=typed)
    assert result.exit_code == 0
    assert result.stdout.split() == ["n", "19090", "two", "2"]
    assert "syntax error" in result.stderr


def test_code_json_has_the_stable_keys_and_the_lake_values(lake: Path, db):
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--lake", str(lake), "--json"])
    profile = json.loads(result.stdout)
    keys = ["hcpcs", "release", "cf_variant", "description", "status_code", "work_rvu", "nonfacility_total_rvu",
            "facility_total_rvu", "fee_nonfacility_usd", "fee_facility_usd", "nonfacility_na", "facility_na",
            "category", "percentile", "median", "max_value", "max_hcpcs"]  # fmt: skip
    assert set(keys) <= set(profile)
    row = db.execute(
        f"SELECT {', '.join(keys)} FROM code_profile "
        "WHERE release = 'RVU25D' AND hcpcs = '97140' AND cf_variant = 'non_qp'"
    ).fetchone()
    for key, value in zip(keys, row, strict=True):
        assert (Decimal(str(profile[key])) if isinstance(value, Decimal) else profile[key]) == value, key
    assert profile["fee_nonfacility_usd"] == 27.17 and profile["facility_na"] is True


def test_code_with_a_mac_and_locality_gives_that_locality_fee(lake: Path, db):
    result = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--mac", "10112", "--locality", "0",
                                 "--lake", str(lake), "--json"])  # fmt: skip
    profile = json.loads(result.stdout)
    assert (profile["mac"], profile["locality"], profile["state"]) == ("10112", "00", "AL")
    assert profile["locality_fee_nonfacility_usd"] == 25.34
    unknown = runner.invoke(app, ["code", "97140", "--release", "RVU25D", "--mac", "10112", "--locality", "07",
                                  "--lake", str(lake)])  # fmt: skip
    assert unknown.exit_code == 1 and "MAC 10112 has no locality 07 in RVU25D (it has 00)" in unknown.stderr


def test_releases_lists_what_the_lake_holds(lake: Path):
    result = runner.invoke(app, ["releases", "--lake", str(lake), "--json"])
    listed = {r["release"]: r for r in json.loads(result.stdout)}
    assert list(listed) == ["RVU22A", "RVU25D", "RVU26C"]
    d = listed["RVU25D"]
    assert (d["year"], d["effective_from"], d["effective_to"]) == (2025, "2025-10-01", "2025-12-31")
    assert d["conversion_factors_usd"] == {"non_qp": 32.3465} and d["files_missing"] == []
    assert d["rows"]["rvu"] == 19_090 and d["rows"]["fee_locality"] == 2_080_810
    assert len(d["archive_sha256"]) == 64
    assert listed["RVU22A"]["files_missing"] == ["locco", "anes", "oppscap"]
    assert listed["RVU26C"]["conversion_factors_usd"] == {"non_qp": 33.4009}
    table = runner.invoke(app, ["releases", "--lake", str(lake)], env={"COLUMNS": "200"})
    assert "RVU26C" in table.stdout and "2,080,810" in table.stdout


def test_reading_commands_never_import_prefect(lake: Path):
    import subprocess
    import sys

    script = (
        "import sys; from typer.testing import CliRunner; from flows.cli import app; r = CliRunner(); "
        f"r.invoke(app, ['code', '97140', '--release', 'RVU25D', '--lake', {str(lake)!r}, '--json']); "
        f"r.invoke(app, ['sql', 'SELECT 1', '--lake', {str(lake)!r}]); "
        f"r.invoke(app, ['releases', '--lake', {str(lake)!r}]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'prefect'))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
    assert done.stdout.strip() == "[]"
