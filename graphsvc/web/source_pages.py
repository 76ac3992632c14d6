"""The pages of the documents the service holds: the list at /sources, one document at /sources/<id>.

A document's page shows its text with every span that evidence points at highlighted. The text is
cut at every start and end of a span; each piece inside at least one span links to the /id/ page
of the statement's subject of the innermost span that covers it, and says in its title which
statements cover it. A list under the text gives every span with its statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from graphsvc import project
from graphsvc.curation.sources import EvidencedSpan, Source, evidenced_spans
from graphsvc.store import GraphStore
from graphsvc.web import templating

MAX_TITLE_STATEMENTS = 6


@dataclass(frozen=True)
class Piece:
    """A stretch of the text between two span boundaries, and the spans that cover it."""

    text: str
    href: str | None
    title: str | None
    depth: int  # how many spans cover it
    anchors: tuple[int, ...]  # the numbers of the spans that start here, for the list below to link to


@dataclass(frozen=True)
class SpanView:
    number: int
    start: int
    end: int
    subject: str
    subject_href: str
    predicate: str
    objects: str


def thing_href(iri: str, root: str) -> str:
    """The /id/ page of a minted thing; any other IRI as it is."""
    if iri.startswith(project.THING_NS):
        return f"{root}/id/{iri[len(project.THING_NS):]}"
    return iri


def _name(iri: str, label: str | None) -> str:
    return label or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _object_text(term: Any, label: str | None) -> str:
    if isinstance(term, ox.NamedNode):
        return _name(term.value, label)
    return str(getattr(term, "value", term))


def span_views(spans: Sequence[EvidencedSpan], root: str) -> list[SpanView]:
    return [SpanView(number=n, start=s.start, end=s.end, subject=_name(s.subject, s.subject_label),
                     subject_href=thing_href(s.subject, root), predicate=_name(s.predicate, s.predicate_label),
                     objects=", ".join(_object_text(o, label) for o, label in s.objects))
            for n, s in enumerate(spans, start=1)]


def pieces(text: str, spans: Sequence[SpanView]) -> list[Piece]:
    """`text` cut at every span boundary, each piece with the link and title of the spans over it."""
    inside = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in inside), *(s.end for s in inside)})
    starting: dict[int, list[int]] = {}
    for s in inside:
        starting.setdefault(s.start, []).append(s.number)
    out = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [s for s in inside if s.start <= start and end <= s.end]
        if not covering:
            out.append(Piece(text[start:end], None, None, 0, ()))
            continue
        innermost = min(covering, key=lambda s: (s.end - s.start, s.number))
        shown = covering[:MAX_TITLE_STATEMENTS]
        title = "; ".join(f"[{s.number}] {s.subject}: {s.predicate} {s.objects}".strip() for s in shown)
        if len(covering) > len(shown):
            title += f"; and {len(covering) - len(shown)} more"
        out.append(Piece(text[start:end], innermost.subject_href, title, len(covering), tuple(starting.get(start, ()))))
    return out


def _root(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "public_url", "") if settings is not None else ""


def render_list(request: Request, sources: Sequence[Source]) -> HTMLResponse:
    """The page at /sources: every source document, with what the service holds of it."""
    return templating.render(request, "source_list.html", {"sources": sources, "title": "Sources"})


def render_document(request: Request, store: GraphStore, source: Source, text: str | None) -> HTMLResponse:
    """The page at /sources/<id>: the text with its evidenced spans, and the list of them."""
    root = _root(request)
    views = span_views(evidenced_spans(store, source.iri), root)
    context = {"source": source, "title": source.title or source.label or source.name,
               "pieces": pieces(text, views) if text is not None else [], "spans": views, "held": text is not None,
               "thing_href": thing_href(source.iri, root)}
    return templating.render(request, "source_document.html", context)


def render_missing(request: Request, name: str) -> HTMLResponse:
    """The 404 page for a source that does not exist."""
    return templating.render(request, "source_document.html", {"source": None, "title": "No such source", "name": name,
                                                      "pieces": [], "spans": [], "held": False},
                             status_code=404)
