"""Claims priced on a Dask cluster through Prefect's Dask task runner: the parts of flows/pricing/price.py, each
priced by the same SQL on a worker, combined in the claims file's order. Locations may be s3:// URLs."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect_dask import DaskTaskRunner

from flows.pricing.price import PART_LINES, Parts, Priced, combine, number, price_part, quoted
from flows.shared import storage


@task(cache_policy=NO_CACHE, retries=1)
def price_one_part(lake: str, part: str, priced: str, cf_variant: str) -> str:
    """One part priced on a worker, against the worker's copy of the lake, with the worker's threads."""
    return price_part(storage.local_lake(lake), part, priced, cf_variant, threads=_worker_threads())


def _worker_threads() -> int | None:
    """The threads of the Dask worker running the task (none when it runs elsewhere)."""
    from distributed import get_worker

    try:
        return get_worker().state.nthreads
    except ValueError:
        return None


@flow(name="price-claims", log_prints=True)
def price_claims(lake: str, claims: str, out: str, cf_variant: str = "non_qp", part_lines: int = PART_LINES) -> Priced:
    """Claims in, priced lines out: split into parts of whole claims, each priced on the cluster, combined."""
    lake = storage.lake_root(lake)  # a published lake's current snapshot, for every part
    with staging(out) as stage:
        parts, files = write_parts(claims, stage, part_lines)
        priced = [storage.join(stage, f"priced-{i:05}.parquet") for i in range(len(files))]
        futures = price_one_part.map(lake, files, priced, cf_variant)
        done = [future.result() for future in futures]  # every part, or the flow fails
        return combine(done, parts, out)


def price_on_dask(lake: str, claims: str, out: str, cf_variant: str = "non_qp", *, workers: int | None = None,
                  address: str | None = None, part_lines: int = PART_LINES, api_url: str | None = None,
                  ) -> Priced:  # fmt: skip
    """`price_claims` on the Dask scheduler at `address`, or on a local cluster of `workers` processes."""
    from flows.shared.prefect_settings import foreground

    if address:
        runner = DaskTaskRunner(address=address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": workers or 2, "threads_per_worker": 1,
                                                "processes": True, "dashboard_address": None})  # fmt: skip
    with foreground(api_url):
        return price_claims.with_options(task_runner=runner)(lake, claims, out, cf_variant, part_lines)


def write_parts(claims: str, stage: str, part_lines: int) -> tuple[Parts, list[str]]:
    """The claims file numbered and written as one Parquet file per part in `stage`, where workers read them."""
    con = duckdb.connect()
    storage.attach(con, claims, stage)
    try:
        parts = number(con, claims, part_lines)
        files = [storage.join(stage, f"part-{part:05}.parquet") for part in range(parts.count)]
        for part, file in enumerate(files):
            con.execute(f"COPY (SELECT * EXCLUDE (part) FROM claim_lines WHERE part = {part}) TO '{quoted(file)}' "
                        "(FORMAT PARQUET)")  # fmt: skip
        return parts, files
    finally:
        con.close()


@contextmanager
def staging(out: str) -> Iterator[str]:
    """A folder every worker can reach, removed afterwards: beside an s3:// output, else a local temporary one
    (a local cluster shares this machine's disk)."""
    if not storage.is_remote(out):
        with tempfile.TemporaryDirectory(prefix="pfs-price-") as folder:
            yield folder
        return
    bucket_path = out.rstrip("/").rsplit("/", 1)[0]
    folder = storage.join(bucket_path, f".pfs-price-{uuid.uuid4().hex[:12]}")
    fs = storage.filesystem(folder)
    try:
        yield folder
    finally:
        if fs.exists(folder):
            fs.rm(folder, recursive=True)
