"""Quote selectors for evidence: derived from the position selectors, checked, re-anchored.

Every evidence target in data/ has an `oa:TextPositionSelector` (code-point offsets). The project
does not copy its sources' text, so data/ holds no quotes. When the project is loaded
(graphsvc.bootstrap), each target gets beside its offsets an `oa:TextQuoteSelector` computed from
the text of its source: the span itself (`oa:exact`) and a little of the text before and after it
(`oa:prefix`, `oa:suffix`), so that the span can be found again from its quote alone when the
offsets no longer fit (a document re-encoded, re-flowed, or with a header added). The context
grows until the quote is found at exactly one place in its text. Curated drafts carry their quotes
(graphsvc.curation.drafting writes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import pyoxigraph as ox

CONTEXT = 32  # characters of prefix and suffix to start with
MAX_CONTEXT = 1024


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str
    suffix: str


def occurrences(text: str, quote: Quote) -> list[int]:
    """The start offsets at which `quote` (exact, with its prefix before and suffix after) occurs."""
    found = []
    at = text.find(quote.exact)
    while at >= 0:
        if text[:at].endswith(quote.prefix) and text[at + len(quote.exact):].startswith(quote.suffix):
            found.append(at)
        at = text.find(quote.exact, at + 1)
    return found


def anchor(text: str, quote: Quote) -> tuple[int, int] | None:
    """The offsets of the one place in `text` where `quote` occurs, or None (absent or ambiguous)."""
    found = occurrences(text, quote)
    return (found[0], found[0] + len(quote.exact)) if len(found) == 1 else None


def quote_for(text: str, start: int, end: int) -> Quote:
    """The quote of text[start:end], with as much context as makes it occur once only."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}-{end} lies outside the text of {len(text)} characters")
    context = CONTEXT
    while True:
        quote = Quote(text[start:end], text[max(0, start - context):start], text[end:end + context])
        if occurrences(text, quote) == [start] or context >= MAX_CONTEXT:
            return quote
        context *= 2


TextOf = Callable[[str], "str | None"]

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OA = "http://www.w3.org/ns/oa#"
_POSITION_SELECTOR = ox.NamedNode(_OA + "TextPositionSelector")
_QUOTE_SELECTOR = ox.NamedNode(_OA + "TextQuoteSelector")
_HAS_SELECTOR, _HAS_SOURCE = ox.NamedNode(_OA + "hasSelector"), ox.NamedNode(_OA + "hasSource")
_START, _END = ox.NamedNode(_OA + "start"), ox.NamedNode(_OA + "end")
_EXACT, _PREFIX, _SUFFIX = ox.NamedNode(_OA + "exact"), ox.NamedNode(_OA + "prefix"), ox.NamedNode(_OA + "suffix")


def quote_triples(triples: Sequence[ox.Triple], text_of: TextOf) -> tuple[list[ox.Triple], list[str]]:
    """A quote selector for each target among `triples` that has a position selector and no quote
    yet, from the text `text_of` gives for its source; and the problems found (a source whose text
    is not at hand, a span outside its text)."""
    by_subject: dict[ox.NamedNode | ox.BlankNode, dict[ox.NamedNode, list[Any]]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, {}).setdefault(triple.predicate, []).append(triple.object)
    kinds = {subject: set(p.get(_RDF_TYPE, [])) for subject, p in by_subject.items()}
    added: list[ox.Triple] = []
    problems: list[str] = []
    texts: dict[str, str | None] = {}
    for target, properties in by_subject.items():
        selectors = properties.get(_HAS_SELECTOR, [])
        positions = [s for s in selectors if _POSITION_SELECTOR in kinds.get(s, set())]
        sources = properties.get(_HAS_SOURCE, [])
        if len(positions) != 1 or len(sources) != 1 or any(_QUOTE_SELECTOR in kinds.get(s, set()) for s in selectors):
            continue
        source = sources[0].value
        if source not in texts:
            texts[source] = text_of(source)
        text = texts[source]
        position = by_subject[positions[0]]
        try:
            start, end = int(position[_START][0].value), int(position[_END][0].value)
        except (KeyError, IndexError, ValueError):
            continue  # the shapes say what is wrong with such a selector
        if text is None:
            problems.append(f"no text is held for {source}")
            continue
        try:
            quote = quote_for(text, start, end)
        except ValueError as exc:
            problems.append(f"{source}: {exc}")
            continue
        node = ox.BlankNode()
        added += [ox.Triple(target, _HAS_SELECTOR, node), ox.Triple(node, _RDF_TYPE, _QUOTE_SELECTOR),
                  ox.Triple(node, _EXACT, ox.Literal(quote.exact))]
        if quote.prefix:
            added.append(ox.Triple(node, _PREFIX, ox.Literal(quote.prefix)))
        if quote.suffix:
            added.append(ox.Triple(node, _SUFFIX, ox.Literal(quote.suffix)))
    return added, sorted(set(problems))


