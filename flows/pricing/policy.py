"""The payment policy of config/pricing.toml as the tables and variables (getvariable) sql/pricing/ reads: each
share in force over each stretch of days (`pricing_policy`), the MULT PROC classes and the technical component
modifiers with their shares over the same stretches, the BILAT SURG shares and the facility places of service with
their dates. TEMP tables: pricing reads the lake without changing it."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from flows import settings
from flows.settings import SQL
from transforms.periods import SHARE, stretches
from transforms.places_of_service import facility_periods

POLICY_TABLE = "pricing_policy"
WHERE = "config/pricing.toml"


def policy() -> dict:
    return settings.config("pricing.toml", parse_float=Decimal)


def parameters(cf_variant: str) -> dict:
    """Every variable sql/pricing/steps/ reads (getvariable)."""
    p = policy()
    modifiers = p["modifiers"]
    return {
        "variant": cf_variant,
        "by_report_statuses": p["by_report_statuses"],
        "standard_most": p["multiple_procedure"]["standard_most"],
        "assistant": modifiers["assistant"],
        "npp_assistant": modifiers["npp_assistant"],
        "co_surgeon": modifiers["co_surgeon"],
        "team": modifiers["team"],
        "therapy_assistant": modifiers["therapy_assistant"],
        "by_report_modifiers": modifiers["by_report"],
        "technical_component_modifiers": list(modifiers["technical_component"]),
    }


def create_policy_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The policy's TEMP tables on the connection, and `pricing_days` (sql/pricing/days.sql) made from them."""
    p = policy()
    shares = list(p["shares"])
    periods = stretches(p["shares"], f"{WHERE} [shares]")
    classes = p["multiple_procedure"]["classes"]
    technical = p["modifiers"]["technical_component"]
    _check_names(shares, classes, technical)
    span = {"valid_from": "DATE", "valid_to": "DATE"}
    wide = span | {c: t for name in shares for c, t in _share_columns(name).items()}
    _create(con, f"_{POLICY_TABLE}", wide, periods)
    since = ", ".join(f'"{name}" := "{name}_from"' for name in shares)
    values = ", ".join(f'"{name}"' for name in shares)
    # `since`: the day each share took effect (null: it has always held), which reasons name
    con.execute(f"CREATE OR REPLACE TEMP TABLE {POLICY_TABLE} AS SELECT valid_from, valid_to, {values}, "
                f"struct_pack({since}) AS since FROM _{POLICY_TABLE}")  # fmt: skip
    parts = ("others", "tc_others", "pc_others")
    _create(
        con,
        "class_policy",
        span
        | {"mult_proc_ind": "VARCHAR", "class_name": "VARCHAR", "ranks": "VARCHAR"}
        | {c: t for part in parts for c, t in _share_columns(part).items()},
        [
            period
            | {"mult_proc_ind": ind, "class_name": c["class"], "ranks": c["ranks"]}
            | {k: v for part in parts for k, v in _share(period, c.get(part), part).items()}
            for period in periods
            for ind, c in classes.items()
        ],
    )
    _create(
        con,
        "technical_component_policy",
        span | {"modifier": "VARCHAR", "meaning": "VARCHAR"} | _share_columns("share"),
        [
            period | {"modifier": m, "meaning": c["meaning"]} | _share(period, c["share"], "share")
            for period in periods
            for m, c in technical.items()
        ],
    )
    _create(
        con,
        "bilateral_policy",
        {"indicator": "VARCHAR", "share": "DECIMAL(9, 6)", "two_units_bilateral": "BOOLEAN"},
        [
            {"indicator": i, "share": b["share"].quantize(SHARE), "two_units_bilateral": b["two_units"]}
            for i, b in p["bilateral"].items()
        ],  # fmt: skip
    )
    _create(con, "facility_place", {"place": "VARCHAR", "valid_from": "DATE", "valid_to": "DATE"},
            facility_periods(settings.places_of_service()))  # fmt: skip
    con.execute((SQL / "pricing" / "days.sql").read_text())


def _share_columns(name: str) -> dict[str, str]:
    """A share's column and the column of the day it took effect."""
    return {name: "DECIMAL(9, 6)", f"{name}_from": "DATE"}


def _share(period: dict, name: str | None, column: str) -> dict:
    """The share `name` in a stretch, and the day it took effect, as `column`; nulls where no share is named."""
    return {column: period[name] if name else None, f"{column}_from": period[f"{name}_from"] if name else None}


# what a MULT PROC class may rank, and the shares each needs (config/pricing.toml [multiple_procedure.classes])
RANKS = {"procedure": ("others",), "practice_expense": ("others",), "parts": ("tc_others",)}


def _check_names(shares: list[str], classes: dict, technical: dict) -> None:
    """Each MULT PROC class ranks what pfs can rank, with the shares that needs; every share a class or technical
    component modifier names is one of [shares]."""
    for ind, c in classes.items():
        where = f"{WHERE} [multiple_procedure.classes] {ind}"
        if c.get("ranks") not in RANKS:
            raise ValueError(f"{where}: ranks {c.get('ranks')!r} is not one of {', '.join(RANKS)}")
        if missing := [part for part in RANKS[c["ranks"]] if not c.get(part)]:
            raise ValueError(f"{where}: ranks {c['ranks']} needs {', '.join(missing)}")
    named = [(f"[multiple_procedure.classes] {i}", c.get(part)) for i, c in classes.items()
             for part in ("others", "tc_others", "pc_others")]  # fmt: skip
    named += [(f"[modifiers.technical_component] {m}", c["share"]) for m, c in technical.items()]
    for where, name in named:
        if name is not None and name not in shares:
            raise ValueError(f"{WHERE} {where}: no share {name!r} in [shares] (it has {', '.join(shares)})")


def _create(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], rows: list[dict]) -> None:
    """A TEMP table of those columns and rows."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})",
                        [[row[c] for c in columns] for row in rows])  # fmt: skip
