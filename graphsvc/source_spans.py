"""Reading the span of a source text that a piece of evidence points to, at request time.

The texts are the ones the service holds (graphsvc.curation.sources): registered in the store,
so nothing outside the store is read. Offsets are Unicode code points, end exclusive, as
data/README.md says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphsvc.curation.sources import source_text

if TYPE_CHECKING:
    from graphsvc.store import GraphStore

MAX_SPAN = 5000


class SpanReader:
    """Spans of the texts `store` holds, each source's text read at most once.

    One reader serves one answer: an instrument's or event's evidence points into a few sources
    many times, and on a remote store each text read is a round trip to the server."""

    def __init__(self, store: "GraphStore | None") -> None:
        self._store = store
        self._texts: dict[str, str | None] = {}

    def span(self, source: str | None, start: int | None, end: int | None) -> str | None:
        """The text between `start` and `end` of the source document `source` (its IRI), or None
        when the store holds no such text or the span does not lie inside it."""
        if self._store is None or not source or start is None or end is None:
            return None
        if start < 0 or end <= start or end - start > MAX_SPAN:
            return None
        if source not in self._texts:
            self._texts[source] = source_text(self._store, source)
        text = self._texts[source]
        if text is None or end > len(text):
            return None
        return text[start:end]

