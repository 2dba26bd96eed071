"""`pfs code`, `pfs releases`, `pfs changes`: reading the lake (read-only, no Prefect)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.cli.app import LakeOption, app, console, fail, open_lake


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
    zip_code: Annotated[
        str | None, typer.Option("--zip", help="A ZIP code (ZIP5 or ZIP+4): that locality's fees too.")
    ] = None,
    mac: Annotated[str | None, typer.Option(help="With --locality: a MAC's locality's fees too.")] = None,
    locality: Annotated[str | None, typer.Option(help="The locality number within --mac, e.g. 05.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the profile as one JSON object.")] = False,
    lake: LakeOption = Path("lake"),
) -> None:
    """Print a code's page: descriptor, RVUs, fees and its ranking in its category (and in one place)."""
    from flows.lookup import place as places
    from flows.lookup.jsonable import dumps
    from flows.lookup.profile import profile_of, render, with_place, with_specialties

    if (release is None) == (on is None):
        raise fail("give either --release or --date", 2)
    if (mac is None) != (locality is None) or (zip_code is not None and mac is not None):
        raise fail("give a place as --zip, or as --mac with --locality", 2)
    with open_lake(lake) as con:
        try:
            release, day = _release_and_day(con, release, on)
            profile = profile_of(con, hcpcs, release, cf_variant)
            if profile is None:
                raise fail(f"{hcpcs} is not in release {release} of {lake} at the {cf_variant} conversion factor")
            profile = with_specialties(con, profile)
            if zip_code is not None:
                profile = with_place(con, profile, places.of_zip(con, zip_code, release, day))
            elif mac is not None:
                profile = with_place(con, profile, places.of_locality(con, mac, locality, release))
        except (LookupError, places.PlaceError) as error:
            raise fail(str(error.args[0])) from None
    if as_json:
        print(dumps(profile))
        return
    if on is not None:
        console.print(f"{on:%Y-%m-%d}: release {release} in force")
    table = Table(show_header=False, box=None)
    for label, value in render(profile):
        table.add_row(f"[bold]{label}[/]", value)
    console.print(table)


def _release_and_day(con, release: str | None, on: datetime | None) -> tuple[str, date]:
    """The release asked for (and its first day), or the one in force on the date of service."""
    from flows.lookup.history import effective_from, release_on

    if on is not None:
        return release_on(con, on.date()), on.date()
    return release.upper(), effective_from(con, release.upper())


@app.command()
def releases(
    lake: LakeOption = Path("lake"),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """List the lake's releases: dates in force, conversion factors, files present and missing, rows, source."""
    from flows.lookup.jsonable import dumps
    from flows.lookup.releases import lake_releases

    with open_lake(lake) as con:
        listed = lake_releases(con, lake)
    if as_json:
        print(dumps(listed))
        return
    table = Table("release", "in force", "conversion factor", "files missing", "rvu rows", "locality fees", "sha256")
    for r in listed:
        until = r["effective_to"].isoformat() if r["effective_to"] else "…"
        factors = ", ".join(f"{v} ${cf}" for v, cf in r["conversion_factors_usd"].items())
        table.add_row(
            r["release"], f"{r['effective_from']} – {until}", factors, ", ".join(r["files_missing"]) or "—",
            f"{r['rows'].get('rvu', 0):,}", f"{r['rows'].get('fee_locality', 0):,}", r["archive_sha256"][:12],
        )  # fmt: skip
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

    from flows.lookup.history import code_changes, largest_changes

    with open_lake(lake) as con:
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
