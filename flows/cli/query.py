"""`pfs sql`: DuckDB over the lake's tables and views, read-only; one query, or a prompt."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flows.cli.app import LakeOption, app, console, errors, fail

PROMPT, MORE = "pfs> ", "...> "


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="The SQL; leave it out for an interactive prompt.")] = None,
    lake: LakeOption = Path("lake"),
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write the result to this file (needed for parquet).")] = None,
) -> None:
    """Query the lake with DuckDB SQL, read-only: every table and view of pfs.duckdb (`SHOW TABLES` lists them)."""
    from flows.query.run import FORMATS, QueryError, connect, run

    if fmt not in FORMATS:
        raise fail(f"--format is one of {', '.join(FORMATS)}", 2)
    if fmt == "parquet" and out is None:
        raise fail("--format parquet writes a file: give --out FILE", 2)
    try:
        con = connect(lake)
    except QueryError as error:
        raise fail(str(error)) from None
    with con:
        if query is None:
            _prompt(con, fmt)
            return
        try:
            result = run(con, query, as_arrow=fmt == "parquet")
        except QueryError as error:
            raise fail(f"error: {error}") from None
    _emit(result, fmt, out)


def _emit(result, fmt: str, out: Path | None) -> None:
    from flows.query.run import write

    if fmt != "table":
        text = write(result, fmt, out)
        if text is not None:
            sys.stdout.write(text)
        return
    if out is None:
        console.print(_table(result))
        return
    with out.open("w") as file:
        Console(file=file, width=10_000).print(_table(result))


def _table(result) -> Table:
    table = Table(*result.columns, caption=f"{len(result.rows):,} rows")
    for row in result.rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    return table


def _prompt(con, fmt: str) -> None:
    """Statements end with `;`; `.quit` or end of input leaves. An error is shown and the prompt goes on."""
    from flows.query.run import QueryError, run

    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())

        console.print("pfs sql over the lake, read-only. End statements with ';'. SHOW TABLES; lists them. .quit")
    pending: list[str] = []
    while True:
        try:
            line = input((MORE if pending else PROMPT) if interactive else "")
        except EOFError:
            break
        if not pending and line.strip() in (".quit", ".exit"):
            break
        pending.append(line)
        if not line.rstrip().endswith(";"):
            continue
        statement, pending = "\n".join(pending), []
        try:
            _emit(run(con, statement), fmt if fmt != "parquet" else "table", None)
        except QueryError as error:
            errors.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
