"""Limits on one HTTP request, against a real `graphsvc serve`: JSON 413, 414, 431 and 400, HEAD, OPTIONS.

Oversize requests go through raw sockets (httpx will not send them): each test sends in pieces and
stops as soon as the server answers, so it also shows the server did not read everything.
"""

from __future__ import annotations

import json
import select
import socket
import time
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from graphsvc.config import Settings
from graphsvc.http_limits import HTTPTOOLS_MAX_URL_BYTES, RequestLimits
from tests.server import running_service

MB = 1024 * 1024
PIECE = b"a" * 65_536
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_service("memory") as url:
        yield url


@pytest.fixture(scope="module")
def port(base_url: str) -> int:
    return int(urlsplit(base_url).port or 80)


def repeat(piece: bytes, total: int) -> Iterator[bytes]:
    for _ in range(total // len(piece)):
        yield piece


def chunked(piece: bytes, total: int) -> Iterator[bytes]:
    """The pieces as chunks of a chunked body (never finished: the server should stop first)."""
    for data in repeat(piece, total):
        yield b"%x\r\n" % len(data) + data + b"\r\n"


def send_until_answered(port: int, head: bytes, pieces: Iterable[bytes], timeout: float = 10.0) -> tuple[bytes, int]:
    """Send the head, then pieces while the server is silent; its answer, and how many bytes went out."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.setblocking(False)
        pending = head
        source = iter(pieces)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not pending:
                    pending = next(source, b"")
                readable, writable, _ = select.select([sock], [sock] if pending else [], [], 0.5)
                if readable:
                    break
                if writable:
                    count = sock.send(pending)
                    sent += count
                    pending = pending[count:]
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed first: its answer may still be waiting to be read
        return read_response(sock, deadline), sent


def read_response(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes (or the deadline passes)."""
    received = bytearray()
    sock.setblocking(True)
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            data = sock.recv(65_536)
        except ConnectionResetError:
            break
        if not data:
            break
        received += data
    return bytes(received)


def parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def assert_json_refusal(raw: bytes, status: int, *words: str) -> str:
    """The answer is `status` with a one-line JSON error containing the words, and closes the connection."""
    assert raw, "the server sent nothing"
    got, headers, body = parse(raw)
    assert got == status, raw[:300]
    assert headers["content-type"].startswith("application/json")
    assert headers["connection"] == "close"
    message = json.loads(body)["error"]
    assert "\n" not in message and all(word in message for word in words), message
    return message


def assert_still_serving(base_url: str) -> None:
    assert httpx.get(base_url + "/", timeout=10).status_code == 200


def test_a_declared_100_mb_body_is_refused_before_it_is_read(base_url: str, port: int) -> None:
    head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100000000\r\n\r\n")
    started = time.monotonic()
    raw, sent = send_until_answered(port, head, repeat(PIECE, 100 * MB))
    assert_json_refusal(raw, 413, "100000000", str(MB), "GRAPHSVC_MAX_REQUEST_BYTES")
    assert sent < 30 * MB and time.monotonic() - started < 5
    assert_still_serving(base_url)


def test_a_chunked_body_is_refused_once_it_passes_the_limit(base_url: str, port: int) -> None:
    head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    raw, sent = send_until_answered(port, head, chunked(PIECE, 100 * MB))
    assert_json_refusal(raw, 413, str(MB), "reading stopped")
    assert sent < 30 * MB
    assert_still_serving(base_url)


def test_uploads_have_the_larger_upload_limit(base_url: str, port: int) -> None:
    head = (b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/turtle\r\n"
            b"Content-Length: 17000000\r\n\r\n")
    raw, _ = send_until_answered(port, head, [])
    assert_json_refusal(raw, 413, "17000000", str(16 * MB), "GRAPHSVC_MAX_UPLOAD_BYTES")
    two_mb = b"# " + b"x" * (2 * MB) + b"\n"  # over the request limit, under the upload limit: read and checked
    response = httpx.post(base_url + "/validate", content=two_mb, headers={"Content-Type": "text/turtle"},
                          timeout=10)
    assert response.status_code == 200, response.text


def test_a_32_mb_header_is_refused_with_431(base_url: str, port: int) -> None:
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: "
    raw, sent = send_until_answered(port, head, repeat(PIECE, 32 * MB))
    assert_json_refusal(raw, 431, "16384", "headers")
    assert sent < 8 * MB
    assert_still_serving(base_url)


def test_many_headers_are_refused_with_431(base_url: str, port: int) -> None:
    lines = b"".join(b"X-Header-%d: %s\r\n" % (n, b"v" * 100) for n in range(200))
    raw, _ = send_until_answered(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + lines + b"\r\n", [])
    assert_json_refusal(raw, 431, "16384")


def test_a_100_kb_url_is_refused_with_414(base_url: str, port: int) -> None:
    head = b"GET /sparql?query=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    raw, _ = send_until_answered(port, b"", [head[i:i + 8192] for i in range(0, len(head), 8192)])
    assert_json_refusal(raw, 414, "16384", "POST")
    assert_still_serving(base_url)


@pytest.mark.parametrize("garbage", [b"HELLO THERE\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
                                     b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"])
def test_a_malformed_request_gets_a_json_400(base_url: str, port: int, garbage: bytes) -> None:
    raw, _ = send_until_answered(port, garbage, [], timeout=5)
    assert_json_refusal(raw, 400, "not valid HTTP")
    assert_still_serving(base_url)


def test_a_100_kb_query_by_post_is_answered(base_url: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n#" + "x" * 100_000 + "\n"  # under GRAPHSVC_MAX_QUERY_BYTES
    response = httpx.post(base_url + "/sparql", content=query.encode(), timeout=10,
                          headers={**JSON_RESULTS, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 1


@pytest.mark.parametrize("path", ["/sparql", "/graphs", "/"])
def test_head_answers_like_get_without_a_body(base_url: str, path: str) -> None:
    get = httpx.get(base_url + path, timeout=10)
    head = httpx.head(base_url + path, timeout=10)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_options_and_405_list_every_method_of_graphs(base_url: str) -> None:
    wanted = {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}
    options = httpx.options(base_url + "/graphs", timeout=10)
    assert options.status_code == 204
    assert {m.strip() for m in options.headers["allow"].split(",")} == wanted
    patch = httpx.patch(base_url + "/graphs", timeout=10)
    assert patch.status_code == 405
    assert {m.strip() for m in patch.headers["allow"].split(",")} == wanted


def test_limits_follow_the_settings_within_what_httptools_can_parse() -> None:
    limits = RequestLimits.from_settings(Settings(max_request_bytes=1000, max_upload_bytes=5000,
                                                  max_url_bytes=10 * MB, max_header_bytes=2000))
    assert limits.body_limit("/sparql") == (1000, "GRAPHSVC_MAX_REQUEST_BYTES")
    assert limits.body_limit("/graphs") == (5000, "GRAPHSVC_MAX_UPLOAD_BYTES")
    assert limits.url_bytes == HTTPTOOLS_MAX_URL_BYTES  # longer URLs would fail in httptools.parse_url
    smaller_uploads = RequestLimits.from_settings(Settings(max_request_bytes=9000, max_upload_bytes=5000))
    assert smaller_uploads.body_limit("/validate") == (9000, "GRAPHSVC_MAX_REQUEST_BYTES")
