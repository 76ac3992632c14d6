"""The dashboard at GET /dashboard: India's partners, the timeline of instruments and events, and
the technology areas, drawn in the browser from the public JSON API alone.

The page (`templates/dashboard.html`), its stylesheet (`site/dashboard.css`) and its script
(`site/dashboard.js`, an ES module with one module per view in `site/dashboard/`) only call
`/api/<named query>` and `/prefixes`, so whatever the page shows a dashboard developer can fetch too. The drawing libraries come from npm (pinned by
`web/package-lock.json`); `scripts/install` copies their built files into `ASSETS_DIR` (ignored by
git), served here under /static/<library>. Nothing is fetched from a CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from graphsvc.web.templating import render

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
# Each library's folder under ASSETS_DIR (and URL under /static/) and the files the page loads.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "cytoscape": ("cytoscape.min.js",),
    "vis-timeline": ("vis-timeline-graph2d.min.js",),
    "chartjs": ("chart.umd.min.js",),
}


def missing_assets() -> list[str]:
    """The library files the page needs that are not installed, as paths under ASSETS_DIR."""
    return [f"{library}/{name}" for library, names in LIBRARIES.items() for name in names
            if not (ASSETS_DIR / library / name).is_file()]


def dashboard_page(request: Request) -> HTMLResponse:
    """The dashboard, or a page saying how to install its libraries when their files are missing."""
    missing = missing_assets()
    context = {"missing": missing, "assets_dir": str(ASSETS_DIR),
               "libraries": [f"{library}/{name}" for library, names in LIBRARIES.items() for name in names]}
    return render(request, "dashboard.html", context, status_code=503 if missing else 200)


def install(app: FastAPI) -> None:
    """Serve the drawing libraries under /static/<library> and the page at /dashboard."""
    for library in LIBRARIES:
        app.mount(f"/static/{library}", StaticFiles(directory=ASSETS_DIR / library, check_dir=False),
                  name=f"dashboard-{library}")
    app.add_api_route("/dashboard", dashboard_page, methods=["GET"], response_class=HTMLResponse,
                      summary="The dashboard (HTML for browsers)", include_in_schema=False)
