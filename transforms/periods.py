"""Rules that hold over dates in config/ (`from`, `until`, inclusive, open where left out): pure, given as data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

FIRST_DAY = date(1, 1, 1)
LAST_DAY = date(9999, 12, 31)
SHARE = Decimal("0.000001")  # six decimals, so DuckDB types every share alike (DECIMAL(p, 6))


def span(entry: dict) -> tuple[date, date]:
    """The days an entry holds: its `from` and `until`, far dates where open."""
    return entry.get("from", FIRST_DAY), entry.get("until", LAST_DAY)


def stretches(shares: dict[str, list[dict]], where: str = "config/pricing.toml [shares]") -> list[dict]:
    """The days cut where any share changes; for each stretch, every share in force and the day it took effect
    (`<share>_from`, None when it has held since the first day). An error names a share whose periods overlap or
    leave days uncovered."""
    for name, periods in shares.items():
        _check(f"{where} {name}", periods)
    starts = {span(p)[0] for periods in shares.values() for p in periods}
    ends = {span(p)[1] for periods in shares.values() for p in periods} - {LAST_DAY}
    cuts = sorted(starts | {end + timedelta(days=1) for end in ends})
    rows = []
    for start, after in zip(cuts, [*cuts[1:], None], strict=True):
        row: dict = {"valid_from": start, "valid_to": after - timedelta(days=1) if after else LAST_DAY}
        for name, periods in shares.items():
            period = next(p for p in periods if span(p)[0] <= start <= span(p)[1])
            row[name] = Decimal(period["share"]).quantize(SHARE)
            row[f"{name}_from"] = period.get("from")
        rows.append(row)
    return rows


def _check(name: str, periods: list[dict]) -> None:
    """The periods, in order, cover every day once."""
    expected: date | None = FIRST_DAY
    for period in sorted(periods, key=lambda p: span(p)[0]):
        start, until = span(period)
        if expected is None:
            raise ValueError(f"{name}: a period after one with no end")
        if start != expected:
            raise ValueError(f"{name}: the periods leave days uncovered or overlap at {start} "
                             f"(expected a period from {expected})")  # fmt: skip
        if until < start:
            raise ValueError(f"{name}: a period ends ({until}) before it starts")
        expected = until + timedelta(days=1) if until < LAST_DAY else None
    if expected is not None:
        raise ValueError(f"{name}: no period from {expected} on")
