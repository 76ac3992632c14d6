"""Named-query answers after a write: the earlier answer, marked, while the new one computes.

Every write changes the data version, which every cached answer is keyed by. On a large graph,
recomputing each named query in the request that first comes after a write made requests wait
seconds. Now a request that finds an answer for an earlier version gets it at once, under that
version's own ETag and X-Data-Version and marked X-Data-Stale, while one background refresh
computes the current answer; `Cache-Control: no-cache` asks for the current answer and waits for it.
Here refreshes (they run on threads named "aggregate") are made slow or failing on purpose. An /id/
page is also read in a query worker under the time budget, which stops a query that would not end.
"""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graphsvc.answers import QueryFailed
from graphsvc.api import linked_data, named_queries
from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SEARCH = "/api/search?q=Refreshland"


class Refreshes:
    """How background refreshes behave: delayed by `delay_s`, or failing."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.fail = False
        self.count = 0


@pytest.fixture()
def service(monkeypatch: pytest.MonkeyPatch):
    real = named_queries.render
    refreshes = Refreshes()

    def render(*args, **kwargs):
        if threading.current_thread().name == "aggregate":
            refreshes.count += 1
            time.sleep(refreshes.delay_s)
            if refreshes.fail:
                raise QueryFailed("the refresh went wrong on purpose")
        return real(*args, **kwargs)

    monkeypatch.setattr(named_queries, "render", render)
    real_page = linked_data.render_page

    def render_page(*args, **kwargs):
        if threading.current_thread().name == "aggregate":
            refreshes.count += 1
            time.sleep(refreshes.delay_s)
        return real_page(*args, **kwargs)

    monkeypatch.setattr(linked_data, "render_page", render_page)
    store = OxigraphStore()
    load_project(store)
    settings = Settings(store="memory", query_timeout_s=5.0, aggregate_wait_s=0.05)
    with TestClient(create_app(settings, store=store)) as client:
        yield store, client, refreshes
    for thread in threading.enumerate():  # the refreshes this test started end before the next test
        if thread.name == "aggregate":
            thread.join(timeout=10)


def _write(store: OxigraphStore, name: str) -> None:
    thing = ox.NamedNode(f"https://w3id.org/iddkg/id/{name.lower()}")
    store.replace_graph(ox.NamedNode(f"https://w3id.org/iddkg/graph/data/{name.lower()}"),
                        [ox.Quad(thing, LABEL, ox.Literal(name, language="en"))])


def _items(response) -> list[str]:
    return [item["thing"]["iri"] for item in response.json()["items"]]


def test_after_a_write_the_earlier_answer_comes_marked_while_the_new_one_computes(service) -> None:
    store, client, refreshes = service
    first = client.get(SEARCH)
    assert first.status_code == 200 and _items(first) == [] and "x-data-stale" not in first.headers
    old_version = store.data_version()

    refreshes.delay_s = 1.0
    _write(store, "Refreshland")
    started = time.monotonic()
    stale = client.get(SEARCH)
    assert time.monotonic() - started < 0.5, "the request waited for the refresh"
    assert stale.status_code == 200 and _items(stale) == []
    assert stale.headers["x-data-stale"] == "true" and stale.headers["x-data-version"] == old_version
    assert stale.headers["etag"] == first.headers["etag"]  # the ETag names the data the answer came from
    assert stale.json()["dataVersion"] == old_version

    # A client holding that answer is told it has it; one that asks for the current data gets it.
    assert client.get(SEARCH, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    current = client.get(SEARCH, headers={"Cache-Control": "no-cache"})
    assert current.status_code == 200 and "x-data-stale" not in current.headers
    assert _items(current) == ["https://w3id.org/iddkg/id/refreshland"]
    assert current.headers["x-data-version"] == store.data_version() != old_version

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the one refresh finishes
        fresh = client.get(SEARCH)
        if "x-data-stale" not in fresh.headers:
            break
        time.sleep(0.1)
    assert "x-data-stale" not in fresh.headers and _items(fresh) == ["https://w3id.org/iddkg/id/refreshland"]
    assert fresh.headers["etag"] == current.headers["etag"] != first.headers["etag"]
    assert refreshes.count == 1, "one refresh for the version, however many requests came"


def test_many_requests_after_a_write_start_one_refresh_each_and_never_wait(service) -> None:
    store, client, refreshes = service
    paths = [SEARCH, "/api/partners", "/api/instruments", "/api/search?q=India"]
    for path in paths:
        assert client.get(path).status_code == 200
    refreshes.delay_s = 0.5
    _write(store, "Refreshland")
    slowest = 0.0
    for _ in range(5):
        for path in paths:
            started = time.monotonic()
            assert client.get(path).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
    assert slowest < 0.4, f"a request took {slowest:.2f} s"
    assert refreshes.count <= len(paths)


def test_a_refresh_that_fails_leaves_the_request_to_compute_its_answer(service) -> None:
    store, client, refreshes = service
    assert _items(client.get(SEARCH)) == []
    refreshes.fail = True
    _write(store, "Refreshland")
    answer = client.get(SEARCH)  # the refresh failed within the wait: no stale answer is kept
    assert answer.status_code == 200 and "x-data-stale" not in answer.headers
    assert _items(answer) == ["https://w3id.org/iddkg/id/refreshland"]
    assert refreshes.count == 1


def test_an_id_page_after_a_write_comes_from_the_earlier_version_while_it_refreshes(service) -> None:
    store, client, refreshes = service
    headers = {"Accept": "text/turtle"}
    first = client.get("/id/refreshland", headers=headers)
    assert first.status_code == 404  # nothing by that name yet: nothing is noted
    _write(store, "Refreshland")
    page = client.get("/id/refreshland", headers=headers)
    assert page.status_code == 200 and "Refreshland" in page.text and "x-data-stale" not in page.headers

    refreshes.delay_s = 1.0
    thing = ox.NamedNode("https://w3id.org/iddkg/id/refreshland")
    store.replace_graph(ox.NamedNode("https://w3id.org/iddkg/graph/data/refreshland-more"),
                        [ox.Quad(thing, LABEL, ox.Literal("Auffrischland", language="de"))])
    stale = client.get("/id/refreshland", headers=headers)
    assert stale.status_code == 200 and "Auffrischland" not in stale.text
    assert stale.headers["x-data-stale"] == "true" and stale.headers["etag"] == page.headers["etag"]
    current = client.get("/id/refreshland", headers={**headers, "Cache-Control": "no-cache"})
    assert "Auffrischland" in current.text and "x-data-stale" not in current.headers


def test_an_id_page_is_read_under_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    real = linked_data.page_query
    endless = ("SELECT ?p ?o WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } } "
               "BIND(<http://www.w3.org/2000/01/rdf-schema#label> AS ?p) BIND(?n AS ?o) }")
    monkeypatch.setattr(linked_data, "page_query",
                        lambda name, iri: endless if name == "facts" else real(name, iri))
    store = OxigraphStore()
    load_project(store)
    with TestClient(create_app(Settings(store="memory", query_timeout_s=1.0), store=store)) as client:
        started = time.monotonic()
        answer = client.get("/id/india", headers={"Accept": "text/turtle"})
        assert answer.status_code == 503 and "time budget" in answer.json()["error"]
        assert time.monotonic() - started < 5
        monkeypatch.setattr(linked_data, "page_query", real)
        assert client.get("/id/india", headers={"Accept": "text/turtle"}).status_code == 200
