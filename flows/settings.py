"""Where the project's data-not-code lives, and reading it: the release catalog and the defaults."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
SQL = ROOT / "sql"


@dataclass(frozen=True)
class Release:
    """One catalog entry."""

    label: str
    year: int
    effective_from: date
    item_page: str
    zip_url: str
    zip_url_status: str
    sha256: str
    work_gpci_floor: bool


@cache
def defaults() -> dict:
    return tomllib.loads((CONFIG / "defaults.toml").read_text())


@cache
def catalog() -> dict[str, Release]:
    data = tomllib.loads((CONFIG / "releases.toml").read_text())
    floor = data["defaults"]["work_gpci_floor"]
    return {
        r["label"]: Release(
            label=r["label"],
            year=r["year"],
            effective_from=r["effective_from"],
            item_page=r["item_page"],
            zip_url=r["zip_url"],
            zip_url_status=r["zip_url_status"],
            sha256=r.get("sha256", ""),
            work_gpci_floor=r.get("work_gpci_floor", floor),
        )
        for r in data["release"]
    }


def release(label: str) -> Release:
    """The catalog entry of a CMS label (case-insensitive), or an error listing what the catalog knows."""
    entry = catalog().get(label.upper())
    if entry is None:
        known = ", ".join(sorted(catalog()))
        raise KeyError(f"release {label!r} is not in config/releases.toml; known: {known}")
    return entry
