"""The FastAPI application: routers over one store, chosen by the settings."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from graphsvc import __version__
from graphsvc.api import graphs, linked_data, named_queries, ontology, sparql
from graphsvc.answers import BackendTimeout, BackendUnavailable
from graphsvc.api.errors import error_response
from graphsvc.config import Settings
from graphsvc.stats import coverage_report
from graphsvc.store import GraphStore, OxigraphStore, open_store
from graphsvc.vocabulary import prefixes


STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def create_app(settings: Settings, store: GraphStore | None = None) -> FastAPI:
    """An app serving `store`, or the store the settings name (loaded from data/ if needed)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        stop_workers = getattr(app.state.store, "stop_workers", None)
        if stop_workers is not None:
            stop_workers()  # the query worker processes end with the service

    app = FastAPI(
        lifespan=lifespan,
        title="India Digital Diplomacy Knowledge Graph",
        version=__version__,
        description="SPARQL endpoint, dashboard API and Linked Data for India's digital diplomacy.",
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings)
    if isinstance(app.state.store, OxigraphStore):
        app.state.store.prepare_workers()  # before any request: no other thread uses the store yet
        if settings.memory_replica:
            app.state.store.start_replica()  # reads move to memory once the copy is complete
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type", "If-None-Match"],
            expose_headers=["ETag", "Link", "X-Result-Truncated"],
        )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(sparql.router)
    app.include_router(ontology.router)
    named_queries.install(app)
    app.include_router(linked_data.router)
    app.include_router(graphs.router)

    @app.get("/", summary="What this service offers")
    def index(request: Request) -> dict[str, object]:
        base = str(request.base_url).rstrip("/")
        return {
            "name": app.title,
            "version": __version__,
            "sparql": f"{base}/sparql",
            "ontology": f"{base}/ontology",
            "prefixes": f"{base}/prefixes",
            "stats": f"{base}/api/stats",
            "api": f"{base}/api",
            "docs": f"{base}/docs",
            "reads": getattr(app.state.store, "reads_from", "remote SPARQL server"),
        }

    @app.get("/api/stats", summary="Coverage report: things per class and per source, share with evidence")
    def stats() -> dict[str, object]:
        return coverage_report(app.state.store)

    @app.get("/prefixes", summary="Prefixes of the vocabulary, for query editors")
    def list_prefixes() -> dict[str, str]:
        return prefixes()

    @app.exception_handler(BackendUnavailable)
    async def backend_down(request: Request, exc: BackendUnavailable) -> JSONResponse:
        return error_response(502, str(exc))

    @app.exception_handler(BackendTimeout)
    async def backend_slow(request: Request, exc: BackendTimeout) -> JSONResponse:
        return error_response(504, str(exc))

    return app
