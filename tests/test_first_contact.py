"""A new user's first contact: the README's first command, exactly as written, in a fresh clone beside ../shared,
with an empty home directory (so an empty Prefect home, as on a new laptop, container or CI runner)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flows.lake import manifests
from tests.processes import processes_of

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """The README's two set-up commands: the first ```bash block of "Set up and run"."""
    section = (ROOT / "README.md").read_text().split("## Set up and run", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def fresh_clone(where: Path) -> Path:
    """The checkout's files as a clone of it holds them (tracked and new, nothing ignored), beside ../shared."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.split(b"\0")  # fmt: skip
    clone = where / "pfs"
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            (clone / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name.decode())
    (where / "shared").symlink_to(ROOT.parent / "shared")
    return clone


def new_user(home: Path) -> dict[str, str]:
    """An empty home; uv takes packages from this machine's cache instead of the network (tests stay offline)."""
    uv_cache = subprocess.run(["uv", "cache", "dir"], check=True, capture_output=True, text=True).stdout.strip()
    keep = ("PATH", "LANG", "LC_ALL", "PYENV_ROOT", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    return env | {"HOME": str(home), "UV_CACHE_DIR": uv_cache, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never"}


def test_the_readme_first_command_works_in_a_fresh_clone_with_an_empty_home(tmp_path: Path, cms: Path):
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: the README's commands need it (.ci/run installs it)")
    refresh, test_command = readme_commands()
    assert refresh.startswith("uv run pfs refresh") and test_command == "uv run pytest"
    clone = fresh_clone(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = new_user(home)
    lake = clone / "lake"
    try:
        first = subprocess.run(refresh, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=900)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert "creates its database" in first.stderr and "runs in the background" in first.stderr
        published = manifests(lake)["RVU25D"]  # the archive given, published through a recorded flow run
        given = hashlib.sha256((cms / "archives" / "rvu25d.zip").read_bytes()).hexdigest()
        assert published["source"]["sha256"] == given
        assert published["run_id"] and published["tables"]["fee_locality"]["rows"] > 0

        second = subprocess.run(refresh, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=900)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        assert "unchanged" in second.stdout and "Starting" not in second.stderr  # the server of the first run
    finally:
        stop = subprocess.run("uv run pfs server stop --lake lake", shell=True, cwd=clone, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    assert stop.returncode == 0 and "stopped" in stop.stdout, stop.stdout + stop.stderr
    assert processes_of(clone) == []  # nothing of the clone's left running
