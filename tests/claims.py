"""Claim lines priced as a user prices them: written to a CSV file, through `price_file`, read back."""

from __future__ import annotations

import csv
from pathlib import Path

from flows.pricing import price as pricing


def price_rows(lake: Path, folder: Path, rows: list[dict], name: str = "claims.csv") -> list[dict]:
    """`rows` (one dict a line, every line the same columns) priced against `lake`; the output's rows."""
    claims, out = folder / name, folder / f"priced-{name}"
    with claims.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    pricing.price_file(str(lake), str(claims), str(out))
    with out.open(newline="") as f:
        return list(csv.DictReader(f))
