"""Linked Data: every IRI the graph mints (https://w3id.org/iddkg/id/<name>) served at /id/<name>.

A browser gets an HTML page (graphsvc.web.profile_page: facts grouped for a reader, what refers to
the thing, its evidence with the quoted span of the source text read at request time, and panels
for its kind); a program gets Turtle, JSON-LD, N-Triples or RDF/XML of the same description by
content negotiation or `format=`. Unknown names are 404 (an HTML page with suggestions for
browsers, graphsvc.web.error_pages). Pages are read in a query worker under the time budget,
carry ETags and are cached like the dashboard API, with an earlier answer served while a write
is caught up (graphsvc.api.refreshing).
"""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from graphsvc import aggregates, conneg, project
from graphsvc.answers import BudgetExceeded, QueryAnswer, QueryFailed
from graphsvc.api import refreshing
from graphsvc.api.encoding import respond
from graphsvc.api.errors import budget_response, error_response
from graphsvc.api.refreshing import CACHE, CACHE_CONTROL, data_version, etag_matches
from graphsvc.budget import Budget
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


def _rows(answer: QueryAnswer) -> list[dict[str, Any]]:
    return [{name: row.get(name) for name in answer.variables} for row in answer.rows]


def read_page(store: GraphStore, iri: str, media_type: str, budget: Budget) -> tuple[list[QueryAnswer], str | None]:
    """The answers an /id/ page is made of, read from one state of the store in a query worker
    under `budget` (BudgetExceeded past it), and that state's data version (None: unsure)."""
    names = PAGE_QUERIES if media_type == "text/html" else RDF_QUERIES
    queries = [(page_query(name, iri), "CONSTRUCT" if name == "describe" else "SELECT") for name in names]
    snapshot = aggregates.read_consistently(store, queries, budget)
    return snapshot.answers, snapshot.version


PAGE_QUERIES = ("facts", "links", "evidence", "classes")
RDF_QUERIES = ("facts", "links", "describe")


def load_page(answers: list[QueryAnswer], iri: str) -> Profile | None:
    """The facts, incoming links, evidence and classes of `iri` (the answers of PAGE_QUERIES), or
    None if the graph does not know it."""
    facts, incoming, evidence, classes = (_rows(answer) for answer in answers)
    if not facts and not incoming:
        return None
    page = Profile(iri=iri, classes=[row["class"].value for row in classes])
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


class Unknown(Exception):
    """The graph knows nothing by this name."""


def render_page(request: Request, iri: str, media_type: str) -> tuple[CachedResponse, bool, str | None]:
    """The page of `iri` in `media_type`, whether it is complete (worth caching), and the data
    version it was read at; Unknown for a name the graph does not know, BudgetExceeded past the budget."""
    store: GraphStore = request.app.state.store
    settings = request.app.state.settings
    answers, version = read_page(store, iri, media_type, Budget(timeout_s=settings.query_timeout_s,
                                                                  max_rows=settings.result_limit))
    truncated = any(answer.truncated for answer in answers)
    headers = {"X-Result-Truncated": "true"} if truncated else {}
    if media_type == "text/html":
        page = load_page(answers, iri)
        if page is None:
            raise Unknown(iri)
        rendered = render_profile(request, page)
        return (CachedResponse(rendered.body, "text/html; charset=utf-8", headers),
                rendered.complete and not truncated, version)
    if not answers[0].rows and not answers[1].rows:
        raise Unknown(iri)
    body = ox.serialize(answers[2].triples, format=GRAPH_FORMATS[media_type], prefixes=prefixes())
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return CachedResponse(body, content_type, headers), not truncated, version


def page_etag(version: str, name: str, media_type: str) -> str:
    return '"' + hashlib.sha256(f"{version}\0id\0{name}\0{media_type}".encode()).hexdigest()[:40] + '"'


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
    key = ("id", name, media_type)
    if version is not None:
        etag = headers["ETag"] = page_etag(version, name, media_type)
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        cached = CACHE.get(etag)
        if cached is not None:
            return respond(request, cached, headers)

        def refresh(reading: str) -> tuple[str, CachedResponse] | None:
            rendered, complete, read_at = render_page(request, iri, media_type)
            return (page_etag(reading, name, media_type), rendered) if complete and read_at == reading else None

        earlier = refreshing.earlier_answer(request, key, version, refresh, {"Vary": "Accept"})
        if earlier is not None:
            return earlier
    started = time.monotonic()
    try:
        rendered, complete, read_at = render_page(request, iri, media_type)
    except Unknown:
        return error_response(404, f"the graph knows nothing named {iri}")
    except BudgetExceeded as exc:
        return budget_response(exc)
    except QueryFailed as exc:
        return error_response(500, str(exc))
    if etag is not None and version is not None and complete and read_at == version \
            and data_version(store) == version:
        refreshing.note(store, key, etag, version, rendered, time.monotonic() - started)
    return respond(request, rendered, headers)
