"""The embedded store: pyoxigraph on disk or in memory, behind a small interface.

The HTTP layer talks to `GraphStore` only; which engine answers is a configuration matter.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Protocol, Union

import pyoxigraph as ox

from graphsvc import project
from graphsvc.answers import QueryAnswer
from graphsvc.budget import FORK_LOCK, Budget, materialise, run_in_child

if TYPE_CHECKING:
    from graphsvc.config import Settings

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
QueryResult = Union[ox.QuerySolutions, ox.QueryTriples, ox.QueryBoolean]

# The data version: one triple in the meta graph, replaced in the same transaction as every write.
_META_GRAPH = ox.NamedNode(project.GRAPH_NS + "meta")
_STORE_NODE = ox.NamedNode(project.GRAPH_NS + "store")
_HAS_VERSION = ox.NamedNode("http://purl.org/dc/terms/hasVersion")


def _version_update() -> str:
    """SPARQL Update operations that give the store a new, never-seen data version."""
    meta, node, has = _META_GRAPH.value, _STORE_NODE.value, _HAS_VERSION.value
    token = ox.Literal(uuid.uuid4().hex)
    return (f"DELETE WHERE {{ GRAPH <{meta}> {{ <{node}> <{has}> ?version }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{meta}> {{ <{node}> <{has}> {token} }} }}")


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
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
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
    """pyoxigraph's store. `path=None` keeps everything in memory (tests, quick looks)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is None:
            self._store = ox.Store()
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; with no dataset given, the default graph is the union of all graphs.

        `bindings` substitutes values for variables as RDF terms, never as query text; pyoxigraph
        substitutes only variables that the query's top-level SELECT projects.
        """
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        return self._store.query(
            sparql,
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
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> QueryAnswer:
        """Run an untrusted query under `budget` in a child process that is killed at the deadline."""

        def work() -> QueryAnswer:
            result = self.query(sparql, default_graph=default_graph, named_graphs=named_graphs)
            return materialise(result, form, budget.max_rows)

        return run_in_child(work, budget)

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Put `quads` into `graph` in place of what it held, in one transaction."""
        self.write_graphs(replace={graph: [ox.Triple(q.subject, q.predicate, q.object) for q in quads]}, add={})

    def write_graphs(self, replace: Mapping[ox.NamedNode, list[ox.Triple]],
                     add: Mapping[ox.NamedNode, list[ox.Triple]]) -> None:
        """Replace some graphs and add to others, all in one transaction (all of it or none).

        When nothing old has to go (new graphs, additions), the quads go in with one `extend`,
        which is atomic and several times faster than a SPARQL update; replacing a graph that
        holds triples takes one update request, DROP and INSERT DATA together.
        """
        with FORK_LOCK:
            existing = set(self._store.named_graphs())
            if not any(graph in existing for graph in replace):
                self._store.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                                   for graph, triples in [*replace.items(), *add.items()] for t in triples)
                self._store.update(_version_update())
            else:
                operations = [f"DROP SILENT GRAPH <{graph.value}>" for graph in replace]
                blocks = []
                for graph, triples in [*replace.items(), *add.items()]:
                    if triples:
                        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
                        blocks.append(f"GRAPH <{graph.value}> {{\n{body}}}")
                if blocks:
                    operations.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
                self._store.update(" ;\n".join([*operations, _version_update()]))
            self.flush()

    def neighbourhood(self, nodes: Iterable[ox.NamedNode], exclude_graphs: Iterable[ox.NamedNode] = (),
                      depth: int = 2, inward: Iterable[ox.NamedNode] | None = None) -> list[ox.Triple]:
        """What the store says about `nodes`: their triples `depth` steps out, and one step in.

        `inward` limits the step in to those nodes (default: all of `nodes`): a class, a concept or a
        country that a batch merely points to can have a number of incoming triples that grows with
        the store, and nothing that judges the batch's own subjects reads them.
        """
        excluded = set(exclude_graphs)
        found: set[ox.Triple] = set()
        frontier = set(nodes)
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        for node in frontier if inward is None else set(inward):
            for quad in self._store.quads_for_pattern(None, None, node, None):
                if quad.graph_name not in excluded:
                    found.add(ox.Triple(quad.subject, quad.predicate, quad.object))
        for _ in range(depth):
            following: set[ox.NamedNode | ox.BlankNode] = set()
            for node in frontier - seen:
                seen.add(node)
                for quad in self._store.quads_for_pattern(node, None, None, None):
                    if quad.graph_name in excluded:
                        continue
                    found.add(ox.Triple(quad.subject, quad.predicate, quad.object))
                    if not isinstance(quad.object, ox.Literal):
                        following.add(quad.object)
            frontier = following
        return list(found)

    def graph_triples(self, graph: ox.NamedNode) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self._store.quads_for_pattern(None, None, None, graph)]

    def data_version(self) -> str:
        """A token that changes with every write (kept in the meta graph, so it survives restarts)."""
        for quad in self._store.quads_for_pattern(_STORE_NODE, _HAS_VERSION, None, _META_GRAPH):
            return quad.object.value
        with FORK_LOCK:  # a store written before versions existed gets its first one now
            self._store.update(_version_update())
            self.flush()
        return self.data_version()

    def named_graphs(self) -> list[ox.NamedNode]:
        return sorted(self._store.named_graphs(), key=lambda g: g.value)

    def is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def __len__(self) -> int:
        return len(self._store)

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
    return OxigraphStore(settings.store_path)


def open_store(settings: "Settings") -> GraphStore:
    """The store the settings name, filled from the project's files when they changed."""
    from graphsvc.bootstrap import ensure_loaded

    store = connect_store(settings)
    ensure_loaded(store)
    store.flush()
    return store
