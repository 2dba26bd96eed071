"""Reading a kept archive, a zip or a folder, safely: every dataset's files come through here."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath


class ArchiveError(ValueError):
    """A release archive that cannot be read safely."""


def read_members(path: Path, max_unpacked_bytes: int, max_ratio: float) -> dict[str, bytes]:
    """Every file of a zip or a folder by its base name.

    A zip is refused, naming it, when it is not a readable zip, when a member escapes the archive (zip
    slip), when two members share a name, or when it would unpack past the size or ratio limits (a zip bomb).
    """
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file() and p.name != "source.json"}
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            _check_sizes(path.name, infos, max_unpacked_bytes, max_ratio)
            members: dict[str, bytes] = {}
            for info in infos:
                member = PurePosixPath(info.filename)
                if member.is_absolute() or ".." in member.parts:
                    raise ArchiveError(f"{path.name}: member {info.filename!r} points outside the archive")
                if member.name in members:
                    raise ArchiveError(f"{path.name}: two members are named {member.name!r}")
                members[member.name] = archive.read(info)
            return members
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise ArchiveError(f"{path.name}: not a readable zip ({error})") from None


def _check_sizes(name: str, infos: list[zipfile.ZipInfo], max_unpacked_bytes: int, max_ratio: float) -> None:
    total = sum(i.file_size for i in infos)
    if total > max_unpacked_bytes:
        raise ArchiveError(f"{name}: unpacks to {total:,} bytes, over the {max_unpacked_bytes:,} limit")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ArchiveError(f"{name}: {info.filename} expands {ratio:,.0f}x, over the {max_ratio:,.0f}x limit")
