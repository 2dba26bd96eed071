"""A refresh killed (SIGKILL) while it writes a release: readers keep the previous release, the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from flows.lake import manifests
from flows.lookup.profile import load_profile
from tests.lakefiles import published

ROOT = Path(__file__).resolve().parent.parent


def _start_refresh(lake: Path, source: Path) -> subprocess.Popen:
    """`pfs refresh` in its own process group, reporting to the session's Prefect server (no server of its own)."""
    from prefect.settings import PREFECT_API_URL

    env = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "ERROR"}
    command = [sys.executable, "-m", "flows.cli", "refresh", "--release", "RVU25D", "--source", str(source)]
    return subprocess.Popen(
        [*command, "--lake", str(lake)], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for_partial_version(lake: Path, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        written = list((lake / ".staging" / "release" / "RVU25D").glob("*.incomplete/*.parquet"))
        if len(written) >= 2:
            return
        assert process.poll() is None, "the refresh ended before it was killed"
        time.sleep(0.002)
    raise AssertionError("the refresh never started writing")


def test_killed_during_publish_then_completed_by_the_next_run(tmp_path: Path, cms: Path, prefect):
    from flows.releases.flow import refresh

    lake = tmp_path / "lake"
    refresh(release="RVU25D", source=str(cms / "archives" / "rvu25d.zip"), lake=str(lake))
    before = published(lake)
    version = manifests(lake)["RVU25D"]["version"]

    process = _start_refresh(lake, cms / "rvu25d")
    try:
        _wait_for_partial_version(lake, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    assert list((lake / ".staging" / "release" / "RVU25D").glob("*.incomplete")), "killed after the write, not during"
    assert published(lake) == before
    assert manifests(lake)["RVU25D"]["version"] == version
    assert load_profile(lake, "97140", "RVU25D")["fee_nonfacility_usd"] == Decimal("27.17")

    refresh(release="RVU25D", source=str(cms / "rvu25d"), lake=str(lake))
    after = manifests(lake)["RVU25D"]
    assert after["version"] != version and after["previous_version"] == version
    assert not (lake / ".staging" / "release" / "RVU25D").exists()
    assert load_profile(lake, "97140", "RVU25D")["fee_nonfacility_usd"] == Decimal("27.17")
    assert after["source"]["origin"] == str((cms / "rvu25d").resolve())
