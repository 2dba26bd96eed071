"""The `pfs` command. Commands that orchestrate (refresh, discover, serve) import Prefect when they run; the
others (code, changes, releases, sql, export, dictionary, site, page, price) never do, so they start at once."""

from flows.cli import feed, lookup, price, query, refresh, server, site  # noqa: F401  (each registers its commands)
from flows.cli.app import app

__all__ = ["app"]
