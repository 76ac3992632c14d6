"""Answers after a write: the one given for an earlier data version, while the current one computes.

Every rendered answer (a named query's, an /id/ page's) is cached under an ETag made of the data
version, so every write makes all of them stale at once. On a large graph, recomputing each in the
first request that comes after a write made every such request wait for a full query, and a few
writes a minute kept readers waiting most of the time. So the last answer of each request (its
query, parameters and media type, whatever the version) is noted; a request that finds only an
answer for an earlier version starts one background refresh (at low priority, one at a time per
store), waits GRAPHSVC_AGGREGATE_WAIT for it (not at all when the last computation took longer), and otherwise gets the earlier answer under that
version's own ETag and X-Data-Version, marked `X-Data-Stale: true` (stale-while-revalidate).
A request that says `Cache-Control: no-cache` is always answered for the current version.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Hashable

from fastapi import Request, Response

from graphsvc import aggregates
from graphsvc.api.encoding import plain_etag, respond
from graphsvc.response_cache import CachedResponse, ResponseCache
from graphsvc.store import GraphStore

CACHE = ResponseCache()  # rendered answers under their ETags (this version's and earlier ones)
CACHE_CONTROL = "public, no-cache"  # clients may keep answers but revalidate them (304 is cheap)

# Refreshes of a store's answers: one runs at a time (beside the aggregates'), and at most this
# many wait for their turn; past that, a request gets the earlier answer without starting one.
MAX_REFRESHES_WAITING = 32
_NOTED: "weakref.WeakKeyDictionary[Any, aggregates.Aggregates]" = weakref.WeakKeyDictionary()
_NOTED_LOCK = threading.Lock()

# Renders the answer for the data version given: the ETag and the rendered response, or None
# when the data changed while it was read (then which version it belongs to cannot be told).
Refresh = Callable[[str], "tuple[str, CachedResponse] | None"]


def data_version(store: GraphStore) -> str | None:
    """The store's data version, or None for a store that cannot tell (then nothing is cached)."""
    version = getattr(store, "data_version", None)
    return version() if callable(version) else None


def etag_matches(header: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against our ETag."""
    if not header:
        return False
    candidates = [c.strip() for c in header.split(",")]
    wanted = plain_etag(etag)
    return "*" in candidates or any(plain_etag(c.removeprefix("W/")) == wanted for c in candidates)


def noted_answers(store: GraphStore) -> aggregates.Aggregates:
    """Where the last answer of each request is noted for `store`: its ETag (the rendered answer
    is in CACHE) and the data version it was read at."""
    with _NOTED_LOCK:
        found = _NOTED.get(store)
        if found is None:
            found = _NOTED[store] = aggregates.Aggregates(lambda: data_version(store), max_keys=4096,
                                                           slots=1,
                                                           max_jobs=MAX_REFRESHES_WAITING)
        return found


def note(store: GraphStore, key: Hashable, etag: str, version: str, rendered: CachedResponse, seconds: float) -> None:
    """Keep an answer computed in a request (in `seconds`), for this version and as the earlier
    answer of the next."""
    CACHE.put(etag, rendered)
    noted_answers(store).keep(key, aggregates.Computed(etag, version, seconds))


def wants_fresh(request: Request) -> bool:
    """Whether the request says `Cache-Control: no-cache`: answer it for the current version only."""
    return "no-cache" in request.headers.get("cache-control", "").lower()


def earlier_answer(request: Request, key: Hashable, version: str, refresh: Refresh,
                   headers: dict[str, str]) -> Response | None:
    """The answer for `version` if a refresh brings it within the wait, else the answer noted for
    an earlier version, marked stale; None when there is none at hand or its refresh failed (the
    request then computes its answer itself, and says what went wrong). `headers` are added."""
    store: GraphStore = request.app.state.store
    noted = noted_answers(store)
    earlier = noted.peek(key)
    if earlier is None or earlier.version == version or CACHE.get(earlier.value) is None or wants_fresh(request):
        return None

    def compute() -> tuple[str, str | None]:
        reading = data_version(store)
        done = refresh(reading) if reading is not None else None
        if done is None or data_version(store) != reading:
            return "", None  # a write landed meanwhile: which version was read cannot be told
        etag, rendered = done
        CACHE.put(etag, rendered)
        return etag, reading

    settings = request.app.state.settings
    try:
        served = noted.get(key, compute, version, settings.aggregate_wait_s, settings.query_timeout_s)
    except Exception:  # noqa: BLE001 - the request computes the answer itself and reports the failure
        return None
    if served.version != version and noted.failed_recently(key):
        noted.forget(key)  # its refresh failed (a parameter that names nothing now, a budget)
        return None
    rendered = CACHE.get(served.value)
    if rendered is None:
        return None
    answer_headers = {**headers, "Cache-Control": CACHE_CONTROL, "ETag": served.value,
                      **aggregates.version_headers(served)}
    if etag_matches(request.headers.get("if-none-match"), served.value):
        return Response(status_code=304, headers=answer_headers)
    return respond(request, rendered, answer_headers)
