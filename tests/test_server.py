"""`pfs server`: Prefect's own server kept running for a lake; `pfs refresh` uses it, and stop leaves nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from flows.cli import app
from flows.server import local
from tests import cms_format as cms

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return env | {"PREFECT_LOGGING_LEVEL": "INFO", "COLUMNS": "200"}


def test_a_refresh_uses_the_lake_server_and_stop_leaves_nothing_running(tmp_path: Path):
    lake = tmp_path / "lake"
    started = runner.invoke(app, ["server", "start", "--lake", str(lake)], env=_env())
    assert started.exit_code == 0, started.output
    server = local.running(lake)
    try:
        assert server is not None and f"pid {server.pid}" in started.output
        assert runner.invoke(app, ["server", "status", "--lake", str(lake)]).exit_code == 0
        source = cms.release_folder(tmp_path / "rvu25b")
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli", "refresh", "--release", "RVU25B", "--source", str(source),
             "--lake", str(lake)],
            cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "temporary server" not in done.stdout + done.stderr
        runs = httpx.post(f"{server.api_url}/flow_runs/filter", json={}, timeout=10).json()
        assert [r["state_type"] for r in runs] == ["COMPLETED"]  # the run of refresh-releases, recorded there
    finally:
        stopped = runner.invoke(app, ["server", "stop", "--lake", str(lake)])
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    assert not local._alive(server.pid)
    status = runner.invoke(app, ["server", "status", "--lake", str(lake)])
    assert status.exit_code == 1 and "no Prefect server is running" in status.output


def test_without_a_server_a_refresh_says_how_to_keep_one(tmp_path: Path, monkeypatch, capsys):
    from flows.cli.app import use_server

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    use_server(tmp_path / "lake")
    assert "pfs server start --lake" in capsys.readouterr().err
    assert "PREFECT_API_URL" not in os.environ
