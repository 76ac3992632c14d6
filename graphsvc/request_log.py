"""Structured request logs, and the refusal of tokens sent in a URL.

Every HTTP request is logged when it ends, as one JSON line at INFO on the logger
`graphsvc.access` (whose level, unless set, follows uvicorn's access log and so `--log-level`):
time, method, path (never the query string), status, duration in ms, response bytes, the client's
address and, for `/sparql` and `/api/...`, `query_hash`: a short SHA-256 of the SPARQL text (of
the `query` or `update` parameter, or of a `application/sparql-query` / `-update` body) or, for a
named query, of its name and parameters. Equal queries get equal hashes, so slow or frequent ones
can be found, while the text itself, which may hold anything, stays out of the log.

A request whose query string carries a credential (a parameter named like `token`, `access_token`
or `bearer`, or any value equal to a configured write token) is refused with 400 before the
application sees it: tokens go in the `Authorization` header, and a URL ends up in histories,
proxies and logs. Its URL is not logged either.

The middleware replaces uvicorn's own access log, which prints the query string as it came.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
import time
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, MutableMapping
from urllib.parse import parse_qsl

from fastapi import FastAPI

from graphsvc.api.errors import error_response
from graphsvc.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ACCESS_LOG = logging.getLogger("graphsvc.access")
# Query-string parameters that name a credential (compared without case, `-` read as `_`).
SECRET_PARAMETERS = frozenset({
    "token", "access_token", "accesstoken", "bearer", "bearer_token", "auth", "auth_token", "authorization",
    "api_key", "apikey", "id_token", "refresh_token", "password", "passwd", "secret", "client_secret",
})
_QUERY_TYPES = (b"application/sparql-query", b"application/sparql-update")
_FORM_TYPE = b"application/x-www-form-urlencoded"
_MAX_HASHED_BODY = 4 * 1024 * 1024  # a larger body is refused by the body limit anyway
_MAX_PATH = 2048


def query_hash(text: str | bytes) -> str:
    """A short, stable fingerprint of a query's text."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:16]


def secret_in_query(query_string: bytes, tokens: list[str]) -> str | None:
    """The name of the query-string parameter that carries a credential, if one does."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    for name, value in pairs:
        if name.strip().lower().replace("-", "_") in SECRET_PARAMETERS:
            return name
        candidate = value.strip().encode()
        if candidate and any(hmac.compare_digest(candidate, token.encode()) for token in tokens):
            return name
    return None


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return b""


class _BodyDigest:
    """Collects what a request body says of its query, as the application reads it."""

    def __init__(self, content_type: bytes) -> None:
        self.kind = content_type.split(b";")[0].strip().lower()
        self.chunks: list[bytes] = []
        self.size = 0

    @property
    def wanted(self) -> bool:
        return self.kind in _QUERY_TYPES or self.kind == _FORM_TYPE

    def add(self, chunk: bytes) -> None:
        if self.size + len(chunk) <= _MAX_HASHED_BODY:
            self.chunks.append(chunk)
        self.size += len(chunk)

    def text(self) -> bytes | None:
        if not self.chunks or self.size > _MAX_HASHED_BODY:
            return None
        body = b"".join(self.chunks)
        if self.kind in _QUERY_TYPES:
            return body
        fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        found = fields.get("query", fields.get("update"))
        return found.encode("utf-8") if found is not None else None


def _query_text(path: str, query_string: bytes, body: _BodyDigest | None) -> bytes | None:
    """What `query_hash` is taken of for this request, if anything."""
    if path == "/sparql" or path.startswith("/sparql/"):
        fields = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
        found = fields.get("query", fields.get("update"))
        if found is not None:
            return found.encode("utf-8", errors="replace")
        return body.text() if body is not None else None
    if path.startswith("/api/"):
        pairs = sorted(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
        return json.dumps([path, pairs]).encode("utf-8")
    return None


class AccessLogMiddleware:
    """Logs each request as a JSON line, and refuses credentials in the query string (400)."""

    def __init__(self, app: ASGIApp, settings: Settings, logger: logging.Logger = ACCESS_LOG) -> None:
        self.app = app
        self.tokens = [token for _agent, token in settings.write_tokens]
        self.logger = logger

    def _known_tokens(self, scope: Scope) -> list[str]:
        local = getattr(getattr(scope.get("app"), "state", None), "local_token", None)
        return [*self.tokens, local] if isinstance(local, str) and local else self.tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = str(scope.get("path", ""))
        query_string = bytes(scope.get("query_string", b""))
        outcome: dict[str, int] = {"status": 500, "bytes": 0}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = int(message["status"])
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        secret = secret_in_query(query_string, self._known_tokens(scope)) if query_string else None
        if secret is not None:
            refusal = error_response(400, f"a credential may not be sent in the URL (parameter {secret!r}): "
                                          "send it in an 'Authorization: Bearer <token>' header", parameter=secret)
            await refusal(scope, receive, sending)
            self._log(scope, path, outcome, started, None)
            return

        body = _BodyDigest(_header(scope, b"content-type")) if path.startswith("/sparql") else None

        async def receiving() -> Message:
            message = await receive()
            if body is not None and body.wanted and message["type"] == "http.request":
                body.add(message.get("body", b""))
            return message

        try:
            await self.app(scope, receiving, sending)
        finally:
            text = _query_text(path, query_string, body)
            self._log(scope, path, outcome, started, query_hash(text) if text is not None else None)

    def _enabled(self) -> bool:
        """INFO on the logger when its level is set, else as uvicorn's access log would be (its
        level follows `graphsvc serve --log-level`)."""
        if self.logger.level != logging.NOTSET:
            return self.logger.isEnabledFor(logging.INFO)
        return logging.getLogger("uvicorn.access").isEnabledFor(logging.INFO)

    def _log(self, scope: Scope, path: str, outcome: dict[str, int], started: float, hashed: str | None) -> None:
        if not self._enabled():
            return
        client = scope.get("client")
        entry: dict[str, Any] = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "method": scope.get("method"),
            "path": path[:_MAX_PATH],
            "status": outcome["status"],
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "bytes": outcome["bytes"],
            "client": client[0] if client else None,
        }
        if hashed is not None:
            entry["query_hash"] = hashed
        self.logger.info(json.dumps(entry, ensure_ascii=False))


def install(app: FastAPI, settings: Settings) -> None:
    """Log every request (outermost: add it after the other middlewares). Unless logging has been
    set up for `graphsvc.access` already, its lines go to standard error as they are."""
    if not ACCESS_LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        ACCESS_LOG.addHandler(handler)
        ACCESS_LOG.propagate = False
    app.add_middleware(AccessLogMiddleware, settings=settings)
