"""The curator's pages: /curate lists the documents to review, /curate/<id> reviews one.

The pages themselves are public shells: the list of sources is public anyway (/sources), and the
review page holds no data of its own. Everything the review page reads or changes goes through the
JSON routes of graphsvc.api.curation, which need the write token. The curator pastes the token once;
the page keeps it in sessionStorage (this tab only, gone when it closes) and sends it as
`Authorization: Bearer` with its own fetch calls. A browser never adds that header by itself, so
another site cannot make the curator's browser write (no cookie, hence no cross-site request
forgery), and the service allows no cross-origin writes. The pages run no inline script and load
only the service's own files, under a Content-Security-Policy that says so.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from graphsvc.curation.source_drafts import CURATED_GRAPH_NS
from graphsvc.curation.sources import document_kinds, get_source, list_sources
from graphsvc.web.templating import render

# The pages' scripts and styles are the service's own files; nothing inline, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def curate_list(request: Request) -> HTMLResponse:
    """The documents the service holds the text of, each with a link to its review, and a form
    that registers a new one (POST /sources, with the token)."""
    store = request.app.state.store
    sources = [s for s in list_sources(store) if s.held]
    kinds = sorted({label for _, label in document_kinds(store).values()})
    return render(request, "curate_list.html", {"title": "Curate", "sources": sources, "kinds": kinds,
                                                 "graph_ns": CURATED_GRAPH_NS}, headers=SECURITY_HEADERS)


def curate_source(name: str, request: Request) -> HTMLResponse:
    """The review page of one document (404 when the service holds no such text)."""
    source = get_source(request.app.state.store, name)
    if source is None or not source.held:
        return render(request, "curate_document.html", {"title": "No such source", "source": None, "name": name},
                      status_code=404, headers=SECURITY_HEADERS)
    title = source.title or source.label or source.name
    return render(request, "curate_document.html",
                  {"title": title, "source": source, "graph": CURATED_GRAPH_NS + source.name},
                  headers=SECURITY_HEADERS)


def install(app: FastAPI) -> None:
    """Add /curate and /curate/<id> (HTML for browsers)."""
    app.add_api_route("/curate", curate_list, methods=["GET"], response_class=HTMLResponse,
                      summary="The curator's list of documents to review (HTML)", include_in_schema=False)
    app.add_api_route("/curate/{name}", curate_source, methods=["GET"], response_class=HTMLResponse,
                      summary="The review page of one document (HTML)", include_in_schema=False)
