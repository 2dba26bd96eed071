"""Shared fixtures: the real CMS files (skip when absent), a local HTTP mirror, and one lake built once."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import serving_with

ROOT = Path(__file__).resolve().parent.parent
CMS = ROOT.parent / "shared" / "data" / "cms"

# Before Prefect is imported anywhere: a project-local home, and no telemetry lookup (there is no internet).
os.environ["PREFECT_HOME"] = str(ROOT / ".prefect")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def cms() -> Path:
    if not (CMS / "rvu25d" / "PPRRVU2025_Oct.csv").exists():
        pytest.skip(f"the real CMS files are not at {CMS} (CI has them; see ../shared/data/cms/PROVENANCE.md)")
    return CMS


@pytest.fixture(scope="session")
def prefect():
    """One Prefect test server for the whole session; flow runs as `pfs refresh` makes them (no heartbeat)."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.shared.prefect_settings import foreground

    with prefect_test_harness(), foreground():
        yield


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A folder served over HTTP from 127.0.0.1 while the block runs; its base URL."""
    with serving_with(functools.partial(_QuietHandler, directory=str(folder))) as url:
        yield url


@pytest.fixture(scope="session")
def mirror(cms: Path):
    """The release zips served from 127.0.0.1, as a CMS mirror would serve them."""
    with serving(cms / "archives") as url:
        yield url


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def lake(tmp_path_factory, cms: Path, mirror: str, prefect) -> Path:
    """The session's lake of real CMS files, built once and only read: RVU25D downloaded from the mirror, RVU22A
    from its zip, RVU26C from its folder, the October 2025 ZIP code file and the 2012 utilization sample.
    A test that writes to a lake copies this one (`lake_copy`) or builds its own."""
    from flows.releases.flow import refresh
    from flows.utilization.flow import refresh_utilization
    from flows.zip_locality.flow import refresh_zip_locality

    lake = tmp_path_factory.mktemp("lake")
    refresh(release="RVU25D", source=f"{mirror}/rvu25d.zip", lake=str(lake))
    refresh(release="RVU22A", source=str(cms / "archives" / "rvu22a.zip"), lake=str(lake))
    refresh(release="RVU26C", source=str(cms / "rvu26c"), lake=str(lake))
    assert refresh_zip_locality("2025Q4", str(cms / "zip5_oct2025"), str(lake)).rows == 42_956
    sample = cms / "utilization" / "physician_supplier_puf_cy2012_sample.tsv"
    assert refresh_utilization(2012, str(sample), str(lake)).rows["code_specialty"] > 0
    return lake


@pytest.fixture
def lake_copy(lake: Path, tmp_path: Path) -> Path:
    """A copy of the session's lake, for a test that writes to it."""
    import shutil

    return Path(shutil.copytree(lake, tmp_path / "lake", symlinks=True, ignore=shutil.ignore_patterns(".prefect")))


@pytest.fixture(scope="session")
def db_real(lake: Path):
    """The session lake of real releases, read-only, for modules whose own `db` is another lake."""
    import duckdb

    con = duckdb.connect(str(lake / "pfs.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def db(db_real):
    """The session lake's pfs.duckdb, read-only (`db_real` by the name most modules use)."""
    return db_real


@pytest.fixture(scope="session", autouse=True)
def no_server_outlives_the_tests(tmp_path_factory):
    """Every lake server a test started is stopped by that test; whatever is left of one is killed here, and named."""
    yield
    import signal

    from tests.processes import pids, processes_of

    left = processes_of(tmp_path_factory.getbasetemp())
    for pid in pids(left):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"tests left processes running: {left}"
