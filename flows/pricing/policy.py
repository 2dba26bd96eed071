"""The payment policy of config/pricing.toml, as what sql/pricing/price.sql reads: its $parameters (lists, the
bilateral shares) and the table `pricing_policy`, the shares in force over each stretch of days."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from flows import settings
from transforms.periods import SHARE, stretches
from transforms.places_of_service import facility_periods

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
