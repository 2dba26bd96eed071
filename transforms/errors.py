"""The one error type a CMS file can raise: it names the file, the line and the column."""

from __future__ import annotations


class CmsFileError(ValueError):
    """A CMS file that cannot be read as its layout says."""

    def __init__(self, file: str, message: str, line: int | None = None, column: str | None = None):
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
