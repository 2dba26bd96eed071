"""Which Prefect server a command's flow runs report to: the lake's background server, started on first use and
said so, or Prefect's temporary one with its database prepared first (flows/server/ keeps the server)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import errors, fail


def offline_prefect() -> None:
    """Prefect's ephemeral server, without the telemetry lookup that fails (and logs) offline."""
    from flows.server.local import OFFLINE

    for name, value in OFFLINE.items():
        os.environ.setdefault(name, value)


TemporaryServerOption = Annotated[
    bool | None,
    typer.Option(
        "--temporary-server/--background-server",
        help="Prefect's temporary server for this run only, or the lake's background server (default: "
        "config/defaults.toml [server] background, or PFS_BACKGROUND_SERVER=0/1).",
    ),
]


def prefect_api(lake: Path | None, temporary: bool | None = None) -> str | None:
    """The Prefect API this command's flow runs report to, announced on stderr; None: Prefect's own choice.

    PREFECT_API_URL (environment, profile or a test harness) wins. Else the lake's background server, started
    on first use and left for later commands (flows/server/local.py); else, when asked for or when the lake
    cannot hold it, Prefect's temporary server, with its database prepared first.
    """
    offline_prefect()
    from prefect.settings import get_current_settings

    current = get_current_settings()
    if current.api.url:
        return None
    if lake is not None and background_server(temporary):
        from flows.server.local import ServerError

        try:
            return lake_server(lake)[0]
        except ServerError as error:
            raise fail(str(error)) from None
        except OSError as error:  # a lake on a read-only disk, or another user's
            errors.print(f"{lake} cannot hold Prefect's server ({error}): a temporary server runs instead",
                         style="yellow", highlight=False, soft_wrap=True)  # fmt: skip
    _prepare_temporary_server(current)
    return None


def background_server(temporary: bool | None) -> bool:
    """The flag when given, else PFS_BACKGROUND_SERVER, else config/defaults.toml [server] background."""
    if temporary is not None:
        return not temporary
    chosen = os.environ.get("PFS_BACKGROUND_SERVER", "").strip().lower()
    if chosen:
        return chosen not in ("0", "false", "no", "off")
    from flows import settings

    return settings.defaults()["server"]["background"]


def lake_server(lake: Path, idle_minutes: float | None = None) -> tuple[str, bool]:
    """The API URL of the lake's background server, started (with a spinner, then a line saying so) if none runs,
    and True when this call started it."""
    from flows import settings
    from flows.server import local

    config = settings.defaults()["server"]
    idle_minutes = config["idle_minutes"] if idle_minutes is None else idle_minutes
    what = f"Starting Prefect's server for {lake} in the background"
    if local.preparing_database(lake):
        what += "; its first start creates its database (up to a minute on 2 cores)"
    with Waiting(what) as waiting:
        server, started = local.ensure(lake, idle_minutes * 60, config["startup_timeout_seconds"], waiting)
    if started:
        stop = f"`pfs server stop --lake {lake}`"
        until = f"It runs until {stop}."
        if idle_minutes:
            until = f"It stops after {idle_minutes:g} min unused, or now with {stop}."
        errors.print(
            f"Prefect's server for {lake} runs in the background (pid {server.pid}, {server.api_url}); later "
            f"commands use it. {until}",
            style="dim", highlight=False, soft_wrap=True,
        )  # fmt: skip
    os.environ["PREFECT_API_URL"] = server.api_url  # for the processes this one starts (Dask workers)
    return server.api_url, started


class Waiting:
    """What a user sees while a wait is long: a line in a log, a spinner with the seconds on a screen; nothing
    when it is never called (a server that already runs)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.status = None

    def __call__(self, seconds: float) -> None:
        if self.status is None:
            if not errors.is_terminal:
                errors.print(f"{self.what}…", highlight=False, soft_wrap=True)
            self.status = errors.status(self.what, spinner="dots")
            self.status.start()
        self.status.update(f"{self.what}: {seconds:.0f} s")

    def __enter__(self) -> Waiting:
        return self

    def __exit__(self, *_) -> None:
        if self.status is not None:
            self.status.stop()


def _prepare_temporary_server(current) -> None:
    """Prefect's temporary server creates its database on its first start, which on 2 cores outlasts Prefect's
    own start-up allowance: create it here first, saying so (config/defaults.toml [server] sets the allowance)."""
    import subprocess

    from flows.server.local import DATABASE, prefect_command

    url = current.server.database.connection_url
    url = url.get_secret_value() if url else f"sqlite:///{current.home / DATABASE}"
    database = Path(url.split("///", 1)[-1])
    if url.startswith("sqlite") and not database.exists():
        with Waiting(f"Preparing Prefect's database {database} (its first run; up to a minute)") as waiting:
            waiting(0)
            done = subprocess.run(prefect_command("server", "database", "upgrade", "-y"), stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            raise fail(f"Prefect could not create its database {database}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    errors.print("Prefect starts a temporary server for this run (10-20 s)", style="dim", highlight=False)
