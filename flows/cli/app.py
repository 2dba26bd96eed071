"""The `pfs` Typer app and what its commands share: the console, the --lake option, opening the lake."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

_IMPORTED = time.perf_counter()
app = typer.Typer(help="Medicare Physician Fee Schedule releases as a Parquet lake.", no_args_is_help=True)
console = Console()  # width from COLUMNS when set, else the terminal
errors = Console(stderr=True)

LakeOption = Annotated[Path, typer.Option("--lake", help="The lake folder.")]


def since_start() -> float:
    """Seconds since this process started: the wall time a user waits (Linux's /proc; else since pfs's import)."""
    from flows.server.local import process_stat

    try:
        ticks = int(process_stat("self")[19])
        return float(Path("/proc/uptime").read_text().split()[0]) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


def fail(message: str, status: int = 1) -> typer.Exit:
    """Print one line to stderr; the caller raises what this returns."""
    errors.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(status)


def open_lake(lake: Path):
    """pfs.duckdb of the lake, read-only (brought up to date first when an older pfs wrote it); a clear error when
    there is none."""
    from flows.lake.layout import DB_FILE
    from flows.lake.reader import connect, is_current

    if not (lake / DB_FILE).exists():
        raise fail(f"no lake at {lake} (run `pfs refresh` first)")
    con = connect(lake)
    if not is_current(con):
        con.close()
        _bring_up_to_date(lake)
        con = connect(lake)
    return con


def _bring_up_to_date(lake: Path) -> None:
    """pfs.duckdb of an older pfs rebuilt to the lake's manifests, as every refresh does first: the tables this
    version added are made from the ones the lake has; nothing is recomputed or downloaded."""
    from flows.lake.publish import reconcile
    from flows.shared.lock import LakeBusy, lake_lock

    errors.print(f"{lake / 'pfs.duckdb'} was written by an older pfs: bringing it up to date (nothing is recomputed)",
                 highlight=False)  # fmt: skip
    try:
        with lake_lock(lake, wait_seconds=60):
            reconcile(lake)
    except LakeBusy as error:
        raise fail(str(error)) from None
