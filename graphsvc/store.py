"""The embedded store: pyoxigraph on disk or in memory, behind a small interface.

The HTTP layer talks to `GraphStore` only; which engine answers is a configuration matter.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterable, Mapping, Protocol, Union

import pyoxigraph as ox

from graphsvc import project
from graphsvc.answers import QueryAnswer
from graphsvc.budget import FORK_LOCK, Budget, materialise
from graphsvc.query_workers import WorkerPool

if TYPE_CHECKING:
    from graphsvc.config import Settings

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
_LOG = logging.getLogger(__name__)
# What a query worker forked ahead of time runs first (a request as `execute` makes them).
_WARM_UP = ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10", "SELECT", None, None, None)
QueryResult = Union[ox.QuerySolutions, ox.QueryTriples, ox.QueryBoolean]

# The data version: a triple in the meta graph whose value is "<sequence>-<random hex>". Every write
# puts a new one in the same transaction as its data: with an `extend`, next to the old one (an
# extend cannot delete), which the write's second step then removes; after a crash between the
# two steps both are there and the one with the highest sequence is the version.
_META_GRAPH = ox.NamedNode(project.GRAPH_NS + "meta")
_STORE_NODE = ox.NamedNode(project.GRAPH_NS + "store")
_HAS_VERSION = ox.NamedNode("http://purl.org/dc/terms/hasVersion")


def _sequence(token: str) -> int:
    """The sequence number of a version token (0 for a token written before they had one)."""
    head, sep, _ = token.partition("-")
    return int(head) if sep and head.isdigit() else 0


def newest_version(tokens: Iterable[str]) -> str | None:
    """The current version among those the meta graph holds (the highest sequence), or None."""
    return max(tokens, key=lambda token: (_sequence(token), token), default=None)


def _next_version(tokens: Iterable[str]) -> str:
    """A never-seen version token that sorts after every one in `tokens`."""
    return f"{max((_sequence(t) for t in tokens), default=0) + 1:012d}-{uuid.uuid4().hex}"


def _version_quad(token: str) -> ox.Quad:
    return ox.Quad(_STORE_NODE, _HAS_VERSION, ox.Literal(token), _META_GRAPH)


def _version_update(token: str) -> str:
    """SPARQL Update operations that make `token` the store's only data version."""
    meta, node, has = _META_GRAPH.value, _STORE_NODE.value, _HAS_VERSION.value
    return (f"DELETE WHERE {{ GRAPH <{meta}> {{ <{node}> <{has}> ?version }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{meta}> {{ <{node}> <{has}> {ox.Literal(token)} }} }}")


def _versions_removal(tokens: Iterable[str]) -> str | None:
    """A SPARQL update that removes these data versions (the cleanup after an extend), if any."""
    meta, node, has = _META_GRAPH.value, _STORE_NODE.value, _HAS_VERSION.value
    triples = " ".join(f"<{node}> <{has}> {ox.Literal(token)} ." for token in tokens)
    return f"DELETE DATA {{ GRAPH <{meta}> {{ {triples} }} }}" if triples else None


@dataclass(frozen=True)
class Change:
    """One atomic write, as data, so that it can be replayed on the replica and sent to workers:
    quads to add, a file to bulk-load (path, media type, graph), then a SPARQL update."""

    extend: list[ox.Quad] | None = None
    load: tuple[str, str, str] | None = None
    update: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """Answers to several read queries, all from one state of the store, with that state's data
    version (None when the version could not be pinned down) and its number of quads (None when
    it was not counted)."""

    version: str | None
    answers: list[QueryAnswer]
    quads: int | None


@dataclass(frozen=True)
class _SnapshotRequest:
    """What `read_snapshot` asks a worker for: (query, form) pairs to answer from one state."""

    queries: tuple[tuple[str, str], ...]


def apply_change(store: ox.Store, change: Change) -> None:
    if change.extend:
        store.extend(change.extend)
    if change.load:
        path, media_type, graph = change.load
        store.bulk_load(path=path, format=ox.RdfFormat.from_media_type(media_type), to_graph=ox.NamedNode(graph))
    if change.update:
        store.update(change.update)


class GraphStore(Protocol):
    """What the service needs of a store: read queries, atomic graph writes, and a data version."""

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> QueryResult: ...

    def execute(
        self,
        sparql: str,
        form: str,
        budget: Budget,
        *,
        base_iri: str | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        trusted: bool = False,
    ) -> QueryAnswer: ...

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None: ...

    def data_version(self) -> str: ...

    def write_graphs(self, replace: Mapping[ox.NamedNode, list[ox.Triple]],
                     add: Mapping[ox.NamedNode, list[ox.Triple]]) -> None: ...

    def neighbourhood(self, nodes: Iterable[ox.NamedNode], exclude_graphs: Iterable[ox.NamedNode] = (),
                      depth: int = 2, inward: Iterable[ox.NamedNode] | None = None) -> list[ox.Triple]: ...

    def graph_triples(self, graph: ox.NamedNode) -> list[ox.Triple]: ...

    def named_graphs(self) -> list[ox.NamedNode]: ...

    def is_empty(self) -> bool: ...

    def __len__(self) -> int: ...

    def flush(self) -> None: ...


class OxigraphStore:
    """pyoxigraph's store. `path=None` keeps everything in memory (tests, quick looks).

    On disk, `start_replica()` copies the store into memory in a background thread; from then on
    every read is answered by the in-memory copy (several times faster for aggregates, and cheap
    to fork), while every write goes to the disk store first, which stays the durable copy, and
    then to the replica, in the same order. Writes made while the copy runs are kept in a journal
    and replayed onto it before it takes over.
    """

    def __init__(self, path: Path | None = None, query_workers: int = 2, max_queries: int = 4,
                 query_queue: int = 16, query_memory_mb: int = 1024) -> None:
        self.path = path
        if path is None:
            self._store = ox.Store()
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
        self._replica: ox.Store | None = None
        self._journal: list[Change] | None = None
        self._replica_state = "none" if path is not None else "in memory"
        self._workers = WorkerPool(self._answer, self._apply_in_worker, idle_target=query_workers, warm_up=_WARM_UP,
                                   max_busy=max_queries, max_waiting=query_queue, memory_mb=query_memory_mb)

    # --- reading ---------------------------------------------------------------------------------

    @property
    def _reader(self) -> ox.Store:
        replica = self._replica
        return replica if replica is not None else self._store

    @property
    def reads_from(self) -> str:
        """Where reads are answered: "in memory", "memory replica", "disk (replica loading)", "disk"."""
        return {"ready": "memory replica", "loading": "disk (replica loading)"}.get(
            self._replica_state, "in memory" if self.path is None else "disk")

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; with no dataset given, the default graph is the union of all graphs.

        `bindings` substitutes values for variables as RDF terms, never as query text; pyoxigraph
        substitutes only variables that the query's top-level SELECT projects.
        """
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        return self._reader.query(
            sparql,
            base_iri=base_iri,
            use_default_graph_as_union=default_graph is None,
            default_graph=default_graph,
            named_graphs=named_graphs,
            substitutions=substitutions or None,
        )

    def execute(
        self,
        sparql: str,
        form: str,
        budget: Budget,
        *,
        base_iri: str | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        trusted: bool = False,
    ) -> QueryAnswer:
        """Run a query under `budget` in a worker process that is killed at the deadline and cannot
        reach the network (graphsvc.sandbox); `trusted` (the service's own text) changes nothing here."""
        request = (sparql, form, [g.value for g in default_graph] if default_graph is not None else None,
                   [g.value for g in named_graphs] if named_graphs is not None else None, base_iri)
        return self._workers.run(request, budget)

    def read_snapshot(self, queries: Iterable[tuple[str, str]], budget: Budget) -> Snapshot:
        """Answer trusted read queries, each given as (query, form), from one state of the store,
        in a worker under `budget`: the answers and the data version they belong to, together."""
        return self._workers.run(_SnapshotRequest(tuple(queries)), budget)  # type: ignore[return-value]

    def _snapshot(self, request: _SnapshotRequest, max_rows: int) -> Snapshot:
        """In a worker, which applies no change while it answers: the version is read before and
        after (a worker reading the disk store sees writes as they happen; then it is None)."""
        before = newest_version(self._versions(self._reader))
        answers = [materialise(self.query(sparql), form, max_rows) for sparql, form in request.queries]
        quads = len(self._reader)
        after = newest_version(self._versions(self._reader))
        return Snapshot(before if before == after else None, answers, quads)

    def _answer(self, request: tuple[str, str, list[str] | None, list[str] | None, str | None] | _SnapshotRequest,
                max_rows: int) -> QueryAnswer | Snapshot:
        """What a worker process does with a request from `execute` (or `read_snapshot`)."""
        if isinstance(request, _SnapshotRequest):
            return self._snapshot(request, max_rows)
        sparql, form, default_graph, named_graphs, base_iri = request
        result = self.query(sparql, base_iri=base_iri,
                            default_graph=None if default_graph is None else [ox.NamedNode(g) for g in default_graph],
                            named_graphs=None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs])
        return materialise(result, form, max_rows)

    def prepare_workers(self) -> None:
        """For a store in memory: fork the process that forks query workers, now, while no other
        thread uses the store (the on-disk store's replica does this when it is complete)."""
        if self.path is None:
            self._workers.start_zygote()

    def stop_workers(self) -> None:
        """Stop the idle query worker processes (new ones are forked when queries come)."""
        self._workers.shutdown()

    # --- the in-memory replica -------------------------------------------------------------------

    def start_replica(self) -> threading.Thread | None:
        """Copy the on-disk store into memory in a background thread (nothing to do in memory)."""
        if self.path is None or self._replica_state != "none":
            return None
        self._replica_state = "loading"
        thread = threading.Thread(target=self._fill_replica, name="memory-replica", daemon=True)
        thread.start()
        return thread

    def _fill_replica(self, chunk: int = 20_000) -> None:
        replica = ox.Store()
        try:
            with FORK_LOCK:  # writes from here on are journaled; the iterator reads a snapshot
                self._journal = []
                snapshot = self._store.quads_for_pattern(None, None, None, None)
            while True:
                with FORK_LOCK:  # no fork while the disk store is being read from this thread
                    quads = list(itertools.islice(snapshot, chunk))
                if not quads:
                    break
                replica.extend(quads)
                self._copied(len(quads))
            with FORK_LOCK:
                for change in self._journal or []:
                    apply_change(replica, change)
                self._workers.retire()  # the workers so far read the disk store

                def take_over() -> None:
                    self._journal = None
                    self._replica = replica
                    self._replica_state = "ready"

                # Nobody but this thread has seen the replica yet: the moment to fork the zygote.
                self._workers.start_zygote(prepare=take_over)
                take_over()
            self._workers.warm_in_background()
        except Exception:  # noqa: BLE001 - reads simply stay on disk
            _LOG.exception("the in-memory replica could not be built; reads stay on disk")
            with FORK_LOCK:
                self._journal = None
                self._replica_state = "failed"

    def _copied(self, quads: int) -> None:
        """Called by the copying thread after each chunk (outside the lock; tests pause it here)."""

    def wait_for_replica(self, timeout_s: float = 600.0) -> bool:
        """Block until the replica answers reads (True), or it failed or time ran out (False)."""
        deadline = time.monotonic() + timeout_s
        while self._replica_state == "loading" and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._replica_state == "ready"

    # --- writing ---------------------------------------------------------------------------------

    @property
    def _reads_from_memory(self) -> bool:
        return self.path is None or self._replica is not None

    def _write(self, change: Change) -> None:
        """Apply one atomic change to the durable store, then to the replica (or its journal), then
        to the query workers' copies (or, while reads come from disk, replace the workers)."""
        with FORK_LOCK:
            apply_change(self._store, change)
            self.flush()
            if self._journal is not None:
                self._journal.append(change)
            elif self._replica is not None:
                try:
                    apply_change(self._replica, change)
                except Exception:  # noqa: BLE001 - the disk store has it; stop reading the copy
                    _LOG.exception("a write reached the disk store but not the replica; reads go to disk")
                    self._replica = None
                    self._replica_state = "failed"
            if self._reads_from_memory:
                self._workers.publish(change)
                return
            self._workers.retire()
        self._workers.warm_in_background()

    def _apply_in_worker(self, change: Change) -> None:
        """What a query worker does with a change the service made: the same, to its own copy."""
        if not self._reads_from_memory:
            raise RuntimeError("a worker reading the disk store must not write to it")
        apply_change(self._reader, change)

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Put `quads` into `graph` in place of what it held, in one transaction."""
        self.write_graphs(replace={graph: [ox.Triple(q.subject, q.predicate, q.object) for q in quads]}, add={})

    def write_graphs(self, replace: Mapping[ox.NamedNode, list[ox.Triple]],
                     add: Mapping[ox.NamedNode, list[ox.Triple]]) -> None:
        """Replace some graphs and add to others, all in one transaction (all of it or none).

        When nothing old has to go (new graphs, additions), the quads go in with one `extend`,
        which is atomic and several times faster than a SPARQL update, and the new data version
        with them; replacing a graph that holds triples takes one update request, DROP and
        INSERT DATA together, with the version's replacement. Either way the data and its
        version are one transaction.
        """
        with FORK_LOCK:
            older = self._versions(self._store)
            token = _next_version(older)
            existing = set(self._reader.named_graphs())
            if not any(graph in existing for graph in replace):
                quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
                         for graph, triples in [*replace.items(), *add.items()] for t in triples]
                # The older versions go in a second step; lost in a crash, they are merely outranked.
                self._write(Change(extend=[*quads, _version_quad(token)], update=_versions_removal(older)))
                return
            operations = [f"DROP SILENT GRAPH <{graph.value}>" for graph in replace]
            blocks = []
            for graph, triples in [*replace.items(), *add.items()]:
                if triples:
                    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
                    blocks.append(f"GRAPH <{graph.value}> {{\n{body}}}")
            if blocks:
                operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
            self._write(Change(update=" ;\n".join([*operations, _version_update(token)])))

    def bulk_load(self, path: Path, rdf_format: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """Load a big file into `graph` with the engine's bulk loader (not one transaction: for
        filling a fresh store, as the benchmark does). The data version changes before the load
        (so a load cut short by a crash never keeps the old one) and again after it (so nothing
        read during the load is taken for the loaded data)."""
        with FORK_LOCK:
            self._write(Change(update=_version_update(self._new_version_token())))
            self._write(Change(load=(str(path), rdf_format.media_type, graph.value),
                               update=_version_update(self._new_version_token())))

    def clear(self) -> None:
        """Empty the store, in one transaction: the data version goes with the data, and the next
        `data_version()` gives the empty store a new one."""
        self._write(Change(update="CLEAR ALL"))

    def dump(self, out: BinaryIO, rdf_format: ox.RdfFormat, **options: object) -> None:
        """Every quad, serialised by the engine."""
        self._reader.dump(out, format=rdf_format, **options)

    # --- looking around --------------------------------------------------------------------------

    def neighbourhood(self, nodes: Iterable[ox.NamedNode], exclude_graphs: Iterable[ox.NamedNode] = (),
                      depth: int = 2, inward: Iterable[ox.NamedNode] | None = None) -> list[ox.Triple]:
        """What the store says about `nodes`: their triples `depth` steps out, and one step in.

        `inward` limits the step in to those nodes (default: all of `nodes`): a class, a concept or a
        country that a batch merely points to can have a number of incoming triples that grows with
        the store, and nothing that judges the batch's own subjects reads them.
        """
        reader = self._reader
        excluded = set(exclude_graphs)
        found: set[ox.Triple] = set()
        frontier = set(nodes)
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        for node in frontier if inward is None else set(inward):
            for quad in reader.quads_for_pattern(None, None, node, None):
                if quad.graph_name not in excluded:
                    found.add(ox.Triple(quad.subject, quad.predicate, quad.object))
        for _ in range(depth):
            following: set[ox.NamedNode | ox.BlankNode] = set()
            for node in frontier - seen:
                seen.add(node)
                for quad in reader.quads_for_pattern(node, None, None, None):
                    if quad.graph_name in excluded:
                        continue
                    found.add(ox.Triple(quad.subject, quad.predicate, quad.object))
                    if not isinstance(quad.object, ox.Literal):
                        following.add(quad.object)
            frontier = following
        return list(found)

    def graph_triples(self, graph: ox.NamedNode) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self._reader.quads_for_pattern(None, None, None, graph)]

    def _versions(self, store: ox.Store) -> list[str]:
        return [q.object.value for q in store.quads_for_pattern(_STORE_NODE, _HAS_VERSION, None, _META_GRAPH)]

    def _new_version_token(self) -> str:
        """A version for the next write (call under FORK_LOCK: it must outrank the current one)."""
        return _next_version(self._versions(self._store))

    def known_data_version(self) -> str | None:
        """The data version as data_version() gives it, or None where that would have to write one."""
        return newest_version(self._versions(self._reader))

    def data_version(self) -> str:
        """A token that changes with every write (kept in the meta graph, so it survives restarts)."""
        version = newest_version(self._versions(self._reader))
        if version is not None:
            return version
        # A store written before versions existed gets its first one now.
        with FORK_LOCK:
            self._write(Change(update=_version_update(self._new_version_token())))
        return self.data_version()

    def named_graphs(self) -> list[ox.NamedNode]:
        return sorted(self._reader.named_graphs(), key=lambda g: g.value)

    def is_empty(self) -> bool:
        return next(iter(self._reader.quads_for_pattern(None, None, None, None)), None) is None

    def __len__(self) -> int:
        return len(self._reader)

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()


def connect_store(settings: "Settings") -> GraphStore:
    """The store the settings name, as it is: the embedded one, or a remote SPARQL server."""
    from graphsvc.config import BACKENDS, SPARQL

    if settings.backend == SPARQL:
        from graphsvc.remote_store import RemoteStore

        return RemoteStore.from_settings(settings)
    if settings.backend not in BACKENDS:
        raise ValueError(f"unknown backend {settings.backend!r}: choose one of {', '.join(BACKENDS)}")
    return OxigraphStore(settings.store_path, query_workers=settings.query_workers, max_queries=settings.max_queries,
                         query_queue=settings.query_queue, query_memory_mb=settings.query_memory_mb)
