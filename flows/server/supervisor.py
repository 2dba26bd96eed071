"""The background process behind a lake's Prefect server: runs `prefect server start`, records it for the lake's
commands, and stops it when no command has used it for the idle time, when it is told to, or when it died.

    python -m flows.server.supervisor LAKE --idle-seconds N      (started by flows/server/local.py)
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from flows.server import local

SERVER_GRACE_SECONDS = 8  # for Prefect's server to stop on SIGTERM; within local.py's grace for the whole group


class Stop(Exception):
    """A signal asked the supervisor to stop."""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("lake", type=Path)
    parser.add_argument("--idle-seconds", type=float, required=True, help="0: until stopped")
    args = parser.parse_args()
    lake: Path = args.lake
    folder = local.home(lake)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, _raise_stop)
    port = _free_port()
    record = local.Server(pid=os.getpid(), api_url=f"http://127.0.0.1:{port}/api", lake=str(lake.resolve()),
                          idle_seconds=args.idle_seconds)  # fmt: skip
    server = subprocess.Popen(
        local.prefect_command("server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"),
        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,  # output goes where ours goes: server.log
    )  # fmt: skip
    try:
        _say(f"starting Prefect's server {record.api_url} (pid {server.pid}) for {lake}")
        while not local.healthy(record.api_url):
            if server.poll() is not None:
                return _shut_down(server, folder, record, f"Prefect's server exited ({server.returncode})")
            time.sleep(0.2)
        (folder / local.STATE).write_text(local.state_of(record))
        idle = "until stopped" if not args.idle_seconds else f"until unused for {args.idle_seconds:g} s"
        _say(f"Prefect's server answers; it runs {idle}")
        return _watch(server, folder, record, args.idle_seconds)
    except Stop as why:
        return _shut_down(server, folder, record, f"{why}: stopping")


def _watch(server: subprocess.Popen, folder: Path, record: local.Server, idle_seconds: float) -> int:
    """Until Prefect's server exits or has been unused for the idle time."""
    started = time.monotonic()
    poll = min(5.0, max(0.25, idle_seconds / 10))
    with (folder / local.USERS_LOCK).open("a") as users:
        while True:
            if server.poll() is not None:
                return _shut_down(server, folder, record, f"Prefect's server exited ({server.returncode})")
            if idle_seconds and _unused(users, folder, started, idle_seconds):
                # users.lock is held until the server is gone: a command arriving now waits, then starts anew
                return _shut_down(server, folder, record, f"unused for {idle_seconds:g} s: stopping")
            time.sleep(poll)


def _unused(users, folder: Path, started: float, idle_seconds: float) -> bool:
    """True when no command holds the server and none used it for the idle time; users.lock is then kept."""
    try:
        fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # a command holds it: in use now
        (folder / local.LAST_USED).touch()
        return False
    try:
        since_use = time.time() - (folder / local.LAST_USED).stat().st_mtime
    except FileNotFoundError:
        since_use = float("inf")
    if min(since_use, time.monotonic() - started) >= idle_seconds:
        return True
    fcntl.flock(users, fcntl.LOCK_UN)
    return False


def _shut_down(server: subprocess.Popen, folder: Path, record: local.Server, why: str) -> int:
    """Stop Prefect's server, then forget it (only if the state file is still this supervisor's)."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)  # one stop at a time
    _say(why)
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=SERVER_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    state = folder / local.STATE
    if state.exists() and state.read_text() == local.state_of(record):
        state.unlink()
    _say("stopped")
    return 0


def _raise_stop(signum: int, _frame) -> None:
    raise Stop(signal.Signals(signum).name)


def _die_with_parent() -> None:
    """In Prefect's server, before it runs: Linux sends it SIGTERM when this supervisor dies, even by SIGKILL,
    so no server outlives its supervisor (elsewhere, `pfs server stop` signals the whole process group)."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _say(message: str) -> None:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} supervisor: {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
