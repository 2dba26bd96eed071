"""config/utilization.toml: the rules of CMS's utilization files that are data (file pattern, facility places,
specialty aliases)."""

from __future__ import annotations

import tomllib
from functools import cache

from flows import settings


@cache
def rules() -> dict:
    return tomllib.loads((settings.CONFIG / "utilization.toml").read_text())
