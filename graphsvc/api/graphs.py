"""Validation and validated writes over HTTP.

`POST /validate` checks RDF against the shapes without writing. `/graphs?graph=IRI` follows the
SPARQL 1.1 Graph Store Protocol for named graphs: PUT replaces a graph, POST adds to it, DELETE
removes it, GET reads it. Writes need the operator's bearer token; every write is validated first
(except into a graph under GRAPHSVC_UNVALIDATED_GRAPHS) and is atomic: all of it or, on any error,
none of it. Relative IRIs in an upload resolve against the graph's IRI. Parsing (in a confined
child process, graphsvc.upload_worker) and validation each have GRAPHSVC_UPLOAD_TIMEOUT seconds.
"""

from __future__ import annotations

import hmac
import threading

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from graphsvc import conneg, project
from graphsvc.api.errors import error_response
from graphsvc.config import Settings
from graphsvc.ingest import IngestPlan, check, check_graph_name, commit, delete_graph, is_unvalidated, plan
from graphsvc.sparql_formats import GRAPH_FORMATS
from graphsvc.store import GraphStore
from graphsvc.upload import ParsedUpload, ParseLimits, UploadError, format_for_media_type, line_of, parse_upload
from graphsvc.validation.report import report_json, report_turtle
from graphsvc.validation.validator import ValidationStopped

router = APIRouter()
_WRITE_LOCK = threading.Lock()  # one validated write at a time, so each sees the one before
_REPORT_TYPES = ["application/json", "text/turtle"]


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _agent(request: Request) -> str:
    """The agent a bearer token belongs to; 401/403 when writes are not allowed. The local token
    of `graphsvc serve` (graphsvc.service_runtime) lets the command line on this machine write,
    as it could with the service stopped, under the name it sends (default "local-cli")."""
    from graphsvc.service_runtime import AGENT_HEADER, local_agent

    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    local: str | None = getattr(request.app.state, "local_token", None)
    if local and scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), local.encode()):
        return local_agent(request.headers.get(AGENT_HEADER))
    if not settings.write_tokens:
        raise AuthError(403, "writes are disabled on this service: the operator has configured no token "
                             "(GRAPHSVC_WRITE_TOKENS)")
    if scheme.lower() != "bearer" or not token:
        raise AuthError(401, "this write needs an 'Authorization: Bearer <token>' header")
    for agent, expected in settings.write_tokens:
        if hmac.compare_digest(token.strip().encode(), expected.encode()):
            return agent
    raise AuthError(401, "the bearer token is not valid")


async def _read_body(request: Request) -> tuple[bytes, ox.RdfFormat]:
    settings: Settings = request.app.state.settings
    fmt = format_for_media_type(request.headers.get("content-type"))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes:
        raise UploadError(413, f"{declared} bytes is more than the limit of {settings.max_upload_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_upload_bytes:
            raise UploadError(413, f"the upload is more than the limit of {settings.max_upload_bytes} bytes")
    return bytes(body), fmt


def _refusal(exc: AuthError | UploadError | ValidationStopped) -> JSONResponse:
    """A refused write: 401/403 for the token (with the Bearer challenge), 4xx for the upload,
    413/503 for a validation that could not finish."""
    if isinstance(exc, UploadError):
        return JSONResponse(exc.as_dict(), status_code=exc.status)
    if isinstance(exc, ValidationStopped):
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)


def _graph_param(request: Request, required: bool = True) -> ox.NamedNode | None:
    if len(request.query_params.getlist("graph")) > 1:
        raise UploadError(400, "the 'graph' parameter is given more than once; a write goes to one graph",
                          parameter="graph")
    value = request.query_params.get("graph")
    if value is None:
        if required:
            raise UploadError(400, "the 'graph' parameter (an absolute IRI) is required", parameter="graph")
        return None
    try:
        return check_graph_name(value)
    except UploadError as exc:
        exc.parameter = "graph"
        raise


_YES_NO = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _choice(request: Request, name: str, choices: dict[str, bool], default: str) -> bool:
    """The value of a switch in the query string; 400 for a value it does not take (a mistyped
    `dry-run=ture` must not write for real)."""
    value = request.query_params.get(name, default)
    if value.strip().lower() not in choices:
        raise UploadError(400, f"parameter {name!r} is {value!r}; it takes {', '.join(choices)}", parameter=name)
    return choices[value.strip().lower()]


def _report_response(request: Request, ingest: IngestPlan, status: int, extra: dict[str, object]) -> Response:
    chosen = conneg.choose(request.headers.get("accept"), _REPORT_TYPES) or "application/json"
    if chosen == "text/turtle":
        return Response(report_turtle(ingest.results), status_code=status, media_type="text/turtle; charset=utf-8")
    upload = ingest.uploads[0] if ingest.uploads else None
    body = report_json(ingest.results, (lambda node: line_of(upload, node)) if upload else None)
    return JSONResponse({**extra, **body}, status_code=status)


_DEFAULT_UPLOAD_GRAPH = ox.NamedNode(project.GRAPH_NS + "upload")


def _parsed(data: bytes, fmt: ox.RdfFormat, graph: ox.NamedNode | None, settings: Settings) -> ParsedUpload:
    """The upload, parsed in a confined child process, relative IRIs against the graph's IRI."""
    base = graph or _DEFAULT_UPLOAD_GRAPH
    return parse_upload(data, fmt, "upload", settings.max_upload_bytes, base_iri=base.value,
                        limits=ParseLimits.from_settings(settings))


def _judged(store: GraphStore, upload: ParsedUpload, graph: ox.NamedNode | None, append: bool,
            settings: Settings) -> IngestPlan:
    """The plan for the upload, validated (within the time budget) unless its graph is exempt."""
    ingest = plan([upload], graph, graph or _DEFAULT_UPLOAD_GRAPH, append=append)
    return check(store, ingest, settings.upload_timeout_s, settings.unvalidated_graphs)


def _validated(store: GraphStore, data: bytes, fmt: ox.RdfFormat, graph: ox.NamedNode | None, append: bool,
               settings: Settings) -> IngestPlan:
    return _judged(store, _parsed(data, fmt, graph, settings), graph, append, settings)


@router.post("/validate", summary="Check RDF against the shapes without writing it")
async def validate_upload(request: Request) -> Response:
    try:
        data, fmt = await _read_body(request)
        graph = _graph_param(request, required=False)
        append = _choice(request, "mode", {"replace": False, "append": True}, "replace")
        settings: Settings = request.app.state.settings
        ingest = await run_in_threadpool(_validated, request.app.state.store, data, fmt, graph, append, settings)
        status = 200 if ingest.conforms else 422
        validated = not is_unvalidated(graph or _DEFAULT_UPLOAD_GRAPH, settings.unvalidated_graphs)
        return _report_response(request, ingest, status, {"triples": ingest.triple_count, "validated": validated})
    except (UploadError, ValidationStopped) as exc:
        return _refusal(exc)


@router.api_route("/graphs", methods=["PUT", "POST"], summary="Replace (PUT) or add to (POST) a named graph")
async def write_graph(request: Request) -> Response:
    try:
        agent = _agent(request)
        data, fmt = await _read_body(request)
        graph = _graph_param(request)
        assert graph is not None
        settings: Settings = request.app.state.settings
        store: GraphStore = request.app.state.store
        append = request.method == "POST"
        dry_run = _choice(request, "dry-run", _YES_NO, "false")

        def work() -> tuple[IngestPlan, bool]:
            upload = _parsed(data, fmt, graph, settings)  # needs no lock: the store is not read
            with _WRITE_LOCK:
                existed = graph in store.named_graphs()
                ingest = _judged(store, upload, graph, append, settings)
                if ingest.conforms and not dry_run:
                    commit(store, ingest, agent)
                return ingest, existed

        ingest, existed = await run_in_threadpool(work)
        summary = {"graph": graph.value, "triples": ingest.triple_count, "written": ingest.conforms and not dry_run,
                   "mode": "append" if append else "replace",
                   "validated": not is_unvalidated(graph, settings.unvalidated_graphs)}
        if not ingest.conforms:
            return _report_response(request, ingest, 422, summary)
        status = 200 if dry_run or existed else 201
        return _report_response(request, ingest, status, summary)
    except (AuthError, UploadError, ValidationStopped) as exc:
        return _refusal(exc)


@router.delete("/graphs", summary="Remove a named graph")
async def remove_graph(request: Request) -> Response:
    try:
        agent = _agent(request)
        graph = _graph_param(request)
        assert graph is not None
        store: GraphStore = request.app.state.store

        def work() -> bool:
            with _WRITE_LOCK:
                if graph not in store.named_graphs():
                    return False
                delete_graph(store, graph, agent)
                return True

        if not await run_in_threadpool(work):
            return error_response(404, f"there is no graph {graph.value}")
        return Response(status_code=204)
    except (AuthError, UploadError) as exc:
        return _refusal(exc)


@router.get("/graphs", summary="List the named graphs, or read one with ?graph=IRI")
def read_graphs(request: Request) -> Response:
    store: GraphStore = request.app.state.store
    value = request.query_params.get("graph")
    if value is None:
        return JSONResponse({"graphs": [g.value for g in store.named_graphs()]})
    try:
        graph = ox.NamedNode(value)
    except ValueError:
        return error_response(400, f"graph {value!r} is not an IRI", parameter="graph")
    if graph not in store.named_graphs():
        return error_response(404, f"there is no graph {value}", parameter="graph")
    chosen = conneg.choose(request.headers.get("accept"), list(GRAPH_FORMATS))
    if chosen is None:
        return error_response(406, f"a graph is available as {', '.join(GRAPH_FORMATS)}")
    triples = store.graph_triples(graph)
    media = chosen + ("; charset=utf-8" if chosen.startswith("text/") else "")
    return Response(ox.serialize(triples, format=GRAPH_FORMATS[chosen]), media_type=media)
