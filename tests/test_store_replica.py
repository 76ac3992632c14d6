"""The on-disk store answers reads from a copy in memory: built in the background, kept in step
with every write, and never ahead of or behind the durable copy on disk. Budgeted queries run in
worker processes forked ahead of time; a write must never leave a worker answering from old data."""

from __future__ import annotations

import gc
import os
import signal
import time
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphsvc.budget import Budget
from graphsvc.store import Change, OxigraphStore

G = ox.NamedNode("urn:x-test:graph")
H = ox.NamedNode("urn:x-test:other")
BUDGET = Budget(timeout_s=30, max_rows=100)


def triple(n: int) -> ox.Triple:
    return ox.Triple(ox.NamedNode(f"urn:x-test:s{n}"), ox.NamedNode("urn:x-test:p"), ox.Literal(n))


def values_in(store: OxigraphStore, graph: ox.NamedNode, budgeted: bool = False) -> list[int]:
    query = f"SELECT ?o WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }} ORDER BY ?o"
    if budgeted:
        return [int(row["o"].value) for row in store.execute(query, "SELECT", BUDGET).rows]
    return [int(row["o"].value) for row in store.query(query)]  # type: ignore[union-attr]


def parent_of(pid: int) -> int | None:
    """The parent process of `pid`, or None once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else int(fields[1])


@pytest.fixture
def disk_store(tmp_path: Path) -> OxigraphStore:
    store = OxigraphStore(tmp_path / "store")
    store.write_graphs({G: [triple(n) for n in range(5_000)]}, {})
    return store


class PausedCopy:
    """The copy waits after its first chunk, so that writes come while it runs."""

    def __init__(self) -> None:
        self.copying = threading.Event()
        self.go_on = threading.Event()

    def __call__(self, quads: int) -> None:
        self.copying.set()
        assert self.go_on.wait(30)


def test_reads_move_to_memory_and_writes_made_while_copying_are_kept(
        disk_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    paused = PausedCopy()
    monkeypatch.setattr(disk_store, "_copied", paused)
    assert disk_store.reads_from == "disk"
    disk_store.start_replica()
    assert paused.copying.wait(30)
    # Writes while the copy runs: a new graph, a replaced graph, an addition.
    disk_store.write_graphs({H: [triple(1)]}, {})
    disk_store.write_graphs({G: [triple(7), triple(8)]}, {})
    disk_store.write_graphs({}, {H: [triple(2)]})
    version = disk_store.data_version()
    assert disk_store.reads_from == "disk (replica loading)"
    assert values_in(disk_store, H) == [1, 2]  # read from disk meanwhile
    paused.go_on.set()
    assert disk_store.wait_for_replica(60)
    assert disk_store.reads_from == "memory replica"
    assert values_in(disk_store, G) == [7, 8]
    assert values_in(disk_store, H) == [1, 2]
    assert disk_store.data_version() == version
    assert len(disk_store) == 5  # 4 triples and the data version


def test_the_disk_copy_holds_every_write_made_through_the_replica(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.write_graphs({G: [triple(1)]}, {})
    store.start_replica()
    assert store.wait_for_replica(60)
    store.write_graphs({G: [triple(2), triple(3)]}, {H: [triple(4)]})
    version = store.data_version()
    del store
    gc.collect()
    reopened = OxigraphStore(tmp_path / "store")
    assert reopened.reads_from == "disk"
    assert values_in(reopened, G) == [2, 3]
    assert values_in(reopened, H) == [4]
    assert reopened.data_version() == version


def test_a_failed_write_changes_neither_copy(disk_store: OxigraphStore) -> None:
    disk_store.start_replica()
    assert disk_store.wait_for_replica(60)
    version = disk_store.data_version()
    with pytest.raises(SyntaxError):
        disk_store._write(Change(update="INSERT DATA { <urn:a> <urn:b> "))  # noqa: SLF001
    assert disk_store.reads_from == "memory replica"
    assert disk_store.data_version() == version
    assert len(values_in(disk_store, G)) == 5_000


def test_workers_never_answer_from_before_a_write(disk_store: OxigraphStore) -> None:
    disk_store.start_replica()
    assert values_in(disk_store, H, budgeted=True) == []
    assert disk_store.wait_for_replica(60)
    for n in range(1, 6):
        disk_store.write_graphs({}, {H: [triple(n)]})
        assert values_in(disk_store, H, budgeted=True) == list(range(1, n + 1))
    disk_store.stop_workers()


def test_a_worker_is_reused_while_the_data_is_unchanged(disk_store: OxigraphStore) -> None:
    values_in(disk_store, G, budgeted=True)
    workers = {w.pid for w in disk_store._workers._idle}  # noqa: SLF001
    for _ in range(5):
        values_in(disk_store, G, budgeted=True)
    assert {w.pid for w in disk_store._workers._idle} & workers  # noqa: SLF001
    disk_store.write_graphs({}, {H: [triple(1)]})
    assert not {w.pid for w in disk_store._workers._idle} & workers  # noqa: SLF001 - retired
    disk_store.stop_workers()
    assert disk_store._workers._idle == []  # noqa: SLF001


def test_a_store_in_memory_has_no_replica() -> None:
    store = OxigraphStore()
    assert store.start_replica() is None
    assert store.reads_from == "in memory"


@pytest.mark.parametrize("where", ["replica", "memory"])
def test_workers_reading_memory_follow_writes_without_being_replaced(where: str, tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store") if where == "replica" else OxigraphStore()
    store.write_graphs({G: [triple(0)]}, {})
    if where == "replica":
        store.start_replica()
        assert store.wait_for_replica(60)
    else:
        store.prepare_workers()
    zygote = store._workers._zygote  # noqa: SLF001
    assert zygote is not None
    assert values_in(store, G, budgeted=True) == [0]
    time.sleep(0.5)  # the workers forked ahead of time are ready
    workers = {w.pid for w in store._workers._live}  # noqa: SLF001
    assert len(workers) == 2
    store.write_graphs({}, {G: [triple(1)]})  # an addition
    store.write_graphs({H: [triple(2)]}, {})  # a new graph
    store.write_graphs({G: [triple(3)]}, {})  # a replaced graph
    assert values_in(store, G, budgeted=True) == [3]
    assert values_in(store, H, budgeted=True) == [2]
    assert {w.pid for w in store._workers._live} == workers  # noqa: SLF001 - the same processes
    # They are children of the zygote, not of this process, which has other threads.
    assert {parent_of(pid) for pid in workers} == {zygote.pid}
    store.stop_workers()
    time.sleep(0.2)
    assert all(parent_of(pid) is None for pid in [*workers, zygote.pid])


def test_a_worker_that_died_is_replaced_and_the_query_answered(tmp_path: Path) -> None:
    store = OxigraphStore()
    store.write_graphs({G: [triple(0)]}, {})
    assert values_in(store, G, budgeted=True) == [0]
    for worker in list(store._workers._idle):  # noqa: SLF001
        os.kill(worker.pid, signal.SIGKILL)
    store.write_graphs({G: [triple(5)]}, {})
    assert values_in(store, G, budgeted=True) == [5]
    store.stop_workers()
