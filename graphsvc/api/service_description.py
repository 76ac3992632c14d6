"""The SPARQL 1.1 Service Description of /sparql, with VoID statistics of the dataset."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request, Response

from graphsvc import aggregates, project
from graphsvc.catalog import catalog
from graphsvc.config import Settings
from graphsvc.store import GraphStore

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"

DATASET = ox.NamedNode(project.THING_NS + "dataset")
_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]


def void_statistics(store: GraphStore, settings: Settings | None = None) -> list[ox.Triple]:
    """The VoID description (queries/void.rq), computed once per data version in the background
    (graphsvc.aggregates): the last one computed while a newer one is on its way."""
    settings = settings or Settings()
    budget = aggregates.background_budget(settings)

    def compute() -> tuple[list[ox.Triple], str | None]:
        snapshot = aggregates.read_consistently(store, [(catalog()["void"].text, "CONSTRUCT")], budget)
        return snapshot.answers[0].triples, snapshot.version

    return aggregates.latest(store, settings, "void-statistics", compute).value  # type: ignore[no-any-return]


def describe_service(store: GraphStore, endpoint: str, settings: Settings | None = None) -> list[ox.Triple]:
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
        *void_statistics(store, settings),
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
    endpoint = request.app.state.settings.public_base + "/sparql"
    body = ox.serialize(
        describe_service(store, endpoint, request.app.state.settings),
        format=ox.RdfFormat.TURTLE,
        prefixes={"sd": SD, "void": VOID, "formats": FORMATS},
    )
    return Response(body, media_type="text/turtle; charset=utf-8")
