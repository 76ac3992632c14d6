"""The FastAPI application: routers over one store, chosen by the settings."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from graphsvc import __version__, aggregates, http_limits, request_log
from graphsvc.api import graphs, health, http_errors, linked_data, named_queries, ontology, sparql
from graphsvc.api import curation as curation_routes
from graphsvc.api import sources as source_routes
from graphsvc.answers import BackendTimeout, BackendUnavailable, BudgetExceeded
from graphsvc.api.errors import budget_response, error_response
from graphsvc.config import Settings
from graphsvc.stats import latest_report
from graphsvc.bootstrap import open_store
from graphsvc.store import GraphStore, OxigraphStore
from graphsvc.vocabulary import prefixes
from graphsvc.web import api_docs, query_editor, templating
from graphsvc.web import dashboard
from graphsvc.web import curate_page, error_pages, front_page, site_pages


def create_app(settings: Settings, store: GraphStore | None = None) -> FastAPI:
    """An app serving `store`, or the store the settings name (loaded from data/ if needed)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What the service has built by now (modules, the project's vocabulary and shapes) lives
        # as long as it does: out of the collector's way, so that a full collection walks only
        # what requests make.
        gc.freeze()
        yield
        stop_workers = getattr(app.state.store, "stop_workers", None)
        if stop_workers is not None:
            stop_workers()  # the query worker processes end with the service

    app = FastAPI(
        lifespan=lifespan,
        title="India Digital Diplomacy Knowledge Graph",
        version=__version__,
        description="SPARQL endpoint, dashboard API and Linked Data for India's digital diplomacy.",
        docs_url=None,  # graphsvc.web.api_docs serves /docs from the installed project, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings)
    if isinstance(app.state.store, OxigraphStore):
        app.state.store.prepare_workers()  # before any request: no other thread uses the store yet
        if settings.memory_replica:
            app.state.store.start_replica()  # reads move to memory once the copy is complete
    http_limits.install(app, settings)  # body limit (413), HEAD as GET, OPTIONS; inside CORS
    http_errors.install(app, settings.cors_origins)  # CORS (refused preflights in JSON), JSON 404 and 405
    error_pages.install(app)  # browsers get JSON errors as HTML pages (programs keep the JSON)
    request_log.install(app, settings)  # outermost: sees every answer, refuses tokens in URLs (400)
    api_docs.install(app)  # Swagger UI under /static/swagger-ui
    query_editor.install(app)  # YASGUI under /static/yasgui and /static/editor
    templating.install(app)  # the pages' shared stylesheet and scripts under /static/site
    dashboard.install(app)  # /dashboard, its drawing libraries under /static/<library>
    app.include_router(source_routes.router)  # /sources: JSON and HTML (before site_pages, which also has a page there)
    app.include_router(curation_routes.router)  # /sources/<id>/draft, /check, /review (write token)
    curate_page.install(app)  # /curate and /curate/<id>: the curator's review pages
    site_pages.install(app, ontology_page=ontology.ontology_html)  # /search, and the pages' links to /ontology
    app.include_router(sparql.router)
    app.include_router(ontology.router)
    named_queries.install(app)
    app.include_router(linked_data.router)
    app.include_router(graphs.router)
    app.include_router(health.router)

    @app.get("/", summary="What this service offers (JSON; browsers get the front page)", response_model=None)
    def index(request: Request) -> Response:
        if templating.wants_html(request):
            return front_page.front_page(request)
        base = settings.public_url  # GRAPHSVC_PUBLIC_URL, or relative links: never the Host header
        return JSONResponse({
            "name": app.title,
            "version": __version__,
            "sparql": f"{base}/sparql",
            "ontology": f"{base}/ontology",
            "prefixes": f"{base}/prefixes",
            "stats": f"{base}/api/stats",
            "api": f"{base}/api",
            "docs": f"{base}/docs",
            "reads": getattr(app.state.store, "reads_from", "remote SPARQL server"),
        }, headers={"Vary": "Accept"})

    @app.get("/api/stats", summary="Coverage report: things per class and per source, share with evidence",
             responses={304: {"description": "Not modified: the If-None-Match ETag is still current."},
                        503: {"description": "The report's first computation is not done yet (Retry-After)."}})
    def stats(request: Request) -> Response:
        """Computed once per data version in the background (graphsvc.aggregates)."""
        served = latest_report(app.state.store, settings)
        etag = aggregates.etag_of("coverage-report", served.version)
        headers = {"ETag": etag, "Cache-Control": named_queries.CACHE_CONTROL, **aggregates.version_headers(served)}
        if named_queries.etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return JSONResponse({**served.value, "dataVersion": served.version}, headers=headers)

    @app.get("/prefixes", summary="Prefixes of the vocabulary, for query editors")
    def list_prefixes() -> dict[str, str]:
        return prefixes()

    @app.exception_handler(BackendUnavailable)
    async def backend_down(request: Request, exc: BackendUnavailable) -> JSONResponse:
        return error_response(502, str(exc))

    @app.exception_handler(BackendTimeout)
    async def backend_slow(request: Request, exc: BackendTimeout) -> JSONResponse:
        return error_response(504, str(exc))

    @app.exception_handler(BudgetExceeded)
    async def over_budget(request: Request, exc: BudgetExceeded) -> JSONResponse:
        return budget_response(exc)

    return app
