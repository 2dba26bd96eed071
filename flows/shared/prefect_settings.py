"""Prefect's settings for a flow run someone waits on: `pfs refresh`, `pfs schedule`, `pfs price --workers`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flows import settings


@contextmanager
def reporting_to(api_url: str | None) -> Iterator[None]:
    """Flow runs reporting to `api_url` (None: Prefect's own choice: its temporary server, given the start-up
    allowance of config/defaults.toml [server])."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    allowance = settings.defaults()["server"]["startup_timeout_seconds"]
    updates = {PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: allowance}
    if api_url:
        updates[PREFECT_API_URL] = api_url
    with temporary_settings(updates=updates):
        yield


@contextmanager
def foreground(api_url: str | None = None) -> Iterator[None]:
    """As `reporting_to`, with the heartbeat of config/defaults.toml [prefect] (off by default: see there why)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    heartbeat = settings.defaults()["prefect"]["cli_heartbeat_seconds"] or None
    with reporting_to(api_url), temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: heartbeat}):
        yield
