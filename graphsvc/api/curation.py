"""Reviewing a registered source over HTTP: draft it, check a correction or an addition, ingest a review.

Every route here needs a write token (as writes to /graphs do), drafting included: a draft is the
start of a write, and the review page (graphsvc.web.curate_page) sends the token the curator gave.

- `POST /sources/<id>/draft`: the candidates as JSON (graphsvc.curation.draft_view) or, with
  `Accept: text/turtle`, the draft as Turtle, as `graphsvc draft` writes it.
- `POST /sources/<id>/check`: whether one corrected value (`{"candidate", "value"}`) or one added
  statement (`{"subject", "predicate", "value", "start", "end"}`) is contained in its span: 200 with
  `"ok": true`, or `"ok": false` and the reason (a check that was made, so not an error).
- `POST /sources/<id>/review`: the review (`{"decisions", "added", "dryRun"}`, graphsvc.curation.review)
  as one batch through the validated, atomic ingest into the source's curated graph, which it
  replaces. 201 (or 200) when written or, with `dryRun`, when it would be; 422 with the findings, each
  tied to the statements it concerns (graphsvc.curation.review_findings), when it breaks a rule.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from graphsvc import conneg, project
from graphsvc.api import answer_schemas as schemas
from graphsvc.api.errors import error_response
from graphsvc.api.graphs import _WRITE_LOCK, AuthError, _agent
from graphsvc.api.openapi_document import BEARER, FORBIDDEN, NOT_ACCEPTABLE, TOO_LARGE, UNAUTHORIZED, UNSUPPORTED
from graphsvc.config import Settings
from graphsvc.curation.curated_statements import curated_statements
from graphsvc.curation.draft_view import Labels, draft_json, read_properties
from graphsvc.curation.drafting.writer import to_turtle
from graphsvc.curation.review import (ReviewBatch, ReviewError, added, build_batch, corrected, read_addition,
                                      read_review, span_problem, term_from_json)
from graphsvc.curation.review_findings import findings
from graphsvc.curation.source_drafts import SourceDraft, SourceDraftError, draft_source
from graphsvc.curation.sources import Source, get_source
from graphsvc.ingest import IngestPlan, check, commit, plan
from graphsvc.store import GraphStore
from graphsvc.upload import ParsedUpload
from graphsvc.validation.validator import ValidationStopped
from graphsvc.vocabulary import prefixes

router = APIRouter(tags=["curation"])
DRAFT_TYPES = ["application/json", "text/turtle"]


# --- what the OpenAPI document says of these routes (tests/test_api_fuzz.py holds them to it) -------

def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schemas.ERROR}}}


def _answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"type": "object"}}}}


_TERM = {"type": "object", "required": ["type", "value"], "properties": {
    "type": {"type": "string", "enum": ["iri", "literal"]}, "value": {"type": "string"},
    "datatype": {"type": "string"}, "language": {"type": "string"}}}
_ADDED = {"type": "object", "required": ["subject", "predicate", "value", "start", "end"], "properties": {
    "id": {"type": "string"}, "subject": {"type": "string"}, "predicate": {"type": "string"}, "value": _TERM,
    "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 1}}}
_DECISION = {"oneOf": [{"type": "string", "enum": ["accept", "reject"]},
                       {"type": "object", "required": ["action"], "properties": {
                           "action": {"type": "string", "enum": ["accept", "reject", "correct"]}, "value": _TERM}}]}
_REVIEW_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "decisions": {"type": "object", "additionalProperties": _DECISION,
                  "description": "Candidate id (from the draft) to accept, reject or correct."},
    "added": {"type": "array", "items": _ADDED}, "dryRun": {"type": "boolean", "default": False}}}
_CHECK_BODY = {"oneOf": [{"type": "object", "required": ["candidate", "value"],
                          "properties": {"candidate": {"type": "string"}, "value": _TERM}}, _ADDED]}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
            "security": [{BEARER: []}]}


_TOKEN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: UNAUTHORIZED, 403: FORBIDDEN,
    404: _error("There is no source by this name, or the service holds no text for it.")}
_BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("A body the route cannot read; `error` says what and where."), 413: TOO_LARGE, 415: UNSUPPORTED}


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _root(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.public_url


def _auth_refusal(exc: AuthError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)


def _source(request: Request, name: str) -> Source:
    found = get_source(request.app.state.store, name)
    if found is None:
        raise _Refused(error_response(404, f"there is no source named {name!r}; GET /sources lists them"))
    return found


async def _json_body(request: Request) -> Any:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise _Refused(error_response(415, f"send the body as application/json, not {media or 'nothing'}",
                                      parameter="Content-Type"))
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Refused(error_response(400, f"the body is not JSON: {exc}")) from None


async def _guarded(request: Request, name: str, work: Callable[[str, Source], Any]) -> Response:
    """Run `work(agent, source)` for an authorised caller and a known source; every refusal as JSON."""
    try:
        agent = _agent(request)
        source = _source(request, name)
        return await work(agent, source)
    except AuthError as exc:
        return _auth_refusal(exc)
    except _Refused as exc:
        return exc.response
    except (SourceDraftError, ReviewError) as exc:
        body = exc.as_dict() if isinstance(exc, ReviewError) else {"error": str(exc)}
        return JSONResponse(body, status_code=exc.status)
    except ValidationStopped as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)


@router.post("/sources/{name}/draft", summary="Draft a registered source: candidate statements with their spans",
             response_class=Response, openapi_extra={"security": [{BEARER: []}]},
             responses={200: {"description": "The candidates (JSON) or the draft (Turtle).",
                              "content": {t: {"schema": {"type": "object" if t.endswith("json") else "string"}}
                                          for t in DRAFT_TYPES}},
                        406: NOT_ACCEPTABLE, **_TOKEN_ERRORS})
async def draft(name: str, request: Request) -> Response:
    chosen = conneg.choose(request.headers.get("accept"), DRAFT_TYPES)
    store: GraphStore = request.app.state.store

    async def work(agent: str, source: Source) -> Response:
        if chosen is None:
            return error_response(406, f"a draft is available as {', '.join(DRAFT_TYPES)}")

        def drafted() -> Response:
            sd = draft_source(store, source)
            if chosen == "text/turtle":
                return Response(to_turtle(sd.draft, sd.knowledge), media_type="text/turtle; charset=utf-8")
            body = draft_json(sd, curated_statements(store, sd.graph), read_properties(store), _root(request))
            return JSONResponse(body, headers={"Cache-Control": "no-store"})

        return await run_in_threadpool(drafted)

    return await _guarded(request, name, work)


def _checked(store: GraphStore, source: Source, body: Any) -> Response:
    """One corrected value or added statement against its span, with its labels."""
    if not isinstance(body, dict):
        raise ReviewError(400, "send {\"candidate\", \"value\"} for a correction, or {\"subject\", \"predicate\", "
                               "\"value\", \"start\", \"end\"} for an added statement")
    sd = draft_source(store, source)
    if "candidate" in body:
        cid = body["candidate"]
        drafted = sd.candidates.get(cid) if isinstance(cid, str) else None
        if drafted is None:
            raise ReviewError(409, f"the draft has no candidate {cid!r}; draft again", str(cid))
        candidate, item = corrected(drafted, term_from_json(body.get("value"), "the corrected value")), cid
    else:
        addition = read_addition(body, 0)
        candidate, item = added(sd, addition), addition.id
    return _span_answer(sd, candidate, item, store)


def _span_answer(sd: SourceDraft, candidate: Any, item: str, store: GraphStore) -> Response:
    labels = Labels(sd, read_properties(store))
    statement = {"item": item, "subject": labels.term(ox.NamedNode(candidate.subject)),
                 "predicate": labels.term(ox.NamedNode(candidate.predicate)), "value": labels.term(candidate.value),
                 "span": {"start": candidate.start, "end": candidate.end},
                 "quote": sd.text[candidate.start:candidate.end]}
    reason = span_problem(sd, candidate)
    if reason:  # the check was made; its answer is no (the review itself refuses such a value, 422)
        return JSONResponse({"ok": False, "error": f"the value is not in its span: {reason}", **statement})
    return JSONResponse({"ok": True, **statement})


@router.post("/sources/{name}/check", summary="Check that a corrected or added value is in its span",
             response_class=Response, openapi_extra=_body(_CHECK_BODY),
             responses={200: _answer("`ok`: whether the span contains the value; if not, `error` says why."),
                        409: _error("A candidate the draft no longer has: draft again."),
                        **_BODY_ERRORS, **_TOKEN_ERRORS})
async def check_statement(name: str, request: Request) -> Response:
    store: GraphStore = request.app.state.store

    async def work(agent: str, source: Source) -> Response:
        body = await _json_body(request)
        return await run_in_threadpool(_checked, store, source, body)

    return await _guarded(request, name, work)


def _upload(batch: ReviewBatch, source: Source) -> ParsedUpload:
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in batch.triples]
    return ParsedUpload(quads, prefixes(), batch.turtle, f"review of {source.name}", ox.RdfFormat.TURTLE)


def _reviewed(store: GraphStore, settings: Settings, source: Source, body: Any, agent: str,
              root: str) -> Response:
    review = read_review(body)
    dry_run = body.get("dryRun", False)
    if not isinstance(dry_run, bool):
        raise ReviewError(400, "dryRun must be true or false")
    with _WRITE_LOCK:  # one validated write at a time, as /graphs does
        sd = draft_source(store, source)
        batch = build_batch(sd, review, agent)
        existed = sd.graph in store.named_graphs()
        ingest: IngestPlan = plan([_upload(batch, source)], sd.graph, sd.graph)
        check(store, ingest, settings.upload_timeout_s, settings.unvalidated_graphs)
        written = ingest.conforms and not dry_run
        if written:
            commit(store, ingest, agent)
    report = findings(ingest.results, batch)
    subjects = dict.fromkeys(item.candidate.subject for item in batch.items)
    body_out = {
        "graph": sd.graph.value, "written": written, "dryRun": dry_run, "conforms": ingest.conforms,
        "statements": len(batch.items), "triples": ingest.triple_count,
        "accepted": batch.count("accepted"), "corrected": batch.count("corrected"), "added": batch.count("added"),
        "rejected": len(batch.rejected), "undecided": len(batch.undecided),
        "violations": sum(1 for f in report if f["severity"] == "Violation"),
        "warnings": sum(1 for f in report if f["severity"] != "Violation"),
        "findings": report,
        "subjects": [{"iri": s, "page": f"{root}/id/{s[len(project.THING_NS):]}"} for s in subjects
                     if s.startswith(project.THING_NS)],
    }
    if not ingest.conforms:
        body_out["error"] = (f"the review breaks {body_out['violations']} rule(s) of the shapes; nothing was "
                             f"written")
        return JSONResponse(body_out, status_code=422)
    return JSONResponse(body_out, status_code=201 if written and not existed else 200)


@router.post("/sources/{name}/review", summary="Ingest a review of a source's draft into its curated graph",
             response_class=Response, openapi_extra=_body(_REVIEW_BODY),
             responses={200: _answer("Written over the curated graph, or (dryRun) it would be."),
                        201: _answer("Written; the curated graph is new."),
                        409: _error("A candidate the draft no longer has: draft again."),
                        422: _error("A value its span does not contain (`problems`), or findings of the shapes."),
                        503: _error("Validating the review took longer than GRAPHSVC_UPLOAD_TIMEOUT."),
                        **_BODY_ERRORS, **_TOKEN_ERRORS})
async def review_source(name: str, request: Request) -> Response:
    store: GraphStore = request.app.state.store
    settings: Settings = request.app.state.settings

    async def work(agent: str, source: Source) -> Response:
        body = await _json_body(request)
        return await run_in_threadpool(_reviewed, store, settings, source, body, agent, _root(request))

    return await _guarded(request, name, work)
