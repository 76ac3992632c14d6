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

A query whose header says `#+ refresh: background` (the dashboards' aggregates) is computed once
per data version in the background (graphsvc.aggregates) and answered from the last value while a
newer one computes; its ETag and `X-Data-Version` are those of the version the value was read at.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
import warnings

from fastapi import APIRouter, FastAPI, Request, Response

from graphsvc import aggregates, conneg
from graphsvc.answers import BudgetExceeded, QueryAnswer, QueryFailed, results_json
from graphsvc.api.errors import budget_response, error_response
from graphsvc.budget import Budget, materialise
from graphsvc.catalog import NamedQuery, Param, catalog
from graphsvc.named_params import BoundParams, ParameterError, bind_query, check_membership, read_params
from graphsvc.response_cache import CachedResponse, ResponseCache
from graphsvc.shaping import edge_triples, facets, network, plain_objects
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
CACHE_CONTROL = "public, no-cache"  # clients may keep answers but revalidate them (304 is cheap)
CACHE = ResponseCache()


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
        name = format_values[0].strip().lower()
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


def data_version(store: GraphStore) -> str | None:
    """The store's data version, or None for a store that cannot tell (then nothing is cached)."""
    version = getattr(store, "data_version", None)
    return version() if callable(version) else None


def make_etag(version: str, query: NamedQuery, params: BoundParams, media_type: str) -> str:
    digest = hashlib.sha256()
    for part in (version, query.name, query.text, json.dumps(params.canonical, sort_keys=True),
                 str(params.limit), str(params.offset), media_type):
        digest.update(part.encode("utf-8") + b"\0")
    return f'"{digest.hexdigest()[:40]}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against our ETag."""
    if not header:
        return False
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


def page_link(query: NamedQuery, params: BoundParams, offset: int, media_param: str | None) -> str:
    """A relative URL of the page at `offset` with the same parameters (stable, so cacheable)."""
    pairs = [(k, v) for k, v in _request_values(query, params).items()]
    pairs += [("limit", str(params.limit)), ("offset", str(offset))]
    if media_param:
        pairs.append(("format", media_param))
    return f"/api/{query.name}?{urlencode(pairs)}"


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
        answer = store.execute(text, query.form, Budget(timeout_s=timeout_s, max_rows=max_rows))
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
        body["facets"] = facets(answer)
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


def _max_rows(request: Request, params: BoundParams) -> int:
    return params.limit + 1 if params.limit is not None else request.app.state.settings.result_limit


def render_answer(request: Request, query: NamedQuery, params: BoundParams, media_type: str,
                  version: str | None, answer: QueryAnswer, has_next: bool) -> CachedResponse:
    """An answer rendered in `media_type`, with Link and truncation headers."""
    format_values = parse_qs(request.url.query).get("format")
    next_link = page_link(query, params, params.offset + (params.limit or 0),
                          format_values[0] if format_values else None) if has_next else None
    headers: dict[str, str] = {}
    if next_link:
        headers["Link"] = f'<{next_link}>; rel="next"'
    if answer.truncated:
        headers["X-Result-Truncated"] = "true"
    if media_type == JSON:
        body = json.dumps(plain_body(query, params, answer, next_link, version), ensure_ascii=False).encode()
    else:
        body = serialize(answer, media_type)
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return CachedResponse(body=body, media_type=content_type, headers=headers)


def answer_request(request: Request, query: NamedQuery) -> Response:
    """Validate, answer from the cache or run, and set ETag, Cache-Control and Vary."""
    given = parse_qs(request.url.query, keep_blank_values=True)
    store: GraphStore = request.app.state.store
    try:
        params = read_params(query, given)
        media_type = choose_media_type(query, request.headers.get("accept"), given.get("format"))
    except ParameterError as exc:
        return parameter_error(exc)
    except NotAcceptable as exc:
        return error_response(406, str(exc))
    version = data_version(store)
    if query.refresh == "background" and version is not None:
        return answer_from_background(request, query, params, media_type, version)
    headers = {"Vary": "Accept", "Cache-Control": CACHE_CONTROL}
    if version is not None:
        headers["X-Data-Version"] = version
    etag = make_etag(version, query, params, media_type) if version is not None else None
    if etag is not None:
        headers["ETag"] = etag
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        cached = CACHE.get(etag)
        if cached is not None:
            return Response(cached.body, media_type=cached.media_type, headers={**headers, **cached.headers})
    try:
        check_membership(store, query, params, version)
        rendered = render(request, query, params, media_type, version)
    except (ParameterError, BudgetExceeded, QueryFailed) as exc:
        return failure_response(exc)
    if etag is not None and data_version(store) == version:
        CACHE.put(etag, rendered)
    return Response(rendered.body, media_type=rendered.media_type, headers={**headers, **rendered.headers})


def answer_from_background(request: Request, query: NamedQuery, params: BoundParams, media_type: str,
                           version: str) -> Response:
    """An aggregate's answer: the value computed for the current data version if it is there (or
    comes within GRAPHSVC_AGGREGATE_WAIT), else the last one, under the ETag of its own version."""
    store: GraphStore = request.app.state.store
    settings = request.app.state.settings
    text, max_rows = bind_query(query, params), _max_rows(request, params)
    budget = Budget(timeout_s=settings.aggregate_timeout_s, max_rows=max_rows)

    def compute() -> tuple[tuple[QueryAnswer, bool], str | None]:
        snapshot = aggregates.read_consistently(store, [(text, query.form)], budget)
        return paged(snapshot.answers[0], params), snapshot.version

    key = ("named-query", query.name, hashlib.sha256(text.encode("utf-8")).hexdigest(), max_rows)
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
        answer, has_next = served.value
        rendered = render_answer(request, query, params, media_type, served.version, answer, has_next)
        CACHE.put(etag, rendered)
    return Response(rendered.body, media_type=rendered.media_type, headers={**headers, **rendered.headers})


def failure_response(exc: ParameterError | BudgetExceeded | QueryFailed) -> Response:
    """A named query that could not be answered: 422 for a parameter, 503 for a budget, else 500."""
    if isinstance(exc, ParameterError):
        return parameter_error(exc)
    if isinstance(exc, BudgetExceeded):
        return budget_response(exc)
    return error_response(500, str(exc))


def parameter_error(exc: ParameterError) -> Response:
    return error_response(422, f"parameter {exc.parameter!r}: {exc}", parameter=exc.parameter,
                          reason=str(exc), value=exc.value)


# --- OpenAPI -----------------------------------------------------------------------------------

def _schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if param.type == "integer":
        schema = {"type": "integer"}
    elif param.type == "decimal":
        schema = {"type": "number"}
    elif param.type == "boolean":
        schema = {"type": "boolean"}
    elif param.type == "date":
        schema = {"type": "string", "format": "date"}
    elif param.type == "iri":
        schema = {"type": "string", "format": "iri-reference"}
    elif param.type == "language":
        schema = {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"}
    if param.values:
        schema["enum"] = list(param.values)
    if param.minimum is not None:
        schema["minLength" if param.type == "string" else "minimum"] = int(param.minimum)
    if param.maximum is not None:
        schema["maxLength" if param.type == "string" else "maximum"] = int(param.maximum)
    if param.default is not None and param.default != "today":
        schema["default"] = int(param.default) if param.type == "integer" else param.default
    return schema


def _describe(param: Param) -> str:
    parts = [param.description or param.name]
    if param.type == "iri":
        parts.append("An IRI, a CURIE (kg:japan, idd:Signed) or a name under kg: (japan).")
    if param.rdf_class:
        parts.append(f"Must be an instance of {param.rdf_class}.")
    if param.scheme:
        parts.append(f"Must be a concept of {param.scheme}.")
    if param.default == "today":
        parts.append("Default: today.")
    return " ".join(parts)


def openapi_parameters(query: NamedQuery) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for param in query.params:
        entry: dict[str, Any] = {"name": param.name, "in": "query", "required": param.required,
                                 "description": _describe(param), "schema": _schema(param)}
        if param.example is not None:
            entry["example"] = int(param.example) if param.type == "integer" else param.example
        params.append(entry)
    if query.pagination:
        params.append({"name": "limit", "in": "query", "required": False, "example": 10,
                       "description": "Rows per page; the answer's `next` (and the Link header) gives the next page.",
                       "schema": {"type": "integer", "minimum": 1, "maximum": query.pagination.maximum,
                                  "default": query.pagination.default}})
        params.append({"name": "offset", "in": "query", "required": False, "example": 0,
                       "description": "Rows to skip.", "schema": {"type": "integer", "minimum": 0, "default": 0}})
    names = sorted(n for n, t in FORMAT_NAMES.items() if t in offered(query))
    params.append({"name": "format", "in": "query", "required": False, "example": "json",
                   "description": "Overrides the Accept header.", "schema": {"type": "string", "enum": names}})
    return params


def example_url(query: NamedQuery) -> str:
    pairs = [(p.name, p.example) for p in query.params if p.example is not None]
    return f"/api/{query.name}" + (f"?{urlencode(pairs)}" if pairs else "")


def openapi_extra(query: NamedQuery) -> dict[str, Any]:
    error = {"type": "object", "properties": {"error": {"type": "string"}, "parameter": {"type": "string"},
                                              "reason": {"type": "string"}, "value": {"type": "string"}}}
    content: dict[str, Any] = {JSON: {"schema": {"type": "object"}}}
    for media_type in offered(query)[1:]:
        content[media_type] = {"schema": {"type": "string"}}
    return {
        "parameters": openapi_parameters(query),
        "responses": {
            "200": {"description": "The answer; ETag, Cache-Control and (for pages) Link headers.",
                    "content": content},
            "304": {"description": "Not modified: the If-None-Match ETag is still current."},
            "406": {"description": "No acceptable media type.", "content": {JSON: {"schema": error}}},
            "422": {"description": "A parameter is missing, unknown or invalid; `parameter` names it.",
                    "content": {JSON: {"schema": error,
                                       "example": {"error": "parameter 'limit': must be between 1 and 500",
                                                   "parameter": "limit", "reason": "must be between 1 and 500",
                                                   "value": "0"}}}},
        },
    }


def add_response_examples(schema: dict[str, Any], store: GraphStore) -> None:
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
            link = page_link(query, params, params.offset + (params.limit or 0), None) if has_next else None
            example = plain_body(query, params, answer, link, "…")
        except (ParameterError, QueryFailed, ValueError):
            continue
        if query.shape == "network":
            example["nodes"], example["edges"] = example["nodes"][:3], example["edges"][:3]
        if query.shape == "facets":
            example["facets"] = {k: v[:2] for k, v in example["facets"].items()}
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


def _endpoint(query: NamedQuery) -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        return answer_request(request, query)

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

    @router.get("/api", summary="The named queries of the dashboard API")
    def list_queries() -> dict[str, Any]:
        return {"queries": [{"name": q.name, "title": q.title, "description": q.description,
                             "path": f"/api/{q.name}", "example": example_url(q),
                             "params": [p.name for p in q.params] + (["limit", "offset"] if q.pagination else [])}
                            for q in catalog().values()]}

    return router


def install(app: FastAPI) -> None:
    """Add the routes, and real response examples to the OpenAPI document."""
    app.include_router(build_router())
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():  # FastAPI warns of the duplicates fixed just below
                warnings.simplefilter("ignore", UserWarning)
                schema = plain_openapi()
            unique_operation_ids(schema)
            add_response_examples(schema, app.state.store)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
