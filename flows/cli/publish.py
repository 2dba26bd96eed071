"""`pfs publish`: the lake copied to an object store, switched whole (no Prefect)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import LakeOption, app, console, errors, fail, open_lake


@app.command()
def publish(
    url: Annotated[str, typer.Argument(help="Where: s3://bucket/prefix (the AWS SDK's endpoint and credentials).")],
    lake: LakeOption = Path("lake"),
    grace_hours: Annotated[
        float | None, typer.Option(help="Keep a superseded snapshot this long (default: config/defaults.toml).")
    ] = None,
) -> None:
    """Bring the object store's copy of the lake to the lake's state: new and changed files only, readers switched
    whole to the new snapshot (docs/lake.md)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.lake.remote import publish_lake
    from flows.shared.lock import LakeBusy
    from flows.shared.storage import is_remote

    if not is_remote(url):
        raise fail(f"{url}: not an object store URL (s3://bucket/prefix); a local copy is `cp -r` (docs/lake.md)")
    open_lake(lake).close()  # a pfs.duckdb an older pfs wrote is brought up to date first
    started = time.perf_counter()
    columns = (TextColumn("files"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("files", total=None)
            done = publish_lake(lake, url, grace_hours, lambda n, total: bar.update(task, completed=n, total=total))
    except (LakeBusy, ValueError, OSError) as error:
        raise fail(f"publishing {lake} to {url}: {error}") from None
    took = time.perf_counter() - started
    if done.left:
        errors.print(f"old snapshots stay until the next publish: {done.left}", highlight=False)
    if done.unchanged:
        console.print(f"{url} already holds this lake: {done.root} (nothing written, {took:.1f} s)")
        return
    removed = f"; removed {len(done.removed)} snapshot(s) past their grace period" if done.removed else ""
    console.print(f"published {lake} to {done.root} in {took:.1f} s: {done.uploaded} file(s) uploaded "
                  f"({done.bytes_sent / 1e6:,.1f} MB), {done.copied} copied inside the store{removed}")  # fmt: skip
