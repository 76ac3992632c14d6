"""Fill a store with the project's own content: the ontology and every file of data/.

The store remembers a digest of the files it was filled from, so a restart with unchanged
files opens the store as it is, and a restart after a change reloads just the project's graphs.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from graphsvc import project
from graphsvc.rdf_files import parse_file
from graphsvc.store import GraphStore

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


def load_project(store: GraphStore) -> dict[str, int]:
    """Load the ontology and data/ into their named graphs; returns triples per graph."""
    loaded: dict[str, int] = {}
    ontology_quads = [q for path in project.ontology_files() for q in parse_file(path).quads]
    store.replace_graph(ox.NamedNode(project.ONTOLOGY_GRAPH), ontology_quads)
    loaded[project.ONTOLOGY_GRAPH] = len(ontology_quads)
    expected = {project.data_graph_iri(path) for path in project.data_files()}
    for graph in store.named_graphs():
        stale = graph.value.startswith(project.GRAPH_NS + "data/") and graph.value not in expected
        if stale:
            store.replace_graph(graph, [])
    for path in project.data_files():
        graph = project.data_graph_iri(path)
        quads = parse_file(path).quads
        store.replace_graph(ox.NamedNode(graph), quads)
        loaded[graph] = len(quads)
    version = ox.Quad(_PROJECT_CONTENT, _HAS_VERSION, ox.Literal(project_digest()))
    store.replace_graph(_META_GRAPH, [version])
    return loaded


def ensure_loaded(store: GraphStore) -> bool:
    """Load the project's files unless the store already holds exactly these; True if it loaded."""
    if loaded_digest(store) == project_digest():
        return False
    load_project(store)
    return True
