"""The media types the SPARQL endpoint can answer in, and the short names of `?format=`."""

from __future__ import annotations

import pyoxigraph as ox

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}

GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}

# Boolean answers (ASK) have a form in JSON and XML only: CSV and TSV carry tables.
BOOLEAN_FORMATS: list[str] = ["application/sparql-results+json", "application/sparql-results+xml",
                              "application/json", "application/xml"]

# The names clients put in `format=` (Virtuoso, SPARQLWrapper), `output=` (Fuseki, Joseki) and
# `results=` (Rasqal). One name means different things by query form: SPARQLWrapper's default,
# "xml", asks for SPARQL results XML for SELECT and ASK but for RDF/XML for CONSTRUCT and DESCRIBE.
RESULT_FORMAT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "text/tsv": "text/tab-separated-values",
}
GRAPH_FORMAT_NAMES: dict[str, str] = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",  # Turtle is a subset of N3 that every N3 reader takes
    "text/n3": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "json": "application/ld+json",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "xml-rdf": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
}


def media_type_for_name(name: str, returns_graph: bool) -> str | None:
    """A format parameter's value (short name or media type) as a media type for a query that
    returns a graph (CONSTRUCT, DESCRIBE) or a result table or boolean; None if unknown."""
    lowered = name.strip().lower()
    names = GRAPH_FORMAT_NAMES if returns_graph else RESULT_FORMAT_NAMES
    if lowered in names:
        return names[lowered]
    if lowered in (GRAPH_FORMATS if returns_graph else RESULT_FORMATS):
        return lowered
    return None
