"""HTML pages for browsers: Jinja2 templates in `graphsvc/web/templates/`, one shared layout.

Every page extends `base.html` (navigation, search box, the site's stylesheet under /static/site).
Links are relative to the service's root (`root` in the context: GRAPHSVC_PUBLIC_URL or ""), so a
page never copies the Host header into what it shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
SITE_DIR = HERE / "site"
SITE_URL = "/static/site"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

NAVIGATION = (
    ("Home", "/"),
    ("Dashboard", "/dashboard"),
    ("Query", "/sparql"),
    ("Ontology", "/ontology"),
    ("Sources", "/sources"),
    ("Curate", "/curate"),
    ("API", "/docs"),
)


def wants_html(request: Request) -> bool:
    """True when the client prefers HTML to JSON (a browser), by its Accept header."""
    accept = request.headers.get("accept", "")
    if "text/html" not in accept:
        return False
    html_at = accept.find("text/html")
    json_at = accept.find("application/json")
    return json_at < 0 or html_at < json_at


def root_of(request: Request) -> str:
    """The prefix of the site's links: GRAPHSVC_PUBLIC_URL, or "" for links relative to the host."""
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "public_url", "") if settings is not None else ""


def render(request: Request, template: str, context: Mapping[str, Any] | None = None,
           status_code: int = 200, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """`template` rendered in the shared layout."""
    root = root_of(request)
    values = {"request": request, "root": root, "navigation": NAVIGATION, "site": f"{root}{SITE_URL}",
              "current": request.url.path, **(context or {})}
    return templates.TemplateResponse(request, template, values, status_code=status_code,
                                      headers=dict(headers or {}))


def install(app: FastAPI) -> None:
    """Serve the site's own stylesheet and scripts under /static/site."""
    app.mount(SITE_URL, StaticFiles(directory=SITE_DIR), name="site")
