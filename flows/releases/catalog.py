"""config/releases.toml: CMS's release calendar and where each release is served, as `Release` entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flows.settings import config


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


def catalog() -> dict[str, Release]:
    """The releases of config/releases.toml, by label, as the file is now."""
    return releases_of(config("releases.toml"))


def releases_of(data: dict) -> dict[str, Release]:
    """A parsed release catalog's entries, by label; an entry without its own GPCI floor takes the default."""
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


def landing_page() -> str:
    return config("releases.toml")["defaults"]["landing_page"]


def release(label: str) -> Release:
    """The catalog entry of a CMS label (case-insensitive), or an error listing what the catalog knows."""
    entry = catalog().get(label.upper())
    if entry is None:
        known = ", ".join(sorted(catalog()))
        raise KeyError(f"release {label!r} is not in config/releases.toml; known: {known}")
    return entry


QUARTER_STARTS = {"A": "01-01", "B": "04-01", "C": "07-01", "D": "10-01"}


def discovered_release(label: str, zip_url: str, item_page: str) -> Release:
    """A release CMS lists that the catalog does not know yet, dated by its label (RVU27A: 2027-01-01)."""
    match = re.fullmatch(r"RVU(\d{2})([A-D])", label.upper()[:6])
    if match is None:
        raise KeyError(f"release {label!r}: not in the catalog, and its label does not say its quarter")
    year = 2000 + int(match.group(1))
    floor = config("releases.toml")["defaults"]["work_gpci_floor"]
    return Release(
        label=label.upper(), year=year, effective_from=date.fromisoformat(f"{year}-{QUARTER_STARTS[match.group(2)]}"),
        item_page=item_page, zip_url=zip_url, zip_url_status="discovered", sha256="", work_gpci_floor=floor,
    )  # fmt: skip


def selected(year: int | None = None) -> list[Release]:
    """Catalog releases of a year (or all), in the order they took effect."""
    entries = [r for r in catalog().values() if year is None or r.year == year]
    return sorted(entries, key=lambda r: (r.effective_from, r.label))
