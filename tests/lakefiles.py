"""What a reader of the lake sees, as sha256 digests: to prove that a failed run changed nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path


def published(lake: Path) -> dict[str, str]:
    """Every table's Parquet files (releases and ZIP files), the manifests and pfs.duckdb."""
    files = sorted(p for p in lake.glob("*/*=*/**/part-0.parquet"))
    files += sorted((lake / "_manifests").rglob("*.json")) + [lake / "pfs.duckdb"]
    return {str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.exists()}


def everything(lake: Path) -> dict[str, str]:
    """Every file under the lake (raw area and kept versions included) but the lock."""
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".lock"
    }
