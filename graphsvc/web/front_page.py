"""The front page for browsers at `/`: what the graph holds, and the way to everything else.

It reads the coverage report (graphsvc.stats: things per class, evidence per source, the share
of statements with evidence), the aggregate /api/stats serves, computed once per data version in
the background; while its first computation runs the page says so instead of waiting.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from graphsvc.answers import BudgetExceeded
from graphsvc.stats import latest_report
from graphsvc.web import templating
from graphsvc.web.ontology_links import ontology_links
from graphsvc.web.terms import Linker

SEARCH_LANGUAGES = (("", "any language"), ("en", "English"), ("fr", "French"), ("ja", "Japanese"), ("hi", "Hindi"))
DESTINATIONS = (
    ("Dashboard", "/dashboard", "India's partners as a network, the timeline of instruments and events, technology areas."),
    ("Query editor", "/sparql", "Write SPARQL against the graph, starting from the named queries as examples."),
    ("Ontology", "/ontology", "The classes, properties and controlled vocabularies the graph is described in."),
    ("API documentation", "/docs", "Every named query as GET /api/<name>, with its parameters, as JSON or CSV."),
    ("Sources", "/sources", "The documents the graph is built from, and how much of it each supports."),
)


def coverage(request: Request) -> tuple[dict[str, Any] | None, str | None, bool, str | None]:
    """The coverage report, its data version, whether the store has moved on since, or why it is missing."""
    try:
        served = latest_report(request.app.state.store, request.app.state.settings)
    except BudgetExceeded as exc:
        return None, None, False, str(exc)
    return served.value, served.version, served.stale, None


def _report_context(request: Request) -> dict[str, Any]:
    report, version, stale, problem = coverage(request)
    linker = Linker(ontology_links(request), templating.root_of(request))
    classes = [{"term": linker.iri(row["class"], row.get("classLabel")), "count": row["count"]}
               for row in (report or {}).get("classes", [])]
    sources = [{"term": linker.iri(row["source"], row.get("title")), "evidence": row.get("evidenceRecords"),
                "things": row.get("thingsSupported")} for row in (report or {}).get("sources", [])]
    evidence = (report or {}).get("evidence") or {}
    return {"report": report, "version": version, "stale": stale, "problem": problem, "classes": classes,
            "sources": sources, "evidence": evidence, "quads": (report or {}).get("quads")}


def front_page(request: Request) -> HTMLResponse:
    """`/` for a browser."""
    context = {**_report_context(request), "languages": SEARCH_LANGUAGES, "destinations": DESTINATIONS}
    return templating.render(request, "index.html", context, headers={"Vary": "Accept"})

