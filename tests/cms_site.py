"""A CMS-shaped site on 127.0.0.1: a landing page, item pages and release zips, from a dict of paths."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from contextlib import contextmanager

from tests.loopback import serving_with


class _Site(http.server.BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@contextmanager
def serve(pages: dict[str, bytes]) -> Iterator[str]:
    """Serve the pages; yields the site's base URL."""
    with serving_with(type("Handler", (_Site,), {"pages": pages})) as url:
        yield url
