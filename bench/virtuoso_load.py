"""A private Virtuoso holding what the benchmark's embedded store holds.

The synthetic world goes in with Virtuoso's own bulk loader (`ld_dir` + `rdf_loader_run`, through
isql, from the N-Triples file linked into the server's folder, the only one its DirsAllowed names);
the project (ontology, data/, and the meta graph with the data version) through graphsvc's
RemoteStore, as the service itself loads a fresh remote store. The server is the tests' launcher
(tests/virtuoso.py: 127.0.0.1 only, the limits README.md asks for, its files removed afterwards).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

from graphsvc.bootstrap import ensure_loaded
from graphsvc.remote_store import RemoteStore
from tests.virtuoso import Virtuoso, running_virtuoso

# Virtuoso's page cache for the benchmark: 8 KB pages, about 1.3 GB (its guide's figure for a
# server with 2 GB to give it), so that a 1M-triple database is read from memory as pyoxigraph's is.
BUFFERS = 170_000


def bulk_load(server: Virtuoso, world: Path, graph: str, timeout_s: float = 3600) -> float:
    """Load the N-Triples file `world` into `graph` with the bulk loader; seconds taken."""
    local = server.directory / world.name
    try:
        os.link(world, local)
    except OSError:
        shutil.copyfile(world, local)
    try:
        started = time.perf_counter()
        server.isql(f"ld_dir('{server.directory}', '{world.name}', '{graph}'); rdf_loader_run(); checkpoint;",
                    timeout_s=timeout_s)
        seconds = time.perf_counter() - started
        failed = server.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if "0 Rows." not in failed:
            raise RuntimeError(f"Virtuoso's bulk loader failed: {failed[-1500:]}")
    finally:
        local.unlink(missing_ok=True)
    return seconds


def remote_store(server: Virtuoso) -> RemoteStore:
    """graphsvc's client of `server`, with the credentials the service gets."""
    return RemoteStore(server.query_url, server.update_url, user=server.user, password=server.password)


@contextlib.contextmanager
def loaded_virtuoso(directory: Path, world: Path, graph: str) -> Iterator[tuple[Virtuoso, dict[str, Any]]]:
    """A private Virtuoso in `directory` with the world in `graph` and the project loaded; the
    loading figures. Stopped and its files removed when the block ends."""
    shutil.rmtree(directory, ignore_errors=True)  # what an interrupted run left
    with running_virtuoso(directory, buffers=BUFFERS) as server:
        store = remote_store(server)
        started = time.perf_counter()
        # First: loading the project drops graphs under data/ that no file of data/ names, as the
        # synthetic world's graph is (the embedded store is filled in this order too).
        ensure_loaded(store)  # the project's graphs and the data version, as `graphsvc serve` would
        project_s = time.perf_counter() - started
        bulk_s = bulk_load(server, world, graph)
        store.write_graphs(replace={}, add={})  # a write behind graphsvc's back: a new data version
        quads = len(store)
        yield server, {"bulk_load_s": round(bulk_s, 2), "project_load_s": round(project_s, 2),
                       "store_quads": quads, "buffers": BUFFERS}
