"""One refresh at a time per lake: an exclusive lock on `<lake>/.lock`.

The lock is an OS file lock (flock), so the kernel drops it when its process dies: a run killed with
SIGKILL leaves only a stale note in the file, which the next run reports and overwrites.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = ".lock"


class LakeBusy(RuntimeError):
    """Another refresh holds the lake."""


@contextmanager
def lake_lock(lake: Path, wait_seconds: float = 0, on_stale=None) -> Iterator[None]:
    """Hold the lake's lock for the block; wait up to `wait_seconds` for another run, then fail naming it."""
    lake.mkdir(parents=True, exist_ok=True)
    path = lake / LOCK_FILE
    handle = path.open("a+")
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LakeBusy(f"another refresh is running on {lake}: {_holder(path)}") from None
                time.sleep(0.2)
        previous = _holder(path)
        if previous != "unknown" and on_stale is not None:
            on_stale(f"recovered the lock of an earlier run that did not finish: {previous}")
        _write_holder(handle)
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _write_holder(handle) -> None:
    handle.seek(0)
    handle.truncate()
    note = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
    handle.write(json.dumps(note))
    handle.flush()


def _holder(path: Path) -> str:
    try:
        note = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return "unknown"
    if not note:
        return "unknown"
    return f"pid {note.get('pid')} on {note.get('host')} since {note.get('since')}"
