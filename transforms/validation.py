"""Checking a parsed frame against its declared schema (dataframely), with an error that names the failing line;
the patterns every dataset's schemas share."""

from __future__ import annotations

from decimal import Decimal

import dataframely as dy
import polars as pl

from transforms.errors import CmsFileError
from transforms.grid import LINE

CODE = r"^[0-9A-Z]{5}$"
MODIFIER = r"^([0-9A-Z]{2})?$"
MAC = r"^\d{5}$"
LOCALITY = r"^\d{2}$"
STATE = r"^[A-Z]{2}$"
ZERO = Decimal(0)


def validate(schema: type[dy.Schema], frame: pl.DataFrame, file: str) -> pl.DataFrame:
    """The frame, typed by the schema, without its source line; or an error naming the first failing line."""
    good, failures = schema.filter(frame, cast=True)
    if failures.counts():
        details = failures.details()
        rule_columns = [c for c in details.columns if "|" in c]
        row = details.row(0, named=True)
        broken = [c for c in rule_columns if row[c] == "invalid"]
        rule = broken[0] if broken else next(iter(failures.counts()))
        column, _, check = rule.partition("|") if "|" in rule else (None, "", rule)
        value = f" (value {row[column]!r})" if column in row else ""
        total = sum(failures.counts().values())
        raise CmsFileError(
            file,
            f"fails the {check or rule} rule{value}; {total} rule failures in all: {failures.counts()}",
            line=row.get(LINE),
            column=column,
        )
    return good.drop(LINE)


def empty(schema: type[dy.Schema]) -> pl.DataFrame:
    """A zero-row frame of the schema's columns, for a file the release does not ship."""
    return schema.create_empty().drop(LINE)
