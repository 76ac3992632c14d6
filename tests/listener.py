"""A TCP listener on 127.0.0.1 that counts the connections made to it: the witness that nothing
the service was sent made it connect out."""

from __future__ import annotations

import http.server
import socket
import threading
from typing import Iterator

import pytest


class Listener:
    """Accepts and counts connections until closed; `url` is an address pointing at it."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


class CountingContextHandler(http.server.BaseHTTPRequestHandler):
    """An HTTP handler that serves a JSON-LD context and counts the requests for it: the witness
    that a parser did not fetch a remote context."""

    hits = 0

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits += 1
        body = b'{"@context": {"name": "http://schema.org/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass
