"""Finding the names the graph knows (and the world's countries) in a text, with spaCy's PhraseMatcher.

Names are matched case-insensitively (token LOWER), except short upper-case abbreviations such
as "IT", "UN" or "AG", which are matched exactly so that "it" or "un" in prose do not count.
Where names overlap, the longest wins ("Government of India" over "India").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from graphsvc.curation.drafting.document import Document, pipeline
from graphsvc.curation.drafting.knowledge import Country, Knowledge
from graphsvc.curation.drafting.lexicon import COMBINING_FORMS

COUNTRY = "country"
DEMONYM = "demonym"
VOCABULARY = "vocabulary"  # the ontology's own concepts (kinds, stages, units): the lexicon's rules read those


@dataclass(frozen=True)
class Entry:
    """What a name stands for: an IRI and its category (a root kind such as "agent", or "country")."""

    iri: str
    category: str
    known: bool = True


@dataclass(frozen=True)
class Mention:
    """A name found in the text: token range, code-point offsets, and what it may stand for."""

    first: int
    last: int  # exclusive
    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]

    def of(self, category: str) -> Entry | None:
        return next((e for e in self.entries if e.category == category), None)

    @property
    def categories(self) -> set[str]:
        return {e.category for e in self.entries}


def _exact(name: str) -> bool:
    """Short abbreviations are matched case-sensitively."""
    letters = [c for c in name if c.isalpha()]
    return len(name) <= 5 and bool(letters) and sum(c.isupper() for c in letters) >= max(1, len(letters) - 1)


def plural_of(name: str) -> str | None:
    """"job fairs" for "job fair": concepts are named in the singular, texts often use the plural."""
    words = name.split()
    last = words[-1] if words else ""
    if not last.isalpha() or not last.islower() or last.endswith(("s", "y", "x", "ch", "sh")) or len(last) < 4:
        return None
    return " ".join(words[:-1] + [last + "s"])


class Gazetteer:
    """A PhraseMatcher over every name in the knowledge, and the entries each name stands for."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        nlp = pipeline()
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._entries: dict[str, set[Entry]] = defaultdict(set)
        for thing in knowledge.things.values():
            roots = {VOCABULARY} if knowledge.is_vocabulary_concept(thing.iri) else thing.roots
            for name in thing.names:
                for root in roots:
                    self._add(name, Entry(thing.iri, root))
                    if root == "concept" and plural_of(name):
                        self._add(plural_of(name), Entry(thing.iri, root))  # type: ignore[arg-type]
        for country in knowledge.countries.values():
            self._add_country(country)
        for form, code in COMBINING_FORMS.items():
            country = knowledge.countries.get(code)
            if country is not None:
                self._add(form, Entry(country.iri, DEMONYM, country.known))

    def _add_country(self, country: Country) -> None:
        for name in country.names:
            self._add(name, Entry(country.iri, COUNTRY, country.known))
        for demonym in country.demonyms:
            self._add(demonym, Entry(country.iri, DEMONYM, country.known))

    def _add(self, name: str, entry: Entry) -> None:
        name = name.strip()
        if not name:
            return
        exact = _exact(name)
        key = ("=" if exact else "~") + (name if exact else name.casefold())
        if key not in self._entries:
            pattern = pipeline().make_doc(name)
            (self._exact if exact else self._folded).add(key, [pattern])
        self._entries[key].add(entry)

    def mentions(self, document: Document) -> list[Mention]:
        """The longest non-overlapping names in the document, each with everything it may stand for."""
        doc = document.doc
        found: dict[tuple[int, int], set[Entry]] = defaultdict(set)
        for matcher in (self._exact, self._folded):
            for match_id, first, last in matcher(doc):
                key = doc.vocab.strings[match_id]
                found[(first, last)] |= self._entries[key]
        spans = filter_spans([Span(doc, first, last) for first, last in found])
        mentions = []
        for span in sorted(spans, key=lambda s: s.start):
            start, end = document.span_chars(span)
            entries = tuple(sorted(found[(span.start, span.end)], key=lambda e: (e.category, e.iri)))
            mentions.append(Mention(span.start, span.end, start, end, document.text[start:end], entries))
        return mentions
