"""/ontology: the vocabulary as HTML documentation for people and as RDF for programs."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from graphsvc import conneg, project
from graphsvc.api.errors import error_response
from graphsvc.rdf_files import parse_file
from graphsvc.sparql_formats import GRAPH_FORMATS
from graphsvc.vocabulary import prefixes

router = APIRouter()

_OFFERED = ["text/html", *GRAPH_FORMATS]


@lru_cache(maxsize=1)
def ontology_html() -> str:
    """pyLODE's documentation of the ontology, made once per process (about a second)."""
    import rdflib
    from pylode import OntPub  # imported late: it loads background ontologies on import

    graph = rdflib.Graph()
    for path in project.ontology_files():
        graph.parse(path, format="turtle")
    # pyLODE takes every concept scheme for the ontology itself and would title the page
    # after one of them; the schemes stay documented as individuals.
    graph.remove((None, rdflib.RDF.type, rdflib.SKOS.ConceptScheme))
    return OntPub(ontology=graph).make_html()


def _ontology_triples() -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object)
            for path in project.ontology_files() for q in parse_file(path).quads]


@router.get("/ontology", summary="The ontology: HTML documentation or RDF by content negotiation")
def ontology(request: Request, format: str | None = None) -> Response:
    accept = request.headers.get("accept")
    if format:
        accept = {"html": "text/html", "ttl": "text/turtle", "turtle": "text/turtle",
                  "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
                  "nt": "application/n-triples"}.get(format.lower(), format)
    chosen = conneg.choose(accept, _OFFERED)
    if chosen is None:
        return error_response(406, f"the ontology is available as {', '.join(_OFFERED)}")
    if chosen == "text/html":
        return Response(ontology_html(), media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
    body = ox.serialize(_ontology_triples(), format=GRAPH_FORMATS[chosen], prefixes=prefixes())
    media = chosen + ("; charset=utf-8" if chosen.startswith("text/") else "")
    return Response(body, media_type=media, headers={"Vary": "Accept"})
