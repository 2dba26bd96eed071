"""config/zip_locality.toml: the quarters of CMS's ZIP code file pfs knows, and where CMS serves them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows import settings

QUARTER = re.compile(r"^\d{4}Q[1-4]$")


@dataclass(frozen=True)
class ZipQuarter:
    year_quarter: str
    zip_url: str
    sha256: str


def _config() -> dict:
    return settings.config("zip_locality.toml")


def file_pattern() -> str:
    return _config()["defaults"]["file"]


def zip9_pattern() -> str:
    return _config()["defaults"]["file9"]


def quarter(year_quarter: str) -> ZipQuarter:
    """The catalog's entry of a quarter (`2025Q4`); a quarter it lacks has no CMS URL: give --source."""
    label = year_quarter.upper()
    if not QUARTER.match(label):
        raise KeyError(f"{year_quarter!r} is not a quarter like 2025Q4")
    for entry in _config()["quarter"]:
        if entry["year_quarter"] == label:
            return ZipQuarter(label, entry["zip_url"], entry.get("sha256", ""))
    known = ", ".join(e["year_quarter"] for e in _config()["quarter"])
    raise KeyError(f"{label} is not in config/zip_locality.toml (it has {known}): give --source")
