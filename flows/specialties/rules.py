"""config/utilization.toml: the rules of CMS's utilization files that are data (file pattern, facility places,
specialty aliases)."""

from __future__ import annotations

import tomllib
from functools import cache

from flows.settings import CONFIG


@cache
def rules() -> dict:
    return tomllib.loads((CONFIG / "utilization.toml").read_text())
