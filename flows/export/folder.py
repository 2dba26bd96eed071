"""Writing an output folder whole: built beside its place, then swapped in, so a reader never sees half of it."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replaced(out: Path) -> Iterator[Path]:
    """A new empty folder beside `out` to build in; it takes `out`'s place when the block ends without error,
    and is removed when it fails (what was at `out` is left as it was)."""
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        yield tmp
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp: Path, out: Path) -> None:
    """The finished folder takes `out`'s place; an older one there is removed after."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old)
