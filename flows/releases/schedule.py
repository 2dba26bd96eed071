"""The scheduled refresh: a Prefect deployment of `refresh-from-cms` on CMS's quarterly rhythm."""

from __future__ import annotations

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows import settings
from flows.releases.flow import refresh_from_cms


def quarterly(lake: str, landing_page: str | None = None) -> RunnerDeployment:
    """The deployment `pfs schedule` serves: discover and refresh into `lake` on the cron of config/defaults.toml."""
    schedule = settings.defaults()["schedule"]
    parameters: dict[str, str] = {"lake": lake}
    if landing_page:
        parameters["landing_page"] = landing_page
    return refresh_from_cms.to_deployment(
        name=schedule["deployment"],
        schedule=Cron(schedule["cron"], timezone=schedule["timezone"]),
        parameters=parameters,
        description="Quarterly PFS refresh: discover CMS's releases, ingest what is new or changed.",
    )
