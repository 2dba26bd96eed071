"""config/utilization.toml: where CMS serves each year's utilization files, and the rules that are data."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from flows.settings import CONFIG

SOURCES = ("provider_service", "psps")


@dataclass(frozen=True)
class UtilizationYear:
    year: int
    source: str
    url: str
    sha256: str


@cache
def config() -> dict:
    return tomllib.loads((CONFIG / "utilization.toml").read_text())


def entry(year: int, source: str) -> UtilizationYear:
    """The catalog's entry of a year and source; one it lacks has no CMS URL: give --source."""
    if source not in SOURCES:
        raise KeyError(f"{source!r} is not a utilization source ({', '.join(SOURCES)})")
    for item in config().get("year", []):
        if item["year"] == year and item["source"] == source:
            return UtilizationYear(year, source, item["url"], item.get("sha256", ""))
    raise KeyError(f"config/utilization.toml has no URL for {source} {year}: give --source (file, folder, zip, URL)")
