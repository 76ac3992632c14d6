"""Fill a store with the project's own content: the ontology and every file of data/."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graphsvc import project
from graphsvc.store import GraphStore


def parse_file(path: Path) -> list[ox.Quad]:
    """Parse one RDF file of the project; the format follows the file's suffix."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").replace("owl", "rdf"))
    if fmt is None:
        raise ValueError(f"{path.name}: unknown RDF file suffix {path.suffix!r}")
    with path.open("rb") as handle:
        return list(ox.parse(handle, format=fmt, base_iri=path.as_uri()))


def load_project(store: GraphStore) -> dict[str, int]:
    """Load the ontology and data/ into their named graphs; returns triples per graph."""
    loaded: dict[str, int] = {}
    ontology_quads = [q for path in project.ontology_files() for q in parse_file(path)]
    store.replace_graph(ox.NamedNode(project.ONTOLOGY_GRAPH), ontology_quads)
    loaded[project.ONTOLOGY_GRAPH] = len(ontology_quads)
    for path in project.data_files():
        graph = project.data_graph_iri(path)
        quads = parse_file(path)
        store.replace_graph(ox.NamedNode(graph), quads)
        loaded[graph] = len(quads)
    return loaded
