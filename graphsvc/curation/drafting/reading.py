"""One reading of a text: the document, what was found in it, and the draft being written.

The rule modules (instruments, signatures, areas, events) all look things up the same way: the
names, dates and periods inside a stretch of tokens, the sentence around a token, the clause an
instrument's name stands in. Those look-ups live here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.matcher import Matcher

from graphsvc.curation.drafting.candidates import Candidate, Cue, Draft, Value
from graphsvc.curation.drafting.dates import DateMention
from graphsvc.curation.drafting.document import Document, Segment, pipeline
from graphsvc.curation.drafting.gazetteer import COUNTRY, DEMONYM, Mention
from graphsvc.curation.drafting.knowledge import Knowledge
from graphsvc.curation.drafting.lexicon import CLAUSE_BREAKS
from graphsvc.curation.drafting.quantities import Period

AGENT_CATEGORIES = {"agent", COUNTRY}


@dataclass
class Reading:
    """A document read against the knowledge, with the draft its rules add to."""

    document: Document
    knowledge: Knowledge
    mentions: list[Mention]
    dates: list[DateMention]
    periods: list[Period]
    draft: Draft
    published: dt.date | None = None
    _by_token: dict[int, Mention] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for mention in self.mentions:
            for i in range(mention.first, mention.last):
                self._by_token[i] = mention

    # --- what lies where ---------------------------------------------------------------------

    @property
    def doc(self):  # type: ignore[no-untyped-def]
        return self.document.doc

    def mention_at(self, token: int) -> Mention | None:
        return self._by_token.get(token)

    def mentions_in(self, first: int, last: int, categories: set[str] | None = None) -> list[Mention]:
        found = [m for m in self.mentions if first <= m.first and m.last <= last]
        if categories is not None:
            found = [m for m in found if m.categories & categories]
        return found

    def dates_in(self, first: int, last: int) -> list[DateMention]:
        return [d for d in self.dates if first <= d.first and d.last <= last]

    def periods_in(self, first: int, last: int) -> list[Period]:
        return [p for p in self.periods if first <= p.first and p.last <= last]

    def sentence(self, token: int) -> Segment:
        return self.document.sentence_of(token)

    def lower(self, first: int, last: int) -> list[str]:
        return [t.lower_ for t in self.doc[first:last]]

    def clause(self, first: int, last: int) -> tuple[int, int]:
        """The clause around tokens first..last: the sentence, cut at words that open another clause."""
        sentence = self.sentence(first)
        start, end = sentence.first_token, sentence.last_token
        for i in range(first - 1, sentence.first_token - 1, -1):
            if self.doc[i].lower_ in CLAUSE_BREAKS:
                start = i + 1
                break
        for i in range(last, sentence.last_token):
            if self.doc[i].lower_ in CLAUSE_BREAKS:
                end = i
                break
        return start, end

    def chars(self, first: int, last: int) -> tuple[int, int]:
        return self.document.char_span(first, last)

    def text_of(self, first: int, last: int) -> str:
        start, end = self.chars(first, last)
        return self.document.text[start:end]

    # --- what a name stands for ---------------------------------------------------------------

    def agent(self, mention: Mention) -> str | None:
        """The agent a name stands for: a country, or an organisation (the graph's, or a new one)."""
        for category in ("agent", COUNTRY):
            entry = mention.of(category)
            if entry is not None and not self._is_person(entry.iri):
                return entry.iri
        return None

    def country(self, mention: Mention) -> str | None:
        entry = mention.of(COUNTRY) or mention.of(DEMONYM)
        if entry is not None:
            return entry.iri
        agent = mention.of("agent")
        if agent is not None and agent.iri in self.knowledge.things and self.knowledge.things[agent.iri].is_a("Country"):
            return agent.iri
        return None

    def _is_person(self, iri: str) -> bool:
        thing = self.knowledge.things.get(iri)
        return bool(thing and thing.is_a("Person"))

    def country_of(self, iri: str) -> str | None:
        """The country of an agent, from the graph or from what this draft proposes."""
        known = self.knowledge.country_of(iri)
        if known:
            return known
        for candidate in self.draft.candidates.values():
            if candidate.subject == iri and candidate.predicate.endswith(("subOrganizationOf", "governmentOf")):
                return self.country_of(candidate.value.value) or candidate.value.value  # type: ignore[union-attr]
        if self.knowledge.country_by_iri(iri) is not None:
            return iri
        return None

    # --- adding candidates --------------------------------------------------------------------

    def add(self, subject: str, predicate: str, value: Value, span: tuple[int, int], cue: tuple[int, int],
            confidence: float, rule: str, reasoning: str | None = None) -> None:
        """A candidate whose span is given as character offsets and whose cue lies inside it."""
        start, end = min(span[0], cue[0]), max(span[1], cue[1])
        self.draft.add(Candidate(subject, predicate, value, start, end,
                                 Cue(cue[0], cue[1], self.document.text[cue[0]:cue[1]]),
                                 round(confidence, 2), rule, reasoning))


@lru_cache(maxsize=None)
def phrase_matcher(name: str, phrases: tuple[tuple[str, ...], ...]) -> Matcher:
    """A Matcher for lower-case token sequences (the lexicon's tables), cached per table."""
    matcher = Matcher(pipeline().vocab)
    for i, words in enumerate(phrases):
        matcher.add(f"{name}-{i}", [[{"LOWER": w} for w in words]])
    return matcher


def find_phrases(reading: Reading, name: str, phrases: list[tuple[str, ...]], first: int = 0,
                 last: int | None = None) -> list[tuple[int, int, int]]:
    """(table index, first token, last token) for each match of a lexicon table in tokens first..last."""
    doc = reading.doc
    span = doc[first:last if last is not None else len(doc)]
    matcher = phrase_matcher(name, tuple(phrases))
    found = []
    for match_id, a, b in matcher(span):
        index = int(doc.vocab.strings[match_id].rsplit("-", 1)[1])
        found.append((index, span.start + a, span.start + b))
    return sorted(found, key=lambda m: (m[1], -m[2]))


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
