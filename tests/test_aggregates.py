"""Dashboard aggregates: once per data version, in the background, never behind a 503 once known.

The mechanism alone (graphsvc.aggregates.Aggregates with a computation the test controls), then
the service: `/api/stats`, the named queries marked `#+ refresh: background` and the VoID in the
service description, answered within the budget while writes keep changing the data and each
computation takes longer than a request may wait, every answer marked with the version of the
data it was computed from (its quad count is the one the store had at that version), and an ETag
never standing for two different answers.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graphsvc import aggregates
from graphsvc.aggregates import Aggregates, FirstComputation
from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


class Data:
    """A version the test moves on, and a computation that waits for the test's go."""

    def __init__(self) -> None:
        self.version = "v1"
        self.go = threading.Event()
        self.go.set()
        self.fail = False

    def compute(self) -> tuple[str, str]:
        version = self.version
        assert self.go.wait(10)
        if self.fail:
            raise RuntimeError("the store went away")
        return f"value of {version}", version


def test_one_computation_per_version_and_the_last_value_meanwhile() -> None:
    data = Data()
    kept = Aggregates(lambda: data.version)
    first = kept.get("k", data.compute, data.version, wait_s=0.05, first_wait_s=5)
    assert (first.value, first.version, first.stale) == ("value of v1", "v1", False)
    assert kept.get("k", data.compute, data.version, 0.05, 5).value == "value of v1" and kept.computations == 1

    data.version, started = "v2", time.monotonic()
    data.go.clear()  # the computation for v2 is slow
    with ThreadPoolExecutor(8) as pool:
        served = list(pool.map(lambda _: kept.get("k", data.compute, data.version, 0.05, 5), range(16)))
    assert time.monotonic() - started < 2
    assert {(s.value, s.version, s.stale) for s in served} == {("value of v1", "v1", True)}
    data.go.set()
    deadline = time.monotonic() + 5
    while kept.peek("k").version != "v2" and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.01)
    fresh = kept.get("k", data.compute, data.version, 0.05, 5)
    assert (fresh.value, fresh.stale) == ("value of v2", False)
    assert kept.computations == 2  # sixteen requests for v2, one computation


def test_a_failed_refresh_keeps_the_last_value_and_a_slow_first_one_is_a_503() -> None:
    data = Data()
    kept = Aggregates(lambda: data.version)
    kept.get("k", data.compute, "v1", 0.05, 5)
    data.version, data.fail = "v2", True
    assert kept.get("k", data.compute, "v2", 0.5, 5).value == "value of v1"  # the refresh failed in time
    assert kept.get("k", data.compute, "v2", 0.5, 5).stale

    data.fail = False
    data.go.clear()
    with pytest.raises(FirstComputation) as refused:
        kept.get("other", data.compute, "v2", 0.05, first_wait_s=0.1)
    assert refused.value.retry_after_s == 1
    data.go.set()
    deadline = time.monotonic() + 5
    while kept.peek("other") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert kept.get("other", data.compute, "v2", 0.05, 0.1).value == "value of v2"


@pytest.fixture()
def slow_service(monkeypatch: pytest.MonkeyPatch):
    """A service whose every aggregate takes 0.6 s more than it does, on a store of its own."""
    real = aggregates.read_consistently

    def slow(*args, **kwargs):
        time.sleep(0.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregates, "read_consistently", slow)
    store = OxigraphStore()
    load_project(store)
    settings = Settings(store="memory", query_timeout_s=2.0, aggregate_wait_s=0.05)
    with TestClient(create_app(settings, store=store)) as client:
        yield store, client


def _write(store: OxigraphStore, i: int) -> None:
    thing = ox.NamedNode(f"https://w3id.org/iddkg/id/soak-{i}")
    store.replace_graph(ox.NamedNode(f"https://w3id.org/iddkg/graph/data/soak-{i}"),
                        [ox.Quad(thing, LABEL, ox.Literal(f"Soak {j}")) for j in range(1 + i % 3)])


def test_a_stale_answer_keeps_its_own_etag_and_a_fresh_one_replaces_it(slow_service) -> None:
    store, client = slow_service
    first = client.get("/api/stats-classes")
    assert first.status_code == 200 and first.headers["x-data-version"] == store.data_version()
    _write(store, 0)
    stale = client.get("/api/stats-classes", headers={"If-None-Match": first.headers["etag"]})
    # The service still answers with what it computed for the old version: the client's copy is it.
    assert stale.status_code == 304 and stale.headers["x-data-stale"] == "true"
    assert stale.headers["x-data-version"] == first.headers["x-data-version"] != store.data_version()
    time.sleep(1.0)  # the refresh completes
    fresh = client.get("/api/stats-classes", headers={"If-None-Match": first.headers["etag"]})
    assert fresh.status_code == 200 and fresh.headers["etag"] != first.headers["etag"]
    assert fresh.headers["x-data-version"] == store.data_version() and "x-data-stale" not in fresh.headers
    assert fresh.json()["dataVersion"] == store.data_version()


def test_dashboards_are_answered_within_the_budget_while_writes_go_on(slow_service) -> None:
    store, client = slow_service
    quads_at = {store.data_version(): len(store)}
    urls = ("/api/stats", "/api/stats-evidence", "/api/void", "/sparql")
    headers = {"/sparql": {"Accept": "text/turtle"}}
    with ThreadPoolExecutor(4) as pool:  # the first computations, which requests wait for
        assert set(pool.map(lambda url: client.get(url, headers=headers.get(url, {})).status_code, urls)) == {200}
    stop = threading.Event()

    def quads_of(version: str) -> int:
        deadline = time.monotonic() + 2
        while version not in quads_at and time.monotonic() < deadline:  # the writer is about to note it
            time.sleep(0.01)
        return quads_at[version]

    def writer() -> None:
        i = 1
        while not stop.is_set():
            _write(store, i)
            quads_at[store.data_version()] = len(store)  # the only writer: this pair belongs together
            i += 1
            time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    seen: dict[str, str] = {}  # ETag -> digest of the body it came with
    slowest, statuses, stale = 0.0, [], 0
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for url in urls:
                started = time.monotonic()
                response = client.get(url, headers=headers.get(url, {}))
                slowest = max(slowest, time.monotonic() - started)
                statuses.append(response.status_code)
                if url == "/sparql":
                    continue
                stale += response.headers.get("x-data-stale") == "true"
                digest = hashlib.sha256(response.content).hexdigest()
                assert seen.setdefault(response.headers["etag"], digest) == digest, "one ETag, two answers"
                if url == "/api/stats":
                    body = response.json()
                    assert body["dataVersion"] == response.headers["x-data-version"]
                    assert body["quads"] == quads_of(body["dataVersion"]), "an answer marked with another version"
    finally:
        stop.set()
        thread.join()
    assert set(statuses) == {200} and len(statuses) >= 20
    # Each computation takes 0.6 s: a request that waited for one would be slower than this.
    assert slowest < 0.4, f"a dashboard request took {slowest:.2f} s"
    assert stale > 0  # the writes did overtake the computations: the test exercised the stale path
