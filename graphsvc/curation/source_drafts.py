"""The draft of a registered source, as a curator reviews it: its candidates, each with a stable id.

A source's reviewed statements live in a graph of its own, `<GRAPH_NS>curated/<source id>`, which
each review replaces. The draft is therefore made against everything the store knows except that
graph: what an earlier review of the same text added (a new ministry, say) is proposed again, with
the same IRI, rather than taken as known, so that the new review's batch describes it once more.
Drafting is deterministic, so a candidate's id (a digest of its statement and span) names the same
candidate in the page that shows it and in the review that decides on it. The drafter (whose
gazetteer takes about a second to build) is kept per data version and excluded graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graphsvc import project
from graphsvc.curation.drafting.candidates import Candidate, Draft
from graphsvc.curation.drafting.document import Document
from graphsvc.curation.drafting.drafter import Drafter
from graphsvc.curation.drafting.knowledge import Knowledge, read_knowledge
from graphsvc.curation.sources import Source, source_text
from graphsvc.store import GraphStore

CURATED_GRAPH_NS = project.GRAPH_NS + "curated/"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_CACHED_DRAFTERS = 4


class SourceDraftError(ValueError):
    """A source that cannot be drafted: `status` 404 (no such text) and the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SourceDraft:
    """One registered source drafted for review: its candidates by id, and the known things it names."""

    source: Source
    text: str
    published: dt.date | None
    draft: Draft
    knowledge: Knowledge
    graph: ox.NamedNode
    candidates: dict[str, Candidate]  # by id, in text order
    mentioned: tuple[str, ...]  # IRIs of things the graph knows that the text names, in text order


def curated_graph(source: Source) -> ox.NamedNode:
    """The graph that holds the reviewed statements of `source`."""
    return ox.NamedNode(CURATED_GRAPH_NS + source.name)


def candidate_id(candidate: Candidate) -> str:
    """A short id for a candidate: the digest of its statement and span."""
    key = "\0".join((candidate.subject, candidate.predicate, str(candidate.value), str(candidate.start),
                     str(candidate.end)))
    return "c" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def published_date(source: Source) -> dt.date | None:
    """The source's publication date when the registry records a full date (not only a year)."""
    if source.published and len(source.published) == 10:
        try:
            return dt.date.fromisoformat(source.published)
        except ValueError:
            return None
    return None


class _WithoutGraph:
    """The store read as the union of all its graphs but one (what the drafter may take as known)."""

    def __init__(self, store: GraphStore, excluded: ox.NamedNode) -> None:
        self.store = store
        self.graphs = [g for g in store.named_graphs() if g != excluded]

    def query(self, sparql: str, **_: Any) -> Any:
        return self.store.query(sparql, default_graph=self.graphs)


_drafters: OrderedDict[tuple[str | None, str], Drafter] = OrderedDict()
_drafters_lock = threading.Lock()


def _drafter(store: GraphStore, excluded: ox.NamedNode) -> Drafter:
    version = getattr(store, "data_version", None)
    key = (version() if callable(version) else None, excluded.value)
    with _drafters_lock:
        if key[0] is not None and key in _drafters:
            _drafters.move_to_end(key)
            return _drafters[key]
    drafter = Drafter(read_knowledge(_WithoutGraph(store, excluded)))
    if key[0] is not None:
        with _drafters_lock:
            _drafters[key] = drafter
            while len(_drafters) > _CACHED_DRAFTERS:
                _drafters.popitem(last=False)
    return drafter


def draft_source(store: GraphStore, source: Source) -> SourceDraft:
    """The draft of a registered source's text for review; SourceDraftError when no text is held."""
    text = source_text(store, source.iri)
    if text is None:
        raise SourceDraftError(404, f"the service holds no text for {source.iri}; register it with "
                                    f"graphsvc sources add FILE (or POST /sources)")
    graph = curated_graph(source)
    drafter = _drafter(store, graph)
    published = published_date(source)
    draft = drafter.draft(text, source.iri, published)
    candidates = {candidate_id(c): c for c in draft.sorted_candidates()}
    mentioned: dict[str, None] = {}
    for mention in drafter.gazetteer.mentions(Document(text)):
        for entry in mention.entries:
            if entry.known and entry.iri in drafter.knowledge.things:
                mentioned.setdefault(entry.iri, None)
    return SourceDraft(source, text, published, draft, drafter.knowledge, graph, candidates, tuple(mentioned))
