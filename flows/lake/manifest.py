"""Manifests: the record of what is published of each label, and the commit that publishes it."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from flows.lake.layout import DATASETS, RELEASE, Dataset


def manifests(lake: Path, dataset: Dataset | None = None) -> dict[str, dict]:
    """Every committed manifest of a dataset (releases by default), by label."""
    folder = lake / (dataset or RELEASE).manifests
    if not folder.exists():
        return {}
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if not p.name.startswith(".")}


def committed(lake: Path) -> list[tuple[Dataset, dict]]:
    """Every manifest of every dataset."""
    return [(dataset, m) for dataset in DATASETS for m in manifests(lake, dataset).values()]


def is_current(lake: Path, dataset: Dataset, label: str, archive_sha256: str, pipeline: str) -> bool:
    """The label is published from this very archive by this very pipeline: nothing to redo."""
    manifest = manifests(lake, dataset).get(label)
    return bool(manifest) and manifest["source"]["sha256"] == archive_sha256 and manifest.get("pipeline") == pipeline


def commit(lake: Path, dataset: Dataset, manifest: dict) -> None:
    """The one step that publishes: the label's manifest replaced by a rename."""
    folder = lake / dataset.manifests
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{manifest['label']}.{uuid.uuid4().hex}.json"
    with tmp.open("w") as out:
        json.dump(manifest, out, indent=2, sort_keys=True)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(folder / f"{manifest['label']}.json")
