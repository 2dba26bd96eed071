"""Pricing on a Dask cluster (Prefect's Dask task runner) with the lake, the claims and the output on an
S3-compatible server (moto's, started here on loopback): the same rows, in the same order, as on one machine."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from flows.pricing.price import price_file
from flows.shared import storage
from tests.objectstore import s3_server

CLAIMS = """
COPY (
    WITH codes AS (SELECT list(DISTINCT hcpcs ORDER BY hcpcs) AS c FROM rvu
                   WHERE release = 'RVU25D' AND status_code IN ('A', 'T', 'C', 'N')
                         AND mult_proc_ind IN ('0', '2', '3', '4', '5'))
    SELECT
        'C' || (g // 5)::VARCHAR AS claim_id, (g % 5 + 1)::VARCHAR AS line,
        c[(hash(g, 1) % len(c) + 1)::BIGINT] AS hcpcs,
        ['', '', '26', 'TC', '50', '80', '62', '54', 'LT', 'RT', 'CQ', 'AS'][(hash(g, 2) % 12 + 1)::BIGINT]
            AS modifiers,
        (hash(g, 3) % 3 + 1)::VARCHAR AS units,
        ['11', '22', '21', '02', '10', 'xx'][(hash(g, 4) % 6 + 1)::BIGINT] AS place_of_service,
        ['2025-11-03', '2025-12-01', '2022-02-01', '2019-01-01'][(hash(g // 5, 5) % 4 + 1)::BIGINT] AS date_of_service,
        '10112' AS mac, ['00', '01', '99'][(hash(g // 5, 6) % 3 + 1)::BIGINT] AS locality,
        CASE WHEN hash(g, 7) % 5 = 0 THEN 'npp' END AS provider_kind,
        CASE WHEN hash(g, 8) % 4 = 0 THEN (hash(g, 9) % 30000 / 100)::VARCHAR END AS charge_usd
    FROM range(3000) AS t(g), codes
) TO '{out}' (FORMAT PARQUET)
"""


@pytest.fixture(scope="module")
def s3(tmp_path_factory) -> Iterator[str]:
    with s3_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


def test_dask_over_s3_prices_exactly_what_one_machine_prices(lake, s3, prefect, tmp_path):
    from flows.pricing.distributed import price_on_dask

    claims = tmp_path / "claims.parquet"
    with duckdb.connect(str(lake / "pfs.duckdb"), read_only=True) as con:
        con.execute(CLAIMS.format(out=claims))
    fs = storage.filesystem(s3)
    fs.put(str(lake / "pfs.duckdb"), f"{s3}/lake/pfs.duckdb")
    fs.put(str(claims), f"{s3}/in/claims.parquet")

    alone = price_file(str(lake), str(claims), str(tmp_path / "alone.parquet"))
    spread = price_on_dask(f"{s3}/lake", f"{s3}/in/claims.parquet", f"{s3}/out/priced.parquet", workers=2,
                           part_lines=500)  # fmt: skip

    fs.get(f"{s3}/out/priced.parquet", str(tmp_path / "spread.parquet"))
    one = duckdb.sql(f"SELECT * FROM '{tmp_path / 'alone.parquet'}'").fetchall()
    many = duckdb.sql(f"SELECT * FROM '{tmp_path / 'spread.parquet'}'").fetchall()
    assert len(one) == 3000 and many == one  # row for row, in the file's order
    assert spread.statuses == alone.statuses and spread.bad_lines == alone.bad_lines
    assert {"priced", "not_priced", "by_report"} <= set(alone.statuses)
    fs.invalidate_cache()
    assert fs.ls(f"{s3}/out") == ["pfs/out/priced.parquet"]  # the parts are gone


def test_a_running_dask_scheduler_prices_local_files_the_same(lake, prefect, tmp_path):
    from distributed import LocalCluster

    from flows.pricing.distributed import price_on_dask

    claims = tmp_path / "claims.parquet"
    with duckdb.connect(str(lake / "pfs.duckdb"), read_only=True) as con:
        con.execute(CLAIMS.format(out=claims))
    alone = price_file(str(lake), str(claims), str(tmp_path / "alone.csv"))
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        spread = price_on_dask(str(lake), str(claims), str(tmp_path / "spread.csv"), address=cluster.scheduler_address,
                               part_lines=700)  # fmt: skip
    assert (tmp_path / "spread.csv").read_text() == (tmp_path / "alone.csv").read_text()
    assert spread.statuses == alone.statuses
