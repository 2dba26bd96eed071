"""Each dataset reprocesses when what shapes its tables changes, and only then: one file of a copy of the project
changed at a time, every dataset's fingerprint compared with the unchanged copy's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flows.shared.fingerprint import SHAPES, fingerprint

ROOT = Path(__file__).resolve().parent.parent
ALL = set(SHAPES)


def _project_copy(where: Path) -> Path:
    for folder in ("flows", "transforms", "sql", "config"):
        shutil.copytree(ROOT / folder, where / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return where


def _append(text: str) -> str:
    return text + "\n-- a change\n" if text.lstrip().startswith("--") else text + "\n# a change\n"


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert re.search(old, text, re.M), f"{old!r} is not in the file any more: update the test"
        return re.sub(old, new, text, count=1, flags=re.M)

    return edit


CHANGES = [  # (file, edit, the datasets that must reprocess)
    # the release's own code, SQL and configuration
    ("flows/releases/compute.py", _append, {"release"}),
    ("flows/releases/build.py", _append, {"release"}),
    ("transforms/releases/pprrvu.py", _append, {"release"}),
    ("transforms/releases/schemas.py", _append, {"release"}),
    ("sql/releases/fee_locality.sql", _append, {"release"}),
    ("sql/releases/audits/rvu_totals.sql", _append, {"release"}),
    (
        "config/defaults.toml",
        _replace(r'^preferred = \["csv", "xlsx", "txt"\]', 'preferred = ["txt", "csv", "xlsx"]'),
        {"release"},
    ),
    ("config/releases.toml", _replace(r"^effective_from = 2025-10-01", "effective_from = 2025-10-02"), {"release"}),
    # the ZIP code file's
    ("flows/zip_locality/build.py", _append, {"zip_locality"}),
    ("transforms/zip_locality.py", _append, {"zip_locality"}),
    ("sql/zip_locality/zip_locality.sql", _append, {"zip_locality"}),
    ("config/zip_locality.toml", _replace(r"^file = .*$", r"file = '^ZIP5.*\\.txt$'"), {"zip_locality"}),
    # utilization's
    ("flows/utilization/build.py", _append, {"utilization"}),
    ("transforms/utilization.py", _append, {"utilization"}),
    ("transforms/places_of_service.py", _append, {"utilization"}),
    ("transforms/periods.py", _append, {"utilization"}),  # dated rules: utilization's places, and pricing's shares
    ("config/places_of_service.toml", _replace(r'^places = \["02"\]', 'places = ["02", "99"]'), {"utilization"}),
    ("config/utilization.toml", _replace(r'^"CRNA" = .*$', '"CRNA" = "Nurse Anesthetist"'), {"utilization"}),
    # code the datasets share
    ("flows/shared/archive.py", _append, {"release", "zip_locality"}),
    ("transforms/errors.py", _append, ALL),
    ("transforms/validation.py", _append, {"release", "zip_locality"}),
    ("flows/settings.py", _append, ALL),
    ("flows/releases/catalog.py", _append, {"release"}),
    ("flows/lake/publish.py", _append, ALL),  # how a table becomes a Parquet file
    ("flows/lake/layout.py", _append, ALL),  # which tables a dataset publishes
    # what shapes no table: flows, surfaces, views, where files come from, how pfs runs
    ("flows/releases/flow.py", _append, set()),
    ("flows/zip_locality/flow.py", _append, set()),
    ("flows/utilization/flow.py", _append, set()),
    ("flows/lake/database.py", _append, set()),
    ("flows/shared/raw.py", _append, set()),  # the builds name its types only under TYPE_CHECKING
    ("flows/shared/tasks.py", _append, set()),
    ("config/dictionary.toml", _append, set()),
    ("flows/cli/app.py", _append, set()),
    ("flows/site/pages.py", _append, set()),
    ("flows/pricing/price.py", _append, set()),
    ("sql/pricing/steps/7_line_amounts.sql", _append, set()),
    ("sql/pricing/days.sql", _append, set()),
    ("sql/releases/views/change_pairs.sql", _append, set()),  # pfs.duckdb's views
    ("sql/zip_locality/views/zip_validity.sql", _append, set()),
    ("config/pricing.toml", _append, set()),
    ("config/defaults.toml", _replace(r"^idle_minutes = \d+", "idle_minutes = 5"), set()),
    ("config/defaults.toml", _replace(r"^retries = \d+", "retries = 9"), set()),
    ("config/defaults.toml", _replace(r"^grace_hours = \d+", "grace_hours = 2"), set()),  # the object store copy
    ("config/defaults.toml", _replace(r"^duckdb_storage_version = .*$", 'duckdb_storage_version = "v1.3.0"'), set()),
    ("config/zip_locality.toml", _replace(r"^file9 = .*$", "file9 = '^ZIP9.*$'"), {"zip_locality"}),
    ("config/releases.toml", _replace(r'^sha256 = ""', 'sha256 = "' + "0" * 64 + '"'), set()),
    ("config/zip_locality.toml", _replace(r'^sha256 = ""', 'sha256 = "' + "1" * 64 + '"'), set()),
    ("config/utilization.toml", _replace(r"^bytes_per_npi_pass = .*$", "bytes_per_npi_pass = 5_000"), set()),
]


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory) -> dict[str, str]:
    root = _project_copy(tmp_path_factory.mktemp("unchanged"))
    return {dataset: fingerprint(dataset, root) for dataset in SHAPES}


@pytest.mark.parametrize(("file", "edit", "expected"), CHANGES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CHANGES)])
def test_a_change_reprocesses_exactly_the_datasets_it_shapes(tmp_path: Path, unchanged, file, edit, expected):
    root = _project_copy(tmp_path)
    path = root / file
    path.write_text(edit(path.read_text()))
    changed = {dataset for dataset in SHAPES if fingerprint(dataset, root) != unchanged[dataset]}
    assert changed == expected


def test_a_moved_project_reprocesses_nothing(unchanged):
    """The copy lies elsewhere: the fingerprints name files relative to the project, not where it lies."""
    assert unchanged == {dataset: fingerprint(dataset) for dataset in SHAPES}
