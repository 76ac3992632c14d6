"""The query editor at GET /sparql for browsers: YASGUI, served from the installed project.

YASGUI (`@zazuko/yasgui`) comes from npm: `web/package.json` and `web/package-lock.json` pin it,
and `scripts/install` runs `npm ci` in `web/` and copies its built files into `ASSETS_DIR`
(ignored by git), served under /static/yasgui. Our own page and its small configuration script
live in `graphsvc/web/editor/`, served under /static/editor. Nothing is fetched from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from graphsvc.catalog import catalog
from graphsvc.named_params import bind_query, read_params

HERE = Path(__file__).resolve().parent
EDITOR_DIR = HERE / "editor"
EDITOR_PAGE = EDITOR_DIR / "editor.html"
ASSETS_DIR = HERE / "assets" / "yasgui"
ASSET_FILES = ("yasgui.min.js", "yasgui.min.css")

MISSING_ASSETS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SPARQL query editor: not installed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
<h1>The query editor is not installed</h1>
<p>The SPARQL endpoint works (send queries to this URL with <code>query=</code>), but the browser
editor's files (YASGUI, from npm) are missing from <code>{assets}</code>.</p>
<p>Install them with <code>scripts/install</code> (it runs <code>npm ci</code> in <code>web/</code> and copies
YASGUI's built files there), then reload this page.</p>
</main></body></html>
"""


def assets_installed() -> bool:
    return all((ASSETS_DIR / name).is_file() for name in ASSET_FILES)


def editor_response() -> Response:
    """The editor page, or a page saying how to install YASGUI when its files are missing."""
    headers = {"Vary": "Accept"}
    if not assets_installed():
        return HTMLResponse(MISSING_ASSETS_PAGE.format(assets=ASSETS_DIR), status_code=503, headers=headers)
    return FileResponse(EDITOR_PAGE, media_type="text/html; charset=utf-8", headers=headers)


def install(app: FastAPI) -> None:
    """Serve YASGUI's files under /static/yasgui and the editor's own under /static/editor."""
    app.mount("/static/yasgui", StaticFiles(directory=ASSETS_DIR, check_dir=False), name="yasgui")
    app.mount("/static/editor", StaticFiles(directory=EDITOR_DIR), name="query-editor")


def runnable_examples() -> list[dict[str, Any]]:
    """Each named query as an example that runs as it reads.

    Every parameter is bound to its declared example value (or its default) through the
    catalog's own binding (`bind_query`): the `# @if-bound` blocks are kept, the VALUES rows
    hold the values, and a paginated query gets its default LIMIT. The text is what
    `GET /api/<name>` runs for those values. `template` is the file as written."""
    found = []
    for query in catalog().values():
        given = {p.name: [p.example or p.default] for p in query.params if (p.example or p.default)}
        bound = read_params(query, given)
        lines = [f"# The named query `{query.name}` (GET /api/{query.name}), with its parameters bound"]
        if given:
            lines.append("# to their example values in the VALUES rows below: "
                         + ", ".join(f"{name} = {values[0]}" for name, values in given.items()))
        found.append({
            "name": query.name,
            "title": query.title,
            "description": query.description,
            "query": "\n".join(lines) + "\n" + bind_query(query, bound, extra_row=False),
            "parameters": {name: values[0] for name, values in given.items()},
            "template": query.text,
        })
    return found
