"""Code pages of the real releases, opened from disk in headless Chromium with the network off."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.site.build import build_page, build_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background traffic off: this machine has no internet, and the test counts failed requests
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Visit:
    """A page opened offline, with every console error and failed or non-file request it caused."""

    def __init__(self, browser, path: Path, width: int = 1000) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
        self.problems: list[str] = []
        self.context.route("**/*", self._only_files)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _only_files(self, route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.problems.append(f"network: {route.request.url}")
            route.abort()

    def images_loaded(self) -> bool:
        return self.page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")

    def close(self) -> None:
        self.context.close()


def _not_blank(png: bytes) -> int:
    """How many colours the screenshot has (a blank or failed render has one or two)."""
    from PIL import Image  # matplotlib's own image library

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 20) or [])


@pytest.fixture(scope="module")
def sites(lake: Path, tmp_path_factory) -> dict[str, Path]:
    """The real RVU26C and RVU25D sites, for the codes these tests open (the whole site is bench/static_site.py's)."""
    root = tmp_path_factory.mktemp("sites")
    return {release: build_site(lake, root / release, release, codes=["97140", "90951", "93581", "27447"],
                                workers=1) and root / release for release in ("RVU26C", "RVU25D")}  # fmt: skip


def test_rvu26c_97140_page_shows_its_ranking_offline(browser, sites, tmp_path):
    visit = Visit(browser, sites["RVU26C"] / "codes" / "97140.html")
    try:
        ranking = visit.page.inner_text("#ranking")
        assert "27th percentile among Medicine codes" in ranking
        assert "(0.78)" in ranking and "23.92 (90951)" in ranking
        assert "1.8× below the median" in ranking
        assert "90951: 23.92" not in visit.page.content()  # 97140 is marked, not the maximum
        assert visit.page.locator("#chart-category svg #category-point").count() == 1
        assert "no GPCI file" in visit.page.inner_text("#localities")  # the lake's copy of RVU26C is PPRRVU alone
        assert visit.images_loaded()
        shot = visit.page.screenshot(full_page=True)
        assert _not_blank(shot) > 50
        assert visit.problems == []
    finally:
        visit.close()


def test_rvu25d_97140_page_finds_alabamas_fee_offline(browser, sites):
    visit = Visit(browser, sites["RVU25D"] / "codes" / "97140.html", width=390)  # a phone's width
    try:
        alabama = visit.page.locator("#locality-fees tbody tr", has_text="ALABAMA (AL)")
        assert alabama.count() == 1
        assert "25.34" in alabama.inner_text()
        assert "$25.18" in visit.page.text_content("#chart-localities desc")  # the chart's lowest locality
        assert visit.page.locator("#chart-localities svg #loc-bars").count() == 1
        width = visit.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
        assert visit.images_loaded()
        assert _not_blank(visit.page.screenshot(full_page=True)) > 50
        assert visit.problems == []
    finally:
        visit.close()


def test_index_search_finds_a_code_by_its_descriptor_offline(browser, sites):
    visit = Visit(browser, sites["RVU25D"] / "index.html")
    try:
        visit.page.fill("#q", "manual therapy")
        link = visit.page.locator("#results a", has_text="97140")
        assert link.count() == 1
        link.click()
        visit.page.wait_for_url("**/codes/97140.html")
        assert "Manual therapy" in visit.page.inner_text("h1")
        assert visit.problems == []
    finally:
        visit.close()


def test_a_page_on_its_own_renders_offline(browser, lake, tmp_path):
    out = tmp_path / "97140.html"
    build_page(lake, "97140", out, "RVU25D")
    visit = Visit(browser, out)
    try:
        assert "26th percentile among Medicine codes" in visit.page.inner_text("#ranking")
        assert visit.images_loaded()
        assert visit.problems == []
    finally:
        visit.close()
