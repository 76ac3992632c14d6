"""Background work (aggregates, refreshes after a write) runs at low CPU priority in workers of its own.

Observed from outside: the niceness of every thread of each query worker process, read from /proc
(on Linux niceness belongs to a thread; the one that answers queries is the one reniced).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox

from graphsvc.budget import Budget
from graphsvc.query_workers import BACKGROUND_NICENESS, work_in_background
from graphsvc.store import OxigraphStore

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/iddkg/graph/data/t> { ?s ?p ?o } }"


def _thread_niceness(pid: int) -> set[int]:
    return {os.getpriority(os.PRIO_PROCESS, int(task.name)) for task in Path(f"/proc/{pid}/task").iterdir()}


def _worker_pids(store: OxigraphStore) -> set[int]:
    return {worker.pid for worker in store._workers._live}  # noqa: SLF001 - what the test looks at


def test_background_queries_run_niced_in_their_own_worker_and_requests_do_not() -> None:
    store = OxigraphStore()
    store.replace_graph(ox.NamedNode("https://w3id.org/iddkg/graph/data/t"),
                        [ox.Quad(ox.NamedNode("https://w3id.org/iddkg/id/t"), ox.NamedNode("http://ex/p"), ox.Literal("x"))])
    budget = Budget(timeout_s=10.0, max_rows=10)
    try:
        assert store.execute(QUERY, "SELECT", budget).rows[0]["n"].value == "1"
        foreground = _worker_pids(store)
        base = os.getpriority(os.PRIO_PROCESS, 0)
        assert foreground and all(_thread_niceness(pid) == {base} for pid in foreground)

        answers = []

        def background() -> None:
            work_in_background()
            answers.append(store.execute(QUERY, "SELECT", budget))
            answers.append(os.getpriority(os.PRIO_PROCESS, 0))  # this thread of the service, too

        thread = threading.Thread(target=background)
        thread.start()
        thread.join(30)
        assert answers and answers[0].rows[0]["n"].value == "1"
        assert answers[1] == min(19, base + BACKGROUND_NICENESS)
        assert os.getpriority(os.PRIO_PROCESS, 0) == base  # the other threads keep theirs
        niced = _worker_pids(store) - foreground
        assert len(niced) == 1, "the background query did not get a worker of its own"
        assert min(19, base + BACKGROUND_NICENESS) in _thread_niceness(niced.pop())
        assert all(_thread_niceness(pid) == {base} for pid in foreground)  # requests' workers untouched
    finally:
        store.stop_workers()
