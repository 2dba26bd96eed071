"""What runs on this machine, asked of /proc: the tests' check that nothing they started outlives them."""

from __future__ import annotations

from pathlib import Path

from flows.server.local import alive


def processes_of(folder: Path) -> list[str]:
    """Every live process whose command line or environment names the folder: a lake's supervisor (its command
    line) and Prefect's server (its PREFECT_HOME, in the lake)."""
    name = str(folder.resolve()).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if (name in cmdline or name in environ) and alive(int(entry.name)):
            command = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {command}")
    return found


def pids(found: list[str]) -> list[int]:
    return [int(line.split(":", 1)[0]) for line in found]
