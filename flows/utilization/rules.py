"""config/utilization.toml: the rules of CMS's utilization files that are data (file pattern, specialty aliases)."""

from __future__ import annotations

from flows import settings


def rules() -> dict:
    return settings.config("utilization.toml")
