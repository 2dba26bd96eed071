"""Discovery against CMS-shaped pages served from 127.0.0.1: exact labels, prefixes, a changed layout."""

from __future__ import annotations

import http.server
import threading

import pytest

from flows.releases.discover import discover_releases
from transforms.releases.cms_pages import PageLayoutError, zip_link

LANDING = """<html><body><h1>PFS Relative Value Files</h1>
<table class="views-table">
<thead><tr><th>Name</th><th>Description</th></tr></thead>
<tbody>
<tr><td><a href="/pfs-relative-value-files/rvu26b">RVU26B</a></td><td>April release</td></tr>
<tr><td><a href="/pfs-relative-value-files/rvu26ar">RVU26AR</a></td><td>January correction</td></tr>
<tr><td><a href="/pfs-relative-value-files/rvu26a">RVU26A</a></td><td>January release</td></tr>
<tr><td><a href="/pfs-relative-value-files/rvu27a">
  RVU27A </a></td><td>a release the catalog does not know</td></tr>
</tbody></table>
<p><a href="/about">About</a> <a href="/files/zip/rvu26a.zip">stray zip link</a></p>
</body></html>"""

ITEM = """<html><body><h1>{label}</h1>
<ul class="downloads">
{links}
<li><a href="/files/document/rvu-readme.pdf">Read me (PDF)</a></li>
</ul></body></html>"""

PAGES = {
    "/pfs-relative-value-files": LANDING,
    # the January page links its correction too: RVU26A must not take rvu26ar's zip
    "/pfs-relative-value-files/rvu26a": ITEM.format(label="RVU26A", links=(
        '<li><a href="/files/zip/rvu26ar-posted-01-15-2026.zip">RVU26AR (ZIP)</a></li>'
        '<li><a href="/files/zip/rvu26a-updated-12-29-2025.zip">RVU26A (ZIP)</a></li>')),
    "/pfs-relative-value-files/rvu26ar": ITEM.format(
        label="RVU26AR", links='<li><a href="/files/zip/rvu26ar-posted-01-15-2026.zip">RVU26AR (ZIP)</a></li>'),
    "/pfs-relative-value-files/rvu26b": ITEM.format(
        label="RVU26B", links='<li><a href="/files/zip/rvu26b-updated-05-01-2026.zip">RVU26B (ZIP)</a></li>'),
    "/pfs-relative-value-files/rvu27a": ITEM.format(
        label="RVU27A", links='<li><a href="/files/zip/rvu27a.zip">RVU27A (ZIP)</a></li>'),
    "/redesigned": "<html><body><div class='cards'><span>RVU26B</span></div></body></html>",
}  # fmt: skip


class _Pages(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        data = (body or "not found").encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_discovery_finds_every_release_by_its_exact_label(site, prefect):
    found = {f.label: f for f in discover_releases(f"{site}/pfs-relative-value-files")}
    assert sorted(found) == ["RVU26A", "RVU26AR", "RVU26B", "RVU27A"]
    assert found["RVU26A"].zip_url == f"{site}/files/zip/rvu26a-updated-12-29-2025.zip"
    assert found["RVU26AR"].zip_url == f"{site}/files/zip/rvu26ar-posted-01-15-2026.zip"
    assert found["RVU27A"].status == "new"
    assert found["RVU26B"].status == "url_changed"  # the catalog has CMS's host, this mirror another
    assert found["RVU26A"].item_page == f"{site}/pfs-relative-value-files/rvu26a"


def test_a_changed_landing_page_is_a_clear_error(site, prefect):
    with pytest.raises(PageLayoutError, match="no links named like a release .*the page layout changed"):
        discover_releases(f"{site}/redesigned")


def test_an_item_page_without_the_zip_link_is_a_clear_error():
    with pytest.raises(PageLayoutError, match="expected one zip link for RVU26B, found none"):
        zip_link(PAGES["/pfs-relative-value-files/rvu26a"], "https://www.cms.gov/x/rvu26b", "RVU26B")


def test_zip_names_with_slashes_match_their_label():
    page = '<a href="https://www.cms.gov/files/zip/rvu24b-updated-03/18/2024.zip">RVU24B</a>'
    assert zip_link(page, "https://www.cms.gov/x/rvu24b", "RVU24B").endswith("03/18/2024.zip")


def test_catalog_status_of_a_known_and_a_guessed_url():
    from flows.releases.catalog import release
    from flows.releases.discover import _status

    known, guessed = release("RVU25D"), release("RVU25B")
    assert _status(known, known.zip_url) == "known"
    assert _status(guessed, guessed.zip_url) == "url_confirmed"
    assert _status(None, "https://x/rvu30a.zip") == "new"
