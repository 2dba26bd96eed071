"""The data dictionary cannot drift: every lake table's columns, types and order are the dictionary's, and
docs/dictionary.md is what `pfs dictionary` generates."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli import app
from flows.lake import dictionary, reader
from flows.lake.layout import DATASETS

ROOT = Path(__file__).resolve().parent.parent


def _described() -> dict[str, list[tuple[str, str]]]:
    return {name: [(c["name"], c["type"]) for c in t["columns"]] for name, t in dictionary.tables().items()}


def test_every_table_of_pfs_duckdb_has_exactly_the_dictionary_columns(lake: Path):
    con = reader.connect(lake)
    names = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT starts_with(table_name, '_')"
                                        " ORDER BY 1").fetchall()]  # fmt: skip
    computed = [table for dataset in DATASETS for table in dataset.computed]  # views of pfs.duckdb, not tables
    assert sorted(names + computed) == sorted(_described())
    for table, columns in _described().items():
        relation = con.table(table)
        assert list(zip(relation.columns, map(str, relation.types), strict=True)) == columns, table


def test_the_parquet_files_read_with_their_partitions_have_the_dictionary_columns(lake: Path):
    for table, columns in _described().items():
        glob = str(lake / table / "**" / "*.parquet")
        relation = duckdb.connect().sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true) LIMIT 0")
        assert sorted(relation.columns) == sorted(name for name, _ in columns), table


def test_docs_dictionary_is_the_generated_one():
    assert (ROOT / "docs" / "dictionary.md").read_text() == dictionary.as_markdown(), (
        "docs/dictionary.md differs from config/dictionary.toml: run `uv run pfs dictionary > docs/dictionary.md`"
    )


def test_pfs_dictionary_prints_markdown_and_json():
    runner = CliRunner()
    assert runner.invoke(app, ["dictionary"]).stdout == dictionary.as_markdown()
    data = json.loads(runner.invoke(app, ["dictionary", "--format", "json"]).stdout)
    fee = {c["name"]: c for c in data["tables"]["fee_locality"]["columns"]}
    assert fee["fee_nonfacility_usd"]["unit"] == "USD" and fee["mac"]["key"] and not fee["state"]["key"]
