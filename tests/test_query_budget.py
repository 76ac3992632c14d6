"""Budgets that really stop the work: a runaway query is killed at its deadline while other
requests are served, and a large answer is cut and marked as cut, never silently."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.server import running_service

BUDGET_S = 2.0
ROW_LIMIT = 25
QUERY_WORKERS = 2
CARTESIAN = """PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT (COUNT(*) AS ?n) WHERE {
  ?a a oa:TextPositionSelector . ?b a oa:TextPositionSelector .
  ?c a oa:TextPositionSelector . ?d a oa:TextPositionSelector .
}"""
LIGHT = "ASK { <https://w3id.org/iddkg/id/meity> ?p ?o }"


@pytest.fixture(scope="module")
def budgeted_server(tmp_path_factory: pytest.TempPathFactory):
    env = {"GRAPHSVC_QUERY_TIMEOUT": str(BUDGET_S), "GRAPHSVC_RESULT_LIMIT": str(ROW_LIMIT),
           "GRAPHSVC_QUERY_WORKERS": str(QUERY_WORKERS)}
    with running_service(tmp_path_factory.mktemp("store"), extra_env=env) as base_url:
        yield base_url


def _descendants(base_url: str) -> list[tuple[str, str]]:
    """(pid, state) of each process below the server listening at `base_url`: the zygote that
    forks the query workers, and the workers."""
    port = base_url.rsplit(":", 1)[1]
    found: list[tuple[str, str]] = []
    parents = subprocess.run(["fuser", "-n", "tcp", port], capture_output=True, text=True).stdout.split()
    while parents:
        listing = subprocess.run(["ps", "--ppid", ",".join(parents), "-o", "pid=,stat="], capture_output=True, text=True)
        children = [(line.split()[0], line.split()[1]) for line in listing.stdout.splitlines() if line.strip()]
        found += children
        parents = [pid for pid, _ in children]
    return found


def test_runaway_query_is_stopped_while_a_light_one_is_served(budgeted_server: str) -> None:
    with httpx.Client(base_url=budgeted_server, timeout=30) as client:
        started = time.monotonic()
        client.get("/sparql", params={"query": LIGHT})
        baseline = time.monotonic() - started

        heavy: dict[str, object] = {}

        def send_heavy() -> None:
            t0 = time.monotonic()
            response = client.get("/sparql", params={"query": CARTESIAN})
            heavy.update(status=response.status_code, body=response.json(), seconds=time.monotonic() - t0)

        worker = threading.Thread(target=send_heavy)
        worker.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        light = client.get("/sparql", params={"query": LIGHT})
        light_seconds = time.monotonic() - t0
        assert light.status_code == 200 and light.json()["boolean"] is True
        assert "status" not in heavy, "the light query waited for the heavy one"
        assert light_seconds < baseline + 1.0
        worker.join(timeout=30)

    assert heavy["status"] == 503
    assert "budget" in heavy["body"]["error"]  # type: ignore[index]
    assert BUDGET_S <= heavy["seconds"] < BUDGET_S + 3  # type: ignore[operator]


def test_after_a_timeout_the_worker_is_killed_and_the_others_wait_idle(budgeted_server: str) -> None:
    with httpx.Client(base_url=budgeted_server, timeout=30) as client:
        client.get("/sparql", params={"query": LIGHT})
        before = {pid for pid, _ in _descendants(budgeted_server)}
        assert 1 <= len(before) <= QUERY_WORKERS + 1  # workers kept ready, and their zygote
        assert client.get("/sparql", params={"query": CARTESIAN}).status_code == 503
        for _ in range(3):
            assert client.get("/sparql", params={"query": LIGHT}).json()["boolean"] is True
    time.sleep(0.5)
    after = _descendants(budgeted_server)
    assert len(after) <= QUERY_WORKERS + 1
    # No child is still at work on the runaway query: each one left is idle, waiting for a request.
    assert all(state.startswith("S") for _, state in after), after


def test_the_workers_end_with_the_service(tmp_path: Path) -> None:
    with running_service(tmp_path / "store") as base_url:
        httpx.get(base_url + "/sparql", params={"query": LIGHT}, timeout=30)
        workers = [pid for pid, _ in _descendants(base_url)]
        assert workers
    deadline = time.monotonic() + 10
    while True:
        alive = subprocess.run(["ps", "-o", "pid=,stat=", "-p", ",".join(workers)], capture_output=True, text=True)
        running = [line for line in alive.stdout.splitlines() if line.strip() and "Z" not in line.split()[1]]
        if not running or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert running == []


def test_large_answers_are_truncated_and_say_so(budgeted_server: str) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    response = httpx.get(budgeted_server + "/sparql", params={"query": query}, timeout=30,
                         headers={"Accept": "application/sparql-results+json"})
    body = response.json()
    assert len(body["results"]["bindings"]) == ROW_LIMIT
    assert body["truncated"] is True
    assert response.headers["X-Result-Truncated"] == "true"
    as_csv = httpx.get(budgeted_server + "/sparql", params={"query": query, "format": "csv"}, timeout=30)
    assert as_csv.headers["X-Result-Truncated"] == "true"
    assert len(as_csv.text.strip().splitlines()) == ROW_LIMIT + 1


def test_small_answers_are_not_marked(budgeted_server: str) -> None:
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/iddkg/ontology#Country> }"
    response = httpx.get(budgeted_server + "/sparql", params={"query": query}, timeout=30)
    assert "truncated" not in response.json()
    assert "X-Result-Truncated" not in response.headers


def test_named_queries_run_under_the_budget_too() -> None:
    from fastapi.testclient import TestClient

    from graphsvc.api.app import create_app
    from graphsvc.bootstrap import load_project
    from graphsvc.config import Settings
    from graphsvc.store import OxigraphStore

    store = OxigraphStore()  # a fresh data version: nothing cached can answer for it
    load_project(store)
    with TestClient(create_app(Settings(store="memory", query_timeout_s=1e-6), store)) as client:
        response = client.get("/api/partners")
    assert response.status_code == 503
    assert "budget" in response.json()["error"]


@pytest.mark.parametrize("shape, query", [
    ("a group of 10,000 triple patterns", "SELECT * {" + "".join(f"?s ?p ?o{i}." for i in range(10_000)) + "}"),
    ("6,500 UNION branches", "SELECT * {" + "UNION".join(["{BIND(1 AS ?x)}"] * 6_500) + "}"),
    ("a chain of 40,000 `+`", "SELECT * { BIND(" + "+".join(["1"] * 40_000) + " AS ?x) }"),
])
def test_long_queries_meet_their_budget_not_the_end_of_the_stack(budgeted_server: str, shape: str, query: str) -> None:
    """The engine recurses once per element of a query; on an 8 MB stack these (each under the
    128 KB the endpoint reads) ended their worker. On the workers' deep stack they run until their
    time budget stops them, like any long query, and the next query is served by a worker."""
    assert len(query.encode()) <= 131_072
    response = httpx.post(f"{budgeted_server}/sparql", content=query, timeout=60,
                          headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert response.status_code in (200, 503), response.text[:300]
    if response.status_code == 503:
        assert "time budget" in response.json()["error"], (shape, response.text[:300])
    assert httpx.get(f"{budgeted_server}/sparql", params={"query": LIGHT}, timeout=30).status_code == 200
