"""The SPARQL 1.1 Protocol query endpoint at /sparql (read-only)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from graphsvc import conneg
from graphsvc.answers import (BackendTimeout, BackendUnavailable, QueryAnswer, QueryFailed, QueryTimeout,
                              results_json)
from graphsvc.budget import Budget
from graphsvc.catalog import catalog
from graphsvc.config import Settings
from graphsvc.vocabulary import prefixes
from graphsvc.api.errors import error_response
from graphsvc.api.service_description import service_description
from graphsvc.sparql_formats import GRAPH_FORMATS, RESULT_FORMATS, media_type_for_name
from graphsvc.sparql_guard import QueryShape, RefusedQuery, inspect_query
from graphsvc.store import GraphStore

router = APIRouter()

_FORM = "application/x-www-form-urlencoded"
_QUERY_BODY = "application/sparql-query"


@dataclass
class SparqlRequest:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None


class BadRequest(Exception):
    def __init__(self, status: int, message: str, **where: object) -> None:
        super().__init__(message)
        self.status = status
        self.where = where


def _from_params(params: dict[str, list[str]], query: str | None = None) -> SparqlRequest:
    queries = params.get("query", [])
    if query is None:
        if len(queries) > 1:
            raise BadRequest(400, "more than one 'query' parameter", parameter="query")
        query = queries[0] if queries else None
    formats = params.get("format", [])
    return SparqlRequest(
        query=query,
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        format=formats[0] if formats else None,
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


def _choose_media_type(request: Request, shape: QueryShape, override: str | None) -> str:
    offered = list(GRAPH_FORMATS) if shape.returns_graph else list(RESULT_FORMATS)
    if override:
        wanted = media_type_for_name(override)
        if wanted is None or wanted not in offered:
            raise BadRequest(
                400,
                f"format {override!r} is not available for a {shape.form} query; "
                f"choose one of {', '.join(offered)}",
                parameter="format",
            )
        return wanted
    chosen = conneg.choose(request.headers.get("accept"), offered)
    if chosen is None:
        raise BadRequest(
            406,
            f"none of the accepted media types can carry a {shape.form} result; "
            f"available: {', '.join(offered)}",
        )
    return chosen


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
    shape = inspect_query(sparql.query)
    media_type = _choose_media_type(request, shape, sparql.format)
    default_graph = _named_nodes(sparql.default_graphs, "default-graph-uri") or None
    named_graphs = _named_nodes(sparql.named_graphs, "named-graph-uri") or None
    budget = Budget(timeout_s=settings.query_timeout_s, max_rows=settings.result_limit)
    answer = store.execute(sparql.query, shape.form, budget,
                           default_graph=default_graph, named_graphs=named_graphs)
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-Result-Truncated"] = "true"
        headers["Warning"] = f'199 - "result truncated to the first {settings.result_limit} rows"'
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return Response(serialize_answer(answer, media_type), media_type=content_type, headers=headers)


EDITOR_PAGE = Path(__file__).resolve().parent.parent / "static" / "editor.html"


def wants_editor(request: Request, sparql: SparqlRequest) -> bool:
    """A browser asking for HTML (and no explicit format) gets the query editor."""
    if sparql.format:
        return False
    offered = [*RESULT_FORMATS, *GRAPH_FORMATS, "text/html"]
    return conneg.choose(request.headers.get("accept"), offered) == "text/html"


@router.get("/sparql/examples", summary="The named queries, as examples for the query editor")
def examples() -> list[dict[str, str]]:
    return [{"name": q.name, "title": q.title, "description": q.description, "query": q.text}
            for q in catalog().values()]


@router.api_route("/sparql", methods=["GET", "POST"], summary="SPARQL 1.1 query endpoint")
async def sparql_endpoint(request: Request) -> Response:
    store: GraphStore = request.app.state.store
    try:
        sparql = await read_request(request)
        if request.method == "GET" and wants_editor(request, sparql):
            return FileResponse(EDITOR_PAGE, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
        if sparql.query is None:
            return await run_in_threadpool(service_description, request)
        return await run_in_threadpool(run, store, request.app.state.settings, sparql, request)
    except BackendTimeout as exc:
        return error_response(504, str(exc), timeout_s=exc.seconds)
    except BackendUnavailable as exc:
        return error_response(502, str(exc))
    except QueryTimeout as exc:
        return error_response(503, str(exc), timeout_s=exc.seconds)
    except QueryFailed as exc:
        return error_response(400 if exc.syntax else 500, str(exc), line=exc.line, column=exc.column)
    except RefusedQuery as exc:
        return error_response(400, str(exc), line=exc.line, column=exc.column)
    except BadRequest as exc:
        return error_response(exc.status, str(exc), **exc.where)
