"""The lake published to an S3-compatible store (moto's, on loopback): read by DuckDB, Polars and PyArrow with the
local lake's answers; nothing written when nothing changed; a reader never sees two versions of a release; a killed
publish leaves the previous lake readable and the next one finishes it. A synthetic release in CMS's format, so no
../shared is needed."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest

from flows.lake.remote import POINTER, publish_lake, published_root
from flows.shared import storage
from tests import cms_format as cms
from tests.objectstore import s3_server

CODES = ["99213", "99214", "10060", "27447", "71046"]


def _release_folder(folder: Path, codes: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [cms.pprrvu_row(code, work="1.00", nf_pe="1.00", f_pe="0.50", mp="0.10") for code in codes]
    (folder / "PPRRVU2099_Test.csv").write_bytes(cms.pprrvu(rows))
    (folder / "GPCI2099.csv").write_bytes(cms.gpci(cms.GPCI_ALABAMA))
    return folder


@pytest.fixture(scope="module")
def s3(tmp_path_factory) -> Iterator[str]:
    with s3_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


@pytest.fixture(scope="module")
def built(tmp_path_factory, prefect) -> Path:
    """A two-release lake, built once; tests copy it."""
    from flows.releases.flow import refresh

    root = tmp_path_factory.mktemp("publish")
    source = _release_folder(root / "source", CODES)
    lake = root / "lake"
    refresh(release="RVU25D", source=str(source), lake=str(lake))
    refresh(release="RVU22A", source=str(source), lake=str(lake))
    return lake


@pytest.fixture
def lake(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "lake", ignore=shutil.ignore_patterns(".prefect")))


def _objects(url: str) -> dict[str, tuple]:
    """Every object under `url`: (size, ETag, last modified)."""
    fs = storage.filesystem(url)
    fs.invalidate_cache()
    return {p: (i["size"], i.get("ETag"), i["LastModified"]) for p, i in fs.find(url, detail=True).items()}


def _counts_local(lake: Path, table: str) -> dict[str, int]:
    glob = lake / table / "**" / "*.parquet"
    rows = duckdb.sql(f"SELECT release, count(*) FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY 1")
    return dict(rows.fetchall())


def _expected_keys(lake: Path) -> set[str]:
    """What a reader needs, from the manifests as written: pfs.duckdb, each manifest and the files it names."""
    keys = {"pfs.duckdb"}
    for manifest in (lake / "_manifests").rglob("*.json"):
        if not manifest.name.startswith("."):
            keys.add(manifest.relative_to(lake).as_posix())
            keys.update(entry["file"] for entry in json.loads(manifest.read_text())["tables"].values())
    return keys


def test_a_published_lake_answers_in_duckdb_polars_and_pyarrow_as_the_local_one(lake: Path, s3: str):
    url = f"{s3}/answers"
    (lake / "notes.txt").write_text("a user's own file")  # stays out, as do raw/, the lock and hidden leftovers
    (lake / ".pfs.duckdb.leftover").write_bytes(b"half a file")
    assert (lake / "raw").is_dir()
    done = publish_lake(lake, url)
    root = published_root(url)
    assert root == done.root
    keys = {key.removeprefix(f"{root.removeprefix('s3://')}/") for key in _objects(root)}
    assert keys == _expected_keys(lake) | {"_snapshot.json"}
    assert not done.unchanged and done.uploaded == len(keys) - 1 and done.copied == 0
    expected = {table: _counts_local(lake, table) for table in ("rvu", "gpci", "fee_locality")}
    assert expected["rvu"] == {"RVU25D": len(CODES), "RVU22A": len(CODES)}

    con = duckdb.connect()
    con.register_filesystem(storage.filesystem(url))  # DuckDB through fsspec: no extension to install
    for table, counts in expected.items():
        query = f"SELECT release, count(*) FROM read_parquet('{root}/{table}/**/*.parquet', hive_partitioning = true)"
        assert dict(con.sql(f"{query} GROUP BY 1").fetchall()) == counts

    options = {"aws_endpoint_url": os.environ["AWS_ENDPOINT_URL"], "aws_access_key_id": "test",
               "aws_secret_access_key": "test", "aws_region": "us-east-1", "aws_allow_http": "true"}  # fmt: skip
    for table, counts in expected.items():
        frame = pl.scan_parquet(f"{root}/{table}/**/*.parquet", hive_partitioning=True, storage_options=options)
        assert dict(frame.group_by("release").len().collect().iter_rows()) == counts

    fs = storage.filesystem(url)
    for table, counts in expected.items():
        path = f"{root.removeprefix('s3://')}/{table}"
        dataset = ds.dataset(path, filesystem=fs, partitioning="hive", format="parquet")
        found = dataset.to_table(columns=["release"]).group_by("release").aggregate([("release", "count")])
        assert dict(zip(*found.to_pydict().values(), strict=True)) == counts

    # pfs.duckdb of the snapshot: what `pfs price --lake s3://...` reads
    db = storage.local_lake(storage.lake_root(url)) / "pfs.duckdb"
    with duckdb.connect(str(db), read_only=True) as published:
        assert dict(published.sql("SELECT release, count(*) FROM rvu GROUP BY 1").fetchall()) == expected["rvu"]


def test_publishing_an_unchanged_lake_writes_nothing(lake: Path, s3: str):
    url = f"{s3}/unchanged"
    publish_lake(lake, url)
    before = _objects(url)
    again = publish_lake(lake, url)
    assert again.unchanged and (again.uploaded, again.copied, again.bytes_sent) == (0, 0, 0)
    assert _objects(url) == before


def test_a_reader_in_a_loop_sees_one_version_of_each_release_while_a_refresh_is_published(lake: Path, s3: str):
    """RVU22A refreshed from a changed source (one more code) and republished while a reader resolves CURRENT.json
    and reads in a loop: each read sees RVU22A's rows of one version, whole, as its manifest says."""
    from flows.releases.flow import refresh

    url = f"{s3}/loop"
    first = publish_lake(lake, url)
    source = _release_folder(lake.parent / "changed", [*CODES, "99215"])
    refresh(release="RVU22A", source=str(source), lake=str(lake))
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_in_a_loop() -> None:
        fs = storage.filesystem(url)
        con = duckdb.connect()
        con.register_filesystem(fs)
        try:
            while not stop.is_set() or len(seen) < 3:
                fs.invalidate_cache()
                root = published_root(url)
                manifest = json.loads(fs.cat_file(f"{root}/_manifests/RVU22A.json"))
                glob = f"{root}/rvu/**/*.parquet"
                rows = con.execute(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true) "
                                   "WHERE release = 'RVU22A'").fetchone()[0]  # fmt: skip
                seen.append((rows, manifest["tables"]["rvu"]["rows"]))
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    while not seen and not errors:  # the reader reads the first snapshot before the publish starts
        time.sleep(0.05)
    second = publish_lake(lake, url)
    stop.set()
    reader.join(timeout=120)
    assert not errors, errors
    assert second.copied > 0 and second.uploaded < len(_expected_keys(lake))  # RVU25D's files copied in the store
    assert {rows for rows, _ in seen} == {len(CODES), len(CODES) + 1}  # the old version, then the new
    assert all(rows == manifest_rows for rows, manifest_rows in seen)
    assert published_root(url) == second.root != first.root


def test_a_killed_publish_leaves_the_lake_readable_and_the_next_one_finishes_it(lake: Path, s3: str, monkeypatch):
    from flows.releases.flow import refresh

    url = f"{s3}/killed"
    first = publish_lake(lake, url)
    before = {key: (lake / key).read_bytes() for key in _expected_keys(lake)}
    refresh(release="RVU22A", source=str(_release_folder(lake.parent / "more", [*CODES, "99215"])), lake=str(lake))
    changed = {key for key in _expected_keys(lake) if before.get(key) != (lake / key).read_bytes()}
    fs = storage.filesystem(url)  # fsspec's one instance for these settings: the one the publish uses
    put_file = fs.put_file
    calls = []

    def dies_on_the_third(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process killed midway: nothing after this runs
        return put_file(*args, **kwargs)

    monkeypatch.setattr(fs, "put_file", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        publish_lake(lake, url)
    monkeypatch.undo()
    assert published_root(url) == first.root  # readers still read the previous lake, whole
    con = duckdb.connect()
    con.register_filesystem(storage.filesystem(url))
    before = con.execute(f"SELECT count(*) FROM read_parquet('{first.root}/rvu/**/*.parquet')").fetchone()[0]
    assert before == 2 * len(CODES)

    finished = publish_lake(lake, url)
    assert finished.uploaded == len(changed) - 2  # the two written before the kill stay
    assert published_root(url) == finished.root
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{finished.root}/rvu/**/*.parquet')").fetchone()[0]
    assert rows == 2 * len(CODES) + 1
    for key in _expected_keys(lake):  # every file of the finished snapshot is the lake's, byte for byte
        assert fs.cat_file(f"{finished.root}/{key}") == (lake / key).read_bytes(), key


def test_a_superseded_snapshot_is_removed_after_its_grace_period(lake: Path, s3: str):
    from flows.releases.flow import refresh

    url = f"{s3}/grace"
    first = publish_lake(lake, url)
    refresh(release="RVU22A", source=str(_release_folder(lake.parent / "again", [*CODES, "99215"])), lake=str(lake))
    kept = publish_lake(lake, url, grace_hours=24)
    fs = storage.filesystem(url)
    fs.invalidate_cache()
    assert kept.removed == [] and fs.exists(first.root)  # a reader that resolved the old CURRENT finishes on it
    pointer = json.loads(fs.cat_file(f"{url}/{POINTER}"))
    assert first.snapshot in pointer["superseded"]
    unfinished = f"{url}/snapshots/0123456789abcdef"  # what a publish killed midway leaves
    fs.pipe_file(f"{unfinished}/rvu/year=2025/release=RVU25D/part-0.parquet", b"one file of many")
    assert publish_lake(lake, url, grace_hours=24).removed == []  # unchanged, and all still within their grace
    refresh(release="RVU22A", source=str(_release_folder(lake.parent / "third", [*CODES, "99211"])), lake=str(lake))
    third = publish_lake(lake, url, grace_hours=0)
    fs.invalidate_cache()
    assert set(third.removed) == {first.snapshot, kept.snapshot, "0123456789abcdef"}
    assert not fs.exists(first.root) and not fs.exists(unfinished) and fs.exists(third.root)
    pointer = json.loads(fs.cat_file(f"{url}/{POINTER}"))
    assert (pointer["snapshot"], pointer["superseded"]) == (third.snapshot, {})
    assert published_root(url) == third.root


def test_the_scheduled_refresh_publishes_the_lake_after_its_run(tmp_path: Path, s3: str, prefect):
    """refresh-from-cms with publish_to (config/defaults.toml [publish] to on the schedule): CMS's release in the
    lake, and the lake in the store; a second run with nothing new writes nothing there."""
    from flows.releases.flow import refresh_from_cms
    from tests.cms_format import release_folder, zipped
    from tests.cms_site import serve

    url, lake = f"{s3}/scheduled", tmp_path / "lake"
    pages = {
        "/pfs": b'<a href="/pfs/rvu25b">RVU25B</a>',
        "/pfs/rvu25b": b'<a href="/files/zip/rvu25b.zip">zip</a>',
        "/files/zip/rvu25b.zip": zipped(release_folder(tmp_path / "b")),
    }
    with serve(pages) as site:
        refresh_from_cms(lake=str(lake), landing_page=f"{site}/pfs", publish_to=url)
        published = _objects(url)
        root = published_root(url)
        assert f"{root.removeprefix('s3://')}/_manifests/RVU25B.json" in published
        refresh_from_cms(lake=str(lake), landing_page=f"{site}/pfs", publish_to=url)
    assert _objects(url) == published


def test_pfs_publish_says_what_it_wrote_and_refuses_a_path_that_is_not_a_store(lake: Path, s3: str):
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    url = f"{s3}/cli"
    first = runner.invoke(app, ["publish", url, "--lake", str(lake)])
    said = " ".join(first.output.split())  # as one line: the console wraps at its width
    assert first.exit_code == 0, said
    files = len(_expected_keys(lake))
    assert f"published {lake} to {published_root(url)}" in said and f"{files} file(s) uploaded" in said
    again = runner.invoke(app, ["publish", url, "--lake", str(lake)])
    said = " ".join(again.output.split())
    assert again.exit_code == 0 and "already holds this lake" in said and "nothing written" in said
    local = runner.invoke(app, ["publish", str(lake.parent / "copy"), "--lake", str(lake)])
    assert local.exit_code != 0 and "not an object store URL" in " ".join(local.output.split())
