"""The `pfs` command. Commands that orchestrate (refresh, discover, schedule) import Prefect when they run; the
others (code, changes, releases, sql, export, dictionary, site, page, price, publish) never do, so they start at
once."""

from flows.cli import (  # noqa: F401  (each registers its commands)
    dictionary,
    feed,
    lookup,
    price,
    publish,
    query,
    refresh,
    server,
    site,
)
from flows.cli.app import app

__all__ = ["app"]
