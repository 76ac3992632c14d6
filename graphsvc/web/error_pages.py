"""Error pages for browsers: a JSON error becomes an HTML page in the site's layout.

Every part of the service answers a failure as JSON (`{"error": ...}`, or FastAPI's
`{"detail": ...}`), and programs keep getting exactly that. For a browser (graphsvc.web.templating.
wants_html) the middleware renders the same message, and where it applies (the parameter, the
line and column) as a page with the same status and headers. A 404 for an unknown /id/<name>
suggests things whose labels match the name's words (the named query `search`). An exception
nothing handled becomes a 500 page for a browser (and is raised on, to be logged as before).
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any, Awaitable, Callable, MutableMapping

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from graphsvc.web import templating
from graphsvc.web.named_answers import answer
from graphsvc.web.ontology_links import ontology_links
from graphsvc.web.terms import Linker, TermView

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PAGE_METHODS = frozenset({"GET", "POST"})  # what a browser sends when it navigates or submits a form
KEPT_HEADERS = frozenset({b"allow", b"retry-after", b"x-data-version"})
MAX_ERROR_BODY = 64 * 1024  # larger error bodies are passed on as they are
MAX_SUGGESTIONS = 10
_WORDS = re.compile(r"[^\W_]+")
TITLES = {404: "Not found", 405: "Method not allowed", 500: "Something went wrong"}


def _message_of(body: bytes) -> tuple[str, dict[str, str]]:
    """The error's message and where it applies, from the JSON body (the text itself otherwise)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.decode("utf-8", "replace")[:2000], {}
    if not isinstance(data, dict):
        return str(data), {}
    message = data.get("error", data.get("detail", ""))
    if not isinstance(message, str):  # FastAPI's validation errors: a list of {loc, msg}
        message = "; ".join(f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
                            if isinstance(item, dict) else str(item) for item in (message or []))
    details = {key: (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
               for key, value in data.items() if key not in ("error", "detail") and value is not None}
    return message, details


def suggestions(request: Request, name: str) -> list[TermView]:
    """Things whose labels contain the words of `name`: the whole phrase if any label does, else
    each word (and its first three letters, for a misspelt end), the things matching the most
    words first, then those whose matching label is shortest (closest to the word itself)."""
    words = [w.lower() for w in _WORDS.findall(name)]
    linker = Linker(ontology_links(request), templating.root_of(request))
    phrase = " ".join(words)
    found = _matches(request, [phrase] if len(phrase) >= 2 else [])
    if not found:
        parts = [w for w in words if len(w) >= 3] + [w[:3] for w in words if len(w) >= 4]
        found = _matches(request, list(dict.fromkeys(parts)))
    ranked = sorted(found.values(), key=lambda f: (-f[1], f[2]))
    return [linker.value(thing) for thing, _words, _length in ranked[:MAX_SUGGESTIONS]]


def _matches(request: Request, phrases: list[str]) -> dict[str, tuple[dict[str, Any], int, int]]:
    """IRI -> (the thing, how many of `phrases` its labels contain, the shortest matching label)."""
    found: dict[str, tuple[dict[str, Any], int, int]] = {}
    for phrase in phrases:
        for item in answer(request, "search", {"q": phrase}, limit=MAX_SUGGESTIONS).items:
            thing, match = item.get("thing") or {}, str(item.get("match") or "")
            if "iri" not in thing:
                continue
            known = found.get(thing["iri"])
            found[thing["iri"]] = (thing, (known[1] if known else 0) + 1, min(len(match), known[2] if known else 10**6))
    return found


def error_page(request: Request, status: int, message: str, details: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """The page for an error `status` with its message (run off the event loop: it may query)."""
    path = request.url.path
    unknown_thing = status == 404 and path.startswith("/id/")
    name = path[len("/id/"):] if unknown_thing else ""
    context = {
        "status": status,
        "heading": TITLES.get(status) or _phrase(status),
        "message": message,
        "details": details or {},
        "path": path,
        "unknown_thing": unknown_thing,
        "suggestions": suggestions(request, name) if unknown_thing else [],
        "query": " ".join(_WORDS.findall(name)) if unknown_thing else "",
        "allow": (headers or {}).get("allow"),
    }
    return templating.render(request, "error.html", context, status_code=status,
                             headers={**(headers or {}), "Vary": "Accept", "Cache-Control": "no-store"})


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key.lower() == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


class HtmlErrorPages:
    """ASGI middleware: JSON errors answered to browsers become HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in PAGE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not templating.wants_html(request):
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                if int(message["status"]) >= 400 and _is_json(headers):
                    held.update(status=int(message["status"]), headers=headers, body=b"")
                    return
            elif message["type"] == "http.response.body" and held:
                held["body"] += message.get("body", b"")
                if message.get("more_body", False) and len(held["body"]) <= MAX_ERROR_BODY:
                    return
                await self._replace(request, held, message.get("more_body", False), send)
                held.clear()
                return
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if not started:
                page = await run_in_threadpool(error_page, request, 500,
                                               "The service failed to answer this request; the failure is logged.")
                await page(scope, receive, send)
            raise

    async def _replace(self, request: Request, held: dict[str, Any], more: bool, send: Send) -> None:
        if more:  # too large to be a plain error message: pass it on as it is
            await send({"type": "http.response.start", "status": held["status"], "headers": held["headers"]})
            await send({"type": "http.response.body", "body": held["body"], "more_body": True})
            return
        message, details = _message_of(held["body"])
        kept = {key.decode("latin-1"): value.decode("latin-1") for key, value in held["headers"]
                if key.lower() in KEPT_HEADERS}
        page = await run_in_threadpool(error_page, request, held["status"], message, details, kept)
        await send({"type": "http.response.start", "status": page.status_code, "headers": page.raw_headers})
        await send({"type": "http.response.body", "body": page.body, "more_body": False})


def install(app: FastAPI) -> None:
    """Add the middleware (install it inside the request log, so the log sees the page it sends)."""
    app.add_middleware(HtmlErrorPages)
