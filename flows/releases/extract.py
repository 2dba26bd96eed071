"""A kept release archive (zip or folder): which CMS file each member is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flows import settings
from flows.shared.archive import read_members
from transforms.releases.pprrvu import cf_variant_of


@dataclass(frozen=True)
class Extracted:
    """The members that feed the lake ({kind: (name, bytes)}), and what was passed over."""

    files: dict[str, tuple[str, bytes]]  # kind (or pprrvu:<cf variant>) -> (file name, bytes)
    ignored: list[str]
    missing: list[str]
    unexpected: list[str]  # ignored files that are not one of CMS's other forms of a release's files


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
