"""Candidate statements: what the drafter proposes, with the span that states it and why.

A candidate is one triple in the project's vocabulary plus its evidence: the span of the text
(code-point offsets, end exclusive), the words inside the span that the value was read from
(`cue`), a confidence between 0 and 1, the rule that produced it and, where the value is implied
rather than written out, the reasoning. New things the draft proposes (a ministry, a signing, a
duration) carry their type and English label as exempt statements, which need no span.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from graphsvc import project

KG = project.THING_NS
IDD = project.VOCAB_NS
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"

Value = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Cue:
    """The words of the text the value was read from: offsets and the text itself."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Candidate:
    """One proposed statement with its evidence span, cue, confidence, rule and reasoning."""

    subject: str
    predicate: str
    value: Value
    start: int
    end: int
    cue: Cue
    confidence: float
    rule: str
    reasoning: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return self.subject, self.predicate, str(self.value)


@dataclass
class NewThing:
    """A thing the draft proposes: its IRI, classes, English label and other names."""

    iri: str
    types: set[str]
    label: str
    alt_labels: set[str] = field(default_factory=set)
    comment: str | None = None
    external: dict[str, Value] = field(default_factory=dict)  # identifiers no text states, and their origin
    origin: str | None = None


@dataclass
class Draft:
    """The candidates for one source text, and the new things they mention."""

    source_iri: str
    text: str
    candidates: dict[tuple[str, str, str], Candidate] = field(default_factory=dict)
    new_things: dict[str, NewThing] = field(default_factory=dict)
    cue_names: dict[str, set[str]] = field(default_factory=dict)  # the words a rule read a vocabulary term from

    def add(self, candidate: Candidate) -> None:
        """Keep one candidate per statement: the most confident, then the shortest span."""
        if not (0 <= candidate.start <= candidate.cue.start < candidate.cue.end <= candidate.end <= len(self.text)):
            raise ValueError(f"cue {candidate.cue} outside span {candidate.start}-{candidate.end}: {candidate.rule}")
        held = self.candidates.get(candidate.key)
        better = held is None or (candidate.confidence, -(candidate.end - candidate.start)) > \
            (held.confidence, -(held.end - held.start))
        if better:
            self.candidates[candidate.key] = candidate
        if isinstance(candidate.value, ox.NamedNode):
            self.cue_names.setdefault(candidate.value.value, set()).add(candidate.cue.text)

    def propose(self, thing: NewThing) -> NewThing:
        held = self.new_things.get(thing.iri)
        if held is None:
            self.new_things[thing.iri] = thing
            return thing
        held.types |= thing.types
        held.alt_labels |= thing.alt_labels - {held.label}
        return held

    def values(self, subject: str, predicate: str) -> list[Value]:
        return [c.value for c in self.candidates.values() if c.subject == subject and c.predicate == predicate]

    def drop(self, subject: str, predicate: str, value: str) -> None:
        self.candidates.pop((subject, predicate, value), None)

    def sorted_candidates(self) -> list[Candidate]:
        return sorted(self.candidates.values(), key=lambda c: (c.start, c.subject, c.predicate, str(c.value)))


def iri(local: str) -> ox.NamedNode:
    return ox.NamedNode(KG + local)


def node(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def literal(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype or XSD + "string"))
