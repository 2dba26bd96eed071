"""`pfs dictionary`: every lake table's columns, as docs/dictionary.md shows them (no Prefect)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from flows.cli.app import app, fail


@app.command()
def dictionary(
    fmt: Annotated[str, typer.Option("--format", help="markdown or json.")] = "markdown",
) -> None:
    """Print the data dictionary: every lake table's columns with type, unit, key, meaning and CMS column."""
    from flows.lake import dictionary as entries

    if fmt not in ("markdown", "json"):
        raise fail("--format is markdown or json", 2)
    sys.stdout.write(entries.as_markdown() if fmt == "markdown" else entries.as_json())
