"""The `pfs` command: refresh a release into the lake, and look a code up."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Medicare Physician Fee Schedule releases as a Parquet lake.", no_args_is_help=True)
console = Console()  # width from COLUMNS when set, else the terminal

LakeOption = Annotated[Path, typer.Option("--lake", help="The lake folder.")]
ReleaseOption = Annotated[str, typer.Option("--release", help="CMS release label, e.g. RVU25D.")]


def _offline_prefect() -> None:
    """Prefect's ephemeral server, without the telemetry lookup that fails (and logs) offline."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


@app.command()
def refresh(
    release: ReleaseOption,
    source: Annotated[
        str | None,
        typer.Option(help="A URL, a release zip or a folder of its files; default: the catalog's CMS URL."),
    ] = None,
    lake: LakeOption = Path("lake"),
    wait: Annotated[float, typer.Option(help="Seconds to wait for another refresh of the lake to finish.")] = 0,
) -> None:
    """Download (or take) a release, compute its fees and rankings, and publish it in the lake."""
    _offline_prefect()
    import httpx

    from flows.refresh import refresh as refresh_flow
    from transforms.errors import CmsFileError

    started = time.perf_counter()
    try:
        published = refresh_flow(release=release, source=source, lake=str(lake), wait_seconds=wait)
    except httpx.HTTPError as error:
        console.print(f"[bold red]refresh failed:[/] could not download {error.request.url}: {error}")
        raise typer.Exit(1) from None
    except (CmsFileError, KeyError, FileNotFoundError, ValueError, RuntimeError) as error:
        console.print(f"[bold red]refresh failed:[/] {error}")
        raise typer.Exit(1) from None
    table = Table(title=f"{published.release} published in {lake}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in published.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    if published.missing:
        console.print(f"[yellow]absent from the release:[/] {', '.join(published.missing)} — their tables are empty")
    console.print(f"raw archive kept at {published.raw_path}")
    console.print(f"done in {time.perf_counter() - started:.1f} s")


@app.command()
def code(
    hcpcs: Annotated[str, typer.Argument(help="The HCPCS/CPT code, e.g. 97140.")],
    release: ReleaseOption,
    lake: LakeOption = Path("lake"),
) -> None:
    """Print a code's page: descriptor, RVUs, fees and its ranking in its category."""
    from flows.lake import DB_FILE
    from flows.profile import load_profile, render

    if not (lake / DB_FILE).exists():
        console.print(f"[red]no lake at {lake}[/] (run `pfs refresh` first)")
        raise typer.Exit(1)
    profile = load_profile(lake, hcpcs, release)
    if profile is None:
        console.print(f"[red]{hcpcs} is not in release {release} of {lake}[/]")
        raise typer.Exit(1)
    table = Table(show_header=False, box=None)
    for label, value in render(profile):
        table.add_row(f"[bold]{label}[/]", value)
    console.print(table)


if __name__ == "__main__":
    sys.exit(app())
