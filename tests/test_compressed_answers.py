"""Large answers go gzip-encoded to clients that accept it, compressed once, under an ETag of
their own that If-None-Match still matches; small ones and clients that do not ask go plain."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.api.encoding import MIN_SIZE, accepts_gzip, gzip_etag, plain_etag
from graphsvc.api.refreshing import CACHE
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore

LARGE = "/api/instrument?instrument=kg:india-japan-digital-partnership-2-0-moc"  # about 45 KB of JSON
SMALL = "/api/events"
PAGE = "/id/india-japan-digital-partnership-2-0-moc"
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip, deflate"}


@pytest.fixture(scope="module")
def client():
    store = OxigraphStore()
    load_project(store)
    with TestClient(create_app(Settings(store="memory"), store)) as http:
        yield http


@pytest.mark.parametrize("path", [LARGE, PAGE])
def test_a_large_answer_is_sent_compressed_with_its_own_etag(client: TestClient, path: str) -> None:
    plain = client.get(path, headers=PLAIN)
    assert plain.status_code == 200 and len(plain.content) >= MIN_SIZE
    assert "content-encoding" not in plain.headers
    packed = client.get(path, headers=GZIP)
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content, "the client's decoding gives the same bytes"
    assert int(packed.headers["content-length"]) < len(plain.content) / 4
    assert packed.headers["etag"] == gzip_etag(plain.headers["etag"]) != plain.headers["etag"]
    assert "Accept-Encoding" in packed.headers["vary"] and "Accept-Encoding" in plain.headers["vary"]
    for etag in (plain.headers["etag"], packed.headers["etag"]):
        for encoding in (PLAIN, GZIP):
            again = client.get(path, headers={**encoding, "If-None-Match": etag})
            assert again.status_code == 304, (etag, encoding)


def test_the_compressed_body_is_made_once_and_kept(client: TestClient) -> None:
    first = client.get(LARGE, headers=GZIP)
    cached = CACHE.get(plain_etag(first.headers["etag"]))
    assert cached is not None
    kept = cached.gzipped()
    assert kept is cached.gzipped() and gzip.decompress(kept) == cached.body
    client.get(LARGE, headers=GZIP)
    assert CACHE.get(plain_etag(first.headers["etag"])).gzipped() is kept


def test_a_small_answer_and_a_client_that_does_not_ask_get_plain_bodies(client: TestClient) -> None:
    small = client.get(SMALL, headers=GZIP)
    assert small.status_code == 200 and len(small.content) < MIN_SIZE
    assert "content-encoding" not in small.headers
    refused = client.get(LARGE, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


@pytest.mark.parametrize(("header", "accepted"), [
    ("gzip", True), ("GZIP;q=0.5", True), ("br, gzip;q=0.1", True), ("*", True), ("gzip;q=0", False),
    ("identity", False), ("", False), ("*;q=0", False), ("deflate, *;q=0.2", True), ("gzip;q=x", False)])
def test_accept_encoding_is_read_with_its_weights(header: str, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted
