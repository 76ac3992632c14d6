"""The SPARQL 1.1 Protocol query endpoint at /sparql (read-only)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from graphsvc import conneg
from graphsvc.answers import (BackendTimeout, BackendUnavailable, BudgetExceeded, QueryAnswer, QueryFailed,
                              QueryRefused,
                              results_json)
from graphsvc.budget import Budget
from graphsvc.config import Settings
from graphsvc.vocabulary import prefixes
from graphsvc.api.errors import budget_response, error_response
from graphsvc.api.service_description import service_description
from graphsvc.guard.query_guard import QueryShape, RefusedQuery, inspect_query
from graphsvc.guard.syntax_errors import explain_syntax_error
from graphsvc.sparql_formats import BOOLEAN_FORMATS, GRAPH_FORMATS, RESULT_FORMATS, media_type_for_name
from graphsvc.store import GraphStore

router = APIRouter()

_FORM = "application/x-www-form-urlencoded"
_QUERY_BODY = "application/sparql-query"
_UPDATE_BODY = "application/sparql-update"
# Where clients name the answer's format: Virtuoso and SPARQLWrapper `format`, Fuseki `output`,
# Rasqal `results` (SPARQLWrapper sends all three, sometimes twice each).
_FORMAT_PARAMETERS = ("format", "output", "results")
READ_ONLY = ("this SPARQL endpoint is read-only and does not take SPARQL Update; curators write named "
             "graphs through the Graph Store Protocol at /graphs (PUT, POST, DELETE, with a bearer token)")


@dataclass
class SparqlRequest:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)  # every format/output/results value, in order
    dataset_given: bool = False  # default-graph-uri or named-graph-uri present (even empty)


class BadRequest(Exception):
    def __init__(self, status: int, message: str, **where: object) -> None:
        super().__init__(message)
        self.status = status
        self.where = where


def _from_params(params: dict[str, list[str]], query: str | None = None) -> SparqlRequest:
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise BadRequest(400, READ_ONLY, parameter="update")
    queries = params.get("query", [])
    if query is None:
        if len(queries) > 1:
            raise BadRequest(400, "more than one 'query' parameter", parameter="query")
        query = queries[0] if queries else None
    return SparqlRequest(
        query=query,
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        formats=[v for name in _FORMAT_PARAMETERS for v in params.get(name, []) if v.strip()],
        dataset_given="default-graph-uri" in params or "named-graph-uri" in params,
    )


async def read_request(request: Request) -> SparqlRequest:
    """The query and dataset of a GET or POST request, as the SPARQL 1.1 Protocol defines them."""
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "GET":
        return _from_params(url_params)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media_type == _FORM:
        form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        if "query" in url_params and "query" in form:
            raise BadRequest(400, "a query in both the body and the URL", parameter="query")
        merged = {**url_params, **{k: form[k] for k in form}}
        return _from_params(merged)
    if media_type == _QUERY_BODY:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(400, f"the query is not valid UTF-8 (byte {exc.start})") from exc
        if "query" in url_params:
            raise BadRequest(400, "a query in both the body and the URL", parameter="query")
        return _from_params(url_params, query=text)
    if media_type == _UPDATE_BODY:
        raise BadRequest(400, READ_ONLY)
    raise BadRequest(
        415,
        f"unsupported content type {media_type or '(none)'!r}: send {_FORM} or {_QUERY_BODY}",
    )


def _named_nodes(iris: list[str], parameter: str) -> list[ox.NamedNode]:
    nodes = []
    for iri in iris:
        try:
            nodes.append(ox.NamedNode(iri))
        except ValueError as exc:
            raise BadRequest(400, f"not an IRI: {iri!r} ({exc})", parameter=parameter) from exc
    return nodes


def _offered(shape: QueryShape) -> list[str]:
    if shape.returns_graph:
        return list(GRAPH_FORMATS)
    return list(BOOLEAN_FORMATS) if shape.form == "ASK" else list(RESULT_FORMATS)


def _choose_media_type(request: Request, shape: QueryShape, formats: list[str]) -> str:
    """The media type of the answer: the first format parameter value that fits the query's form
    (names as the common clients send them), else the Accept header's best offered type."""
    offered = _offered(shape)
    if formats:
        for value in formats:
            wanted = media_type_for_name(value, shape.returns_graph)
            if wanted in offered:
                return wanted
        boolean = " (an ASK answer is a boolean, which CSV and TSV cannot carry)" if shape.form == "ASK" else ""
        raise BadRequest(
            400,
            f"format {formats[0]!r} is not available for a {shape.form} query{boolean}; "
            f"choose one of {', '.join(offered)}",
            parameter="format",
        )
    chosen = conneg.choose(request.headers.get("accept"), offered)
    if chosen is None:
        boolean = "; an ASK answer is a boolean, which CSV and TSV cannot carry" if shape.form == "ASK" else ""
        raise BadRequest(
            406,
            f"none of the accepted media types can carry a {shape.form} result{boolean}; "
            f"available: {', '.join(offered)}",
        )
    return chosen


def base_iri(request: Request, settings: Settings) -> str:
    """What relative IRIs in a query resolve against: GRAPHSVC_BASE_IRI, else the endpoint's URL."""
    return settings.base_iri or str(request.url.replace(query="", fragment=""))


def _resolved(iri: str, base: str) -> str:
    """`iri` resolved against `base` as RFC 3987 says (by the engine's own IRI parser)."""
    triple = f"<{iri}> <urn:p> <urn:o> .".encode("utf-8")
    try:
        return next(iter(ox.parse(triple, format=ox.RdfFormat.TURTLE, base_iri=base))).subject.value
    except (SyntaxError, StopIteration) as exc:
        raise BadRequest(400, f"not an IRI: {iri!r} ({exc})") from exc


def _dataset(sparql: SparqlRequest, shape: QueryShape, base: str
             ) -> tuple[list[ox.NamedNode] | None, list[ox.NamedNode] | None]:
    """The default graph and named graphs to query: the protocol's default-graph-uri and
    named-graph-uri when given (they override the query's own), else the query's FROM and FROM
    NAMED, else None (the default graph is the union of the store's graphs, every graph is named).
    Only graphs of the store are ever read: an IRI that names none is an empty graph, never fetched."""
    if sparql.dataset_given:
        return (_named_nodes(sparql.default_graphs, "default-graph-uri"),
                _named_nodes(sparql.named_graphs, "named-graph-uri"))
    if shape.from_graphs or shape.from_named_graphs:
        return ([ox.NamedNode(_resolved(g, base)) for g in shape.from_graphs],
                [ox.NamedNode(_resolved(g, base)) for g in shape.from_named_graphs])
    return None, None


def serialize_answer(answer: QueryAnswer, media_type: str) -> bytes:
    """The answer in the chosen media type (SPARQL results for SELECT/ASK, RDF for graphs)."""
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        return ox.serialize(answer.triples, format=GRAPH_FORMATS[media_type], prefixes=prefixes())
    body = results_json(answer)
    target = RESULT_FORMATS[media_type]
    if target == ox.QueryResultsFormat.JSON:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    body.pop("truncated", None)  # pyoxigraph's reader takes the standard keys only
    standard = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return ox.parse_query_results(standard, format=ox.QueryResultsFormat.JSON).serialize(format=target)


def run(store: GraphStore, settings: Settings, sparql: SparqlRequest, request: Request) -> Response:
    """Guard, run under the budget, and serialise one query request."""
    assert sparql.query is not None
    size = len(sparql.query.encode("utf-8"))
    if size > settings.max_query_bytes:
        raise BadRequest(413, f"the query is {size} bytes, more than the {settings.max_query_bytes} this endpoint "
                              "reads (GRAPHSVC_MAX_QUERY_BYTES)", parameter="query")
    shape = inspect_query(sparql.query)
    media_type = _choose_media_type(request, shape, sparql.formats)
    base = base_iri(request, settings)
    default_graph, named_graphs = _dataset(sparql, shape, base)
    budget = Budget(timeout_s=settings.query_timeout_s, max_rows=settings.result_limit)
    try:
        answer = store.execute(sparql.query, shape.form, budget, base_iri=base,
                               default_graph=default_graph, named_graphs=named_graphs)
    except QueryFailed as exc:
        if not exc.syntax:
            raise
        explained = explain_syntax_error(sparql.query, str(exc).removeprefix("SPARQL syntax error: "))
        raise QueryFailed(explained.message, explained.line, explained.column, syntax=True) from None
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-Result-Truncated"] = "true"
        headers["Warning"] = f'199 - "result truncated to the first {settings.result_limit} rows"'
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return Response(serialize_answer(answer, media_type), media_type=content_type, headers=headers)




def wants_editor(request: Request, sparql: SparqlRequest) -> bool:
    """A browser asking for HTML (and no explicit format) gets the query editor."""
    if sparql.formats:
        return False
    offered = [*RESULT_FORMATS, *GRAPH_FORMATS, "text/html"]
    return conneg.choose(request.headers.get("accept"), offered) == "text/html"


def describe_or_refuse(request: Request, sparql: SparqlRequest) -> Response:
    """A request without a query: by GET, the service description (Turtle, whatever the format
    names, as long as it names a known one); by POST, a 400 (a POST carries a query)."""
    if request.method == "POST":
        raise BadRequest(400, "the request has no query: send it as the 'query' form field or as an "
                              f"{_QUERY_BODY} body", parameter="query")
    known = [v for v in sparql.formats if media_type_for_name(v, True) or media_type_for_name(v, False)]
    if sparql.formats and not known:
        raise BadRequest(400, f"format {sparql.formats[0]!r} is not a format this endpoint knows",
                         parameter="format")
    return service_description(request)


@router.get("/sparql/examples", summary="The named queries, as examples for the query editor")
def examples() -> list[dict[str, object]]:
    """Each named query with its parameters bound to their example values, so that it runs as it
    reads (`query`); `parameters` holds the values and `template` the file as written."""
    from graphsvc.web.query_editor import runnable_examples

    return runnable_examples()


@router.api_route("/sparql", methods=["GET", "POST"], summary="SPARQL 1.1 query endpoint")
async def sparql_endpoint(request: Request) -> Response:
    store: GraphStore = request.app.state.store
    try:
        sparql = await read_request(request)
        if request.method == "GET" and wants_editor(request, sparql):
            from graphsvc.web.query_editor import editor_response

            return editor_response()  # YASGUI, or how to install it if its files are missing
        if sparql.query is None:
            return await run_in_threadpool(describe_or_refuse, request, sparql)
        return await run_in_threadpool(run, store, request.app.state.settings, sparql, request)
    except BackendTimeout as exc:
        return error_response(504, str(exc), timeout_s=exc.seconds)
    except BackendUnavailable as exc:
        return error_response(502, str(exc))
    except BudgetExceeded as exc:
        return budget_response(exc)
    except QueryFailed as exc:
        client_error = exc.client or isinstance(exc, QueryRefused)
        return error_response(400 if client_error else 500, str(exc), line=exc.line, column=exc.column)
    except RefusedQuery as exc:
        return error_response(400, str(exc), line=exc.line, column=exc.column)
    except BadRequest as exc:
        return error_response(exc.status, str(exc), **exc.where)
