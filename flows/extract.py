"""Reading a kept archive (zip or folder) and telling which CMS file each member is."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flows import settings
from transforms.pprrvu import cf_variant_of


@dataclass(frozen=True)
class Extracted:
    """The members that feed the lake ({kind: (name, bytes)}), and what was passed over."""

    files: dict[str, tuple[str, bytes]]  # kind (or pprrvu:<cf variant>) -> (file name, bytes)
    ignored: list[str]
    missing: list[str]
    unexpected: list[str]  # ignored files that are not one of CMS's other forms of a release's files


class ArchiveError(ValueError):
    """A release archive that cannot be read safely."""


def release_files(path: Path) -> Extracted:
    """The archive's members picked by config/defaults.toml: file patterns, forms, CF variant, limits."""
    defaults = settings.defaults()
    limits = defaults["archive"]
    return classify(
        read_members(path, limits["max_unpacked_bytes"], limits["max_ratio"]),
        defaults["files"],
        defaults["pprrvu"]["preferred_variant"],
        defaults["companions"],
        tuple(defaults["forms"]["preferred"]),
    )


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


def classify(
    members: dict[str, bytes],
    patterns: dict[str, str],
    preferred_variant: str,
    companions: str = r"$^",
    forms: tuple[str, ...] = ("csv",),
) -> Extracted:
    """Pick one member per file kind by the name patterns of config/defaults.toml.

    2026's PPRRVU comes as `_nonQPP` and `_QPP`: the preferred variant is `pprrvu`, the other `pprrvu:<variant>`.
    """
    files: dict[str, tuple[str, bytes]] = {}
    ignored: list[str] = []
    for kind, pattern in patterns.items():
        matches = _one_form_each(sorted(n for n in members if re.search(pattern, n, re.IGNORECASE)), forms)
        if len(matches) > 1 and kind == "pprrvu":
            by_variant = {cf_variant_of(n): n for n in matches}
            if len(by_variant) == len(matches) and preferred_variant in by_variant:
                for variant, name in by_variant.items():
                    if variant != preferred_variant:
                        files[f"pprrvu:{variant}"] = (name, members[name])
                matches = [by_variant[preferred_variant]]
        if len(matches) > 1:
            raise ValueError(f"more than one {kind} file in the release: {', '.join(matches)}")
        if matches:
            files[kind] = (matches[0], members[matches[0]])
    used = {name for name, _ in files.values()}
    ignored += sorted(n for n in members if n not in used and n not in ignored)
    missing = [kind for kind in patterns if kind not in files]
    unexpected = [n for n in ignored if not re.search(companions, n, re.IGNORECASE)]
    return Extracted(files=files, ignored=ignored, missing=missing, unexpected=unexpected)


def _one_form_each(names: list[str], forms: tuple[str, ...]) -> list[str]:
    """Of a file shipped in several forms (PPRRVU2025_Oct.csv, .xlsx, .txt), the one of the earliest form."""

    def rank(name: str) -> int:  # a form not listed comes last
        ext = name.rpartition(".")[2].lower()
        return forms.index(ext) if ext in forms else len(forms)

    best: dict[str, str] = {}
    for name in names:
        stem = name.rpartition(".")[0].lower()
        if stem not in best or rank(name) < rank(best[stem]):
            best[stem] = name
    return sorted(best.values())
