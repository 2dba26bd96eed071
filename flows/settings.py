"""Where the project's data-not-code lives, and the one way to read it (`config`): the defaults here, every other
file of config/ in the module that uses it (the release catalog: flows/releases/catalog.py)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
SQL = ROOT / "sql"


def config(name: str, parse_float=float) -> dict:
    """A file of config/, parsed; read again when it changed on disk. Callers must not change what it returns."""
    return read_toml(CONFIG / name, parse_float)


def read_toml(path: Path, parse_float=float) -> dict:
    """Any TOML file, parsed once per version on disk."""
    stat = path.stat()
    return _parsed(path, (stat.st_mtime_ns, stat.st_size), parse_float)


@cache
def _parsed(path: Path, _version: tuple[int, int], parse_float) -> dict:
    return tomllib.loads(path.read_text(), parse_float=parse_float)


def defaults() -> dict:
    return config("defaults.toml")


def places_of_service() -> dict:
    """config/places_of_service.toml: the facility places and their dates, which pricing and utilization share."""
    return config("places_of_service.toml")
