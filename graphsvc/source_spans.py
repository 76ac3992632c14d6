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


def read_span(source: str | None, start: int | None, end: int | None,
              store: "GraphStore | None" = None) -> str | None:
    """The text between `start` and `end` of the source document `source` (its IRI) as `store`
    holds it, or None when the store holds no such text or the span does not lie inside it."""
    if store is None or not source or start is None or end is None:
        return None
    if start < 0 or end <= start or end - start > MAX_SPAN:
        return None
    text = source_text(store, source)
    if text is None or end > len(text):
        return None
    return text[start:end]
