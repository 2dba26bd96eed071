"""`pfs server start|stop|status`: the lake's Prefect server, which refreshes start in the background on their own
(flows/server/local.py); these commands start it ahead, stop it at once, or say whether it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import LakeOption, app, console, fail
from flows.cli.prefect_server import lake_server, offline_prefect

server_app = typer.Typer(help="The lake's Prefect server, which `pfs refresh` starts in the background on first use.")
app.add_typer(server_app, name="server")


@server_app.command("start")
def start(
    lake: LakeOption = Path("lake"),
    idle_minutes: Annotated[
        float | None,
        typer.Option(help="Stop after this many minutes unused; 0: only by `pfs server stop` (default: "
                     "config/defaults.toml [server] idle_minutes)."),
    ] = None,
) -> None:  # fmt: skip
    """Start the lake's Prefect server in the background (its home in <lake>/.prefect), or say that it runs."""
    from flows.server import local

    offline_prefect()
    try:
        _, started = lake_server(lake, idle_minutes)  # says so when it starts it
    except local.ServerError as error:
        raise fail(str(error)) from None
    if not started:
        status(lake)
        if idle_minutes is not None:
            console.print(f"(its idle time stays as it started; `pfs server stop --lake {lake}` first to change it)")


@server_app.command("stop")
def stop(lake: LakeOption = Path("lake")) -> None:
    """Stop the lake's Prefect server now."""
    from flows.server import local

    console.print("stopped" if local.stop(lake) else f"no Prefect server was running for {lake}")


@server_app.command("status")
def status(lake: LakeOption = Path("lake")) -> None:
    """Say whether the lake's Prefect server runs, and where; exit status 1 when it does not."""
    from flows.server import local

    server = local.running(lake)
    if server is None:
        console.print(f"no Prefect server is running for {lake}")
        raise typer.Exit(1)
    idle = f"stops after {server.idle_seconds / 60:g} min unused" if server.idle_seconds else "runs until stopped"
    console.print(f"running: {server.api_url} (pid {server.pid}); {idle}; `pfs server stop --lake {lake}` stops it")
