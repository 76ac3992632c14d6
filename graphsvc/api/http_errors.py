"""The refusals no route makes, in the service's one error shape (graphsvc.api.errors).

FastAPI answers a path no route serves (404) and a method a route does not take (405) with
`{"detail": "Not Found"}`; here they say what was asked and where to look instead. CORS preflights
that the policy refuses (an origin outside GRAPHSVC_CORS_ORIGINS, a method or header it does not
allow; every origin when none is configured) get a JSON 403 naming what was refused, instead of
Starlette's plain-text "Disallowed CORS origin" (or, with CORS off, a 405 for OPTIONS).
"""

from __future__ import annotations

from typing import Sequence

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from graphsvc.api.errors import error_response

CORS_METHODS = ("GET", "POST")  # writes are not made from other origins' pages
CORS_HEADERS = ("Accept", "Content-Type", "If-None-Match")
CORS_EXPOSED = ("ETag", "Link", "X-Result-Truncated", "X-Data-Version", "X-Data-Stale")


def install(app: FastAPI, cors_origins: Sequence[str]) -> None:
    """Add the handler for 404 and 405 and the CORS policy (which refuses preflights in JSON)."""
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_middleware(JsonCorsMiddleware, allow_origins=list(cors_origins), allow_methods=list(CORS_METHODS),
                       allow_headers=list(CORS_HEADERS), expose_headers=list(CORS_EXPOSED))


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """404 and 405 as `{"error": ..., "path": ...}`; other statuses keep their detail as the message."""
    path = request.url.path
    if exc.status_code == 404:
        message = f"there is nothing at {path}; GET / lists what this service offers"
    elif exc.status_code == 405:
        message = (f"{request.method} is not allowed on {path}; the Allow header lists the methods it "
                   f"answers")
    else:
        message = str(exc.detail)
    response = error_response(exc.status_code, message, path=path, method=request.method)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


class JsonCorsMiddleware(CORSMiddleware):
    """Starlette's CORS policy, with a refused preflight answered 403 in JSON, saying what was refused."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        origin = request_headers["origin"]
        method = request_headers["access-control-request-method"]
        reasons = []
        if not self.is_allowed_origin(origin=origin):
            reasons.append(f"the origin {origin} may not call this service from a browser"
                           f" (allowed origins: {', '.join(self.allow_origins) or 'none'}; GRAPHSVC_CORS_ORIGINS)")
        if method not in self.allow_methods:
            reasons.append(f"{method} may not be sent from another origin (only {', '.join(CORS_METHODS)}: "
                           f"writes need a bearer token and are not made from other sites' pages)")
        asked = [h.strip() for h in request_headers.get("access-control-request-headers", "").split(",") if h.strip()]
        refused = [h for h in asked if h.lower() not in self.allow_headers]
        if refused:
            reasons.append(f"the header(s) {', '.join(refused)} may not be sent from another origin")
        if not reasons:
            reasons.append(response.body.decode("utf-8", "replace"))  # a failure Starlette knows and we do not
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}
        return JSONResponse({"error": "CORS preflight refused: " + "; ".join(reasons), "origin": origin,
                             "method": method}, status_code=403, headers=kept)
