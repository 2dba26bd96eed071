"""CMS's PFS relative-value web pages -> release labels and links (pure: page text in, links out)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlparse

LABEL = re.compile(r"^RVU\d{2}[A-Z]{1,2}\d?$")


class PageLayoutError(ValueError):
    """A CMS page that no longer has the shape discovery reads."""


class _Links(HTMLParser):
    """Every <a href> with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def links(html: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, text) of every link of a page."""
    parser = _Links()
    parser.feed(html)
    return [(urljoin(base_url, href), text) for href, text in parser.links]


def release_pages(html: str, base_url: str) -> dict[str, str]:
    """The landing page's table: release label -> its item page, for links whose text is exactly a label."""
    found = {}
    for url, text in links(html, base_url):
        label = text.upper()
        if LABEL.match(label):
            found.setdefault(label, url)
    if not found:
        raise PageLayoutError(f"{base_url}: no links named like a release (RVU25D): the page layout changed")
    return found


def zip_link(html: str, base_url: str, label: str) -> str:
    """The item page's link to the release's zip: the file name must begin with the exact label."""
    exact = re.compile(rf"/files/zip/{re.escape(label.lower())}(?![a-z0-9])", re.IGNORECASE)
    matches = sorted({url for url, _ in links(html, base_url) if exact.search(unquote(urlparse(url).path))})
    if len(matches) != 1:
        found = ", ".join(matches) or "none"
        raise PageLayoutError(f"{base_url}: expected one zip link for {label}, found {found}")
    return matches[0]
