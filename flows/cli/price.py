"""`pfs price`: claim lines priced against the lake (its tables only read; local paths or s3:// URLs). With
--workers or --cluster the Dask flow reports to the lake's Prefect server, kept in <lake>/.prefect."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import app, console, errors, fail, open_lake
from flows.cli.prefect_server import TemporaryServerOption, prefect_api

SHOWN_BAD_LINES = 20


@app.command()
def price(
    claims: Annotated[str, typer.Argument(help="Claim lines, CSV or Parquet, a path or s3:// URL (docs/pricing.md).")],
    out: Annotated[str, typer.Option(help="The priced lines, CSV or Parquet by its suffix, written whole.")],
    lake: Annotated[str, typer.Option(help="The lake folder, or its s3:// URL.")] = "lake",
    cf_variant: Annotated[str, typer.Option(help="Conversion factor variant: non_qp, or qp (2026 on).")] = "non_qp",
    workers: Annotated[
        int, typer.Option(help="Price on a local Dask cluster of this many worker processes (0: in this process).")
    ] = 0,
    cluster: Annotated[str | None, typer.Option(help="Price on this running Dask scheduler (tcp://host:port).")] = None,
    temporary_server: TemporaryServerOption = None,
) -> None:
    """Price claim lines as a Medicare contractor would: the release in force, the locality, PPRRVU's payment
    indicators and the modifiers, with the reasons for every line."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.pricing.price import ClaimsError, price_file
    from flows.shared.storage import is_remote

    if not is_remote(lake):
        open_lake(Path(lake)).close()
    started = time.perf_counter()
    columns = (TextColumn("parts of claims"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        if workers or cluster:
            from flows.pricing.distributed import price_on_dask

            # a local lake keeps the background server; an s3:// one has nowhere to: Prefect's temporary one
            api_url = prefect_api(None if is_remote(lake) else Path(lake), temporary_server)
            priced = price_on_dask(lake, claims, out, cf_variant, workers=workers or None, address=cluster,
                                   api_url=api_url)  # fmt: skip
        else:
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("parts", total=None)

                def advance(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                priced = price_file(lake, claims, out, cf_variant, progress=advance)
    except (ClaimsError, FileNotFoundError) as error:
        raise fail(str(error)) from None
    wall = time.perf_counter() - started
    counts = ", ".join(f"{n:,} {status}" for status, n in priced.statuses.items())
    rate = f" ({priced.lines / wall:,.0f} lines/s)" if wall >= 1 else ""  # a rate over start-up time says nothing
    console.print(f"{priced.lines:,} lines priced into {out} in {wall:.1f} s{rate}: "
                  f"{counts}", highlight=False)  # fmt: skip
    for line, why in priced.bad_lines[:SHOWN_BAD_LINES]:
        errors.print(f"{claims}:{line}: {why}", markup=False, highlight=False, soft_wrap=True)
    if len(priced.bad_lines) > SHOWN_BAD_LINES:
        errors.print(f"… and {len(priced.bad_lines) - SHOWN_BAD_LINES:,} more lines that could not be read "
                     "(status not_priced in the output)", highlight=False)  # fmt: skip
