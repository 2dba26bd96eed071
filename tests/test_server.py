"""The lake's background Prefect server: started by the first refresh, used by the next, one per lake, replaced
when it died, gone after its idle time or at `pfs server stop`, and nothing of it left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flows.server import local
from tests import cms_format as cms

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    """A user's environment: no Prefect server named, the background server on (whatever the machine says)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PFS_BACKGROUND_SERVER")}
    return env | {"PREFECT_LOGGING_LEVEL": "WARNING", "COLUMNS": "200"}


def pfs(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip


def processes_of(lake: Path) -> list[str]:
    """Every process on the machine whose command line names the lake (the supervisor and Prefect's server)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(lake.resolve()) in cmdline and state != "Z":
            found.append(f"{entry.name}: {cmdline}")
    return found


def until(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@pytest.fixture
def lake(tmp_path: Path):
    """A lake folder whose server, whatever a test left of it, is stopped at the end."""
    lake = tmp_path / "lake"
    yield lake
    local.stop(lake)
    leftover = processes_of(lake)
    for line in leftover:
        os.kill(int(line.split(":")[0]), signal.SIGKILL)
    assert not leftover, f"left running: {leftover}"


def test_the_first_refresh_starts_the_lake_server_the_next_uses_it_and_stop_leaves_nothing(tmp_path: Path, lake):
    source = str(cms.release_folder(tmp_path / "rvu25b"))
    first = pfs("refresh", "--release", "RVU25B", "--source", source, "--lake", str(lake))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "creates its database" in first.stderr  # said while the wait is long, not 40 silent seconds
    assert "runs in the background (pid" in first.stderr and "pfs server stop --lake" in first.stderr
    server = local.running(lake)
    assert server is not None and f"pid {server.pid}" in first.stderr
    assert "s in all" in first.stdout  # the wall time beside the run's own

    again = pfs("refresh", "--release", "RVU25B", "--source", source, "--lake", str(lake), "--force")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Starting" not in again.stderr and "temporary server" not in again.stderr
    assert local.running(lake) == server
    runs = httpx.post(f"{server.api_url}/flow_runs/filter", json={}, timeout=10).json()
    assert sorted(r["state_type"] for r in runs) == ["COMPLETED", "COMPLETED"]  # both runs, recorded there

    assert pfs("server", "status", "--lake", str(lake)).returncode == 0
    stopped = pfs("server", "stop", "--lake", str(lake))
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert processes_of(lake) == []
    status = pfs("server", "status", "--lake", str(lake))
    assert status.returncode == 1 and "no Prefect server is running" in status.stdout


def test_the_server_outlives_a_refresh_longer_than_its_idle_time_then_leaves(tmp_path: Path, lake):
    idle_seconds = 3
    started = pfs("server", "start", "--lake", str(lake), "--idle-minutes", str(idle_seconds / 60))
    assert started.returncode == 0, started.stdout + started.stderr
    server = local.running(lake)
    assert server is not None and server.idle_seconds == idle_seconds
    source = str(cms.release_folder(tmp_path / "rvu25b"))
    began = time.monotonic()
    done = pfs("refresh", "--release", "RVU25B", "--source", source, "--lake", str(lake))
    took = time.monotonic() - began
    assert done.returncode == 0, done.stdout + done.stderr
    assert took > idle_seconds  # so the lease, not luck, kept the server up
    assert "Starting" not in done.stderr  # the server it found lasted the whole run
    assert until(lambda: not processes_of(lake), timeout=idle_seconds + 20), processes_of(lake)
    assert not (local.home(lake) / local.STATE).exists()
    assert "unused for 3 s: stopping" in (local.home(lake) / local.LOG).read_text()


def test_one_server_per_lake_and_a_dead_one_is_replaced_not_waited_for(lake):
    both = [subprocess.Popen([sys.executable, "-m", "flows.cli", "server", "start", "--lake", str(lake),
                              "--idle-minutes", "0"], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]  # fmt: skip
    outputs = [process.communicate(timeout=300)[0] for process in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    server = local.running(lake)
    assert server is not None and all(f"pid {server.pid}" in out for out in outputs), outputs
    assert len([p for p in processes_of(lake) if "flows.server.supervisor" in p]) == 1

    os.killpg(server.pid, signal.SIGKILL)  # died without a word: its state file still names it
    assert until(lambda: not processes_of(lake), timeout=10)
    began = time.monotonic()
    replaced = pfs("server", "start", "--lake", str(lake), "--idle-minutes", "0")
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    successor = local.running(lake)
    assert successor is not None and successor.pid != server.pid
    assert time.monotonic() - began < 120  # no wait for the dead one's start-up allowance (300 s)
    assert local.stop(lake) and processes_of(lake) == []


def test_temporary_server_when_asked_leaves_nothing_in_the_lake(tmp_path: Path, lake):
    source = str(cms.release_folder(tmp_path / "rvu25b"))
    done = pfs("refresh", "--release", "RVU25B", "--source", source, "--lake", str(lake), "--temporary-server")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "temporary server" in done.stderr
    assert local.recorded(lake) is None and processes_of(lake) == []


def test_a_copied_lake_does_not_use_the_original_lake_server(tmp_path: Path):
    original, copy = tmp_path / "original", tmp_path / "copy"
    record = local.Server(pid=os.getpid(), api_url="http://127.0.0.1:9/api", lake=str(original.resolve()),
                          idle_seconds=0)  # fmt: skip
    (local.home(copy)).mkdir(parents=True)
    (local.home(copy) / local.STATE).write_text(local.state_of(record))
    assert local.recorded(copy) is None
