"""The site's own pages besides /docs, the query editor and the dashboard: the label search, and
the links from every page to the ontology's documentation. `/`, /id/<name> and /sources are
routes of graphsvc.api (they answer programs too) that render their HTML in graphsvc.web."""

from __future__ import annotations

from typing import Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response

from graphsvc.web import ontology_links
from graphsvc.web.search_page import search


def install(app: FastAPI, ontology_page: Callable[[], str]) -> None:
    """Add /search; link vocabulary terms to `ontology_page()` (the HTML of /ontology)."""
    ontology_links.install(app, ontology_page)

    @app.get("/search", include_in_schema=False)
    def search_labels(request: Request) -> Response:
        return search(request)

