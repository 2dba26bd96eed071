"""`pfs server start|stop|status`: Prefect's server kept running for a lake, so refreshes start in seconds."""

from __future__ import annotations

from pathlib import Path

import typer

from flows.cli.app import LakeOption, app, console, fail

server_app = typer.Typer(help="Keep Prefect's local server running for a lake: refreshes skip its start-up.")
app.add_typer(server_app, name="server")


@server_app.command("start")
def start(lake: LakeOption = Path("lake")) -> None:
    """Start Prefect's server in the background (its home in <lake>/.prefect); `pfs refresh` then uses it."""
    from flows.server import local

    try:
        server = local.start(lake)
    except RuntimeError as error:
        raise fail(str(error)) from None
    console.print(f"Prefect's server for {lake}: {server.api_url} (pid {server.pid}); stop it with "
                  f"`pfs server stop --lake {lake}`")  # fmt: skip


@server_app.command("stop")
def stop(lake: LakeOption = Path("lake")) -> None:
    """Stop the lake's Prefect server."""
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
    console.print(f"running: {server.api_url} (pid {server.pid})")
