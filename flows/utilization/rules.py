"""config/utilization.toml: the rules of CMS's utilization files that are data (file pattern, specialty aliases);
config/places_of_service.toml: the facility places."""

from __future__ import annotations

from flows import settings


def rules() -> dict:
    return settings.config("utilization.toml")


def places() -> dict:
    """config/places_of_service.toml: which places count as facility, on which dates (pricing reads it too)."""
    return settings.config("places_of_service.toml")
