"""The `pfs` command: refresh releases (once or on a schedule), discover them, look codes up, compare releases."""

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


def _offline_prefect() -> None:
    """Prefect's ephemeral server, without the telemetry lookup that fails (and logs) offline."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


@app.command()
def refresh(
    release: Annotated[str | None, typer.Option(help="One CMS release label, e.g. RVU25D.")] = None,
    year: Annotated[int | None, typer.Option(help="Every release of the catalog for a year.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every release of the catalog.")] = False,
    source: Annotated[
        str | None,
        typer.Option(help="With --release: a URL, a release zip or a folder of its files; default: the catalog's URL."),
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(help="With --year/--all: a URL or folder holding <release>.zip (or a folder <release>/) each."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Reprocess releases whose archive the lake already holds.")] = False,
    lake: LakeOption = Path("lake"),
    wait: Annotated[float, typer.Option(help="Seconds to wait for another refresh of the lake to finish.")] = 0,
) -> None:
    """Bring releases into the lake: one (--release), a year's, all, or (no option) what CMS lists now.

    A release whose archive is unchanged since it was published is not processed again.
    """
    if sum(x is not None and x is not False for x in (release, year, every)) > 1:
        console.print("[red]give at most one of --release, --year, --all[/]")
        raise typer.Exit(2)
    if source and not release:
        console.print("[red]--source goes with --release (use --mirror with --year/--all)[/]")
        raise typer.Exit(2)
    _offline_prefect()
    import httpx

    from flows import settings
    from flows.refresh import refresh_from_cms, refresh_releases
    from transforms.pages import PageLayoutError

    started = time.perf_counter()
    if release:
        outcomes = refresh_releases([(release.upper(), source)], lake=str(lake), wait_seconds=wait, force=force)
    elif year is not None or every:
        batch = [(r.label, _mirrored(mirror, r.label)) for r in settings.selected(year)]
        if not batch:
            console.print(f"[yellow]the catalog has no release for {year}[/]")
            raise typer.Exit(1)
        outcomes = refresh_releases(batch, lake=str(lake), wait_seconds=wait, force=force)
    else:
        try:
            outcomes = refresh_from_cms(lake=str(lake), wait_seconds=wait, force=force)
        except (PageLayoutError, httpx.HTTPError) as error:
            console.print(f"[bold red]discovery failed:[/] {error}")
            raise typer.Exit(1) from None
    table = Table("release", "outcome", "detail", title=f"refresh of {lake}")
    colour = {"published": "green", "unchanged": "cyan", "failed": "red"}
    for outcome in outcomes:
        table.add_row(outcome.release, f"[{colour[outcome.status]}]{outcome.status}[/]", outcome.detail)
    console.print(table)
    console.print(f"done in {time.perf_counter() - started:.1f} s")
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def _mirrored(mirror: str | None, label: str) -> str | None:
    """Where a mirror keeps a release: `<mirror>/<label>.zip`, or a folder `<mirror>/<label>/`."""
    if mirror is None:
        return None
    name = label.lower()
    if mirror.startswith(("http://", "https://")):
        return f"{mirror.rstrip('/')}/{name}.zip"
    folder = Path(mirror)
    return str(folder / name) if (folder / name).is_dir() else str(folder / f"{name}.zip")


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
    cf_variant: Annotated[
        str, typer.Option(help="Conversion factor: non_qp, or qp (2026 on, qualifying APM participants).")
    ] = "non_qp",
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
    profile = load_profile(lake, hcpcs, release, cf_variant)
    if profile is None:
        console.print(f"[red]{hcpcs} is not in release {release} of {lake} at the {cf_variant} conversion factor[/]")
        raise typer.Exit(1)
    table = Table(show_header=False, box=None)
    for label, value in render(profile):
        table.add_row(f"[bold]{label}[/]", value)
    console.print(table)


@app.command()
def discover(
    landing_page: Annotated[
        str | None, typer.Option(help="The landing page; default: CMS's, from the catalog.")
    ] = None,
) -> None:
    """List the releases CMS's pages offer, with their zip links, against the catalog (new, changed URL, …)."""
    _offline_prefect()
    import httpx

    from flows.discover import discover_releases
    from transforms.pages import PageLayoutError

    try:
        found = discover_releases(landing_page)
    except (PageLayoutError, httpx.HTTPError) as error:
        console.print(f"[bold red]discovery failed:[/] {error}")
        raise typer.Exit(1) from None
    table = Table("release", "status", "zip")
    for item in found:
        table.add_row(item.label, item.status, item.zip_url)
    console.print(table)


@app.command()
def catalog(
    lake: LakeOption = Path("lake"),
    record: Annotated[
        bool, typer.Option("--record", help="Write each sha256 seen from CMS, and not yet recorded, into the catalog.")
    ] = False,
) -> None:
    """The catalog's releases against the archives the lake received from CMS: checksums to record, differences.

    Only archives downloaded from the catalog's own zip URL count; a mirror's zip is other bytes.
    """
    from flows import catalog as checksums

    if record:
        for standing in checksums.record(lake):
            console.print(f"recorded {standing.release}: sha256 {standing.seen[0]}")
    colour = {"to record": "yellow", "differs": "red", "ambiguous": "red", "recorded": "green", "never seen": "dim"}
    table = Table("release", "catalog sha256", "seen from CMS", "state", title=f"config/releases.toml vs {lake}")
    for s in checksums.standings(lake):
        seen = ", ".join(sha[:12] for sha in s.seen) or "—"
        table.add_row(s.release, s.recorded[:12] or "—", seen, f"[{colour[s.state]}]{s.state}[/]")
    console.print(table)


@app.command()
def serve(lake: LakeOption = Path("lake")) -> None:
    """Serve the quarterly refresh deployment: runs it on schedule until stopped (Ctrl-C)."""
    _offline_prefect()
    from prefect import serve as prefect_serve

    from flows.schedule import quarterly

    prefect_serve(quarterly(str(lake.resolve())))


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
