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
from tests.processes import pids, processes_of

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    """A user's environment: no Prefect server named, the background server on (whatever the machine says)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PFS_BACKGROUND_SERVER")}
    return env | {"PREFECT_LOGGING_LEVEL": "WARNING", "COLUMNS": "200"}


def pfs(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip


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
    for pid in pids(leftover):
        os.kill(pid, signal.SIGKILL)
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


def test_the_server_stays_while_a_command_uses_it_past_its_idle_time_then_leaves(lake):
    idle_seconds = 2
    started = pfs("server", "start", "--lake", str(lake), "--idle-minutes", str(idle_seconds / 60))
    assert started.returncode == 0, started.stdout + started.stderr
    server = local.running(lake)
    assert server is not None and server.idle_seconds == idle_seconds
    assert len(pids(processes_of(lake))) == 2  # the supervisor and Prefect's server
    # a command that uses the server for three idle times (as a long refresh does), from another process
    user = subprocess.Popen([sys.executable, "-c", USER, str(lake), str(idle_seconds * 3)], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert user.stdout.readline().strip() == str(server.pid)  # it holds the server
    time.sleep(idle_seconds * 2)
    assert local.running(lake) == server  # past its idle time, kept for the command
    assert user.wait(timeout=60) == 0
    assert until(lambda: not processes_of(lake), timeout=idle_seconds + 15), processes_of(lake)
    assert not (local.home(lake) / local.STATE).exists()
    assert f"unused for {idle_seconds} s: stopping" in (local.home(lake) / local.LOG).read_text()


USER = """
import sys, time
from pathlib import Path
from flows.server import local
server, started = local.ensure(Path(sys.argv[1]), idle_seconds=0, timeout_seconds=60)
assert not started
print(server.pid, flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_one_server_per_lake_and_a_dead_one_is_replaced_not_waited_for(lake):
    both = [subprocess.Popen([sys.executable, "-m", "flows.cli", "server", "start", "--lake", str(lake),
                              "--idle-minutes", "0"], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]  # fmt: skip
    outputs = [process.communicate(timeout=300)[0] for process in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    server = local.running(lake)
    assert server is not None and all(f"pid {server.pid}" in out for out in outputs), outputs
    assert len(pids(processes_of(lake))) == 2  # one supervisor, one Prefect server

    os.kill(server.pid, signal.SIGKILL)  # the supervisor died without a word: its state file still names it
    assert until(lambda: not processes_of(lake), timeout=15), processes_of(lake)  # its Prefect server went with it
    began = time.monotonic()
    replaced = pfs("server", "start", "--lake", str(lake), "--idle-minutes", "0")
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    successor = local.running(lake)
    assert successor is not None and successor.pid != server.pid
    assert time.monotonic() - began < 120  # no wait for the dead one's start-up allowance (300 s)
    assert local.stop(lake) and processes_of(lake) == []


def test_a_temporary_server_with_an_empty_prefect_home_prepares_its_database_and_leaves_nothing(tmp_path, lake):
    source = str(cms.release_folder(tmp_path / "rvu25b"))
    prefect_home = tmp_path / "prefect-home"  # a new machine's: Prefect's own 20 s allowance is too short here
    done = subprocess.run([sys.executable, "-m", "flows.cli", "refresh", "--release", "RVU25B", "--source", source,
                           "--lake", str(lake), "--temporary-server"], cwd=ROOT,
                          env=_env() | {"PREFECT_HOME": str(prefect_home)}, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Preparing Prefect's database" in done.stderr and "temporary server" in done.stderr
    assert (prefect_home / local.DATABASE).exists()
    assert local.recorded(lake) is None and processes_of(lake) == [] and processes_of(prefect_home) == []


def test_a_copied_lake_does_not_use_the_original_lake_server(tmp_path: Path):
    original, copy = tmp_path / "original", tmp_path / "copy"
    record = local.Server(pid=os.getpid(), api_url="http://127.0.0.1:9/api", lake=str(original.resolve()),
                          idle_seconds=0)  # fmt: skip
    for lake in (original, copy):
        local.home(lake).mkdir(parents=True)
        (local.home(lake) / local.STATE).write_text(local.state_of(record))  # as `cp -r` copies it
    assert local.recorded(original) == record
    assert local.recorded(copy) is None
    assert not local.is_supervisor(os.getpid(), original)  # a live pid that is no supervisor is not one
