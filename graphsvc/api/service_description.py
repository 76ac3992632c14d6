"""The SPARQL 1.1 Service Description of /sparql, with VoID statistics of the dataset."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request, Response

from graphsvc import project
from graphsvc.catalog import catalog
from graphsvc.store import GraphStore

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"

DATASET = ox.NamedNode(project.THING_NS + "dataset")
_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]


_VOID_CACHE: dict[str, list[ox.Triple]] = {}


def void_statistics(store: GraphStore) -> list[ox.Triple]:
    """The VoID description (queries/void.rq), computed once per data version."""
    version = store.data_version()
    if version not in _VOID_CACHE:
        _VOID_CACHE.clear()
        _VOID_CACHE[version] = list(store.query(catalog()["void"].text))  # type: ignore[arg-type]
    return _VOID_CACHE[version]


def describe_service(store: GraphStore, endpoint: str) -> list[ox.Triple]:
    """Triples that say truthfully what the endpoint does: query only, no federation, no update."""
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default_graph = DATASET  # the union of all graphs, described with VoID below
    n = ox.NamedNode
    triples = [
        ox.Triple(service, RDF_TYPE, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), service),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, n(SD + "Dataset")),
        ox.Triple(dataset, n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, n(SD + "Graph")),
        ox.Triple(DATASET, n(VOID + "sparqlEndpoint"), service),
        ox.Triple(DATASET, n(VOID + "vocabulary"), n(project.VOCAB_NS)),
        ox.Triple(DATASET, n(VOID + "uriSpace"), ox.Literal(project.THING_NS)),
        *void_statistics(store),
    ]
    for graph in store.named_graphs():
        node = ox.BlankNode()
        triples += [ox.Triple(dataset, n(SD + "namedGraph"), node),
                    ox.Triple(node, n(SD + "name"), graph)]
    for name in _RESULT_FORMATS:
        triples.append(ox.Triple(service, n(SD + "resultFormat"), n(FORMATS + name)))
    return triples


def service_description(request: Request) -> Response:
    store: GraphStore = request.app.state.store
    endpoint = str(request.url.replace(query=""))
    body = ox.serialize(
        describe_service(store, endpoint),
        format=ox.RdfFormat.TURTLE,
        prefixes={"sd": SD, "void": VOID, "formats": FORMATS},
    )
    return Response(body, media_type="text/turtle; charset=utf-8")
