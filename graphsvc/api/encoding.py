"""Answers sent compressed: a rendered answer of some size goes gzip-encoded to a client that
accepts it (browsers, requests, httpx, curl --compressed), compressed once and kept beside the
answer in the response cache, so a cached dashboard answer of megabytes costs its compressed bytes.

The compressed form is another representation of the same answer: its ETag carries a `-gzip`
suffix inside the quotes (RFC 9110 asks a different strong validator per content coding), and an
If-None-Match with either form matches (graphsvc.api.refreshing.etag_matches).
"""

from __future__ import annotations

from fastapi import Request, Response

from graphsvc.response_cache import CachedResponse

MIN_SIZE = 16 * 1024  # smaller bodies gain too little to be worth the client's decompression
VARY = "Accept, Accept-Encoding"
_SUFFIX = "-gzip"


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header admits gzip (by name or `*`, with a q-value above 0)."""
    if not header:
        return False
    offered: dict[str, float] = {}
    for part in header.split(","):
        name, *params = [p.strip() for p in part.split(";")]
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        offered[name.lower()] = weight
    if "gzip" in offered:
        return offered["gzip"] > 0
    return offered.get("*", 0.0) > 0


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip-encoded form of the answer whose ETag is `etag`."""
    return etag[:-1] + _SUFFIX + '"' if etag.endswith('"') else etag + _SUFFIX


def plain_etag(etag: str) -> str:
    """The ETag of the answer a (possibly gzip-encoded form's) ETag names."""
    return etag[: -len(_SUFFIX) - 1] + '"' if etag.endswith(_SUFFIX + '"') else etag


def respond(request: Request, rendered: CachedResponse, headers: dict[str, str]) -> Response:
    """The answer as a response with `headers` (and the answer's own), gzip-encoded when the
    client accepts it and the body is at least MIN_SIZE bytes."""
    merged = {**headers, **rendered.headers, "Vary": VARY}
    if len(rendered.body) < MIN_SIZE or not accepts_gzip(request.headers.get("accept-encoding")):
        return Response(rendered.body, media_type=rendered.media_type, headers=merged)
    merged["Content-Encoding"] = "gzip"
    if "ETag" in merged:
        merged["ETag"] = gzip_etag(merged["ETag"])
    return Response(rendered.gzipped(), media_type=rendered.media_type, headers=merged)
