"""Discovery: CMS's landing page -> each release's item page -> its zip link, compared with the catalog."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import settings
from flows.releases import catalog
from flows.shared import raw as acquire
from transforms.releases.cms_pages import release_pages, zip_link


@dataclass(frozen=True)
class Found:
    """A release as CMS's pages show it, and how it stands against the catalog."""

    label: str
    item_page: str
    zip_url: str
    status: str  # new (not in the catalog) | url_changed | url_confirmed (was guessed) | known


def fetch_text(url: str, timeout_seconds: float) -> str:
    with httpx.Client(timeout=timeout_seconds, follow_redirects=True) as client:
        response = client.get(url)
        response.raise_for_status()
        return response.text


def discover(landing_page: str, known: dict[str, catalog.Release], timeout_seconds: float) -> list[Found]:
    """Every release the landing page lists, with its zip link, newest label first."""
    pages = release_pages(fetch_text(landing_page, timeout_seconds), landing_page)
    found = []
    for label, item_page in sorted(pages.items(), reverse=True):
        url = zip_link(fetch_text(item_page, timeout_seconds), item_page, label)
        found.append(Found(label, item_page, url, _status(known.get(label), url)))
    return found


def _status(entry: catalog.Release | None, url: str) -> str:
    if entry is None:
        return "new"
    if entry.zip_url != url:
        return "url_changed"
    return "url_confirmed" if entry.zip_url_status == "guessed" else "known"


def _transient(_task, _task_run, state) -> bool:
    return acquire.is_transient(state.result(raise_on_failure=False))


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_transient, cache_policy=NO_CACHE)
def read_cms_pages(landing_page: str) -> list[Found]:
    """The network step of discovery, retried on transient faults."""
    return discover(landing_page, catalog.catalog(), settings.defaults()["download"]["timeout_seconds"])


@flow(name="discover")
def discover_releases(landing_page: str | None = None) -> list[Found]:
    """The releases CMS lists now, each with its zip link and how it stands against config/releases.toml."""
    return read_cms_pages(landing_page or catalog.landing_page())
