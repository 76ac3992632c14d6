"""The dashboard API: every queries/*.rq as `GET /api/<name>`, typed, documented and cached.

Each request is checked against the query's header (422 names the parameter and says why), its
values are bound as RDF terms (graphsvc.named_params), and the answer is rendered as plain JSON,
SPARQL JSON, CSV/TSV, or, for CONSTRUCT queries, Turtle, N-Triples and JSON-LD.

Requests run under the same time budget as /sparql (a forked child killed at the deadline, about
6 ms of overhead, which the cache below keeps off repeated calls); answers are capped: a page has
LIMIT limit+1, other queries stop at settings.result_limit. The OpenAPI examples, made from the
queries' own example values, run in-process.

Every answer carries an ETag made of the data version, the query, its parameters and the media
type; a matching If-None-Match gets 304 without running anything, and rendered answers are kept
in a bounded in-memory cache under their ETag, so an unchanged data version never recomputes.
After a write, a request that finds an answer for an earlier version gets it, marked, while the
current one is computed in the background (graphsvc.api.refreshing); `Cache-Control: no-cache`
waits for the current one.

A query whose header says `#+ refresh: background` (the dashboards' aggregates) is computed once
per data version in the background (graphsvc.aggregates) and answered from the last value while a
newer one computes; its ETag and `X-Data-Version` are those of the version the value was read at.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
import warnings

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from graphsvc import aggregates, conneg
from graphsvc.answers import BudgetExceeded, QueryAnswer, QueryFailed, results_json
from graphsvc.api import answer_schemas as schemas
from graphsvc.api import openapi_document, refreshing
from graphsvc.api.encoding import respond
from graphsvc.api.errors import budget_response, error_response
from graphsvc.budget import Budget, materialise
from graphsvc.catalog import NamedQuery, Param, catalog, projected_variables
from graphsvc.named_params import (MAX_OFFSET, MAX_VALUE_LENGTH, BoundParams, NotInGraph, ParameterError, bind_query,
                                   check_membership, iri_value_pattern, membership_unknown, read_params)
from graphsvc.api.refreshing import CACHE, CACHE_CONTROL, data_version, etag_matches
from graphsvc.response_cache import CachedResponse
from graphsvc.shaping import edge_triples, facets, network, plain_objects, resources
from graphsvc.sparql_formats import GRAPH_FORMATS, RESULT_FORMATS
from graphsvc.store import GraphStore
from graphsvc.vocabulary import prefixes

JSON = "application/json"
SELECT_TYPES = [JSON, "application/sparql-results+json", "text/csv", "text/tab-separated-values"]
GRAPH_TYPES = [JSON, "application/ld+json", "text/turtle", "application/n-triples"]
NETWORK_TYPES = SELECT_TYPES + GRAPH_TYPES[1:]
FORMAT_NAMES = {
    "json": JSON, "sparql-json": "application/sparql-results+json", "sparql": "application/sparql-results+json",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "jsonld": "application/ld+json",
    "json-ld": "application/ld+json", "turtle": "text/turtle", "ttl": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples",
}


class NotAcceptable(Exception):
    """None of the media types the client accepts can carry this answer."""


def offered(query: NamedQuery) -> list[str]:
    """Media types for the query: SPARQL results for SELECT, RDF too for graphs and networks."""
    if query.form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_TYPES
    return NETWORK_TYPES if query.shape == "network" else SELECT_TYPES


def choose_media_type(query: NamedQuery, accept: str | None, format_values: list[str] | None) -> str:
    """The `format` parameter wins over the Accept header; 422 for an unknown format, 406 for no match."""
    types = offered(query)
    if format_values:
        name = format_values[0]  # exactly as the OpenAPI document lists it (format_choices)
        wanted = FORMAT_NAMES.get(name, name)
        if wanted not in types:
            names = sorted(n for n, t in FORMAT_NAMES.items() if t in types)
            raise ParameterError("format", f"not available for this query; choose one of {', '.join(names)}",
                                 format_values[0])
        return wanted
    chosen = conneg.choose(accept, types)
    if chosen is None:
        raise NotAcceptable(f"this query answers in {', '.join(types)}")
    return chosen


def answer_key(query: NamedQuery, params: BoundParams, media_type: str) -> tuple[str, ...]:
    """What names an answer whatever the data version (its ETag is this with the version)."""
    return ("named-query", query.name, query.text, json.dumps(params.canonical, sort_keys=True), str(params.limit),
            str(params.offset), media_type)


def make_etag(version: str, query: NamedQuery, params: BoundParams, media_type: str) -> str:
    digest = hashlib.sha256()
    for part in (version, *answer_key(query, params, media_type)):
        digest.update(part.encode("utf-8") + b"\0")
    return f'"{digest.hexdigest()[:40]}"'


def page_link(query: NamedQuery, params: BoundParams, offset: int, media_param: str | None, base: str = "") -> str:
    """The URL of the page at `offset` with the same parameters (stable, so cacheable), absolute
    under `base` (Settings.public_base: GRAPHSVC_PUBLIC_URL, or the address the service listens on)."""
    pairs = [(k, v) for k, v in _request_values(query, params).items()]
    pairs += [("limit", str(params.limit)), ("offset", str(offset))]
    if media_param:
        pairs.append(("format", media_param))
    return f"{base}/api/{query.name}?{urlencode(pairs)}"


def _request_values(query: NamedQuery, params: BoundParams) -> dict[str, str]:
    values = {}
    for param in query.params:
        term = params.terms.get(param.name)
        if term is not None:
            values[param.name] = term.value
    return values


def run(store: GraphStore, query: NamedQuery, params: BoundParams, max_rows: int,
        timeout_s: float | None = None) -> tuple[QueryAnswer, bool]:
    """The answer (one page when paginated) and whether a next page exists; with `timeout_s`,
    under that time budget."""
    text = bind_query(query, params)
    if timeout_s is None:
        answer = materialise(store.query(text), query.form, max_rows)  # type: ignore[arg-type]
    else:
        answer = store.execute(text, query.form, Budget(timeout_s=timeout_s, max_rows=max_rows), trusted=True)
    return paged(answer, params)


def paged(answer: QueryAnswer, params: BoundParams) -> tuple[QueryAnswer, bool]:
    """The answer without the row asked for beyond the page, and whether there was one."""
    if params.limit is not None and len(answer.rows) > params.limit:
        answer.rows = answer.rows[: params.limit]
        answer.truncated = False
        return answer, True
    return answer, False


def plain_body(query: NamedQuery, params: BoundParams, answer: QueryAnswer, next_link: str | None,
               version: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": query.name, "title": query.title, "params": _request_values(query, params)}
    if query.shape == "network":
        body.update(network(answer))
    elif query.shape == "facets":
        body["facets"] = facets(answer, query.names_in_facet)
    elif query.shape == "resources":  # a CONSTRUCT: its resources as objects (void: the dataset)
        body["items"] = resources(answer, query.lists)
        body["count"] = len(body["items"])
    else:
        body["items"] = plain_objects(answer, query.lists)
        body["count"] = len(answer.rows)
    if params.limit is not None:
        body.update({"limit": params.limit, "offset": params.offset, "next": next_link})
    body["truncated"] = answer.truncated
    body["dataVersion"] = version
    return body


def serialize(answer: QueryAnswer, media_type: str) -> bytes:
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        return ox.serialize(answer.triples, format=GRAPH_FORMATS[media_type], prefixes=prefixes())
    if media_type in GRAPH_FORMATS:  # a network's edge rows as triples
        return ox.serialize(edge_triples(answer), format=GRAPH_FORMATS[media_type], prefixes=prefixes())
    body = results_json(answer)
    body.pop("truncated", None)
    standard = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if media_type == "application/sparql-results+json":
        return standard
    return ox.parse_query_results(standard, format=ox.QueryResultsFormat.JSON).serialize(
        format=RESULT_FORMATS[media_type])


def render(request: Request, query: NamedQuery, params: BoundParams, media_type: str,
           version: str | None) -> CachedResponse:
    """Run the query and render its answer in `media_type`, with Link and truncation headers."""
    store: GraphStore = request.app.state.store
    settings = request.app.state.settings
    answer, has_next = run(store, query, params, _max_rows(request, params), timeout_s=settings.query_timeout_s)
    return render_answer(request, query, params, media_type, version, answer, has_next)


# On a remote store each parameter check is a round trip of its own: it goes out beside the query.
_CHECKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="graphsvc-checks")


def checked_render(request: Request, query: NamedQuery, params: BoundParams, media_type: str,
                   version: str | None) -> CachedResponse:
    """The parameters checked (check_membership) and the answer rendered. On a store that answers
    over the network both go to the server at the same time, so a request waits for the slower of
    the two round trips, not their sum; a refused parameter is the answer either way."""
    store: GraphStore = request.app.state.store
    if not getattr(store, "remote", False) or not membership_unknown(query, params, version):
        check_membership(store, query, params, version)
        return render(request, query, params, media_type, version)
    check = _CHECKS.submit(check_membership, store, query, params, version)
    try:
        rendered = render(request, query, params, media_type, version)
    except BaseException:
        check.result()  # raises the parameter's refusal, which says more than the query's failure
        raise
    check.result()
    return rendered


def _max_rows(request: Request, params: BoundParams) -> int:
    return params.limit + 1 if params.limit is not None else request.app.state.settings.result_limit


def render_answer(request: Request, query: NamedQuery, params: BoundParams, media_type: str,
                  version: str | None, answer: QueryAnswer, has_next: bool) -> CachedResponse:
    """An answer rendered in `media_type`, with Link and truncation headers."""
    format_values = parse_qs(request.url.query).get("format")
    next_link = page_link(query, params, params.offset + (params.limit or 0), format_values[0] if format_values else None,
                          request.app.state.settings.public_base) if has_next else None
    headers: dict[str, str] = {}
    if next_link:
        headers["Link"] = f'<{next_link}>; rel="next"'
    if answer.truncated:
        headers["X-Result-Truncated"] = "true"
    if media_type == JSON:
        body = json.dumps(plain_body(query, params, answer, next_link, version),
                          ensure_ascii=False).encode()
    else:
        body = serialize(answer, media_type)
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return CachedResponse(body=body, media_type=content_type, headers=headers)


def read_request(request: Request, query: NamedQuery) -> tuple[BoundParams, str]:
    """The request's parameters, bound, and the media type it is answered in (ParameterError or
    NotAcceptable when it asks for what the query cannot give)."""
    given = parse_qs(request.url.query, keep_blank_values=True)
    return read_params(query, given), choose_media_type(query, request.headers.get("accept"), given.get("format"))


def answer_headers(version: str | None) -> dict[str, str]:
    """The headers every named query's answer starts with."""
    headers = {"Vary": "Accept", "Cache-Control": CACHE_CONTROL}
    if version is not None:
        headers["X-Data-Version"] = version
    return headers


def answer_request(request: Request, query: NamedQuery) -> Response:
    """Validate, answer from the cache or run, and set ETag, Cache-Control and Vary."""
    store: GraphStore = request.app.state.store
    try:
        params, media_type = read_request(request, query)
    except ParameterError as exc:
        return parameter_error(exc)
    except NotAcceptable as exc:
        return error_response(406, str(exc))
    version = data_version(store)
    if query.refresh == "background" and version is not None:
        return answer_from_background(request, query, params, media_type, version)
    headers = answer_headers(version)
    etag = make_etag(version, query, params, media_type) if version is not None else None
    if etag is not None:
        headers["ETag"] = etag
        kept = from_cache(request, etag, headers)
        if kept is not None:
            return kept
    key = answer_key(query, params, media_type)
    if version is not None:
        earlier = refreshing.earlier_answer(request, key, version, refresher(request, query, params, media_type),
                                            {"Vary": "Accept"})
        if earlier is not None:
            return earlier
    try:
        started = time.monotonic()
        rendered = checked_render(request, query, params, media_type, version)
    except (ParameterError, BudgetExceeded, QueryFailed) as exc:
        return failure_response(exc)
    if etag is not None and version is not None and data_version(store) == version:
        refreshing.note(store, key, etag, version, rendered, time.monotonic() - started)
    return respond(request, rendered, headers)


def refresher(request: Request, query: NamedQuery, params: BoundParams, media_type: str) -> refreshing.Refresh:
    """How a background refresh renders this answer for a data version (graphsvc.api.refreshing):
    as a request would, the parameters' checks beside the query on a remote store."""

    def refresh(reading: str) -> tuple[str, CachedResponse]:
        return make_etag(reading, query, params, media_type), checked_render(request, query, params, media_type,
                                                                              reading)

    return refresh


def answer_from_background(request: Request, query: NamedQuery, params: BoundParams, media_type: str,
                           version: str) -> Response:
    """An aggregate's answer: the value computed for the current data version if it is there (or
    comes within GRAPHSVC_AGGREGATE_WAIT), else the last one, under the ETag of its own version."""
    store: GraphStore = request.app.state.store
    settings = request.app.state.settings
    text, max_rows = bind_query(query, params), _max_rows(request, params)
    budget = Budget(timeout_s=settings.aggregate_timeout_s, max_rows=max_rows)

    def compute() -> tuple[bytes, str | None]:
        snapshot = aggregates.read_consistently(store, [(text, query.form)], budget)
        # Kept pickled: as objects, a large answer is a hundred thousand RDF terms that the
        # garbage collector would walk in each full collection, for as long as the value is kept.
        return pickle.dumps(paged(snapshot.answers[0], params), protocol=pickle.HIGHEST_PROTOCOL), snapshot.version

    key = background_key(query, text, max_rows)
    try:
        check_membership(store, query, params, version)
        served = aggregates.latest(store, settings, key, compute, current=version)
    except (ParameterError, BudgetExceeded, QueryFailed) as exc:
        return failure_response(exc)
    etag = make_etag(served.version, query, params, media_type)
    headers = {"Vary": "Accept", "Cache-Control": CACHE_CONTROL, "ETag": etag, **aggregates.version_headers(served)}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    rendered = CACHE.get(etag)
    if rendered is None:
        answer, has_next = pickle.loads(served.value)  # noqa: S301 - pickled above, by this process
        rendered = render_answer(request, query, params, media_type, served.version, answer, has_next)
        CACHE.put(etag, rendered)
    return respond(request, rendered, headers)


def background_key(query: NamedQuery, text: str, max_rows: int) -> tuple[str, str, str, int]:
    """Under what a background query's answer for these bound values is kept (graphsvc.aggregates)."""
    return ("named-query", query.name, hashlib.sha256(text.encode("utf-8")).hexdigest(), max_rows)


def answer_at_once(request: Request, query: NamedQuery) -> Response | None:
    """The answer when it can be sent without waiting for anything: the store's version known in
    memory, the parameters' checks remembered for it, and the rendered answer in the cache (or a
    matching If-None-Match). None sends the request the whole way (answer_request, in a thread).

    Most calls of a dashboard are such calls; answering them on the event loop saves the hop to a
    worker thread, which is a good part of a cached call's cost."""
    store: GraphStore = request.app.state.store
    known = getattr(store, "known_data_version", None)
    version = known() if callable(known) else None
    if version is None:
        return None
    try:
        params, media_type = read_request(request, query)
        if membership_unknown(query, params, version):
            return None
        check_membership(store, query, params, version)  # remembered outcomes only: nothing is asked
    except (ParameterError, NotAcceptable):
        return None
    headers = answer_headers(version)
    if query.refresh == "background":
        computed = aggregates.aggregates_of(store).peek(
            background_key(query, bind_query(query, params), _max_rows(request, params)))
        if computed is None or computed.version != version:
            return None
    etag = headers["ETag"] = make_etag(version, query, params, media_type)
    return from_cache(request, etag, headers)


def from_cache(request: Request, etag: str, headers: dict[str, str]) -> Response | None:
    """304 for a matching If-None-Match, else the rendered answer kept under `etag`, if any."""
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    cached = CACHE.get(etag)
    return respond(request, cached, headers) if cached is not None else None


def failure_response(exc: ParameterError | BudgetExceeded | QueryFailed) -> Response:
    """A named query that could not be answered: 404 for a value that names nothing of its kind in
    the graph, 422 for another parameter, 503 for a budget, else 500."""
    if isinstance(exc, NotInGraph):
        return parameter_error(exc, 404)
    if isinstance(exc, ParameterError):
        return parameter_error(exc)
    if isinstance(exc, BudgetExceeded):
        return budget_response(exc)
    return error_response(500, str(exc))


def parameter_error(exc: ParameterError, status: int = 422) -> Response:
    return error_response(status, f"parameter {exc.parameter!r}: {exc}", parameter=exc.parameter,
                          reason=str(exc), value=exc.value)


# --- OpenAPI -----------------------------------------------------------------------------------
# Each parameter's schema says exactly what the service takes: a value the schema admits is
# answered (200, or 404 when an IRI names nothing of the kind asked for), any other is a 422.

_NO_CONTROL = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f]*$"  # the C0 controls (but tab and line feed) and DEL
_LARGEST = 10**18 - 1  # integers have at most 18 digits


def _schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any]
    if param.type == "integer":
        schema = {"type": "integer", "minimum": int(param.minimum) if param.minimum is not None else -_LARGEST,
                  "maximum": int(param.maximum) if param.maximum is not None else _LARGEST}
    elif param.type == "decimal":
        schema = {"type": "number"}
    elif param.type == "boolean":
        schema = {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]}
    elif param.type == "date":
        schema = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "enum": ["today"]}]}
    elif param.type == "iri":
        schema = {"type": "string", "pattern": iri_value_pattern(), "maxLength": MAX_VALUE_LENGTH}
    elif param.type == "language":
        schema = {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$", "maxLength": MAX_VALUE_LENGTH}
    else:
        schema = {"type": "string", "pattern": _NO_CONTROL,
                  "minLength": int(param.minimum) if param.minimum is not None else 0,
                  "maxLength": int(min(param.maximum, MAX_VALUE_LENGTH)) if param.maximum is not None
                  else MAX_VALUE_LENGTH}
    if param.values:
        schema = {"type": "string", "enum": _spellings(param.values) if param.type == "iri" else list(param.values)}
    if param.type == "decimal" and param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.type == "decimal" and param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.default is not None and param.default != "today":
        schema["default"] = int(param.default) if param.type == "integer" else param.default
    return schema


def _spellings(values: tuple[str, ...] | list[str]) -> list[str]:
    """Each allowed IRI as a CURIE, in full and, under kg:, as a bare name: what the service takes."""
    from graphsvc.named_params import expand_iri
    from graphsvc.project import THING_NS
    from graphsvc.vocabulary import curie

    found: list[str] = []
    for value in values:
        iri = expand_iri(value)
        found += [curie(iri), iri] + ([iri[len(THING_NS):]] if iri.startswith(THING_NS) else [])
    return list(dict.fromkeys(found))


def _describe(param: Param) -> str:
    parts = [param.description or param.name]
    if param.type == "iri":
        parts.append("An http(s) IRI, a CURIE (kg:japan, idd:Signed) or a name under kg: (japan).")
    if param.rdf_class:
        parts.append(f"Must be an instance of {param.rdf_class} (404 otherwise).")
    if param.scheme:
        parts.append(f"A concept of {param.scheme} (the values listed).")
    if param.type == "date":
        parts.append("YYYY-MM-DD or `today`.")
    if param.default == "today":
        parts.append("Default: today.")
    if not param.required:
        parts.append("An empty value is the same as none.")
    return " ".join(parts)


def format_choices(query: NamedQuery) -> list[str]:
    """What `format=` takes for the query: the short names and the media types themselves."""
    return sorted(n for n, t in FORMAT_NAMES.items() if t in offered(query)) + offered(query)


def openapi_parameters(query: NamedQuery) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for param in query.params:
        entry: dict[str, Any] = {"name": param.name, "in": "query", "required": param.required,
                                 "description": _describe(param), "schema": _schema(param)}
        if not param.required:
            entry["allowEmptyValue"] = True
        if param.example is not None:
            entry["example"] = int(param.example) if param.type == "integer" else param.example
        params.append(entry)
    if query.pagination:
        params.append({"name": "limit", "in": "query", "required": False, "example": 10,
                       "description": "Rows per page; the answer's `next` (and the Link header) gives the next page.",
                       "schema": {"type": "integer", "minimum": 1, "maximum": query.pagination.maximum,
                                  "default": query.pagination.default}})
        params.append({"name": "offset", "in": "query", "required": False, "example": 0,
                       "description": "Rows to skip.",
                       "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}})
    params.append({"name": "format", "in": "query", "required": False, "example": "json",
                   "description": "Overrides the Accept header.",
                   "schema": {"type": "string", "enum": format_choices(query)}})
    return params


def example_url(query: NamedQuery) -> str:
    pairs = [(p.name, p.example) for p in query.params if p.example is not None]
    return f"/api/{query.name}" + (f"?{urlencode(pairs)}" if pairs else "")


def _answer_content(query: NamedQuery) -> dict[str, Any]:
    variables = projected_variables(query.text) if query.form == "SELECT" else []
    content: dict[str, Any] = {JSON: {"schema": schemas.plain_answer_schema(query, variables)}}
    for media_type in offered(query)[1:]:
        if media_type == "application/sparql-results+json":
            content[media_type] = {"schema": schemas.SPARQL_RESULTS}
        elif media_type == "application/ld+json":
            content[media_type] = {"schema": schemas.JSON_LD}
        else:
            content[media_type] = {"schema": schemas.TEXT}
    return content


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schemas.ERROR}}, **({"headers": headers} if headers else {})}


def openapi_extra(query: NamedQuery) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "The answer.", "headers": schemas.answer_headers(query), "content": _answer_content(query)},
        "304": {"description": "Not modified: the If-None-Match ETag is still current.",
                "headers": schemas.not_modified_headers(query)},
        "406": _error("None of the accepted media types can carry this answer."),
        "422": {"description": "A parameter is missing, unknown, given twice or invalid; `parameter` names it.",
                "content": {JSON: {"schema": schemas.ERROR,
                                   "example": {"error": "parameter 'limit': must be between 1 and 500",
                                               "parameter": "limit", "reason": "must be between 1 and 500",
                                               "value": "0"}}}},
        "503": _error("The query went past its time or memory budget, or every query worker is busy "
                      "(then Retry-After says when to try again).", {"Retry-After": schemas.RETRY_AFTER}),
    }
    if any(p.rdf_class for p in query.params):
        responses["404"] = _error("An IRI parameter names nothing of the class it asks for in the graph; "
                                  "`parameter` names it.")
    return {"parameters": openapi_parameters(query), "responses": responses}


def add_scheme_values(schema: dict[str, Any], store: GraphStore) -> None:
    """List the concepts a `scheme=` parameter takes (read from the graph: queries/concepts.rq)."""
    concepts = catalog().get("concepts")
    for query in catalog().values():
        operation = schema.get("paths", {}).get(f"/api/{query.name}", {}).get("get")
        if operation is None or concepts is None:
            continue
        for param in query.params:
            if not param.scheme or param.values:
                continue
            answer, _ = run(store, concepts, read_params(concepts, {"scheme": [param.scheme]}), 100_000)
            iris = sorted({row["concept"].value for row in answer.rows if row.get("concept") is not None})
            entry = next(p for p in operation["parameters"] if p["name"] == param.name)
            entry["schema"] = {"type": "string", "enum": _spellings(iris)}


def add_response_examples(schema: dict[str, Any], store: GraphStore, base: str = "") -> None:
    """Put a real answer (first rows, example parameters) into each operation's JSON response."""
    for query in catalog().values():
        operation = schema.get("paths", {}).get(f"/api/{query.name}", {}).get("get")
        if operation is None:
            continue
        try:
            given = {p.name: [p.example] for p in query.params if p.example is not None}
            if query.pagination:
                given["limit"] = ["2"]
            params = read_params(query, given)
            answer, has_next = run(store, query, params, (params.limit or 0) + 1 if params.limit else 50)
            link = page_link(query, params, params.offset + (params.limit or 0), None, base) if has_next else None
            example = plain_body(query, params, answer, link, "…")
        except (ParameterError, QueryFailed, ValueError):
            continue
        if query.shape == "network":
            example["nodes"], example["edges"] = example["nodes"][:3], example["edges"][:3]
        if query.shape == "facets":
            example["facets"] = {k: v[:2] for k, v in example["facets"].items()}
        if query.shape == "resources":
            example["items"] = [{k: (v[:3] if isinstance(v, list) else v) for k, v in item.items()}
                                for item in example["items"]]
        operation["responses"]["200"]["content"][JSON]["example"] = example


def unique_operation_ids(schema: dict[str, Any]) -> None:
    """Routes serving several methods share one operationId in FastAPI; OpenAPI wants them unique."""
    seen: set[str] = set()
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            op_id = operation.get("operationId") if isinstance(operation, dict) else None
            if op_id is None:
                continue
            if op_id in seen:
                op_id = operation["operationId"] = f"{op_id}_{method}"
            seen.add(op_id)


# /api/stats (graphsvc.api.app): the three stats-* queries in one report, listed beside the queries.
STATS_ENTRY = {"name": "stats", "title": "Coverage report",
               "description": "Things per class, evidence records per source and the share of statements with "
                              "evidence: the answers of stats-classes, stats-sources and stats-evidence in one "
                              "object, computed once per data version.",
               "path": "/api/stats", "example": "/api/stats", "params": []}


def _endpoint(query: NamedQuery) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        found = answer_at_once(request, query)
        return found if found is not None else await run_in_threadpool(answer_request, request, query)

    endpoint.__name__ = "named_query_" + query.name.replace("-", "_")
    return endpoint


def build_router() -> APIRouter:
    """One GET route per named query, documented from its header."""
    router = APIRouter(tags=["dashboard API"])
    for query in catalog().values():
        description = (f"{query.description}\n\nExample: `{example_url(query)}`. Answers in "
                       f"{', '.join(offered(query))} (content negotiation, or `format=`).")
        router.add_api_route(f"/api/{query.name}", _endpoint(query), methods=["GET"], summary=query.title,
                             description=description, operation_id=f"named_query_{query.name.replace('-', '_')}",
                             openapi_extra=openapi_extra(query), response_class=Response)

    @router.get("/api", summary="The named queries of the dashboard API, and the coverage report",
                responses={200: {"content": {JSON: {"schema": schemas.API_INDEX}}}})
    def list_queries() -> dict[str, Any]:
        listed = [{"name": q.name, "title": q.title, "description": q.description,
                   "path": f"/api/{q.name}", "example": example_url(q),
                   "params": [p.name for p in q.params] + (["limit", "offset"] if q.pagination else [])}
                  for q in catalog().values()]
        return {"queries": listed, "reports": [STATS_ENTRY]}

    return router


def install(app: FastAPI) -> None:
    """Add the routes, and real response examples to the OpenAPI document."""
    app.include_router(build_router())
    plain_openapi = app.openapi

    made_for: list[str | None] = []  # the data version the document was made for

    def openapi() -> dict[str, Any]:
        """The document, made again when the data changes (the examples and the concepts that
        `scheme=` parameters take are read from the graph)."""
        version = data_version(app.state.store)
        if app.openapi_schema is None or made_for != [version]:
            with warnings.catch_warnings():  # FastAPI warns of the duplicates fixed just below
                warnings.simplefilter("ignore", UserWarning)
                app.openapi_schema = None
                schema = plain_openapi()
            unique_operation_ids(schema)
            add_scheme_values(schema, app.state.store)
            add_response_examples(schema, app.state.store, app.state.settings.public_base)
            openapi_document.complete(schema)
            app.openapi_schema = schema
            made_for[:] = [version]
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
