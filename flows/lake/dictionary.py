"""The data dictionary (config/dictionary.toml) as records, Markdown (docs/dictionary.md) and JSON."""

from __future__ import annotations

import json

from flows import settings

HEADER = """# Data dictionary

Generated from `config/dictionary.toml` by `pfs dictionary --format markdown`; do not edit by hand (a test
compares it with the generated text). Units are in the names too: `_usd` dollars, `_rvu` relative value units,
`_gpci` indices. Codes, MACs and locality numbers are strings with their leading zeros; a missing amount is
null, never 0. Every table is in `pfs.duckdb` (`fee_locality` as a view computing the same rows) and in
`<lake>/<table>/<partition>/part-0.parquet`, where the partition columns (`year`, `release`; `year_quarter`)
come from the folder names.
"""


def _source() -> dict:
    return settings.config("dictionary.toml")


def tables() -> dict[str, dict]:
    """Every table: grain, key, source and its columns (name, type, unit, key, meaning, cms), in table order."""
    source = _source()
    shared = source["columns"]
    described = {}
    for name, table in source["tables"].items():
        missing = [c for c in table["columns"] if c not in shared]
        if missing:
            raise KeyError(f"config/dictionary.toml: table {name} names undefined columns {missing}")
        columns = [
            {
                "name": column,
                "type": shared[column]["type"],
                "unit": shared[column].get("unit", ""),
                "key": column in table["key"],
                "meaning": table.get("meaning", {}).get(column, shared[column]["meaning"]),
                "cms": shared[column].get("cms", ""),
            }
            for column in table["columns"]
        ]
        described[name] = {"grain": table["grain"], "key": table["key"], "source": table["source"], "columns": columns}
    return described


def as_json() -> str:
    return json.dumps({"tables": tables()}, indent=2, ensure_ascii=False) + "\n"


def as_markdown() -> str:
    lines = [HEADER]
    for name, table in tables().items():
        about = f"One row per {table['grain']}. Key: {', '.join(table['key'])}. From: {table['source']}."
        lines += [
            f"## `{name}`",
            "",
            about,
            "",
            "| column | type | unit | meaning | CMS column |",
            "|---|---|---|---|---|",
        ]
        for c in table["columns"]:
            name_cell = f"**{c['name']}**" if c["key"] else c["name"]
            lines.append(f"| {name_cell} | {c['type']} | {c['unit']} | {c['meaning']} | {c['cms']} |")
        lines.append("")
    return "\n".join(lines)
