"""The payment policy of config/pricing.toml, as what sql/pricing/price.sql reads: its $parameters (lists, the
bilateral shares) and the table `pricing_policy`, the shares in force over each stretch of days."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import duckdb

from flows import settings
from transforms.places_of_service import FIRST_DAY, LAST_DAY, facility_periods

SHARE = Decimal("0.000001")
POLICY_TABLE = "pricing_policy"


def policy() -> dict:
    return settings.config("pricing.toml", parse_float=Decimal)


def parameters(cf_variant: str) -> dict:
    """Every $parameter of price.sql; shares with six decimals, so DuckDB types them alike (DECIMAL(p, 6))."""
    p = policy()
    modifiers = p["modifiers"]
    values = {
        "variant": cf_variant,
        "facility_places": facility_periods(settings.places_of_service()),
        "paid_statuses": p["paid_statuses"],
        "by_report_statuses": p["by_report_statuses"],
        "standard_most": p["multiple_procedure"]["standard_most"],
        **{f"bilateral_{indicator}": share for indicator, share in p["bilateral"].items()},
        "assistant": modifiers["assistant"],
        "npp_assistant": modifiers["npp_assistant"],
        "co_surgeon": modifiers["co_surgeon"],
        "team": modifiers["team"],
        "therapy_assistant": modifiers["therapy_assistant"],
        "by_report_modifiers": modifiers["by_report"],
    }
    return {name: value.quantize(SHARE) if isinstance(value, Decimal) else value for name, value in values.items()}


def stretches(shares: dict[str, list[dict]]) -> list[dict]:
    """The days cut where any share changes; for each stretch, every share in force and the day it took effect
    (`<share>_from`, None when it has held since the first day).

    An error names a share whose periods overlap or leave days uncovered."""
    for name, periods in shares.items():
        _check(name, periods)
    starts = {p["from"] for periods in shares.values() for p in periods if "from" in p}
    ends = {p["until"] for periods in shares.values() for p in periods if p.get("until", LAST_DAY) < LAST_DAY}
    cuts = sorted({FIRST_DAY} | starts | {end + timedelta(days=1) for end in ends})
    rows = []
    for start, after in zip(cuts, [*cuts[1:], None], strict=True):
        row: dict = {"valid_from": start, "valid_to": after - timedelta(days=1) if after else LAST_DAY}
        for name, periods in shares.items():
            period = next(p for p in periods if p.get("from", FIRST_DAY) <= start <= p.get("until", LAST_DAY))
            row[name] = Decimal(period["share"]).quantize(SHARE)
            row[f"{name}_from"] = period.get("from")
        rows.append(row)
    return rows


def _check(name: str, periods: list[dict]) -> None:
    """The periods of a share, in order, cover every day once."""
    ordered = sorted(periods, key=lambda p: p.get("from", FIRST_DAY))
    expected = FIRST_DAY
    for period in ordered:
        if period.get("from", FIRST_DAY) != expected:
            raise ValueError(f"config/pricing.toml [shares] {name}: the periods leave days uncovered or overlap "
                             f"at {period.get('from', FIRST_DAY)} (expected a period from {expected})")  # fmt: skip
        until = period.get("until", LAST_DAY)
        if until < expected:
            raise ValueError(f"config/pricing.toml [shares] {name}: a period ends ({until}) before it starts")
        expected = until + timedelta(days=1) if until < LAST_DAY else None
        if expected is None and period is not ordered[-1]:
            raise ValueError(f"config/pricing.toml [shares] {name}: a period after one with no end")
    if expected is not None:
        raise ValueError(f"config/pricing.toml [shares] {name}: no period from {expected} on")


def create_policy_table(con: duckdb.DuckDBPyConnection) -> None:
    """`pricing_policy` on the connection (TEMP: pricing reads the lake without changing it): valid_from, valid_to,
    a column per share, and `since`, a struct of the day each share took effect (null: it always held)."""
    rows = stretches(policy()["shares"])
    shares = list(policy()["shares"])
    columns = ", ".join(f'"{name}" DECIMAL(9, 6), "{name}_from" DATE' for name in shares)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _{POLICY_TABLE} (valid_from DATE, valid_to DATE, {columns})")
    order = ["valid_from", "valid_to", *(c for name in shares for c in (name, f"{name}_from"))]
    con.executemany(f"INSERT INTO _{POLICY_TABLE} VALUES ({', '.join('?' * len(order))})",
                    [[row[c] for c in order] for row in rows])  # fmt: skip
    values = ", ".join(f'"{name}"' for name in shares)
    since = ", ".join(f'"{name}" := "{name}_from"' for name in shares)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {POLICY_TABLE} AS SELECT valid_from, valid_to, {values}, "
                f"struct_pack({since}) AS since FROM _{POLICY_TABLE}")  # fmt: skip
