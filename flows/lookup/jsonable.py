"""JSON as pfs writes it: exact decimals as numbers, dates as ISO text, keys in the order given."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _plain(value: Any) -> Any:
    # a DECIMAL(12,2) dollar amount has at most 12 significant digits: float's shortest repr prints it exactly
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value: Any, indent: int | None = 2) -> str:
    """Indented, or (indent=None) compact with no spaces at all."""
    separators = (",", ":") if indent is None else None
    return json.dumps(value, default=_plain, indent=indent, separators=separators, ensure_ascii=False)
