"""The SPARQL 1.1 Service Description of /sparql, with VoID statistics of the dataset."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request, Response

from graphsvc import project
from graphsvc.store import GraphStore

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"

_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]


def _count(store: GraphStore, sparql: str) -> int:
    row = next(iter(store.query(sparql)))  # type: ignore[call-overload]
    return int(row[0].value)


def describe_service(store: GraphStore, endpoint: str) -> list[ox.Triple]:
    """Triples that say truthfully what the endpoint does: query only, no federation, no update."""
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default_graph = ox.BlankNode()
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
        ox.Triple(default_graph, RDF_TYPE, n(VOID + "Dataset")),
        ox.Triple(default_graph, n(VOID + "triples"),
                  ox.Literal(str(len(store)), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
        ox.Triple(default_graph, n(VOID + "vocabulary"), n(project.VOCAB_NS)),
        ox.Triple(default_graph, n(VOID + "uriSpace"), ox.Literal(project.THING_NS)),
    ]
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
