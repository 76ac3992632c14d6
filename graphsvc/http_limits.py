"""Bounds on one HTTP request, each refusal a JSON error, and the methods every resource answers.

Two layers share the limits. The ASGI middlewares see whole requests: `BodyLimitMiddleware` refuses
bodies over the limit (413), `HeadAsGetMiddleware` answers HEAD wherever GET works, and
`AllowedMethodsMiddleware` answers OPTIONS (and corrects the `Allow` of a 405) with every method
of the path. `LimitedHttpToolsProtocol`, given to uvicorn as its HTTP protocol, sees the bytes as
they arrive: it refuses an over-long URL (414), over-large headers (431) and anything the parser
rejects (400) before the application is involved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, ClassVar, MutableMapping

import httptools
from fastapi import FastAPI
from starlette.responses import Response
from starlette.routing import Match, Router
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from graphsvc.api.errors import error_response
from graphsvc.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATHS = frozenset({"/graphs", "/validate", "/sources"})  # RDF uploads (graphsvc/api/graphs.py), source texts
HTTPTOOLS_MAX_URL_BYTES = 65_535  # httptools.parse_url keeps offsets in 16 bits and rejects longer URLs
REQUEST_LINE_ALLOWANCE = 32  # method, spaces, "HTTP/1.1" and line ends around the URL
PROBED_METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")  # the order they are listed in `Allow`


@dataclass(frozen=True)
class RequestLimits:
    """How large one request may be, in bytes."""

    body_bytes: int = 1024 * 1024
    upload_body_bytes: int = 16 * 1024 * 1024
    url_bytes: int = 16_384
    header_bytes: int = 16_384
    upload_setting: str = "GRAPHSVC_MAX_UPLOAD_BYTES"  # the setting that raises upload_body_bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> "RequestLimits":
        """Uploads may be as large as the larger of the two body settings; the URL stays within httptools'."""
        uploads_larger = settings.max_upload_bytes > settings.max_request_bytes
        return cls(
            body_bytes=settings.max_request_bytes,
            upload_body_bytes=max(settings.max_request_bytes, settings.max_upload_bytes),
            url_bytes=min(settings.max_url_bytes, HTTPTOOLS_MAX_URL_BYTES),
            header_bytes=settings.max_header_bytes,
            upload_setting="GRAPHSVC_MAX_UPLOAD_BYTES" if uploads_larger else "GRAPHSVC_MAX_REQUEST_BYTES",
        )

    @property
    def head_bytes(self) -> int:
        """The whole request line and headers: what h11 may buffer before it gives up."""
        return self.url_bytes + self.header_bytes + REQUEST_LINE_ALLOWANCE

    def body_limit(self, path: str) -> tuple[int, str]:
        """The body limit for a path, and the setting that raises it."""
        if path.rstrip("/") in UPLOAD_PATHS:
            return self.upload_body_bytes, self.upload_setting
        return self.body_bytes, "GRAPHSVC_MAX_REQUEST_BYTES"


def install(app: FastAPI, settings: Settings) -> None:
    """Add the request limits and the HEAD and OPTIONS handling to the app (the body limit outermost)."""
    app.add_middleware(AllowedMethodsMiddleware, router=app.router)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(BodyLimitMiddleware, limits=RequestLimits.from_settings(settings))


# --- the body: an ASGI middleware ---------------------------------------------------------------

class BodyTooLarge(Exception):
    """Raised into the application when the body it is reading passes the limit."""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def _too_large(message: str) -> Response:
    response = error_response(413, message)
    response.headers["Connection"] = "close"  # the rest of the body is never read
    return response


class BodyLimitMiddleware:
    """Refuses a body over the limit with a JSON 413: at once from Content-Length, else when the stream passes it."""

    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.limits.body_limit(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            message = (f"the request body of {declared} bytes is over the limit of {limit} bytes; "
                       f"send less, or ask the operator to raise {setting}")
            await _too_large(message)(scope, receive, send)
            return
        guard = _BodyGuard(scope, receive, send, limit, setting)
        try:
            await self.app(scope, guard.receive, guard.send)
        except Exception:
            if not guard.refused:
                raise  # the application's own failure; after a refusal, any failure is its consequence


class _BodyGuard:
    """receive/send for one request: counts the body, answers 413 when it passes the limit."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int, setting: str) -> None:
        self.scope, self._receive, self._send = scope, receive, send
        self.limit, self.setting = limit, setting
        self.received = 0
        self.refused = False
        self.response_started = False

    async def receive(self) -> Message:
        if self.refused:
            raise BodyTooLarge(f"request body over {self.limit} bytes")
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                await self._refuse()
        return message

    async def _refuse(self) -> None:
        self.refused = True
        if not self.response_started:
            text = (f"the request body is over the limit of {self.limit} bytes (reading stopped at "
                    f"{self.received}); send less, or ask the operator to raise {self.setting}")
            await _too_large(text)(self.scope, self._receive, self._send)
        raise BodyTooLarge(f"request body over {self.limit} bytes")

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the 413 has been sent: whatever the application answers now is dropped
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)


# --- HEAD and OPTIONS ----------------------------------------------------------------------------

class HeadAsGetMiddleware:
    """Answers HEAD by running GET and sending its status and headers without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # a copy: the server's own scope still says HEAD, so it writes no body either
        await self.app({**scope, "method": "GET"}, receive, send_without_body)


def _is_preflight(scope: Scope) -> bool:
    """A CORS preflight: the CORS middleware's to answer, not ours."""
    names = {name for name, _ in scope.get("headers", [])}
    return b"origin" in names and b"access-control-request-method" in names


class AllowedMethodsMiddleware:
    """OPTIONS lists in `Allow` every method some route of the path accepts; a 405 gets the same list."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    def allowed(self, scope: Scope) -> str | None:
        """The methods of the path (HEAD wherever GET, and OPTIONS), or None if a route decides for itself."""
        def served(method: str) -> bool:
            probe = {**scope, "method": method}
            return any(route.matches(probe)[0] == Match.FULL for route in self.router.routes)

        if served("NO-SUCH-METHOD"):
            return None  # a mount or an endpoint class takes any method and answers for itself
        methods = [method for method in PROBED_METHODS if served(method)]
        if not methods:
            return None
        if "GET" in methods:
            methods.insert(1, "HEAD")
        return ", ".join([*methods, "OPTIONS"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and not _is_preflight(scope):
            allow = self.allowed(scope)
            if allow is not None:
                await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
                return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = self.allowed(scope)
                if allow is not None:
                    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    message = {**message, "headers": [*kept, (b"allow", allow.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_allow)


# --- the request line and headers: uvicorn's httptools protocol ----------------------------------

class _StopParsing(Exception):
    """Raised in a parser callback to end parsing; httptools re-raises it as HttpParserCallbackError."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering a JSON 414, 431 or 400 and closing when a request head is refused.

    The URL is counted as httptools delivers it (`on_url`, piece by piece). httptools hands a header
    over only once it is complete, so the raw bytes of an unfinished head are counted as well: one
    endless header is refused after the limit plus at most one read, not buffered.
    """

    limits: ClassVar[RequestLimits] = RequestLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._url_bytes = 0
        self._header_bytes = 0
        self._head_bytes = 0  # raw bytes of the current request's unfinished head
        self._reading_head = False
        self._message_ended = False  # a message ended in the data being parsed (pipelining)
        self._refusal: tuple[int, str] | None = None

    # counting

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._url_bytes = self._header_bytes = self._head_bytes = 0
        self._reading_head = True

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._url_bytes += len(url)
        limit = self.limits.url_bytes
        if self._url_bytes > limit:
            self._stop(414, f"the URL is over the limit of {limit} bytes ({self._url_bytes} received); "
                            "send a long SPARQL query by POST, in the request body, not in the URL")

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._header_bytes += len(name) + len(value) + 4  # "name: value\r\n"
        self._check_headers(self._header_bytes)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._message_ended = True
        super().on_message_complete()

    def _check_headers(self, size: int) -> None:
        limit = self.limits.header_bytes
        if size > limit:
            self._stop(431, f"the request headers are over the limit of {limit} bytes in all ({size} received); "
                            "send fewer or shorter headers")

    def _stop(self, status: int, message: str) -> None:
        self._refusal = (status, message)
        raise _StopParsing(message)

    # parsing

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None or self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        self._message_ended = False
        try:
            self.parser.feed_data(data)
            if self._reading_head and not self._message_ended:
                self._head_bytes += len(data)  # all of it is head: the head has not ended
                self._check_headers(self._head_bytes - self._url_bytes - REQUEST_LINE_ALLOWANCE)
        except _StopParsing:
            self._refuse()
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError as exc:
            if self._refusal is None:
                detail = exc.__context__ or exc  # a callback's own error, if one failed
                self._refusal = (400, f"the request is not valid HTTP/1.1 ({detail}); "
                                      "check the request line and the headers")
            self._refuse()

    def _refuse(self) -> None:
        """Answer the refusal now, or after the responses to earlier pipelined requests."""
        self.flow.pause_reading()
        busy = (self.cycle is not None and not self.cycle.response_complete) or self.pipeline
        if not busy:
            self._send_refusal()

    def on_response_complete(self) -> None:
        if self._refusal is not None and not self.pipeline:
            self.server_state.total_requests += 1
            self._send_refusal()
            return
        super().on_response_complete()

    def _send_refusal(self) -> None:
        assert self._refusal is not None
        if self.transport.is_closing():
            return
        status, message = self._refusal
        self.logger.warning("Refused a request (%d): %s", status, message)
        body = json.dumps({"error": message}, separators=(",", ":")).encode("utf-8")  # as JSONResponse writes it
        head = [STATUS_LINE[status]]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: application/json\r\n",
                 b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                 b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def limited_http_protocol(limits: RequestLimits) -> type[LimitedHttpToolsProtocol]:
    """The protocol class for `uvicorn.run(http=...)`, bound to these limits."""
    return type("BoundLimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"limits": limits})
