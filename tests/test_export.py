"""`pfs export`: a feed a dashboard loads without DuckDB; every file meets its JSON Schema, every number is the
lake's, and exporting the same release again changes no byte."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import reader
from tests import cms_format as cms

runner = CliRunner()
CALIFORNIA = "01112,CA,05,SAN FRANCISCO,1.1,1.2,0.5"


@pytest.fixture(scope="module")
def feed_lake(tmp_path_factory, prefect) -> Path:
    """RVU25C then RVU25D: 97140 (work changes), 76145 with a 26 and a TC row, and a C status code."""
    from flows.releases.flow import refresh

    root = tmp_path_factory.mktemp("feed")
    lake = root / "lake"
    for label, work in (("RVU25C", "0.40"), ("RVU25D", "0.43")):
        folder = root / label
        folder.mkdir()
        rows = [
            cms.pprrvu_row("97140", work=work, nf_pe="0.40", f_pe="0.40", mp="0.01"),
            cms.pprrvu_row("76145", work="1.00"),
            cms.pprrvu_row("76145", mod="26", work="1.00"),
            cms.pprrvu_row("76145", mod="TC", work="0.00"),
            cms.pprrvu_row("0001F", status="C", work="0.00"),
        ]
        (folder / "PPRRVU2025_Test.csv").write_bytes(cms.pprrvu(rows))
        (folder / "GPCI2025.csv").write_bytes(cms.gpci([*cms.GPCI_ALABAMA, CALIFORNIA]))
        refresh(release=label, source=str(folder), lake=str(lake))
    from flows.utilization.flow import refresh_utilization

    utilization = root / "prov_svc.csv"
    utilization.write_text(
        "Rndrng_NPI,Rndrng_Prvdr_Type,HCPCS_Cd,Place_Of_Srvc,Tot_Benes,Tot_Srvcs\n"
        "1000000001,Chiropractic,97140,O,12,30\n1000000002,Physical Therapist,97140,O,40,90\n"
    )
    refresh_utilization(2023, str(utilization), str(lake))
    return lake


def _export(lake: Path, out: Path) -> None:
    result = runner.invoke(app, ["export", "--release", "RVU25D", "--out", str(out), "--lake", str(lake)])
    assert result.exit_code == 0, result.output


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def test_every_file_meets_its_json_schema(feed_lake: Path, tmp_path: Path):
    out = tmp_path / "feed"
    _export(feed_lake, out)
    schema = {kind: json.loads((out / "schemas" / f"{kind}.schema.json").read_text())
              for kind in ("feed", "index", "localities", "code")}  # fmt: skip
    for kind in ("feed", "index", "localities"):
        jsonschema.validate(json.loads((out / f"{kind}.json").read_text()), schema[kind])
    codes = sorted((out / "codes").glob("*.json"))
    assert [p.stem for p in codes] == ["0001F", "76145", "97140"]
    for path in codes:
        jsonschema.validate(json.loads(path.read_text()), schema["code"])
    broken = json.loads(codes[-1].read_text()) | {"cf_variant": "sometimes"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema["code"])


def test_the_feed_holds_the_lake_numbers(feed_lake: Path, tmp_path: Path):
    out = tmp_path / "feed"
    _export(feed_lake, out)
    con = reader.connect(feed_lake)
    code = json.loads((out / "codes" / "97140.json").read_text())
    fees = {(r[1], r[2]): Decimal(str(r[3])) for r in code["locality_fees"]["rows"]}
    lake_fees = dict(((m, loc), fee) for m, loc, fee in con.execute(
        "SELECT mac, locality, fee_nonfacility_usd FROM fee_locality WHERE release = 'RVU25D' AND hcpcs = '97140'"
    ).fetchall())  # fmt: skip
    # Alabama, by hand: (0.43 x 1 + 0.40 x 0.869 + 0.01 x 0.575) x 32.3465 = 25.34
    assert fees == lake_fees and fees[("10112", "00")] == Decimal("25.34")
    work = con.execute("SELECT percentile, median FROM category_ranking WHERE release = 'RVU25D' AND hcpcs = '97140' "
                       "AND metric = 'work_rvu'").fetchone()  # fmt: skip
    assert (code["rankings"]["work_rvu"]["percentile"], code["rankings"]["work_rvu"]["median"]) == work
    assert set(code["rankings"]) == {"work_rvu", "nonfacility_total_rvu", "fee_nonfacility_usd"}
    history = [(h["release"], Decimal(str(h["work_rvu"]))) for h in code["history"]]
    assert history == [("RVU25C", Decimal("0.40")), ("RVU25D", Decimal("0.43"))]
    before, after = (Decimal(str(h["fee_nonfacility_usd"])) for h in code["history"])
    assert Decimal(str(code["history"][1]["fee_nonfacility_change_usd"])) == after - before
    assert code["history"][0]["fee_nonfacility_change_usd"] is None
    assert [(s["specialty"], s["share"], s["providers"], s["year"]) for s in code["specialties"]] == [
        ("Physical Therapist in Private Practice", 0.75, 1, 2023),
        ("Chiropractic", 0.25, 1, 2023),
    ]  # 90 and 30 services; "Physical Therapist" is the 2012-era name of specialty 65
    unpaid = json.loads((out / "codes" / "0001F.json").read_text())
    assert unpaid["specialties"] == []
    assert unpaid["profile"]["fee_nonfacility_usd"] is None  # status C: no fee, not $0
    assert {(r[3], r[4]) for r in unpaid["locality_fees"]["rows"]} == {(None, None)}
    assert [r["modifier"] for r in json.loads((out / "codes" / "76145.json").read_text())["rows"]] == ["", "26", "TC"]
    with (out / "tables" / "fee_locality.csv").open() as table:
        rows = list(csv.DictReader(table))
    assert len(rows) == con.execute("SELECT count(*) FROM fee_locality WHERE release = 'RVU25D'").fetchone()[0]
    assert {r["release"] for r in rows} == {"RVU25D"}


def test_exporting_again_changes_no_byte_and_replaces_the_folder_whole(feed_lake: Path, tmp_path: Path):
    out = tmp_path / "feed"
    _export(feed_lake, out)
    first = _digests(out)
    (out / "stray.txt").write_text("left by hand")
    _export(feed_lake, out)
    assert _digests(out) == first
    assert [p.name for p in tmp_path.iterdir()] == ["feed"]


def test_an_unknown_release_is_a_clear_error(feed_lake: Path, tmp_path: Path):
    result = runner.invoke(
        app, ["export", "--release", "RVU99A", "--out", str(tmp_path / "f"), "--lake", str(feed_lake)]
    )
    assert result.exit_code == 1 and "RVU99A is not in the lake (it has RVU25C, RVU25D)" in result.stderr
    assert not (tmp_path / "f").exists()
