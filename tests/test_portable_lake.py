"""A plain, portable lake: real folders any tool globs, a pfs.duckdb that answers wherever the lake is copied,
one version of a table's rows at a time, and a lake of the older links layout upgraded in place."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest

from flows import lake as lake_files
from flows.lake import database, reader
from flows.lake.layout import RELEASE, STAGING, staged_dir
from flows.lake.manifest import commit
from flows.releases.flow import refresh
from tests import cms_format as cms


def _glob_count(lake: Path, table: str, where: str = "true") -> int:
    glob = str(lake / table / "**" / "*.parquet")
    query = f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true) WHERE {where}"
    return duckdb.connect().execute(query).fetchone()[0]


def _db_answer_from_root(lake: Path) -> list:
    """pfs.duckdb opened by another process whose working directory is `/`."""
    script = (
        "import duckdb, json, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        'print(json.dumps(con.execute("SELECT release, count(*) FROM rvu GROUP BY ALL ORDER BY 1").fetchall()))'
    )
    done = subprocess.run([sys.executable, "-c", script, str(lake / "pfs.duckdb")], cwd="/", capture_output=True,
                          text=True, check=True)  # fmt: skip
    return [tuple(row) for row in json.loads(done.stdout)]


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory, cms: Path, prefect) -> Path:
    """RVU25D and RVU22A, the issue's two-release lake."""
    lake = tmp_path_factory.mktemp("two") / "lake"
    refresh(release="RVU25D", source=str(cms / "archives" / "rvu25d.zip"), lake=str(lake))
    refresh(release="RVU22A", source=str(cms / "archives" / "rvu22a.zip"), lake=str(lake))
    return lake


@pytest.mark.parametrize("how", ["cp -r", "rsync -a", "tar", "zip"])
def test_a_copied_lake_answers_the_same_in_every_tool_once_the_original_is_gone(two_releases, tmp_path, how):
    original = tmp_path / "original"
    shutil.copytree(two_releases, original)  # so that deleting it spares the module's lake
    moved = tmp_path / "elsewhere" / "lake"
    moved.parent.mkdir()
    if how == "cp -r":
        subprocess.run(["cp", "-r", str(original), str(moved)], check=True)
    elif how == "rsync -a":
        subprocess.run(["rsync", "-a", f"{original}/", str(moved)], check=True)
    elif how == "tar":
        with tarfile.open(tmp_path / "lake.tar", "w") as archive:
            archive.add(original, arcname="lake")
        with tarfile.open(tmp_path / "lake.tar") as archive:
            archive.extractall(moved.parent, filter="data")
    else:
        shutil.make_archive(str(tmp_path / "lake"), "zip", original)
        with zipfile.ZipFile(tmp_path / "lake.zip") as archive:
            archive.extractall(moved)
    shutil.rmtree(original)

    assert not [p for p in moved.rglob("*") if p.is_symlink()]
    assert _glob_count(moved, "rvu") == 36_690
    rvu = pl.scan_parquet(moved / "rvu" / "**" / "*.parquet", hive_partitioning=True)
    assert rvu.select(pl.len()).collect().item() == 36_690
    assert ds.dataset(moved / "rvu", partitioning="hive", format="parquet").count_rows() == 36_690
    assert _db_answer_from_root(moved) == [("RVU22A", 17_600), ("RVU25D", 19_090)]
    fee = reader.connect(moved).execute(
        "SELECT fee_nonfacility_usd FROM fee_locality "
        "WHERE release = 'RVU25D' AND hcpcs = '97140' AND modifier = '' AND mac = '10112' AND locality = '00'"
    )
    assert fee.fetchone()[0] == Decimal("25.34")


def test_hive_columns_match_pfs_duckdb(two_releases):
    """year and release come from the folders, the same values the tables of pfs.duckdb hold."""
    glob = str(two_releases / "releases" / "**" / "*.parquet")
    from_files = duckdb.sql(f"SELECT release, year FROM read_parquet('{glob}', hive_partitioning = true) ORDER BY 1")
    con = reader.connect(two_releases)
    assert from_files.fetchall() == con.execute("SELECT release, year FROM releases ORDER BY 1").fetchall()
    for table in lake_files.RELEASE_TABLES:
        files = sorted((two_releases / table).rglob("*.parquet"))
        assert [f.relative_to(two_releases / table).parts[:2] for f in files] == [
            ("year=2022", "release=RVU22A"), ("year=2025", "release=RVU25D"),
        ]  # fmt: skip


def _fixture_lake(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A lake with RVU25B published from one fixture folder, and a second folder with one more code."""
    one = cms.release_folder(tmp_path / "one")
    two = tmp_path / "two"
    two.mkdir()
    (two / "PPRRVU2025_Test.csv").write_bytes(cms.pprrvu([cms.pprrvu_row("97140"), cms.pprrvu_row("97110")]))
    (two / "GPCI2025.csv").write_bytes(cms.gpci(cms.GPCI_ALABAMA))
    lake = tmp_path / "lake"
    refresh(release="RVU25B", source=str(one), lake=str(lake))
    return lake, one, two


def test_a_parquet_reader_never_sees_two_versions_of_a_table_at_once(tmp_path: Path, prefect):
    lake, one, two = _fixture_lake(tmp_path)
    seen: set[int] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(_glob_count(lake, "rvu"))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            refresh(release="RVU25B", source=str(two), lake=str(lake))
            refresh(release="RVU25B", source=str(one), lake=str(lake))
    finally:
        done.set()
        reader.join()
    assert seen <= {1, 2} and seen, f"a reader counted {sorted(seen)} rows; each version has 1 or 2"


def test_a_run_killed_after_its_commit_is_finished_by_the_next(tmp_path: Path, prefect):
    """Commit written, files not yet moved in, pfs.duckdb not rebuilt: the next run's first step completes it."""
    lake, one, two = _fixture_lake(tmp_path)
    con = duckdb.connect()
    con.execute("CREATE TABLE rvu AS SELECT * FROM read_parquet($f)", {"f": str(lake / lake_files.table_file("rvu", {
        "year": 2025, "release": "RVU25B"}))})  # fmt: skip
    con.execute("INSERT INTO rvu SELECT * REPLACE ('99999' AS hcpcs) FROM rvu")
    manifest = lake_files.manifests(lake)["RVU25B"]
    version = "29990101T000000Z-deadbeef"
    folder = staged_dir(lake, "release", "RVU25B", version)
    folder.mkdir(parents=True)
    con.execute(f"COPY rvu TO '{folder / 'rvu.parquet'}' (FORMAT parquet)")
    commit(lake, RELEASE, manifest | {"version": version})
    assert _glob_count(lake, "rvu") == 1  # committed, not yet visible

    lake_files.reconcile(lake)
    assert _glob_count(lake, "rvu") == 2
    assert _db_answer_from_root(lake) == [("RVU25B", 2)]
    assert not (lake / STAGING / "release").exists()


def _to_links_layout(lake: Path) -> None:
    """Rewrite a lake as the older layout wrote it: files under .versions, links at the Hive paths, a views-only
    pfs.duckdb with absolute paths, manifests naming files relative to their version folder."""
    parts: dict[str, list[str]] = {}
    for label, manifest in lake_files.manifests(lake).items():
        version_dir = lake / ".versions" / label / manifest["version"]
        for table, entry in manifest["tables"].items():
            (version_dir / table).mkdir(parents=True)
            (lake / entry["file"]).replace(version_dir / table / "part-0.parquet")
            link = (lake / entry["file"]).parent
            link.rmdir()
            link.symlink_to(os.path.relpath(version_dir / table, link.parent))
            entry["file"] = f"{table}/part-0.parquet"
            parts.setdefault(table, []).append(
                f"SELECT '{label}' AS release, * FROM read_parquet('{version_dir / table / 'part-0.parquet'}')"
            )
        for key in ("dataset", "label", "partition"):
            del manifest[key]
        (lake / "_manifests" / f"{label}.json").write_text(json.dumps(manifest))
    (lake / "pfs.duckdb").unlink()
    con = duckdb.connect(str(lake / "pfs.duckdb"))
    for table, selects in parts.items():
        con.execute(f"CREATE VIEW {table} AS " + " UNION ALL BY NAME ".join(selects))
    con.close()


def test_a_lake_of_the_links_layout_is_upgraded_by_the_next_refresh_losing_nothing(tmp_path: Path, prefect):
    lake, one, _ = _fixture_lake(tmp_path)
    refresh(release="RVU25C", source=str(cms.release_folder(tmp_path / "c", work="0.50")), lake=str(lake))
    before = {t: sorted(_rows(lake, t)) for t in lake_files.RELEASE_TABLES}
    _to_links_layout(lake)
    assert [p for p in lake.rglob("*") if p.is_symlink()]

    again = refresh(release="RVU25B", source=str(one), lake=str(lake))
    assert again.skipped  # the same archive: nothing recomputed, the layout upgraded all the same
    assert not [p for p in lake.rglob("*") if p.is_symlink()] and not (lake / ".versions").exists()
    assert {t: sorted(_rows(lake, t)) for t in lake_files.RELEASE_TABLES} == before
    assert _db_answer_from_root(lake) == [("RVU25B", 1), ("RVU25C", 1)]
    manifest = lake_files.manifests(lake)["RVU25C"]
    assert manifest["tables"]["rvu"]["file"] == "rvu/year=2025/release=RVU25C/part-0.parquet"


def _rows(lake: Path, table: str) -> list[tuple]:
    """A table's rows as a Parquet-glob reader sees them, partition columns included."""
    glob = str(lake / table / "**" / "*.parquet")
    return duckdb.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()


def test_pfs_duckdb_is_left_untouched_when_nothing_is_published(tmp_path: Path, prefect):
    lake, one, _ = _fixture_lake(tmp_path)
    stamp = (lake / "pfs.duckdb").stat()
    database.sync(lake, lake_files.committed(lake))
    after = (lake / "pfs.duckdb").stat()
    assert (after.st_ino, after.st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)


def test_a_lake_published_before_the_conversion_factor_table_gets_it_without_recomputing(
    lake: Path, lake_copy: Path, tmp_path: Path
):
    """An older pfs published no conversion_factor and no non-participating columns: the first pfs command on the
    lake rebuilds pfs.duckdb, making them from each release's other tables and columns, and it answers as a lake of
    this pfs. The pricer, which may read a copy it cannot rebuild, says what to do."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.pricing.price import ClaimsError, price_file

    old = lake_copy
    for path in (old / "_manifests").glob("*.json"):
        manifest = json.loads(path.read_text())
        del manifest["tables"]["conversion_factor"]
        path.write_text(json.dumps(manifest))
    shutil.rmtree(old / "conversion_factor")
    nonpar = ["fee_nonfacility_nonpar_usd", "fee_facility_nonpar_usd", "limiting_charge_nonfacility_usd",
              "limiting_charge_facility_usd"]  # fmt: skip
    for table in ("fee_national", "code_profile"):
        for file in (old / table).rglob("*.parquet"):
            duckdb.sql(f"COPY (SELECT * EXCLUDE ({', '.join(nonpar)}) FROM '{file}') TO '{file}.old' (FORMAT PARQUET)")
            Path(f"{file}.old").replace(file)
    con = duckdb.connect(str(old / "pfs.duckdb"))
    for table in ("fee_national", "code_profile"):
        for column in nonpar:
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("DROP TABLE conversion_factor")  # as the older pfs wrote it: without the table ...
    con.execute("UPDATE _pfs_state SET value = 'older views' WHERE what = 'views'")  # ... and with other views
    con.close()

    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,line,hcpcs,modifiers,units,place_of_service,date_of_service,mac,locality\n"
                      "C1,1,97140,,1,11,2025-11-03,10112,00\n")  # fmt: skip
    with pytest.raises(ClaimsError, match="written by an older pfs"):
        price_file(str(old), str(claims), str(tmp_path / "priced.csv"))

    page = CliRunner().invoke(app, ["code", "97140", "--release", "RVU25D", "--lake", str(old)])
    assert page.exit_code == 0, page.output
    assert "was written by an older pfs: bringing it up to date" in page.stderr
    assert "non-facility $25.81, limiting charge $29.68" in page.output  # made from the national fee $27.17
    query = ("SELECT release, cf_variant, conversion_factor_usd FROM conversion_factor ORDER BY 1, 2; "
             "SELECT release, count(*), sum(fee_nonfacility_usd) FROM fee_locality GROUP BY 1 ORDER BY 1; "
             f"SELECT release, hcpcs, modifier, cf_variant, {', '.join(nonpar)} FROM fee_national ORDER BY ALL; "
             f"SELECT release, hcpcs, cf_variant, {', '.join(nonpar)} FROM code_profile ORDER BY ALL")  # fmt: skip
    answers = []
    for folder in (lake, old):
        con = reader.connect(folder)
        answers.append([con.execute(q).fetchall() for q in query.split("; ")])
        answers[-1].append([con.table(t).columns for t in ("fee_national", "code_profile")])  # in the same order
        con.close()
    assert answers[0] == answers[1]
    assert not (old / "conversion_factor").exists()  # nothing recomputed: the Parquet files come with a refresh


# -- pfs.duckdb in the DuckDB that dashboards bundle -------------------------------------------------------------------

OLDER_DUCKDB = Path(__file__).parent / "duckdb14"  # its own locked environment: pyproject.toml, uv.lock


def _tables_and_views(con) -> dict[str, int]:
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'pfs' AND NOT internal "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = 'pfs' AND NOT internal"
    ).fetchall()
    return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for (name,) in names}


def test_duckdb_1_4_opens_pfs_duckdb_and_reads_every_table_and_view(lake: Path):
    """DuckDB 1.4 (its own environment, tests/duckdb14) opens the lake's pfs.duckdb and reads each table and view
    as this pfs's DuckDB does, fee_locality's macros included."""
    uv = shutil.which("uv") or pytest.fail("uv is not on PATH")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    done = subprocess.run(
        [uv, "run", "--frozen", "--quiet", "--project", str(OLDER_DUCKDB), "python", str(OLDER_DUCKDB / "read_lake.py"),
         str(lake / "pfs.duckdb"), "71046"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    older = json.loads(done.stdout)
    # the environment's DuckDB is the version config/defaults.toml writes pfs.duckdb for
    assert older["version"].split(".")[:2] == database.storage_version().removeprefix("v").split(".")[:2]
    con = reader.connect(lake)
    expected = _tables_and_views(con)
    assert {"rvu", "gpci", "fee_locality", "release_calendar", "zip_locality"} <= set(expected)
    assert older["counts"] == expected
    rows = con.execute("SELECT * FROM fee_locality WHERE hcpcs = '71046' ORDER BY ALL").fetchall()
    assert rows and older["fee_locality"] == [[str(v) for v in row] for row in rows]


def test_a_pfs_duckdb_in_duckdb_2_format_is_rewritten_for_1_4_by_the_next_command(lake_copy: Path):
    """A pfs.duckdb an earlier pfs wrote in DuckDB 2.0's own format: the next pfs command rewrites it in the storage
    version of config/defaults.toml, from the lake's files."""
    from flows.cli.app import open_lake

    db = lake_copy / "pfs.duckdb"
    newer = lake_copy / "newer.duckdb"
    con = duckdb.connect()
    con.execute(f"ATTACH '{db}' AS old (READ_ONLY)")
    con.execute(f"ATTACH '{newer}' AS new (STORAGE_VERSION 'v2.0.0')")
    con.execute("COPY FROM DATABASE old TO new")
    rows = con.execute("SELECT count(*) FROM old.rvu").fetchone()[0]
    con.close()
    newer.replace(db)
    before = reader.connect(lake_copy)
    assert before.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'pfs'").fetchone()[0] == {
        "storage_version": "v2.0.0+"
    }
    assert reader.is_current(before) and not reader.in_storage_version(before)
    before.close()
    after = open_lake(lake_copy)
    tags = after.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'pfs'").fetchone()[0]
    assert tags["storage_version"].startswith(database.storage_version()) and reader.in_storage_version(after)
    assert after.execute("SELECT count(*) FROM rvu").fetchone()[0] == rows
