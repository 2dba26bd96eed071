"""The `pfs` Typer app and what its commands share: the console, the --lake option, opening the lake."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Medicare Physician Fee Schedule releases as a Parquet lake.", no_args_is_help=True)
console = Console()  # width from COLUMNS when set, else the terminal
errors = Console(stderr=True)

LakeOption = Annotated[Path, typer.Option("--lake", help="The lake folder.")]


def offline_prefect() -> None:
    """Prefect's ephemeral server, without the telemetry lookup that fails (and logs) offline."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def use_server(lake: Path) -> None:
    """Point Prefect at the lake's running server (`pfs server start`), unless PREFECT_API_URL names one;
    else say how to skip the temporary server's start-up next time."""
    if os.environ.get("PREFECT_API_URL"):
        return
    from flows.server import local

    server = local.running(lake)
    if server is not None:
        os.environ["PREFECT_API_URL"] = server.api_url
        return
    errors.print(
        f"Prefect starts a temporary server for this run (10-20 s); `pfs server start --lake {lake}` keeps one "
        "running, and refreshes use it.", style="dim", highlight=False, soft_wrap=True,
    )  # fmt: skip


def fail(message: str, status: int = 1) -> typer.Exit:
    """Print one line to stderr; the caller raises what this returns."""
    errors.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(status)


def open_lake(lake: Path):
    """pfs.duckdb of the lake, read-only; a clear error when there is none."""
    from flows.lake.layout import DB_FILE
    from flows.lake.reader import connect

    if not (lake / DB_FILE).exists():
        raise fail(f"no lake at {lake} (run `pfs refresh` first)")
    return connect(lake)
