"""The data version changes in the same transaction as the data, and survives a crash between steps.

A write of a new graph is an `extend` (the data) followed by an update (which once set the version,
and now only removes the older one). A child process is killed with SIGKILL the moment the first
of those has returned; after restart the new graph is there, so the version must have changed and
a client holding the old ETag must get the new answer, not 304.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from graphsvc.budget import Budget
from graphsvc.store import OxigraphStore, newest_version

ROOT = Path(__file__).resolve().parent.parent
GRAPH = "https://w3id.org/iddkg/graph/data/test-crashland"
THING = "https://w3id.org/iddkg/id/crashland"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
META = ox.NamedNode("https://w3id.org/iddkg/graph/meta")
VERSION_QUERY = ("SELECT ?v WHERE { GRAPH <https://w3id.org/iddkg/graph/meta> "
                 "{ <https://w3id.org/iddkg/graph/store> <http://purl.org/dc/terms/hasVersion> ?v } }")

# Writes a new graph through the store, with the disk store wrapped so that the process is
# killed as soon as the write's first transaction (whichever call it is) has returned.
WRITER = """
import os, signal, sys
from pathlib import Path
import pyoxigraph as ox
from graphsvc.store import OxigraphStore

class KilledAfterFirstStep:
    def __init__(self, inner):
        self._inner = inner
    def __getattr__(self, name):
        method = getattr(self._inner, name)
        if name not in ("extend", "update", "bulk_load", "bulk_extend", "add", "remove"):
            return method
        def step(*args, **kwargs):
            method(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        return step

store = OxigraphStore(Path(sys.argv[1]))
store._store = KilledAfterFirstStep(store._store)
thing, graph = ox.NamedNode(sys.argv[2]), ox.NamedNode(sys.argv[3])
label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
store.write_graphs(replace={graph: [ox.Triple(thing, label, ox.Literal("Crashland", language="en"))]}, add={})
print("the write finished without being killed")
"""


# Opens the store (making it, with an empty graph, the first time), asks the API with the ETag
# given, and reports the answer and the store's versions; in a process of its own, which the
# query workers are forked from.
ASK = """
import json, sys
from pathlib import Path
import pyoxigraph as ox
from fastapi.testclient import TestClient
from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore
from tests.test_data_version import VERSION_QUERY
store_dir, etag, graph = Path(sys.argv[1]), sys.argv[2], ox.NamedNode(sys.argv[3])
store = OxigraphStore(store_dir)
if not store.named_graphs():
    store.replace_graph(ox.NamedNode(sys.argv[3] + "-other"), [])
# No lifespan here, so the first query also starts the query workers: a time budget that a
# loaded machine does not spend on that (the test is about versions, not budgets).
client = TestClient(create_app(Settings(store=str(store_dir), memory_replica=False, query_timeout_s=60.0), store=store))
answer = client.get("/api/search?q=Crashland", headers={"If-None-Match": etag} if etag else {})
versions = [row["v"].value for row in store.query(VERSION_QUERY)]
print(json.dumps({"status": answer.status_code, "etag": answer.headers.get("etag"),
                  "items": answer.json()["items"] if answer.status_code == 200 else None,
                  "version": store.data_version(), "versions": versions,
                  "written": graph in store.named_graphs(),
                  "body": answer.text[:500] if answer.status_code != 200 else None}))
store.stop_workers()
"""


def _child(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)


def _versions(store: OxigraphStore) -> list[str]:
    return [row["v"].value for row in store.query(VERSION_QUERY)]  # type: ignore[union-attr]


def _ask(store_dir: Path, etag: str = "") -> dict:
    asked = _child(ASK, str(store_dir), etag, GRAPH)
    assert asked.returncode == 0, asked.stderr[-2000:]
    return json.loads(asked.stdout.strip().splitlines()[-1])


def test_a_crash_after_the_data_went_in_leaves_a_new_version(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    before = _ask(store_dir)
    assert before["status"] == 200, before["body"]
    assert before["items"] == [] and not before["written"]

    child = _child(WRITER, str(store_dir), THING, GRAPH)
    assert child.returncode == -9, f"the writer was not killed between the steps: {child.stdout}{child.stderr}"

    after = _ask(store_dir, before["etag"])
    assert after["written"], "the kill came before the data went in"
    assert len(after["versions"]) == 2, "the kill did not come between the write's two steps"
    assert after["version"] != before["version"], "new data under the old data version"
    assert after["status"] == 200, "a client holding the old ETag was told nothing changed"
    assert [item["thing"]["iri"] for item in after["items"]] == [THING]
    assert after["etag"] != before["etag"]

    store = OxigraphStore(store_dir)  # the next write removes the version the crash left behind
    store.replace_graph(ox.NamedNode(GRAPH + "-next"), [])
    assert _versions(store) == [store.data_version()] and store.data_version() != after["version"]


def test_every_kind_of_write_leaves_exactly_one_newer_version() -> None:
    store = OxigraphStore()
    graph = ox.NamedNode(GRAPH)
    seen = [store.data_version()]
    triple = ox.Triple(ox.NamedNode(THING), LABEL, ox.Literal("Crashland"))
    store.write_graphs(replace={graph: [triple]}, add={})  # a new graph: extend
    seen.append(store.data_version())
    store.write_graphs(replace={graph: [triple, ox.Triple(ox.NamedNode(THING), LABEL, ox.Literal("C"))]}, add={})
    seen.append(store.data_version())  # a graph replaced: one update
    assert [newest_version(seen[: i + 1]) for i in range(len(seen))] == seen  # each outranks the last
    store.clear()  # the version goes with the data, and the empty store gets a new one
    assert len(store) == 0
    seen.append(store.data_version())
    assert len(set(seen)) == len(seen) and len(_versions(store)) == 1


def test_replica_and_workers_follow_the_version(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        store.replace_graph(ox.NamedNode(GRAPH + "-first"), [])
        store.start_replica()
        assert store.wait_for_replica(30)
        quad = ox.Quad(ox.NamedNode(THING), LABEL, ox.Literal("Crashland"), ox.NamedNode(GRAPH))
        store.replace_graph(ox.NamedNode(GRAPH), [quad])
        snapshot = store.read_snapshot([(VERSION_QUERY, "SELECT")], Budget(timeout_s=10, max_rows=10))
        disk_versions = [q.object.value for q in store._store.quads_for_pattern(None, None, None, META)]  # noqa: SLF001
        assert snapshot.version == store.data_version() == newest_version(disk_versions)
        assert [row["v"].value for row in snapshot.answers[0].rows] == [store.data_version()]
    finally:
        store.stop_workers()
