"""Reading CMS's fixed-width `.txt` form of a file by a record layout: character positions, not labels."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from transforms.errors import CmsFileError
from transforms.grid import DOS_EOF, LINE, decode_text


@dataclass(frozen=True)
class Field:
    """One field of a record: CMS's 1-based, inclusive character positions."""

    name: str
    start: int
    end: int
    implied_decimals: int = 0  # ANES prints 19.31 as `1931`


@dataclass(frozen=True)
class FixedLayout:
    """How a `.txt` form is laid out: its fields, which lines are records, and what may surround them.

    Lines before `header` (when there is one) are a title; lines matching `skip` (PPRRVU's `HDR` copyright
    lines) are not data; blank lines are ignored; lines after the last record are footnotes. Any other line
    between the header and the last record fails, as does a record longer than the layout or with text in
    the blanks between fields: both mean CMS changed the layout, and reading on would shift values silently.
    """

    name: str  # where the layout comes from, shown in errors
    fields: tuple[Field, ...]
    record: str  # regex a record line starts with
    header: str | None = None
    skip: str | None = None

    @property
    def width(self) -> int:
        return max(f.end for f in self.fields)

    def fillers(self) -> list[int]:
        """The 1-based positions inside the record that no field covers: always blank."""
        covered = {p for f in self.fields for p in range(f.start, f.end + 1)}
        return [p for p in range(1, self.width + 1) if p not in covered]


def is_fixed_width(file: str) -> bool:
    """CMS's fixed-width form is the `.txt` one."""
    return file.lower().endswith(".txt")


def read_records(data: bytes, file: str, layout: FixedLayout) -> pl.DataFrame:
    """The records as stripped strings (empty -> null), one column per field, plus the 1-based source line."""
    # not str.splitlines(): it also breaks at \x85 and other bytes Latin-1 text may hold
    lines = [line.removesuffix("\r") for line in decode_text(data, file).split("\n")]
    numbered = _record_lines(lines, file, layout)
    if not numbered:
        raise CmsFileError(file, f"no records: not the {layout.name}")
    line_numbers, records = zip(*numbered, strict=True)
    text = pl.Series("record", records, dtype=pl.String)
    _check_shape(text, pl.Series(LINE, line_numbers, dtype=pl.Int64), file, layout)
    columns = {
        f.name: text.str.slice(f.start - 1, f.end - f.start + 1).str.strip_chars().replace("", None)
        for f in layout.fields
    }
    frame = pl.DataFrame({LINE: pl.Series(line_numbers, dtype=pl.Int64), **columns})
    for f in layout.fields:
        if f.implied_decimals:
            frame = frame.with_columns(_with_point(frame, f, file))
    return frame


def _record_lines(lines: list[str], file: str, layout: FixedLayout) -> list[tuple[int, str]]:
    """(line number, text) of every record; any other line amid the records fails, naming it."""
    start = 0
    if layout.header is not None:
        found = next((i for i, line in enumerate(lines) if re.match(layout.header, line.strip())), None)
        if found is None:
            raise CmsFileError(file, f"no header line of the {layout.name}")
        start = found + 1
    record, skip = re.compile(layout.record), re.compile(layout.skip) if layout.skip else None
    kept: list[tuple[int, str]] = []
    strays: list[int] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip() or line == DOS_EOF or (skip and skip.match(line)):
            continue
        if record.match(line):
            if strays:
                raise CmsFileError(file, f"{lines[strays[0] - 1].strip()!r} is not a record", line=strays[0])
            kept.append((number, line.rstrip()))
        else:
            strays.append(number)  # a footnote if no record follows it
    return kept


def _check_shape(records: pl.Series, line_numbers: pl.Series, file: str, layout: FixedLayout) -> None:
    """A record longer than the layout, or with text where the layout has a blank, fails at that character."""
    checks = [
        (
            records.str.len_chars() > layout.width,
            layout.width + 1,
            lambda record: f"{len(record)} characters, past the {layout.width} of the {layout.name}",
        )
    ]
    checks += [
        (
            records.str.slice(position - 1, 1).str.strip_chars() != "",
            position,
            lambda record, at=position: f"{record[at - 1]!r} where the {layout.name} has a blank between fields",
        )
        for position in layout.fillers()
    ]
    for bad, position, message in checks:
        if bad.any():
            at = int(bad.arg_true()[0])
            raise CmsFileError(file, message(records[at]), line=int(line_numbers[at]), column=f"character {position}")


def _with_point(frame: pl.DataFrame, field: Field, file: str) -> pl.Expr:
    """`1931` with two implied decimals is 19.31; anything but digits there fails."""
    values = frame[field.name]
    bad = values.is_not_null() & ~values.str.contains(r"^\d+$")
    if bad.any():
        row = frame.filter(bad).row(0, named=True)
        raise CmsFileError(
            file,
            f"{row[field.name]!r} is not digits with {field.implied_decimals} implied decimals",
            line=row[LINE],
            column=field.name,
        )
    digits = pl.col(field.name).str.zfill(field.implied_decimals + 1)
    return (
        digits.str.slice(0, digits.str.len_chars() - field.implied_decimals)
        + "."
        + digits.str.slice(-field.implied_decimals)
    ).alias(field.name)
