"""Where the project's data-not-code lives, and reading it: the release catalog and the defaults."""

from __future__ import annotations

import hashlib
import json
import re
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


def landing_page() -> str:
    return tomllib.loads((CONFIG / "releases.toml").read_text())["defaults"]["landing_page"]


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
    floor = tomllib.loads((CONFIG / "releases.toml").read_text())["defaults"]["work_gpci_floor"]
    return Release(
        label=label.upper(), year=year, effective_from=date.fromisoformat(f"{year}-{QUARTER_STARTS[match.group(2)]}"),
        item_page=item_page, zip_url=zip_url, zip_url_status="discovered", sha256="", work_gpci_floor=floor,
    )  # fmt: skip


def selected(year: int | None = None) -> list[Release]:
    """Catalog releases of a year (or all), in the order they took effect."""
    entries = [r for r in catalog().values() if year is None or r.year == year]
    return sorted(entries, key=lambda r: (r.effective_from, r.label))


# Sections of config/defaults.toml that say how pfs runs (downloads, batches, schedule, Prefect, archive guards),
# not what its tables hold: changing them reprocesses nothing
RUNNING_SECTIONS = ("download", "refresh", "archive", "schedule", "prefect", "server")


def pipeline_digest() -> str:
    """A digest of everything that shapes a release's tables: transforms, SQL, defaults and the catalog's dates.

    Of the catalog only what reaches the tables counts (label, year, effective date, GPCI floor): recording a
    sha256 or correcting a URL there does not make every release reprocess.
    """
    digest = hashlib.sha256()
    for folder in (ROOT / "transforms", SQL):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".sql"):
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    shaping = {section: value for section, value in defaults().items() if section not in RUNNING_SECTIONS}
    digest.update(json.dumps(shaping, sort_keys=True, default=str).encode())
    for r in sorted(catalog().values(), key=lambda r: r.label):
        digest.update(f"{r.label}|{r.year}|{r.effective_from}|{r.work_gpci_floor}\n".encode())
    return digest.hexdigest()
