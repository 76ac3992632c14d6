"""/ontology: the vocabulary as HTML documentation for people and as RDF for programs.

The HTML is pyLODE's documentation of the classes and properties, with a section of our own for
the SKOS concept schemes (graphsvc.api.ontology_schemes).
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from graphsvc import conneg, project
from graphsvc.api.errors import error_response
from graphsvc.api.ontology_schemes import (insert_schemes, load_schemes, ontology_store, ontology_triples,
                                           render_schemes, render_toc)
from graphsvc.sparql_formats import GRAPH_FORMATS
from graphsvc.vocabulary import prefixes

router = APIRouter()

_OFFERED = ["text/html", *GRAPH_FORMATS]


@lru_cache(maxsize=1)
def ontology_html() -> str:
    """pyLODE's documentation of the ontology plus the concept schemes, made once per process."""
    import rdflib
    from pylode import OntPub  # imported late: it loads background ontologies on import

    graph = rdflib.Graph()
    for path in project.ontology_files():
        graph.parse(path, format="turtle")
    # pyLODE takes every concept scheme for the ontology itself and would title the page
    # after one of them; the schemes are documented by our own section instead.
    graph.remove((None, rdflib.RDF.type, rdflib.SKOS.ConceptScheme))
    schemes = load_schemes(ontology_store())
    return insert_schemes(OntPub(ontology=graph).make_html(), render_schemes(schemes), render_toc(schemes))


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
    body = ox.serialize(ontology_triples(), format=GRAPH_FORMATS[chosen], prefixes=prefixes())
    media = chosen + ("; charset=utf-8" if chosen.startswith("text/") else "")
    return Response(body, media_type=media, headers={"Vary": "Accept"})
