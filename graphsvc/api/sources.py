"""The documents the service holds, over HTTP (graphsvc.curation.sources).

`POST /sources` registers a text (the body, UTF-8, with its media type as Content-Type; the
metadata as query parameters) and needs a write token, as writes to /graphs do. `GET /sources`
lists the documents (JSON, or HTML for a browser); `GET /sources/<id>` gives one document's text
(`text/plain`), its description (`application/json`) or, for a browser, the text with every
evidenced span highlighted and linked to the statement it supports (graphsvc.web.source_pages).
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from graphsvc import conneg
from graphsvc.api.errors import error_response
from graphsvc.api.graphs import AuthError, _agent
from graphsvc.config import Settings
from graphsvc.curation.sources import (
    Source,
    SourceError,
    SourceMetadata,
    get_source,
    list_sources,
    register,
    source_text,
)
from graphsvc.store import GraphStore
from graphsvc.web import source_pages

router = APIRouter(tags=["sources"])
_REGISTER_LOCK = threading.Lock()  # one registration at a time: each sees the IRIs minted before it
LIST_TYPES = ["application/json", "text/html"]
DOCUMENT_TYPES = ["text/plain", "text/html", "application/json"]
METADATA_PARAMS = ("title", "publisher", "url", "published", "kind", "fileName")


def _root(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.public_url


def _charset_is_utf8(content_type: str) -> bool:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise SourceError(413, f"{declared} bytes is more than the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise SourceError(413, f"the document is more than the limit of {limit} bytes")
    return bytes(body)


@router.post("/sources", summary="Register a document: its text (the body) and metadata (query parameters)",
             status_code=201,
             responses={200: {"description": "The same text was registered before; its description."},
                        201: {"description": "Registered; the description of the new source."},
                        400: {"description": "Not UTF-8 text, or metadata the graph cannot take."},
                        401: {"description": "No valid write token."},
                        415: {"description": "The body is not text."}})
async def add_source(request: Request, title: str | None = None, publisher: str | None = None,
                     url: str | None = None, published: str | None = None, kind: str | None = None,
                     fileName: str | None = None) -> Response:  # noqa: N803 (the parameter's public name)
    """The body is the document's text as UTF-8 (Content-Type text/plain or another text/ type)."""
    settings: Settings = request.app.state.settings
    try:
        _agent(request)
        content_type = request.headers.get("content-type", "text/plain")
        if not _charset_is_utf8(content_type):
            raise SourceError(415, f"the text must be sent as UTF-8, not as {content_type}", "Content-Type")
        data = await _read_body(request, settings.max_upload_bytes)
        metadata = SourceMetadata(title=title, publisher=publisher, url=url, published=published, kind=kind,
                                  file_name=fileName, media_type=content_type)
        store: GraphStore = request.app.state.store

        def work() -> tuple[Source, bool]:
            with _REGISTER_LOCK:
                return register(store, data, metadata)

        source, created = await run_in_threadpool(work)
    except AuthError as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)
    except SourceError as exc:
        return JSONResponse(exc.as_dict(), status_code=exc.status)
    body = source.as_json(_root(request))
    location = f"{_root(request)}/sources/{body['id']}"
    return JSONResponse(body, status_code=201 if created else 200, headers={"Location": location})


@router.get("/sources", summary="The documents the service holds (JSON, or HTML for a browser)",
            response_class=Response,
            responses={200: {"content": {t: {"schema": {"type": "object" if t.endswith("json") else "string"}}
                                         for t in LIST_TYPES}}})
def sources(request: Request) -> Response:
    store: GraphStore = request.app.state.store
    chosen = conneg.choose(request.headers.get("accept"), LIST_TYPES)
    if chosen is None:
        return error_response(406, f"the list of sources is available as {', '.join(LIST_TYPES)}")
    found = list_sources(store)
    if chosen == "text/html":
        return source_pages.render_list(request, found)
    return JSONResponse({"sources": [s.as_json(_root(request)) for s in found]})


@router.get("/sources/{name}", summary="One document: its text, its description, or both in a page",
            response_class=Response,
            responses={200: {"content": {t: {"schema": {"type": "string"}} for t in DOCUMENT_TYPES}},
                       404: {"description": "No such source, or the service holds no text for it."}})
def source(name: str, request: Request) -> Response:
    store: GraphStore = request.app.state.store
    chosen = conneg.choose(request.headers.get("accept"), DOCUMENT_TYPES)
    if chosen is None:
        return error_response(406, f"a source is available as {', '.join(DOCUMENT_TYPES)}")
    found = get_source(store, name)
    if found is None:
        if chosen == "text/html":
            return source_pages.render_missing(request, name)
        return error_response(404, f"there is no source named {name!r}; GET /sources lists them")
    if chosen == "application/json":
        return JSONResponse(found.as_json(_root(request)))
    text = source_text(store, found.iri)
    if chosen == "text/html":
        return source_pages.render_document(request, store, found, text)
    if text is None:
        return error_response(404, f"the service holds no text for {found.iri}; register it with "
                                   f"graphsvc sources add")
    media = (found.media_type or "text/plain") + "; charset=utf-8"
    return Response(text.encode("utf-8"), media_type=media)
