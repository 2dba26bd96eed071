"""The facility places of service of config/places_of_service.toml, on a date: pure, the rules given as data."""

from __future__ import annotations

from datetime import date

from transforms.periods import span


def facility_periods(rules: dict) -> list[dict]:
    """Each facility place with the days it holds: {place, valid_from, valid_to} (open ends as far dates)."""
    return [
        {"place": place, "valid_from": span(entry)[0], "valid_to": span(entry)[1]}
        for entry in rules["facility"]
        for place in entry["places"]
    ]


def facility_places(rules: dict, day: date) -> list[str]:
    """The places of service paid at the facility rate on `day`."""
    return sorted({p["place"] for p in facility_periods(rules) if p["valid_from"] <= day <= p["valid_to"]})
