"""A bounded in-memory cache of rendered responses, keyed by their ETag.

An ETag is derived from the data version, the query and its parameters and the media type, so a
write to the store (which changes the data version) makes every older entry unreachable; the
least recently used entries are dropped when the count or the total size passes its bound.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    # The gzip-encoded body, made on first need and kept (graphsvc.api.encoding); it is not
    # counted in the cache's byte bound, which it exceeds by the compressed sizes (a tenth or so).
    _encoded: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def gzipped(self) -> bytes:
        found = self._encoded.get("gzip")
        if found is None:
            found = self._encoded["gzip"] = gzip.compress(self.body, compresslevel=6, mtime=0)
        return found


class ResponseCache:
    """Least-recently-used cache with a bound on entries and on bytes; safe across threads."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, CachedResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: CachedResponse) -> None:
        if len(entry.body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
