"""Prefect's own `prefect server start`, run in the background for one lake, its Prefect home in the lake.

<lake>/.prefect/             the server's Prefect home (its database)
<lake>/.prefect/server.json  pid and API URL of the running server
<lake>/.prefect/server.log   what the server prints
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HOME = ".prefect"
STATE = "server.json"


@dataclass(frozen=True)
class Server:
    pid: int
    api_url: str


def home(lake: Path) -> Path:
    return lake.resolve() / HOME


def running(lake: Path) -> Server | None:
    """The lake's server, when its process is alive and its API answers."""
    state = home(lake) / STATE
    if not state.exists():
        return None
    server = Server(**json.loads(state.read_text()))
    if not _alive(server.pid) or not _healthy(server.api_url):
        return None
    return server


def start(lake: Path, timeout_seconds: float = 90) -> Server:
    """Start the server (or return the one running) and wait until its API answers."""
    found = running(lake)
    if found:
        return found
    folder = home(lake)
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = os.environ | {
        "PREFECT_HOME": str(folder),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).parent / "prefect"
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    server = Server(process.pid, f"http://127.0.0.1:{port}/api")
    deadline = time.monotonic() + timeout_seconds
    while not _healthy(server.api_url):
        if process.poll() is not None or time.monotonic() > deadline:
            _kill(process.pid)
            raise RuntimeError(f"Prefect's server did not start; see {folder / 'server.log'}")
        time.sleep(0.25)
    (folder / STATE).write_text(json.dumps({"pid": server.pid, "api_url": server.api_url}) + "\n")
    return server


def stop(lake: Path) -> bool:
    """Stop the lake's server (its whole process group); False when none was running."""
    state = home(lake) / STATE
    if not state.exists():
        return False
    server = Server(**json.loads(state.read_text()))
    was_alive = _alive(server.pid)
    if was_alive:
        _kill(server.pid)
    state.unlink()
    return was_alive


def _kill(pid: int, grace_seconds: float = 10) -> None:
    """SIGTERM to the server's process group, SIGKILL after a grace period."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)  # our own child: reap it if it ended
        if finished:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
