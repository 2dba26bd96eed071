"""The catalog's checksums against what CMS actually served: filling `sha256` once an archive is seen."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from flows import settings
from flows.releases import catalog


@dataclass(frozen=True)
class Standing:
    """A catalog release, its recorded sha256, and the archives the lake received from its catalog URL."""

    release: str
    recorded: str
    seen: tuple[str, ...]  # sha256s, oldest first

    @property
    def state(self) -> str:
        """never seen | to record (one archive seen, none recorded) | recorded | differs | ambiguous."""
        if not self.seen:
            return "recorded" if self.recorded else "never seen"
        if self.recorded:
            return "recorded" if set(self.seen) == {self.recorded} else "differs"
        return "to record" if len(self.seen) == 1 else "ambiguous"


def seen_from_cms(lake: Path) -> dict[str, list[str]]:
    """Per release, the sha256s of archives received from the catalog's own zip URL (not a mirror or a file).

    Only those can be recorded: a mirror's or a test's zip of the same files is other bytes than CMS's.
    """
    entries = catalog.catalog()
    received: dict[str, list[tuple[str, str]]] = {}
    for record in sorted((lake / "raw").glob("*/*/source.json")):
        source = json.loads(record.read_text())
        entry = entries.get(record.parent.parent.name)
        if entry is not None and source["origin"] == entry.zip_url:
            received.setdefault(entry.label, []).append((source["received_at"], source["sha256"]))
    return {label: [sha for _, sha in sorted(seen)] for label, seen in received.items()}


def standings(lake: Path) -> list[Standing]:
    """Every catalog release, in the order they took effect, against what the lake saw."""
    seen = seen_from_cms(lake)
    return [Standing(r.label, r.sha256, tuple(seen.get(r.label, []))) for r in catalog.selected()]


def with_sha256(catalog_text: str, release: str, sha256: str) -> str:
    """The catalog text with the release's empty `sha256 = ""` filled; comments and layout kept."""
    block = re.search(
        rf'(?ms)^\[\[release\]\]\s*\nlabel = "{re.escape(release)}"\n.*?(?=^\[\[release\]\]|\Z)', catalog_text
    )
    if block is None:
        raise KeyError(f"release {release!r} has no [[release]] block in config/releases.toml")
    filled, count = re.subn(r'(?m)^sha256 = ""$', f'sha256 = "{sha256}"', block.group(0), count=1)
    if count != 1:
        raise ValueError(f"release {release!r} already has a sha256 in config/releases.toml; not overwritten")
    return catalog_text[: block.start()] + filled + catalog_text[block.end() :]


def record(lake: Path) -> list[Standing]:
    """Write the sha256 of every release `to record` into config/releases.toml; returns those recorded."""
    path = settings.CONFIG / "releases.toml"
    text = path.read_text()
    recorded = [s for s in standings(lake) if s.state == "to record"]
    for standing in recorded:
        text = with_sha256(text, standing.release, standing.seen[0])
    if recorded:
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(text)
        tmp.replace(path)
    return recorded
