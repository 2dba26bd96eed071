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
    from flows.lake.reader import connect, in_storage_version, is_current, storage_version
    from flows.shared.lock import LakeBusy

    if not (lake / DB_FILE).exists():
        raise fail(f"no lake at {lake} (run `pfs refresh` first)")
    con = connect(lake)
    current, readable_by_older = is_current(con), in_storage_version(con)
    con.close()
    if not (current and readable_by_older):
        why = "was written by an older pfs" if not current else f"is not in storage format {storage_version()}"
        errors.print(f"{lake / DB_FILE} {why}: bringing it up to date (nothing is recomputed)", highlight=False)
        try:
            _bring_up_to_date(lake)
        except (LakeBusy, OSError) as error:
            if not current:
                raise fail(str(error)) from None
            # only its storage format is newer: this pfs reads it as it is
            errors.print(f"{lake / DB_FILE} stays as it is for now: {error}", highlight=False)
    return connect(lake)


def _bring_up_to_date(lake: Path) -> None:
    """pfs.duckdb rebuilt to the lake's manifests, as every refresh does first: the tables this version of pfs
    added are made from the ones the lake has, in the storage version readers need; nothing is recomputed."""
    from flows.lake.publish import reconcile
    from flows.shared.lock import lake_lock

    with lake_lock(lake, wait_seconds=60):
        reconcile(lake)
