"""The raw area: what a run receives is kept under its digest, with its origin, and never rewritten."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from flows.releases.extract import classify
from flows.shared.archive import read_members
from flows.shared.raw import file_name_of, keep_file, keep_folder, sweep_partials


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_changed_archive_is_kept_beside_the_first_which_stays_untouched(tmp_path: Path):
    lake = tmp_path / "lake"
    first = keep_file(lake, "RVU25D", _zip(tmp_path / "a.zip", {"PPRRVU2025_Oct.csv": b"one"}), "rvu25d.zip", "src-a")
    first_bytes = first.path.read_bytes()
    again = keep_file(lake, "RVU25D", _zip(tmp_path / "b.zip", {"PPRRVU2025_Oct.csv": b"one"}), "rvu25d.zip", "src-b")
    changed = keep_file(lake, "RVU25D", _zip(tmp_path / "c.zip", {"PPRRVU2025_Oct.csv": b"two"}), "rvu25d.zip", "src-c")
    assert changed.path != first.path
    assert first.path.read_bytes() == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256 == first.path.parent.name
    record = json.loads((first.path.parent / "source.json").read_text())
    assert record["origin"] == "src-a" and record["size_bytes"] == len(first_bytes)
    assert sorted(p.name for p in (lake / "raw" / "RVU25D").iterdir()) == sorted(
        {first.sha256, again.sha256, changed.sha256}
    )


def test_a_folder_is_kept_by_the_digest_of_its_files(tmp_path: Path):
    folder = tmp_path / "rvu26c"
    folder.mkdir()
    (folder / "PPRRVU2026_Jul_nonQPP.csv").write_bytes(b"x")
    kept = keep_folder(tmp_path / "lake", "RVU26C", folder)
    assert (kept.path / "PPRRVU2026_Jul_nonQPP.csv").read_bytes() == b"x"
    (folder / "PPRRVU2026_Jul_nonQPP.csv").write_bytes(b"y")
    assert keep_folder(tmp_path / "lake", "RVU26C", folder).path != kept.path


def test_cms_zip_names_with_slashes_become_file_names():
    assert (
        file_name_of("https://www.cms.gov/files/zip/rvu24b-updated-03/18/2024.zip") == "rvu24b-updated-03-18-2024.zip"
    )


def test_zip_member_escaping_the_archive_is_refused(tmp_path: Path):
    bad = _zip(tmp_path / "bad.zip", {"../../etc/PPRRVU2025_Oct.csv": b"x"})
    with pytest.raises(ValueError, match="outside the archive"):
        read_members(bad, 10_000, 200)


def test_zip_unpacking_past_the_limit_is_refused(tmp_path: Path):
    big = _zip(tmp_path / "big.zip", {"PPRRVU2025_Oct.csv": b"0" * 50_000})
    with pytest.raises(ValueError, match="over the 10,000 limit"):
        read_members(big, 10_000, 200)


def test_classify_keeps_both_pprrvu_variants_and_reports_absent_kinds():
    members = {"PPRRVU2026_Jul_QPP.csv": b"q", "PPRRVU2026_Jul_nonQPP.csv": b"n", "RVU26C.pdf": b"p"}
    patterns = {"pprrvu": r"^PPRRVU.*\.csv$", "gpci": r"^GPCI\d{4}\.csv$"}
    found = classify(members, patterns, "non_qp")
    assert found.files["pprrvu"] == ("PPRRVU2026_Jul_nonQPP.csv", b"n")
    assert found.files["pprrvu:qp"] == ("PPRRVU2026_Jul_QPP.csv", b"q")
    assert found.missing == ["gpci"]
    assert found.ignored == found.unexpected == ["RVU26C.pdf"]  # no companions pattern given


def test_sweep_removes_half_received_files_and_keeps_kept_archives(tmp_path: Path):
    lake = tmp_path / "lake"
    kept = keep_file(lake, "RVU25D", _zip(tmp_path / "a.zip", {"PPRRVU2025_Oct.csv": b"one"}), "rvu25d.zip", "src")
    part = lake / "raw" / "RVU25D" / ".download-x.part"
    part.write_bytes(b"half")
    incoming = lake / "raw" / "RVU25D" / ".incoming-y"
    incoming.mkdir()
    assert sorted(sweep_partials(lake)) == sorted([part, incoming])
    assert not part.exists() and not incoming.exists() and kept.path.exists()
