"""One list of facility places of service, with CMS's dates, for pricing and utilization alike."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from transforms.places_of_service import facility_places

CONFIG = Path(__file__).resolve().parent.parent / "config" / "places_of_service.toml"
ALWAYS = ["19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"]


@pytest.fixture(scope="module")
def rules() -> dict:
    return tomllib.loads(CONFIG.read_text())


@pytest.mark.parametrize(
    ("day", "telehealth"),
    [
        (date(2016, 12, 31), []),  # neither telehealth place exists yet
        (date(2017, 1, 1), ["02"]),  # 02 from its first day
        (date(2021, 12, 31), ["02"]),
        (date(2022, 1, 1), ["02", "10"]),  # 10 from its first day, at the facility rate
        (date(2023, 12, 31), ["02", "10"]),
        (date(2024, 1, 1), ["02"]),  # from 2024, 10 at the non-facility rate
        (date(2026, 7, 1), ["02"]),
    ],
)
def test_the_facility_places_are_those_in_force_on_the_day(rules: dict, day: date, telehealth: list[str]):
    assert facility_places(rules, day) == sorted(ALWAYS + telehealth)


def test_no_other_config_file_lists_places_of_service():
    """The list is written once: pricing and utilization read config/places_of_service.toml."""
    for path in CONFIG.parent.glob("*.toml"):
        if path != CONFIG:
            assert "facility_places" not in path.read_text(), path
