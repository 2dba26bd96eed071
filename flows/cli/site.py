"""`pfs site` and `pfs page`: code pages as static HTML (read-only, no Prefect)."""

from __future__ import annotations

import time
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import LakeOption, app, console, fail, open_lake

ReleaseOption = Annotated[str | None, typer.Option(help="CMS release label, e.g. RVU25D (default: the lake's newest).")]
VariantOption = Annotated[str, typer.Option(help="Conversion factor variant of the fees: non_qp or qp.")]


@app.command()
def site(
    out: Annotated[Path, typer.Option(help="The site's folder (replaced whole when it exists).")] = Path("site"),
    release: ReleaseOption = None,
    cf_variant: VariantOption = "non_qp",
    code: Annotated[list[str] | None, typer.Option(help="Only this code's page (repeat for more).")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes rendering pages (default: one per core).")] = None,
    open_site: Annotated[bool, typer.Option("--open", help="Open the index page in a browser when done.")] = False,
    lake: LakeOption = Path("lake"),
) -> None:
    """Render a release as a static site: a page per code with charts, category pages and a searchable index."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.site.build import build_site

    open_lake(lake).close()  # a clear error when there is no lake
    started = time.perf_counter()
    columns = (TextColumn("pages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("pages", total=None)
        try:
            built = build_site(lake, out, release, cf_variant, codes=code, workers=workers,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))  # fmt: skip
        except LookupError as error:
            raise fail(str(error.args[0])) from None
    console.print(f"{built.release}: {built.pages:,} code pages written to {out} ({built.bytes / 1e6:,.1f} MB in "
                  f"{built.files:,} files) in {time.perf_counter() - started:.1f} s", highlight=False)  # fmt: skip
    console.print(f"Open {(out / 'index.html').resolve().as_uri()}", highlight=False, soft_wrap=True)
    if open_site:
        webbrowser.open((out / "index.html").resolve().as_uri())


@app.command()
def page(
    hcpcs: Annotated[str, typer.Argument(help="The HCPCS/CPT code, e.g. 97140.")],
    out: Annotated[Path | None, typer.Option(help="The HTML file to write (default: <HCPCS>.html).")] = None,
    release: ReleaseOption = None,
    cf_variant: VariantOption = "non_qp",
    lake: LakeOption = Path("lake"),
) -> None:
    """Render one code's page as a single self-contained HTML file (styles and charts inside it)."""
    from flows.site.build import build_page

    open_lake(lake).close()
    out = out or Path(f"{hcpcs.upper()}.html")
    try:
        shown = build_page(lake, hcpcs, out, release, cf_variant)
    except LookupError as error:
        raise fail(str(error.args[0])) from None
    console.print(f"{hcpcs.upper()} ({shown}) written to {out}", highlight=False)
