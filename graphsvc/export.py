"""Dumping and emptying a store, whichever backend holds it: `graphsvc export` and `graphsvc reset`."""

from __future__ import annotations

from typing import BinaryIO, Iterator

import pyoxigraph as ox

from graphsvc.store import GraphStore, OxigraphStore
from graphsvc.vocabulary import prefixes

FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "nq": ox.RdfFormat.N_QUADS}


def _remote_quads(store: GraphStore) -> Iterator[ox.Quad]:
    # One query, so that a blank node keeps one label across the whole dump.
    graphs = {g.value for g in store.named_graphs()}
    rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    for row in rows:  # type: ignore[union-attr]
        if row["g"].value in graphs:
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])


def export_dataset(store: GraphStore, out: BinaryIO, fmt: str = "trig") -> None:
    """Everything the store holds, with its named graphs, as TriG or N-Quads."""
    rdf_format = FORMATS[fmt]
    extra = {"prefixes": prefixes()} if rdf_format == ox.RdfFormat.TRIG else {}
    if isinstance(store, OxigraphStore):
        store.dump(out, rdf_format, **extra)
    else:
        ox.serialize(_remote_quads(store), out, format=rdf_format, **extra)
    out.flush()


def reset_store(store: GraphStore) -> int:
    """Empty the store; the number of named graphs it held. The embedded store empties in one
    transaction; a remote one drops its graphs one by one (the server's own graphs stay)."""
    graphs = store.named_graphs()
    if isinstance(store, OxigraphStore):
        store.clear()
    else:
        for graph in graphs:
            store.replace_graph(graph, [])
    store.flush()
    return len(graphs)
