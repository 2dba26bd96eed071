"""Prefect's server for one lake, kept in the background like a build daemon: the first command that needs it
starts it, later commands use it, and it leaves after an idle time (config/defaults.toml [server]).

<lake>/.prefect/              the server's Prefect home (its database)
<lake>/.prefect/server.json   the running server: its supervisor's pid, API URL, lake and idle time
<lake>/.prefect/server.log    what the supervisor and Prefect's server print
<lake>/.prefect/start.lock    held while a server is found or started: never two for one lake
<lake>/.prefect/users.lock    held shared by every command using the server, so it is not stopped under one
<lake>/.prefect/last_used     touched by each command that uses the server: the idle time counts from it

The supervisor (flows/server/supervisor.py) runs `prefect server start` in its own process group and stops
it when idle. Locks are OS file locks (flock): the kernel drops them when their process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

HOME = ".prefect"
STATE = "server.json"
LOG = "server.log"
START_LOCK = "start.lock"
USERS_LOCK = "users.lock"
LAST_USED = "last_used"
DATABASE = "prefect.db"
HEALTH_PATIENCE_SECONDS = 10  # how long a live server may not answer before it counts as hung
OFFLINE = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}  # no telemetry lookup (it fails offline)

HAS_PROC = Path("/proc/self/stat").exists()  # Linux: processes can be asked what they run

_leases: list = []  # open users.lock handles of this process: shared locks held until it exits


@dataclass(frozen=True)
class Server:
    pid: int  # the supervisor's; its process group holds Prefect's server too
    api_url: str
    lake: str
    idle_seconds: float  # 0: until stopped


class ServerError(RuntimeError):
    """Prefect's server for the lake could not be started."""


def home(lake: Path) -> Path:
    return lake.resolve() / HOME


def environment(folder: Path) -> dict[str, str]:
    """The environment of Prefect's server: its home in the lake, offline, no UI, no other server's URL."""
    env = os.environ | OFFLINE | {"PREFECT_HOME": str(folder), "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    return env


def recorded(lake: Path) -> Server | None:
    """The server the lake's state file names, running or not."""
    try:
        server = Server(**json.loads((home(lake) / STATE).read_text()))
    except (FileNotFoundError, json.JSONDecodeError, TypeError):
        return None
    # a copied lake carries its state file: it names the original's server, not this lake's
    return server if server.lake == str(lake.resolve()) else None


def running(lake: Path, patience_seconds: float = 0) -> Server | None:
    """The lake's server, when its supervisor is alive and its API answers within `patience_seconds` (a server
    busy on 2 cores may miss one health check, and is not to be replaced for that)."""
    server = recorded(lake)
    if server is None:
        return None
    deadline = time.monotonic() + patience_seconds
    while is_supervisor(server.pid, lake):
        if healthy(server.api_url):
            return server
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.5)
    return None


def preparing_database(lake: Path) -> bool:
    """True when a new server would first create and migrate its database (a minute on 2 cores)."""
    return not (home(lake) / DATABASE).exists()


def ensure(
    lake: Path, idle_seconds: float, timeout_seconds: float, waiting: Callable[[float], None] | None = None
) -> tuple[Server, bool]:
    """The lake's server, started in the background when none runs; True when this call started it.

    The caller holds a lease on it until the process exits, so the server is not stopped for idleness under it.
    """
    folder = home(lake)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / START_LOCK, fcntl.LOCK_EX):
        hold_lease(lake)  # waits while an idle server shuts down; from here on none can
        server = running(lake, patience_seconds=HEALTH_PATIENCE_SECONDS)
        if server is not None:
            return server, False
        return start(lake, idle_seconds, timeout_seconds, waiting), True


def start(
    lake: Path, idle_seconds: float, timeout_seconds: float, waiting: Callable[[float], None] | None = None
) -> Server:
    """Start a supervisor for the lake and wait until its server answers; replace one that died or hangs."""
    folder = home(lake)
    stale = recorded(lake)
    if stale is not None and is_supervisor(stale.pid, lake):
        _kill(stale.pid)  # alive but not answering: replaced, not waited for
    (folder / STATE).unlink(missing_ok=True)
    (folder / LAST_USED).touch()
    command = [sys.executable, "-m", "flows.server.supervisor", str(lake.resolve()), f"--idle-seconds={idle_seconds}"]
    with (folder / LOG).open("ab") as log:
        process = subprocess.Popen(
            command, cwd=Path(__file__).resolve().parents[2], env=environment(folder), stdin=subprocess.DEVNULL,
            stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    started = time.monotonic()
    while True:
        server = running(lake)
        if server is not None and server.pid == process.pid:
            return server
        if process.poll() is not None:
            raise ServerError(f"Prefect's server for {lake} did not start; see {folder / LOG}:\n{_tail(folder / LOG)}")
        if time.monotonic() - started > timeout_seconds:
            _kill(process.pid)
            raise ServerError(
                f"Prefect's server for {lake} did not answer within {timeout_seconds:.0f} s (config/defaults.toml "
                f"[server] startup_timeout_seconds); see {folder / LOG}"
            )
        if waiting is not None:
            waiting(time.monotonic() - started)
        time.sleep(0.2)


def hold_lease(lake: Path) -> None:
    """Mark the lake's server as used by this process until it exits (a shared lock on users.lock)."""
    folder = home(lake)
    handle = (folder / USERS_LOCK).open("a")
    fcntl.flock(handle, fcntl.LOCK_SH)
    _leases.append(handle)
    (folder / LAST_USED).touch()


def stop(lake: Path) -> bool:
    """Stop the lake's server at once (supervisor and Prefect's server); False when none was running."""
    folder = home(lake)
    if not folder.exists():
        return False
    with _locked(folder / START_LOCK, fcntl.LOCK_EX):  # not while a command starts one
        server = recorded(lake)
        alive = server is not None and is_supervisor(server.pid, lake)
        if alive:
            _kill(server.pid)
        (folder / STATE).unlink(missing_ok=True)
    return alive


def prefect_command(*args: str) -> list[str]:
    """Prefect's own CLI of this environment."""
    return [str(Path(sys.executable).parent / "prefect"), *args]


def process_stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name: [0] is the state, [19] the start time in ticks."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def is_supervisor(pid: int, lake: Path) -> bool:
    """True while `pid` is alive and is the lake's server supervisor (not another that got its pid)."""
    if not alive(pid):
        return False
    if not HAS_PROC:
        return True  # nothing to ask: trust the pid
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"flows.server.supervisor" in words and str(lake.resolve()).encode() in words


def alive(pid: int) -> bool:
    """True while the process runs (a zombie is not running: a container's init may never reap it)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0]:  # our own child that ended: reaped
            return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    if not HAS_PROC:
        return True
    try:
        return process_stat(pid)[0] != "Z"
    except (OSError, IndexError):
        return False


def healthy(api_url: str) -> bool:
    """True when the API answers its health check (urllib: httpx costs a TLS context per client)."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _kill(pid: int, grace_seconds: float = 15) -> None:
    """SIGTERM to the supervisor's process group (it stops Prefect's server and exits), SIGKILL after a grace."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # whatever of the group is left


@contextlib.contextmanager
def _locked(path: Path, operation: int) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, operation)
        yield


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def state_of(server: Server) -> str:
    return json.dumps(asdict(server)) + "\n"
