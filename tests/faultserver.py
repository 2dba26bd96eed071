"""A local HTTP server that misbehaves on purpose, one path per fault, counting the requests per path."""

from __future__ import annotations

import collections
import http.server
import socket
import struct
import threading
import time


class FaultServer:
    """Serves `zip_bytes` at /ok.zip and a fault at every other path (see `_Handler.do_GET`)."""

    def __init__(self, zip_bytes: bytes):
        self.zip_bytes = zip_bytes
        self.hits: collections.Counter[str] = collections.Counter()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    server_state: FaultServer

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/zip", length: int | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        state = self.server_state
        path = self.path
        state.hits[path] += 1
        good = state.zip_bytes
        if path == "/ok.zip":
            self._send(200, good)
        elif path == "/flaky-503.zip":  # fails twice, then serves the zip
            self._send(503, b"busy", "text/plain") if state.hits[path] <= 2 else self._send(200, good)
        elif path == "/always-500.zip":
            self._send(500, b"error", "text/plain")
        elif path == "/missing.zip":
            self._send(404, b"<html>Not Found</html>", "text/html")
        elif path == "/html.zip":
            self._send(200, b"<!DOCTYPE html><html><body>Page moved</body></html>", "text/html")
        elif path == "/truncated.zip":
            self._send(200, good[: len(good) // 2], length=len(good))
            self.close_connection = True
        elif path == "/slow.zip":
            time.sleep(3)
            self._send(200, good)
        elif path == "/reset.zip":  # RST instead of an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif path == "/empty.zip":
            self._send(200, b"")
        elif path == "/elsewhere.zip":
            port = self.server.server_address[1]
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{port}/ok.zip")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/same-host-redirect.zip":
            self.send_response(301)
            self.send_header("Location", "/ok.zip")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, b"no such path", "text/plain")
