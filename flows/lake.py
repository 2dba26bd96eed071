"""The Parquet lake, published atomically through a manifest per release.

    <lake>/.versions/<RELEASE>/<version>/<table>/part-0.parquet   immutable once written
    <lake>/_manifests/<RELEASE>.json                              the release's current version: the commit
    <lake>/<table>/year=YYYY/release=<RELEASE>                    link to the current version's folder
    <lake>/pfs.duckdb                                             views over the files the manifests name

A run writes every table of a release into a new version folder, then commits by replacing the
release's manifest in one rename. The links and pfs.duckdb are rebuilt from the manifests after each
commit and at the start of every run (so a killed run is completed or undone by the next one); the
previous version is kept until the one after it is committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows import settings
from flows.settings import SQL

TABLES: tuple[str, ...] = (
    "releases", "rvu", "gpci", "localities", "anesthesia_cf", "opps_cap",
    "fee_national", "fee_locality", "category_ranking", "code_profile",
)  # fmt: skip
# Views over all releases (sql/views), created after the tables' views, in this order.
LAKE_VIEWS: tuple[str, ...] = ("release_validity", "change_pairs", "code_change", "gpci_change")
DB_FILE = "pfs.duckdb"
VERSIONS = ".versions"
MANIFESTS = "_manifests"
INCOMPLETE = ".incomplete"
# Releases of a batch publish from threads: one commit (manifest, links, views) at a time.
_COMMITS = threading.RLock()


def new_version() -> str:
    """A sortable, unique version name: UTC time and a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def stage(con: duckdb.DuckDBPyConnection, lake: Path, release: str, version: str) -> dict[str, dict]:
    """Write every table (already in key order in DuckDB) into the new version's unfinished folder.

    Returns rows and sha256 per file. The folder keeps its `.incomplete` name until `finish`, so that a
    reconcile running meanwhile (another release of the batch committing) leaves it alone.
    """
    folder = lake / VERSIONS / release / (version + INCOMPLETE)
    tables = {}
    for table in TABLES:
        (folder / table).mkdir(parents=True)
        path = folder / table / "part-0.parquet"
        rows = con.execute(f"COPY {table} TO '{path}' (FORMAT parquet, COMPRESSION zstd)").fetchone()[0]
        tables[table] = {"file": f"{table}/part-0.parquet", "rows": rows, "sha256": _sha256(path)}
    return tables


def finish(lake: Path, release: str, version: str) -> None:
    """A staged version becomes complete (still unpublished until its manifest is committed)."""
    (lake / VERSIONS / release / (version + INCOMPLETE)).rename(version_dir(lake, release, version))


def commit(lake: Path, manifest: dict) -> None:
    """The one step that publishes: the release's manifest replaced by a rename."""
    folder = lake / MANIFESTS
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{manifest['release']}.{uuid.uuid4().hex}.json"
    with tmp.open("w") as out:
        json.dump(manifest, out, indent=2, sort_keys=True)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(folder / f"{manifest['release']}.json")


def manifests(lake: Path) -> dict[str, dict]:
    """Every committed manifest, by release."""
    folder = lake / MANIFESTS
    if not folder.exists():
        return {}
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if not p.name.startswith(".")}


def is_current(lake: Path, release: str, archive_sha256: str, pipeline: str) -> bool:
    """The release is published from this very archive by this very pipeline: nothing to redo."""
    manifest = manifests(lake).get(release)
    return bool(manifest) and manifest["source"]["sha256"] == archive_sha256 and manifest.get("pipeline") == pipeline


def version_dir(lake: Path, release: str, version: str) -> Path:
    return lake / VERSIONS / release / version


def reconcile(lake: Path, drop_unfinished: bool = True) -> None:
    """Make the links, pfs.duckdb and the version folders agree with the manifests; drop what none needs.

    `drop_unfinished=False` after a commit in a batch, where other releases may still be writing theirs.
    """
    with _COMMITS:
        committed = manifests(lake)
        for release, manifest in committed.items():
            for table in TABLES:
                _link(lake, table, manifest["year"], release, manifest["version"])
        write_views(lake, committed)
        _collect_garbage(lake, committed, drop_unfinished)


def _link(lake: Path, table: str, year: int, release: str, version: str) -> None:
    """Point `<table>/year=Y/release=R` at the version's table folder, replacing any old link in one rename."""
    link = lake / table / f"year={year}" / f"release={release}"
    target = os.path.relpath(version_dir(lake, release, version) / table, link.parent)
    if link.is_symlink() and os.readlink(link) == target:
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = lake / VERSIONS / f".link-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(version_dir(lake, release, version) / table, link.parent), tmp)
    tmp.replace(link)


def write_views(lake: Path, committed: dict[str, dict]) -> None:
    """Recreate pfs.duckdb with one view per table over the files the manifests name; replaced in one rename.

    Left as it is when its views already say the same, so a run that publishes nothing changes nothing.
    """
    lake = lake.resolve()
    views = [_view_sql(lake, table, committed) for table in TABLES] if committed else []
    if committed:
        views.append(_calendar_sql())
        views += [f"CREATE VIEW {name} AS {(SQL / 'views' / f'{name}.sql').read_text()}" for name in LAKE_VIEWS]
    tmp = lake / f".{DB_FILE}.{uuid.uuid4().hex}"
    con = duckdb.connect(str(tmp))
    try:
        for sql in views:
            con.execute(sql)
        unchanged = _views_of(con) == _views_of_file(lake / DB_FILE)
    finally:
        con.close()
    if unchanged:
        tmp.unlink()
    else:
        tmp.rename(lake / DB_FILE)


def _view_sql(lake: Path, table: str, committed: dict[str, dict]) -> str:
    parts = [
        f"SELECT '{release}' AS release, CAST({m['year']} AS INTEGER) AS \"year\", * "
        f"FROM read_parquet('{version_dir(lake, release, m['version']) / m['tables'][table]['file']}')"
        for release, m in committed.items()
    ]
    return f"CREATE VIEW {table} AS " + " UNION ALL BY NAME ".join(parts) + ";"


def _calendar_sql() -> str:
    """The CMS release calendar of config/releases.toml as a view, for effective dating."""
    rows = ", ".join(
        f"('{r.label}', {r.year}, DATE '{r.effective_from.isoformat()}')" for r in settings.catalog().values()
    )
    return f"CREATE VIEW release_calendar AS SELECT * FROM (VALUES {rows}) AS t(release, year, effective_from);"


def _views_of(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each view's SQL as DuckDB normalises it."""
    return dict(con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall())


def _views_of_file(db: Path) -> dict[str, str] | None:
    if not db.exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _views_of(con)
    finally:
        con.close()


def _collect_garbage(lake: Path, committed: dict[str, dict], drop_unfinished: bool) -> None:
    """Delete versions older than the current one's predecessor, and unfinished ones if asked."""
    root = lake / VERSIONS
    if not root.exists():
        return
    for leftover in root.glob(".link-*"):
        leftover.unlink(missing_ok=True)
    for release_dir in (p for p in root.iterdir() if p.is_dir()):
        manifest = committed.get(release_dir.name, {})
        keep = {manifest.get("version"), manifest.get("previous_version")}
        for version in release_dir.iterdir():
            unfinished = version.name.endswith(INCOMPLETE)
            if version.name not in keep and (drop_unfinished or not unfinished):
                shutil.rmtree(version, ignore_errors=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publish(
    con: duckdb.DuckDBPyConnection, lake: Path, year: int, release: str, source: dict, run_id: str, pipeline: str
) -> dict:
    """Stage every table as a new version, commit its manifest, and bring links and views up to date."""
    version = new_version()
    tables = stage(con, lake, release, version)
    manifest = {
        "release": release,
        "year": year,
        "version": version,
        "run_id": run_id,
        "pipeline": pipeline,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": source,
        "tables": tables,
    }
    with _COMMITS:
        manifest["previous_version"] = manifests(lake).get(release, {}).get("version")
        finish(lake, release, version)
        commit(lake, manifest)
        reconcile(lake, drop_unfinished=False)
    return manifest
