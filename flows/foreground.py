"""Prefect's settings for a flow run someone waits on: `pfs refresh`, and the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flows import settings


@contextmanager
def foreground() -> Iterator[None]:
    """Flow runs with the heartbeat of config/defaults.toml [prefect] (off by default: see there why)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    heartbeat = settings.defaults()["prefect"]["cli_heartbeat_seconds"] or None
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: heartbeat}):
        yield
