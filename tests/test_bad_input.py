"""Bad archives and bad content, run through the whole refresh against a published lake: each fails with an
error that names what is wrong (file, line and column where there is one), and the published lake is left
byte-identical. Nothing is dropped or quarantined: a release with one bad line is not published."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flows import settings
from flows.releases.flow import refresh
from tests import cms_format as cms
from tests.lakefiles import published

RELEASE = "RVU25B"
ALABAMA_GPCI = "10112,AL,0,ALABAMA,1,0.869,0.575"


def good_files() -> dict[str, bytes]:
    rows = [cms.pprrvu_row("97140", work="0.43", nf_pe="0.40", f_pe="0.40", f_na="NA", mp="0.01"),
            cms.pprrvu_row("99213", work="1.30", nf_pe="1.20", f_pe="0.50", mp="0.10")]  # fmt: skip
    return {
        "PPRRVU2025_Apr.csv": cms.pprrvu(rows),
        "GPCI2025.csv": cms.gpci([ALABAMA_GPCI]),
        "25LOCCO.csv": cms.locco(["10112,0,ALABAMA ,STATEWIDE ,ALL COUNTIES "]),
        "ANES2025.csv": cms.anes(["10112 ,00 ,ALABAMA,19.31 "]),
    }


def with_pprrvu(*rows: str) -> dict[str, bytes]:
    return good_files() | {"PPRRVU2025_Apr.csv": cms.pprrvu(list(rows))}


def with_txt(csv_name: str, data: bytes) -> dict[str, bytes]:
    """The good release with one file in its fixed-width .txt form instead of the .csv."""
    files = {k: v for k, v in good_files().items() if k != csv_name}
    return files | {csv_name.replace(".csv", ".txt"): data}


TXT_ROW = cms.pprrvu_txt_row("99213")


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def without_last_column(data: bytes) -> bytes:
    lines = data.decode("latin-1").split("\r\n")
    return "\r\n".join(line.rsplit(",", 1)[0] if line.count(",") > 20 else line for line in lines).encode("latin-1")


def renamed_label(data: bytes, old: str, new: str) -> bytes:
    return data.replace(old.encode(), new.encode(), 1)


ROW = cms.pprrvu_row("99213")
# id -> (the source: a folder's files, or the bytes of a zip), what the error must say
CASES: dict[str, tuple[Callable[[], dict[str, bytes] | bytes], str]] = {
    # archives
    "not a zip": (lambda: b"<html>this is not a zip</html>", r"rvu25b\.zip: not a readable zip"),
    "corrupt zip": (lambda: zipped(good_files())[:-200], r"rvu25b\.zip: not a readable zip"),
    "zip slip": (lambda: zipped(good_files() | {"../../PPRRVU2025_Apr.csv": b"x"}), "points outside the archive"),
    "zip bomb (ratio)": (lambda: zipped(good_files() | {"filler.txt": b"0" * 5_000_000}), r"expands [0-9,]+x, over"),
    "two members of one name": (
        lambda: zipped(good_files() | {"copy/GPCI2025.csv": cms.gpci([ALABAMA_GPCI])}),
        "two members are named 'GPCI2025.csv'",
    ),
    "no PPRRVU": (lambda: {k: v for k, v in good_files().items() if not k.startswith("PPRRVU")}, "no PPRRVU file"),
    "two GPCI files": (
        lambda: good_files() | {"GPCI2024.csv": cms.gpci([ALABAMA_GPCI])},
        "more than one gpci file in the release: GPCI2024.csv, GPCI2025.csv",
    ),
    # PPRRVU content
    "unknown PPRRVU layout": (
        lambda: (
            good_files() | {"PPRRVU2025_Apr.csv": renamed_label(cms.pprrvu([ROW]), "MEDICARE ,WORK", "MEDICARE ,LABOR")}
        ),
        r"PPRRVU2025_Apr\.csv: unknown PPRRVU layout; unknown column labels: 'LABOR RVU' \(column 6\)",
    ),
    "missing PPRRVU column": (
        lambda: good_files() | {"PPRRVU2025_Apr.csv": without_last_column(cms.pprrvu([ROW]))},
        "missing columns: 'MP USED FOR OPPS PAYMENT AMOUNT'",
    ),
    "not a PPRRVU": (
        lambda: good_files() | {"PPRRVU2025_Apr.csv": cms.gpci([ALABAMA_GPCI])},
        r"PPRRVU2025_Apr\.csv: no header line starting with 'HCPCS'",
    ),
    "duplicate hcpcs and modifier": (lambda: with_pprrvu(ROW, ROW), r"PPRRVU2025_Apr\.csv, line 1[12]: .*primary_key"),
    "non-numeric RVU": (
        lambda: with_pprrvu(ROW, cms.pprrvu_row("99214", work="1.3O")),
        r"PPRRVU2025_Apr\.csv, line 12, column 'work_rvu': '1\.3O' is not a number",
    ),
    "negative RVU": (
        lambda: with_pprrvu(cms.pprrvu_row("99213", mp="-0.10")),
        r"PPRRVU2025_Apr\.csv, line 11, column 'mp_rvu': fails the min rule",
    ),
    "more decimals than CMS prints": (
        lambda: with_pprrvu(cms.pprrvu_row("99213", work="1.305")),
        r"line 11, column 'work_rvu': '1\.305' is not a number with at most 3 digits before the point and 2 after",
    ),
    "RVU too large for the layout": (
        lambda: with_pprrvu(cms.pprrvu_row("99213", nf_pe="1000.00")),
        r"line 11, column 'nonfacility_pe_rvu': '1000\.00' is not a number",
    ),
    "bad NA indicator": (
        lambda: with_pprrvu(cms.pprrvu_row("99213", nf_na="Y")),
        r"line 11, column 'nonfacility_na': 'Y' is expected 'NA' or empty",
    ),
    "junk footer line": (
        lambda: with_pprrvu(ROW, "Total rows: 1" + "," * 30),
        r"PPRRVU2025_Apr\.csv, line 12, column 'hcpcs': fails the regex rule \(value 'Total rows: 1'\)",
    ),
    "two conversion factors": (
        lambda: with_pprrvu(ROW, cms.pprrvu_row("99214", cf="33.0000")),
        r"expected one conversion factor, found 32\.3465, 33\.0000",
    ),
    "UTF-16 file": (
        lambda: good_files() | {"PPRRVU2025_Apr.csv": cms.pprrvu([ROW]).decode("latin-1").encode("utf-16")},
        r"PPRRVU2025_Apr\.csv, line 1: NUL bytes",
    ),
    "broken UTF-8 after a BOM": (
        lambda: (
            good_files()
            | {"PPRRVU2025_Apr.csv": b"\xef\xbb\xbf" + cms.pprrvu([cms.pprrvu_row("99213", desc="Caf\xe9")])}
        ),
        r"PPRRVU2025_Apr\.csv, line 11: starts as UTF-8 but is not",
    ),
    "empty PPRRVU": (lambda: good_files() | {"PPRRVU2025_Apr.csv": b""}, r"PPRRVU2025_Apr\.csv: the file is empty"),
    # the other files
    "GPCI out of range": (
        lambda: good_files() | {"GPCI2025.csv": cms.gpci(["10112,AL,0,ALABAMA,1,8.690,0.575"])},
        r"GPCI2025\.csv, line 4, column 'pe_gpci': fails the max rule",
    ),
    "GPCI text in the data block": (
        lambda: good_files() | {"GPCI2025.csv": cms.gpci([ALABAMA_GPCI, "See note,AL,00,X,1,1,1"])},
        r"GPCI2025\.csv, line 5, column 'mac': 'See note' is not a data row",
    ),
    "GPCI stripped to nothing": (
        lambda: good_files() | {"GPCI2025.csv": b"\r\n\r\n"},
        r"GPCI2025\.csv: the file is empty",
    ),
    "LOCCO unknown state": (
        lambda: good_files() | {"25LOCCO.csv": cms.locco(["10112,0,ATLANTIS ,STATEWIDE ,ALL COUNTIES "])},
        r"25LOCCO\.csv, line 5, column 'State': unknown state 'ATLANTIS'",
    ),
    "LOCCO conflicting repeat": (
        lambda: good_files() | {"25LOCCO.csv": cms.locco(["10112,0,ALABAMA ,STATEWIDE ,ALL", "10112,0,,NORTH,SOME"])},
        r"25LOCCO\.csv, line 6: duplicate key \(mac='10112', locality='00'\)",
    ),
    "ANES without the national CF": (
        lambda: good_files() | {"ANES2025.csv": cms.anes(["10112 ,00 ,ALABAMA,19.31 "]).replace(b" of 20.3178", b"")},
        r"ANES2025\.csv, line 1: the CF column label does not carry the national anesthesia CF",
    ),
    # fixed-width .txt forms
    "fixed-width field shifted": (
        lambda: with_txt("PPRRVU2025_Apr.csv", cms.pprrvu_txt([TXT_ROW, TXT_ROW[:57] + " " + TXT_ROW[57:170]])),
        r"PPRRVU2025_Apr\.txt, line 5, column 'character 66': '0' where the PPRRVU record layout of RVU25D\.pdf "
        "has a blank between fields",
    ),
    "fixed-width record too long (a newer layout)": (
        lambda: with_txt("PPRRVU2025_Apr.csv", cms.pprrvu_txt([TXT_ROW + " X"])),
        r"PPRRVU2025_Apr\.txt, line 4, column 'character 172': 173 characters, past the 171 of the PPRRVU record",
    ),
    "text between fixed-width records": (
        lambda: with_txt("PPRRVU2025_Apr.csv", cms.pprrvu_txt([TXT_ROW, "see the note below", TXT_ROW])),
        r"PPRRVU2025_Apr\.txt, line 5: 'see the note below' is not a record",
    ),
    "GPCI .txt of another layout": (
        lambda: with_txt(
            "GPCI2025.csv",
            cms.gpci_txt([("10112", "AL", "00", "ALABAMA", "1.000", "0.869", "0.575")]).replace(
                b"PE GPCI", b"PE INDEX"
            ),
        ),
        r"GPCI2025\.txt: no header line of the GPCI \.txt layout of RVU25D",
    ),
    "ANES .txt CF with a point where the decimals are implied": (
        lambda: with_txt("ANES2025.csv", cms.anes_txt([("10112", "00", "ALABAMA", "19.31")])),
        r"ANES2025\.txt, line 1, column 'anesthesia_cf_usd': '19\.31' is not digits with 2 implied decimals",
    ),
    "LOCCO state group without its state": (
        lambda: (
            good_files()
            | {
                "25LOCCO.csv": cms.locco(
                    ["10112,0,ALABAMA ,STATEWIDE ,ALL", ",,,,", "1182,18,,LOS ANGELES,LOS ANGELES"]
                )
            }
        ),
        r"25LOCCO\.csv, line 7, column 'State': no state name on the first line of a state's localities",
    ),
    # audits
    "printed total is not the sum of its parts": (
        lambda: with_pprrvu(ROW.replace(",2.10,", ",2.11,", 1)),
        r"audits failed, nothing published:\nrvu_totals: 1 rows",
    ),
    "OPPSCAP price not reproduced": (
        lambda: good_files() | {"OPPSCAP_Apr.csv": cms.oppscap(["97140,,A,10112,00,1.00,1.00"])},
        r"opps_cap_reproduced: 1 rows",
    ),
}


@pytest.fixture(scope="module")
def lake(tmp_path_factory, prefect) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("bad-input")
    folder = root / "good"
    folder.mkdir()
    for name, data in good_files().items():
        (folder / name).write_bytes(data)
    refresh(release=RELEASE, source=str(folder), lake=str(root / "lake"))
    yield root / "lake"


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_and_the_published_lake_is_unchanged(case: str, lake: Path, tmp_path: Path):
    make, message = CASES[case]
    source = make()
    if isinstance(source, bytes):
        target = tmp_path / "rvu25b.zip"
        target.write_bytes(source)
    else:
        target = tmp_path / "release"
        target.mkdir()
        for name, data in source.items():
            (target / name).write_bytes(data)
    before = published(lake)
    with pytest.raises(Exception, match=message):
        refresh(release=RELEASE, source=str(target), lake=str(lake))
    assert published(lake) == before


def test_zip_past_the_total_size_limit_is_refused(lake: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setitem(settings.defaults()["archive"], "max_unpacked_bytes", 1_000)
    source = tmp_path / "rvu25b.zip"
    source.write_bytes(zipped(good_files()))
    before = published(lake)
    with pytest.raises(Exception, match=r"rvu25b\.zip: unpacks to [0-9,]+ bytes, over the 1,000 limit"):
        refresh(release=RELEASE, source=str(source), lake=str(lake))
    assert published(lake) == before


def test_a_second_refresh_while_one_runs_is_refused(lake: Path, tmp_path: Path):
    from flows.shared.lock import lake_lock

    before = published(lake)
    with lake_lock(lake), pytest.raises(Exception, match="another refresh is running on"):
        refresh(release=RELEASE, source=str(tmp_path), lake=str(lake))
    assert published(lake) == before


def test_unknown_extra_files_are_reported_and_the_release_published(lake: Path, tmp_path: Path, caplog):
    folder = tmp_path / "release"
    folder.mkdir()
    for name, data in (good_files() | {"notes.csv": b"a,b\r\n", "RVU25B.pdf": b"%PDF"}).items():
        (folder / name).write_bytes(data)
    published_rows = refresh(release=RELEASE, source=str(folder), lake=str(lake)).rows
    assert published_rows["rvu"] == 2
    assert "holds files pfs does not know, ignored: notes.csv" in caplog.text
