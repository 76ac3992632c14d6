"""The processes that run public queries cannot reach the network, whatever query they are handed,
and the memory and the number of queries they may take are bounded."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Iterator

import httpx
import pytest

from graphsvc import sandbox
from graphsvc.answers import QueryOutOfMemory, QueryRefused, ServiceBusy
from graphsvc.budget import Budget
from graphsvc.store import OxigraphStore
from tests.listener import Listener, listener  # noqa: F401 - the fixture
from tests.server import running_service

# Ten values per VALUES block: each block multiplies the solutions by ten.
_TEN = "VALUES ?{name} {{ 1 2 3 4 5 6 7 8 9 10 }}"


def _product(blocks: int) -> str:
    return " ".join(_TEN.format(name=f"x{i}") for i in range(blocks))


# Groups ten million distinct keys: far more memory than a query may take in these tests.
MEMORY_HOG = ("SELECT (COUNT(*) AS ?n) WHERE { " + _product(7) +
              " BIND(CONCAT(STR(?x0), STR(?x1), STR(?x2), STR(?x3), STR(?x4), STR(?x5), STR(?x6)) AS ?k) } GROUP BY ?k")
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + _product(8) + " }"  # 10^8 solutions counted: seconds


@pytest.fixture()
def store() -> Iterator[OxigraphStore]:
    memory = OxigraphStore(query_workers=1, max_queries=2, query_queue=1, query_memory_mb=256)
    memory.prepare_workers()
    yield memory
    memory.stop_workers()


def test_a_confined_process_cannot_make_an_internet_socket_and_loses_inherited_ones(listener: Listener) -> None:
    inherited = socket.create_connection(("127.0.0.1", listener.port))
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports what it could do through the pipe, then leaves
        try:
            sandbox.confine(keep_fds=())
            outcome = [sandbox.network_is_forbidden()]
            try:
                os.fstat(inherited.fileno())
                outcome.append(False)
            except OSError:
                outcome.append(True)
            try:
                socket.create_connection(("127.0.0.1", listener.port), timeout=1)
                outcome.append(False)
            except OSError:
                outcome.append(True)
            unix_a, unix_b = socket.socketpair()  # AF_UNIX stays possible
            outcome.append(unix_a.family == socket.AF_UNIX)
            os.write(writer, bytes(int(x) for x in outcome))
        finally:
            os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    report = os.read(reader, 16)
    os.close(reader)
    inherited.close()
    assert report == bytes([1, 1, 1, 1])
    assert not sandbox.network_is_forbidden()  # the test process itself is untouched
    assert listener.connections == 1  # only the test's own connection


@pytest.mark.parametrize("clause", ["SERVICE", "SERVICE SILENT"])
def test_a_worker_handed_a_service_query_directly_connects_nowhere(
        store: OxigraphStore, listener: Listener, clause: str) -> None:
    query = f"SELECT * WHERE {{ {clause} <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    if clause == "SERVICE SILENT":  # the failure is silenced: one empty solution
        assert store.execute(query, "SELECT", Budget(timeout_s=5, max_rows=10)).rows == [{}]
    else:
        with pytest.raises(QueryRefused, match="network connection"):
            store.execute(query, "SELECT", Budget(timeout_s=5, max_rows=10))
    time.sleep(0.3)
    assert listener.connections == 0


def test_a_query_past_its_memory_allowance_is_stopped_and_the_next_is_served(store: OxigraphStore) -> None:
    started = time.monotonic()
    with pytest.raises(QueryOutOfMemory, match="256 MB"):
        store.execute(MEMORY_HOG, "SELECT", Budget(timeout_s=60, max_rows=10))
    assert time.monotonic() - started < 30
    assert store.execute("ASK {}", "ASK", Budget(timeout_s=5, max_rows=10)).boolean is True


def test_queries_beyond_the_cap_wait_then_are_refused(store: OxigraphStore) -> None:
    outcomes: list[tuple[str, float]] = []

    def run() -> None:
        started = time.monotonic()
        try:
            store.execute(SLOW, "SELECT", Budget(timeout_s=1.5, max_rows=10))
            outcome = "answered"
        except ServiceBusy as busy:
            assert busy.retry_after_s == 2
            outcome = "busy"
        except Exception as exc:  # noqa: BLE001 - the time budget
            outcome = type(exc).__name__
        outcomes.append((outcome, time.monotonic() - started))

    threads = [threading.Thread(target=run) for _ in range(5)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=30)
    # Two run and hit their budget; one waits in the queue (and is refused, or runs once a place
    # frees); the last two find the queue full and are refused at once.
    assert [o for o, _ in outcomes].count("QueryTimeout") >= 2
    assert [seconds < 0.5 for o, seconds in outcomes if o == "busy"].count(True) == 2
    assert len(outcomes) == 5 and "answered" not in [o for o, _ in outcomes]
    assert store.execute("ASK {}", "ASK", Budget(timeout_s=5, max_rows=10)).boolean is True


def test_a_busy_service_answers_503_with_retry_after_and_serves_light_requests() -> None:
    env = {"GRAPHSVC_MAX_QUERIES": "1", "GRAPHSVC_QUERY_QUEUE": "0", "GRAPHSVC_QUERY_TIMEOUT": "3"}
    with running_service("memory", extra_env=env) as base_url:
        results: list[httpx.Response] = []
        heavy = threading.Thread(target=lambda: results.append(
            httpx.post(base_url + "/sparql", data={"query": SLOW}, timeout=30)))
        heavy.start()
        time.sleep(0.5)
        refused = httpx.post(base_url + "/sparql", data={"query": "ASK {}"}, timeout=30)
        front = httpx.get(base_url + "/", timeout=30)
        heavy.join(timeout=30)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "3"
    assert "busy" in refused.json()["error"]
    assert front.status_code == 200
    assert results[0].status_code == 503 and "time budget" in results[0].json()["error"]
