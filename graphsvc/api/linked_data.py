"""Linked Data: every IRI the graph mints (https://w3id.org/iddkg/id/<name>) served at /id/<name>.

A browser gets an HTML page (graphsvc.web.profile_page: facts grouped for a reader, what refers to
the thing, its evidence with the quoted span of the source text read at request time, and panels
for its kind); a program gets Turtle, JSON-LD, N-Triples or RDF/XML of the same description by
content negotiation or `format=`. Unknown names are 404 (an HTML page with suggestions for
browsers, graphsvc.web.error_pages). Answers carry ETags and are cached like the dashboard API.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from graphsvc import conneg, project
from graphsvc.api.errors import error_response
from graphsvc.api.named_queries import CACHE, CACHE_CONTROL, data_version, etag_matches
from graphsvc.named_params import bind_values
from graphsvc.response_cache import CachedResponse
from graphsvc.sparql_formats import GRAPH_FORMATS
from graphsvc.store import GraphStore
from graphsvc.vocabulary import prefixes
from graphsvc.web.profile_page import Profile, render_profile

router = APIRouter(tags=["linked data"])

NAME = project.THING_NAME
OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
FORMATS = {"html": "text/html", "ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
           "json-ld": "application/ld+json", "nt": "application/n-triples", "rdfxml": "application/rdf+xml"}
QUERIES = project.QUERIES_DIR / "linked-data"


@lru_cache(maxsize=None)
def _query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def page_query(name: str, iri: str) -> str:
    """queries/linked-data/<name>.rq with ?thing bound to `iri` as an RDF term (a VALUES row)."""
    return bind_values(_query_text(name), {"thing": ox.NamedNode(iri)})


def _rows(store: GraphStore, sparql: str) -> list[dict[str, Any]]:
    solutions = store.query(sparql)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{n: s[n] for n in names} for s in solutions]  # type: ignore[union-attr]


def load_page(store: GraphStore, iri: str) -> Profile | None:
    """The facts, incoming links, evidence and classes of `iri`, or None if the graph does not know it."""
    facts = _rows(store, page_query("facts", iri))
    incoming = _rows(store, page_query("links", iri))
    if not facts and not incoming:
        return None
    evidence = _rows(store, page_query("evidence", iri))
    page = Profile(iri=iri, classes=[row["class"].value for row in _rows(store, page_query("classes", iri))])
    for row in facts:
        predicate = row["p"].value
        if predicate == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            page.types.append(row)
            continue
        if predicate == "http://www.w3.org/2000/01/rdf-schema#label" and page.label is None:
            page.label = row["o"].value
        page.facts.append(row)
    page.incoming = incoming
    # one evidence record per span; its objects gathered
    spans: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in evidence:
        key = (row["p"].value, row["source"].value, row["start"].value, row["end"].value)
        entry = spans.setdefault(key, {**row, "objects": []})
        if row.get("o") is not None:
            entry["objects"].append((row["o"], row.get("oLabel")))
    page.evidence = list(spans.values())
    return page


def render_rdf(store: GraphStore, iri: str, media_type: str) -> bytes:
    triples = list(store.query(page_query("describe", iri)))  # type: ignore[call-overload]
    return ox.serialize(triples, format=GRAPH_FORMATS[media_type], prefixes=prefixes())


@router.get("/id/{name}", summary="A thing of the graph: HTML for people, RDF for programs",
            response_class=Response,
            responses={200: {"content": {t: {"schema": {"type": "string"}} for t in OFFERED}},
                       404: {"description": "The graph does not know this name."}})
def thing(name: str, request: Request, format: str | None = None) -> Response:
    store: GraphStore = request.app.state.store
    if not NAME.match(name):
        return error_response(404, f"no thing is named {name!r} here: names under /id/ are letters, digits, "
                                   f"'.', '_' and '-', at most 201 of them, starting with a letter or digit",
                              parameter="name")
    accept = request.headers.get("accept")
    if format:
        media_type = FORMATS.get(format.lower(), format.lower())
        if media_type not in OFFERED:
            return error_response(422, f"format {format!r} is not one of {', '.join(sorted(FORMATS))}",
                                  parameter="format", value=format)
    else:
        chosen = conneg.choose(accept, OFFERED)
        if chosen is None:
            return error_response(406, f"a thing is available as {', '.join(OFFERED)}")
        media_type = chosen
    iri = project.THING_NS + name
    version = data_version(store)
    headers = {"Vary": "Accept", "Cache-Control": CACHE_CONTROL}
    etag = None
    if version is not None:
        digest = hashlib.sha256(f"{version}\0id\0{name}\0{media_type}".encode()).hexdigest()[:40]
        etag = headers["ETag"] = f'"{digest}"'
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        cached = CACHE.get(etag)
        if cached is not None:
            return Response(cached.body, media_type=cached.media_type, headers=headers)
    page = load_page(store, iri)
    if page is None:
        return error_response(404, f"the graph knows nothing named {iri}")
    complete = True
    if media_type == "text/html":
        rendered = render_profile(request, page)
        body, content_type, complete = rendered.body, "text/html; charset=utf-8", rendered.complete
    else:
        body = render_rdf(store, iri, media_type)
        content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    if etag is not None and complete and data_version(store) == version:
        CACHE.put(etag, CachedResponse(body=body, media_type=content_type))
    return Response(body, media_type=content_type, headers=headers)



