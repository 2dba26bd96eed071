"""`pfs refresh`, `discover`, `catalog`, `schedule`: the commands that orchestrate (Prefect imported as they run)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.cli.app import LakeOption, app, console, fail, since_start
from flows.cli.prefect_server import TemporaryServerOption, offline_prefect, prefect_api
from flows.releases.catalog import selected


@app.command()
def refresh(
    release: Annotated[str | None, typer.Option(help="One CMS release label, e.g. RVU25D.")] = None,
    year: Annotated[int | None, typer.Option(help="Every release of the catalog for a year.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every release of the catalog.")] = False,
    zip_locality: Annotated[
        str | None,
        typer.Option(
            "--zip-locality",
            "--zip-quarter",
            help="A quarter's ZIP code to carrier locality file "
            "instead, e.g. 2025Q4 (the table zip_locality; --zip-quarter: its former name).",
        ),
    ] = None,
    utilization: Annotated[
        int | None,
        typer.Option(
            "--utilization",
            "--specialties",
            help="A year of CMS's utilization data (who bills each "
            "code), from --source (--specialties: its former name).",
        ),
    ] = None,
    crosswalk: Annotated[
        str | None, typer.Option(help="With --utilization and a PSPS file: CMS's specialty code crosswalk (CSV).")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="With --release, --zip-locality or --utilization: a URL, zip, folder or file; default: the catalog's."
        ),
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(help="With --year/--all: a URL or folder holding <release>.zip (or a folder <release>/) each."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Reprocess releases whose archive the lake already holds.")] = False,
    lake: LakeOption = Path("lake"),
    wait: Annotated[float, typer.Option(help="Seconds to wait for another refresh of the lake to finish.")] = 0,
    temporary_server: TemporaryServerOption = None,
) -> None:
    """Bring releases into the lake: one (--release), a year's, all, or (no option) what CMS lists now.

    A release whose archive is unchanged since it was published is not processed again.
    """
    if sum(x is not None and x is not False for x in (release, year, every, zip_locality, utilization)) > 1:
        raise fail("give at most one of --release, --year, --all, --zip-locality, --utilization", 2)
    if source and not (release or zip_locality or utilization):
        raise fail("--source goes with --release, --zip-locality or --utilization (--mirror with --year/--all)", 2)
    api_url = prefect_api(lake, temporary_server)
    from flows.shared.prefect_settings import foreground

    with foreground(api_url):
        if zip_locality:
            _refresh_zip_locality(zip_locality, source, lake, wait, force)
        elif utilization is not None:
            _refresh_utilization(utilization, source, crosswalk, lake, wait, force)
        else:
            _refresh_releases(release, year, every, source, mirror, force, lake, wait)


def _refresh_releases(
    release: str | None, year: int | None, every: bool, source: str | None, mirror: str | None,
    force: bool, lake: Path, wait: float,
) -> None:  # fmt: skip
    """One release, a year's, all, or what CMS lists now; a table of outcomes."""
    import httpx

    from flows.releases.flow import refresh_from_cms, refresh_releases
    from transforms.releases.cms_pages import PageLayoutError

    started = time.perf_counter()
    if release:
        outcomes = refresh_releases([(release.upper(), source)], lake=str(lake), wait_seconds=wait, force=force)
    elif year is not None or every:
        batch = [(r.label, _mirrored(mirror, r.label)) for r in selected(year)]
        if not batch:
            console.print(f"[yellow]the catalog has no release for {year}[/]")
            raise typer.Exit(1)
        outcomes = refresh_releases(batch, lake=str(lake), wait_seconds=wait, force=force)
    else:
        try:
            # by hand, `pfs publish` publishes; the schedule publishes after its runs ([publish] to)
            outcomes = refresh_from_cms(lake=str(lake), wait_seconds=wait, force=force, publish_to="")
        except (PageLayoutError, httpx.HTTPError) as error:
            console.print(f"[bold red]discovery failed:[/] {error}")
            raise typer.Exit(1) from None
    table = Table("release", "outcome", "detail", title=f"refresh of {lake}")
    colour = {"published": "green", "unchanged": "cyan", "failed": "red"}
    for outcome in outcomes:
        table.add_row(outcome.release, f"[{colour[outcome.status]}]{outcome.status}[/]", outcome.detail)
    console.print(table)
    console.print(done_in(started))
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def _refresh_zip_locality(year_quarter: str, source: str | None, lake: Path, wait: float, force: bool) -> None:
    from flows.zip_locality.flow import refresh_zip_locality

    started = time.perf_counter()
    try:
        done = refresh_zip_locality(year_quarter, source, str(lake), wait_seconds=wait, force=force)
    except Exception as error:  # the flow's failure, as one line: the run's log above has the details
        raise fail(f"ZIP code file {year_quarter} failed: {type(error).__name__}: {error}") from None
    state = "unchanged" if done.skipped else "published"
    console.print(f"ZIP code file {done.year_quarter}: {state}, {done.rows:,} ZIP codes; {done_in(started)}")


def _refresh_utilization(
    year: int, source: str | None, crosswalk: str | None, lake: Path, wait: float, force: bool
) -> None:
    from flows.utilization.flow import refresh_utilization

    if source is None:
        raise fail("--utilization needs --source: config/utilization.toml lists no CMS URL yet", 2)
    started = time.perf_counter()
    try:
        done = refresh_utilization(year, source, str(lake), crosswalk, wait_seconds=wait, force=force)
    except Exception as error:  # the flow's failure, as one line: the run's log above has the details
        raise fail(f"utilization {year} failed: {type(error).__name__}: {error}") from None
    state = "unchanged" if done.skipped else "published"
    console.print(
        f"utilization {year} ({done.source}): {state}, {done.rows['code_specialty']:,} code × specialty rows, "
        f"{done.suppressed_rows:,} suppressed rows left out; {done_in(started)}"
    )


def done_in(started: float) -> str:
    """The run's own time and the wall time the user waited, which adds Python's, Prefect's and a server's start."""
    run = time.perf_counter() - started
    wall = since_start()
    started_up = wall - run
    return (
        f"done in {run:.1f} s ({wall:.1f} s in all, {started_up:.1f} s of it starting Python, Prefect and its server)"
    )


def _mirrored(mirror: str | None, label: str) -> str | None:
    """Where a mirror keeps a release: `<mirror>/<label>.zip`, or a folder `<mirror>/<label>/`."""
    if mirror is None:
        return None
    name = label.lower()
    if mirror.startswith(("http://", "https://")):
        return f"{mirror.rstrip('/')}/{name}.zip"
    folder = Path(mirror)
    return str(folder / name) if (folder / name).is_dir() else str(folder / f"{name}.zip")


@app.command()
def discover(
    landing_page: Annotated[
        str | None, typer.Option(help="The landing page; default: CMS's, from the catalog.")
    ] = None,
) -> None:
    """List the releases CMS's pages offer, with their zip links, against the catalog (new, changed URL, …)."""
    offline_prefect()
    import httpx

    from flows.releases.discover import discover_releases
    from transforms.releases.cms_pages import PageLayoutError

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
    from flows.releases import checksums

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
def schedule(lake: LakeOption = Path("lake"), temporary_server: TemporaryServerOption = None) -> None:
    """Run the scheduled refresh (the quarterly deployment) until stopped (Ctrl-C)."""
    api_url = prefect_api(lake, temporary_server)
    from prefect import serve as prefect_serve

    from flows.releases.schedule import quarterly
    from flows.shared.prefect_settings import reporting_to

    with reporting_to(api_url):  # with Prefect's heartbeat, which scheduled runs use
        prefect_serve(quarterly(str(lake.resolve())))


# `pfs serve`, the name before `pfs schedule`: it read like `pfs server`, which manages Prefect's server
app.command("serve", hidden=True, help="The former name of `pfs schedule`.")(schedule)
