"""Two refreshes of one lake never interleave; a lock left by a killed run is recovered."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows.shared.lock import LakeBusy, lake_lock


def test_a_second_run_fails_at_once_naming_the_holder(tmp_path: Path):
    with lake_lock(tmp_path):
        with pytest.raises(LakeBusy, match=r"another refresh is running on .*: pid \d+ on "):
            with lake_lock(tmp_path):
                pass


def test_a_second_run_can_wait_for_the_first(tmp_path: Path):
    released = threading.Event()

    def first() -> None:
        with lake_lock(tmp_path):
            time.sleep(0.5)
        released.set()

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.1)
    with lake_lock(tmp_path, wait_seconds=10):
        assert released.is_set()
    thread.join()


def test_the_lock_of_a_killed_run_is_recovered_and_reported(tmp_path: Path):
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from flows.shared.lock import lake_lock\n"
        "with lake_lock(Path(sys.argv[1])):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=Path(__file__).parent.parent)
    assert killed.returncode == -9
    notes: list[str] = []
    with lake_lock(tmp_path, on_stale=notes.append):
        pass
    assert len(notes) == 1 and "did not finish" in notes[0]
    with lake_lock(tmp_path, on_stale=notes.append):  # a clean release leaves nothing to recover
        pass
    assert len(notes) == 1
