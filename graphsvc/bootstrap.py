"""Fill a store with the project's own content: the ontology, every file of data/ (its evidence
given quote selectors computed from the source texts, which data/ does not copy), and the source
texts of GRAPHSVC_SOURCES that it does not hold yet.

The store remembers a digest of the files it was filled from, so a restart with unchanged
files opens the store as it is, and a restart after a change reloads just the project's graphs.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Iterable

import pyoxigraph as ox

from graphsvc import project
from graphsvc.curation.quotes import quote_triples
from graphsvc.curation.sources import register_folder, source_text
from graphsvc.rdf_files import parse_file
from graphsvc.store import GraphStore, connect_store

if TYPE_CHECKING:
    from graphsvc.config import Settings

_META_GRAPH = ox.NamedNode(project.GRAPH_NS + "meta")
_PROJECT_CONTENT = ox.NamedNode(project.GRAPH_NS + "project-content")
_HAS_VERSION = ox.NamedNode("http://purl.org/dc/terms/hasVersion")


def project_digest() -> str:
    """SHA-256 over the names and bytes of the ontology and data files."""
    digest = hashlib.sha256()
    for path in [*project.ontology_files(), *project.data_files()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def loaded_digest(store: GraphStore) -> str | None:
    rows = list(store.query(  # type: ignore[call-overload]
        "SELECT ?v ?g ?s ?p WHERE { GRAPH ?g { ?s ?p ?v } }",
        bindings={"g": _META_GRAPH, "s": _PROJECT_CONTENT, "p": _HAS_VERSION},
    ))
    return rows[0]["v"].value if rows else None


def _triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def load_project(store: GraphStore) -> dict[str, int]:
    """Load the ontology and data/ into their named graphs, all in one write (a load cut short by a
    crash leaves the store as it was, never some graphs new and others old); triples per graph."""
    graphs = {ox.NamedNode(project.ONTOLOGY_GRAPH): _triples(
        q for path in project.ontology_files() for q in parse_file(path).quads)}
    for path in project.data_files():
        graphs[ox.NamedNode(project.data_graph_iri(path))] = _triples(parse_file(path).quads)
    _add_quotes(store, graphs)
    replace = {graph: [] for graph in store.named_graphs()  # the graphs of files of data/ that are gone
               if graph.value.startswith(project.GRAPH_NS + "data/") and graph not in graphs}
    replace.update(graphs)
    loaded = {graph.value: len(triples) for graph, triples in graphs.items()}
    replace[_META_GRAPH] = [ox.Triple(_PROJECT_CONTENT, _HAS_VERSION, ox.Literal(project_digest()))]
    store.write_graphs(replace=replace, add={})
    register_sources(store)
    return loaded


_FILE_NAME = ox.NamedNode(project.VOCAB_NS + "fileName")


def _add_quotes(store: GraphStore, graphs: dict[ox.NamedNode, list[ox.Triple]]) -> None:
    """Beside each position selector of data/, a quote selector computed from its source's text:
    the text the store holds, else the file of GRAPHSVC_SOURCES that data/ names. Spans whose text
    is not at hand get none (a fresh machine without the sources)."""
    file_names = {t.subject.value: t.object.value for triples in graphs.values() for t in triples
                  if t.predicate == _FILE_NAME and isinstance(t.object, ox.Literal)}

    def text_of(source: str) -> str | None:
        held = source_text(store, source)
        if held is not None:
            return held
        name = file_names.get(source)
        path = project.sources_dir() / name if name else None
        try:
            return path.read_text(encoding="utf-8") if path and path.parent == project.sources_dir() else None
        except OSError:
            return None

    for graph, triples in graphs.items():
        if graph.value.startswith(project.GRAPH_NS + "data/"):
            triples.extend(quote_triples(triples, text_of)[0])


def register_sources(store: GraphStore) -> None:
    """Register the texts of GRAPHSVC_SOURCES that the store does not hold yet (when that folder
    exists), so that the evidence of data/ is read from the store (graphsvc.curation.sources)."""
    register_folder(store)


def ensure_loaded(store: GraphStore) -> bool:
    """Load the project's files unless the store already holds exactly these; True if it loaded.
    Either way, the source texts it lacks are registered."""
    if loaded_digest(store) == project_digest():
        register_sources(store)
        return False
    load_project(store)
    return True


def open_store(settings: "Settings") -> GraphStore:
    """The store the settings name, filled from the project's files when they changed."""
    store = connect_store(settings)
    ensure_loaded(store)
    store.flush()
    return store
