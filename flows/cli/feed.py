"""`pfs export`: the feed dashboards read (no Prefect)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import LakeOption, app, console, fail, open_lake


@app.command()
def export(
    release: Annotated[str, typer.Option(help="The release to export, e.g. RVU25D.")],
    out: Annotated[Path, typer.Option(help="The feed's folder (replaced whole when it exists).")],
    cf_variant: Annotated[str, typer.Option(help="Conversion factor variant of the fees: non_qp or qp.")] = "non_qp",
    lake: LakeOption = Path("lake"),
) -> None:
    """Write a release as a feed for dashboards: JSON per code, an index, JSON Schemas, the tables as CSV."""
    import time

    from flows.export.feed import export as write_feed

    started = time.perf_counter()
    with open_lake(lake) as con:
        try:
            meta = write_feed(con, lake, release.upper(), cf_variant, out)
        except LookupError as error:
            raise fail(str(error.args[0])) from None
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    console.print(f"{meta['release']}: {meta['codes']:,} codes written to {out} ({size / 1e6:,.1f} MB) "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
