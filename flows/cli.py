"""The `pfs` command: refresh a release into the lake, and look a code up."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
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


def _open_lake(lake: Path):
    import duckdb

    from flows.lake import DB_FILE

    if not (lake / DB_FILE).exists():
        console.print(f"[red]no lake at {lake}[/] (run `pfs refresh` first)")
        raise typer.Exit(1)
    return duckdb.connect(str(lake / DB_FILE), read_only=True)


@app.command()
def code(
    hcpcs: Annotated[str, typer.Argument(help="The HCPCS/CPT code, e.g. 97140.")],
    release: Annotated[str | None, typer.Option(help="CMS release label, e.g. RVU25D.")] = None,
    on: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="A date of service: the release in force.")
    ] = None,
    lake: LakeOption = Path("lake"),
) -> None:
    """Print a code's page: descriptor, RVUs, fees and its ranking in its category."""
    from flows.history import release_on
    from flows.profile import load_profile, render

    if (release is None) == (on is None):
        console.print("[red]give either --release or --date[/]")
        raise typer.Exit(2)
    if on is not None:
        with _open_lake(lake) as con:
            try:
                release = release_on(con, on.date())
            except LookupError as error:
                console.print(f"[red]{error}[/]")
                raise typer.Exit(1) from None
        console.print(f"{on:%Y-%m-%d}: release {release} in force")
    _open_lake(lake).close()
    profile = load_profile(lake, hcpcs, release)
    if profile is None:
        console.print(f"[red]{hcpcs} is not in release {release} of {lake}[/]")
        raise typer.Exit(1)
    table = Table(show_header=False, box=None)
    for label, value in render(profile):
        table.add_row(f"[bold]{label}[/]", value)
    console.print(table)


@app.command()
def changes(
    from_release: Annotated[str, typer.Option("--from", help="The earlier release, e.g. RVU22A.")],
    to_release: Annotated[str, typer.Option("--to", help="The later release, e.g. RVU25D.")],
    top: Annotated[int, typer.Option(help="How many of the largest changes to list.")] = 20,
    lake: LakeOption = Path("lake"),
) -> None:
    """Report what changed between two releases: counts per change and category, largest changes first."""
    import polars as pl

    from flows.history import code_changes, largest_changes

    with _open_lake(lake) as con:
        try:
            found = code_changes(con, from_release.upper(), to_release.upper())
        except KeyError as error:
            console.print(f"[red]{error.args[0]}[/]")
            raise typer.Exit(1) from None
    console.print(f"[bold]{from_release.upper()} → {to_release.upper()}[/]: {found.height:,} codes × modifiers changed")
    counts = found.group_by("change").len().sort("change")
    table = Table("change", "rows")
    for change, rows in counts.iter_rows():
        table.add_row(change, f"{rows:,}")
    console.print(table)
    per_category = found.pivot("change", index="category", values="hcpcs", aggregate_function="len").fill_null(0)
    per_category = per_category.sort(pl.sum_horizontal(pl.exclude("category")), descending=True)
    table = Table(*per_category.columns, title="per category")
    for row in per_category.iter_rows():
        table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
    console.print(table)
    table = Table("hcpcs", "mod", "category", "change", "fee from", "fee to", "Δ $", "Δ %", title="largest changes")
    for r in largest_changes(found, top).iter_rows(named=True):
        table.add_row(
            r["hcpcs"], r["modifier"], r["category"], r["change"], _usd(r["from_fee_nonfacility_usd"]),
            _usd(r["to_fee_nonfacility_usd"]), _usd(r["fee_nonfacility_change_usd"]),
            "—" if r["fee_nonfacility_change_pct"] is None else f"{r['fee_nonfacility_change_pct']:+.1f}%",
        )  # fmt: skip
    console.print(table)


def _usd(amount) -> str:
    if amount is None:
        return "—"
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


if __name__ == "__main__":
    sys.exit(app())
