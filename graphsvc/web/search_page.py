"""/search?q=: labels in every language, for browsers; programs are sent to GET /api/search.

The page runs the named query `search` (queries/search.rq) with the request's values, as
GET /api/search does, and links to that answer as JSON and CSV.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graphsvc.web import templating
from graphsvc.web.front_page import SEARCH_LANGUAGES
from graphsvc.web.named_answers import PageAnswer, answer
from graphsvc.web.ontology_links import ontology_links
from graphsvc.web.terms import Linker

QUERY = "search"
PAGE_SIZE = 25
FORM_FIELDS = ("q", "lang", "offset")


def search(request: Request) -> Response:
    """The results page for a browser; a program gets 307 to the same search on the JSON API."""
    if not templating.wants_html(request):
        query_string = request.url.query
        return RedirectResponse(f"{templating.root_of(request)}/api/{QUERY}" + (f"?{query_string}" if query_string else ""),
                                status_code=307, headers={"Vary": "Accept"})
    return results_page(request)


def results_page(request: Request) -> HTMLResponse:
    values = {name: request.query_params.get(name, "") for name in FORM_FIELDS}
    text, lang = values["q"].strip(), values["lang"].strip()
    found: PageAnswer | None = None
    status = 200
    if text:
        given = {"q": text, **({"lang": lang} if lang else {}), **({"offset": values["offset"]} if values["offset"] else {})}
        found = answer(request, QUERY, given, limit=PAGE_SIZE)
        if found.problem is not None:
            status = 422  # what was wrong with the request is on the page
    linker = Linker(ontology_links(request), templating.root_of(request))
    offset = _offset(values["offset"])
    context = {"query": text, "lang": lang, "languages": SEARCH_LANGUAGES, "found": found, "linker": linker,
               "offset": offset, "page_size": PAGE_SIZE,
               "previous": _page_url(request, text, lang, max(0, offset - PAGE_SIZE)) if offset > 0 else None,
               "next": _page_url(request, text, lang, offset + PAGE_SIZE) if found is not None and found.more else None}
    return templating.render(request, "search.html", context, status_code=status, headers={"Vary": "Accept"})


def _offset(raw: str) -> int:
    return int(raw) if raw.strip().isdigit() else 0


def _page_url(request: Request, text: str, lang: str, offset: int) -> str:
    pairs = [("q", text)] + ([("lang", lang)] if lang else []) + ([("offset", str(offset))] if offset else [])
    return f"{templating.root_of(request)}/search?{urlencode(pairs)}"
