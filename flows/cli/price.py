"""`pfs price`: claim lines priced against the lake (read-only, no Prefect)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import LakeOption, app, console, errors, fail, open_lake

SHOWN_BAD_LINES = 20


@app.command()
def price(
    claims: Annotated[Path, typer.Argument(help="Claim lines, CSV or Parquet (columns: docs/pricing.md).")],
    out: Annotated[Path, typer.Option(help="The priced lines, CSV or Parquet by its suffix (written whole).")],
    cf_variant: Annotated[str, typer.Option(help="Conversion factor variant: non_qp, or qp (2026 on).")] = "non_qp",
    lake: LakeOption = Path("lake"),
) -> None:
    """Price claim lines as a Medicare contractor would: the release in force, the locality, PPRRVU's payment
    indicators and the modifiers, with the reasons for every line."""
    from flows.pricing.price import ClaimsError, price_file

    open_lake(lake).close()
    started = time.perf_counter()
    try:
        priced = price_file(lake, claims, out, cf_variant)
    except ClaimsError as error:
        raise fail(str(error)) from None
    counts = ", ".join(f"{n:,} {status}" for status, n in priced.statuses.items())
    console.print(f"{priced.lines:,} lines priced into {out} in {time.perf_counter() - started:.1f} s: {counts}",
                  highlight=False)  # fmt: skip
    for line, why in priced.bad_lines[:SHOWN_BAD_LINES]:
        errors.print(f"{claims}:{line}: {why}", markup=False, highlight=False, soft_wrap=True)
    if len(priced.bad_lines) > SHOWN_BAD_LINES:
        errors.print(f"… and {len(priced.bad_lines) - SHOWN_BAD_LINES:,} more lines that could not be read "
                     "(status not_priced in the output)", highlight=False)  # fmt: skip
