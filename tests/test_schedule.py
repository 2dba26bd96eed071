"""The quarterly refresh as a Prefect deployment: registered on a local server, one run triggered and completed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from prefect import get_client
from prefect.deployments import run_deployment
from prefect.flow_engine import run_flow

from flows import settings
from flows.lake import manifests
from flows.releases.flow import refresh_from_cms
from flows.releases.schedule import quarterly
from tests.cms_format import release_folder, zipped
from tests.cms_site import serve

ROOT = Path(__file__).resolve().parent.parent


def test_deployment_is_registered_with_the_quarterly_cron_and_a_triggered_run_completes(tmp_path: Path, prefect):
    lake = tmp_path / "lake"
    pages = {
        "/pfs": b'<a href="/pfs/rvu25b">RVU25B</a>',
        "/pfs/rvu25b": b'<a href="/files/zip/rvu25b.zip">zip</a>',
        "/files/zip/rvu25b.zip": zipped(release_folder(tmp_path / "b")),
    }
    with serve(pages) as site:
        deployment_id = quarterly(str(lake), landing_page=f"{site}/pfs").apply()
        with get_client(sync_client=True) as client:
            deployment = client.read_deployment(deployment_id)
        (schedule,) = deployment.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 5 1,4,7,10 *", "America/New_York")
        assert deployment.parameters["lake"] == str(lake)

        flow_run = run_deployment(deployment_id, timeout=0)  # created on the server, as the schedule would
        outcomes = run_flow(refresh_from_cms, flow_run=flow_run, parameters=flow_run.parameters)
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(flow_run.id).state.is_completed()
    assert [(o.release, o.status) for o in outcomes] == [("RVU25B", "published")]
    assert list(manifests(lake)) == ["RVU25B"]


def test_prefect_yaml_schedules_what_config_says():
    (deployment,) = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    schedule = settings.defaults()["schedule"]
    assert deployment["name"] == schedule["deployment"]
    assert deployment["schedules"] == [{"cron": schedule["cron"], "timezone": schedule["timezone"]}]
    module, _, function = deployment["entrypoint"].partition(":")
    assert (ROOT / module).exists() and function == refresh_from_cms.fn.__name__


def test_prefect_yaml_deploys_against_a_server(prefect):
    """`prefect deploy --all`, as the README says, against the test server; the deployment lands there."""
    from prefect.settings import PREFECT_API_URL

    env = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()}
    prefect_cli = [sys.executable, "-m", "prefect"]
    for command in (["work-pool", "create", "pfs-process", "--type", "process"], ["--no-prompt", "deploy", "--all"]):
        done = subprocess.run([*prefect_cli, *command], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("refresh-from-cms/quarterly")
    assert deployment.work_pool_name == "pfs-process"
