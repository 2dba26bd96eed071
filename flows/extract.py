"""Reading a kept archive (zip or folder) and telling which CMS file each member is."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from transforms.pprrvu import cf_variant_of


@dataclass(frozen=True)
class Extracted:
    """The members that feed the lake ({kind: (name, bytes)}), and what was passed over."""

    files: dict[str, tuple[str, bytes]]
    ignored: list[str]
    missing: list[str]


def read_members(path: Path, max_unpacked_bytes: int) -> dict[str, bytes]:
    """Every file of a zip or a folder by its base name; zip members that escape the archive are refused."""
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file() and p.name != "source.json"}
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        total = sum(i.file_size for i in infos)
        if total > max_unpacked_bytes:
            raise ValueError(f"{path.name}: unpacks to {total:,} bytes, over the {max_unpacked_bytes:,} limit")
        members = {}
        for info in infos:
            member = PurePosixPath(info.filename)
            if member.is_absolute() or ".." in member.parts:
                raise ValueError(f"{path.name}: member {info.filename!r} points outside the archive")
            members[member.name] = archive.read(info)
        return members


def classify(members: dict[str, bytes], patterns: dict[str, str], preferred_variant: str) -> Extracted:
    """Pick one member per file kind by the name patterns of config/defaults.toml."""
    files: dict[str, tuple[str, bytes]] = {}
    ignored: list[str] = []
    for kind, pattern in patterns.items():
        matches = sorted(n for n in members if re.search(pattern, n, re.IGNORECASE))
        if len(matches) > 1 and kind == "pprrvu":
            preferred = [n for n in matches if cf_variant_of(n) == preferred_variant]
            ignored += [n for n in matches if n not in preferred[:1]]
            matches = preferred[:1] or matches
        if len(matches) > 1:
            raise ValueError(f"more than one {kind} file in the release: {', '.join(matches)}")
        if matches:
            files[kind] = (matches[0], members[matches[0]])
    used = {name for name, _ in files.values()}
    ignored += sorted(n for n in members if n not in used and n not in ignored)
    missing = [kind for kind in patterns if kind not in files]
    return Extracted(files=files, ignored=ignored, missing=missing)
