"""The statements a graph holds with their evidence spans, read from its triples.

An evidence node (idd:Evidence) names one statement (idd:evidenceSubject, idd:evidencePredicate,
idd:evidenceObject) and points at a span through `oa:hasTarget [ oa:hasSelector [ oa:start ;
oa:end ] ]`, as data/ and the drafter write it. Used to find the evidence nodes of a review's batch
and to show a curator which statements of a source's curated graph an earlier review ingested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from graphsvc import project
from graphsvc.store import GraphStore

IDD = project.VOCAB_NS
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class EvidencedStatement:
    """One statement named by an evidence node, and the span the evidence points at."""

    evidence: Term
    subject: str
    predicate: str
    value: Term
    start: int
    end: int
    parts: tuple[Term, ...] = ()  # the evidence's target and selectors, which findings may be about

    @property
    def key(self) -> tuple[str, str, str, int, int]:
        return self.subject, self.predicate, str(self.value), self.start, self.end


def _integer(term: Term | None) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def evidenced_statements(triples: Iterable[ox.Triple]) -> list[EvidencedStatement]:
    """Every (evidence, statement, span) the triples state, in no particular order."""
    props: dict[Term, dict[str, list[Term]]] = {}
    for t in triples:
        props.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
    found = []
    for node, own in props.items():
        if ox.NamedNode(IDD + "Evidence") not in own.get(RDF_TYPE, []):
            continue
        subjects, predicates = own.get(IDD + "evidenceSubject", []), own.get(IDD + "evidencePredicate", [])
        if len(subjects) != 1 or len(predicates) != 1 or not isinstance(subjects[0], ox.NamedNode) \
                or not isinstance(predicates[0], ox.NamedNode):
            continue
        for target in own.get(OA + "hasTarget", []):
            for selector in props.get(target, {}).get(OA + "hasSelector", []):
                fields = props.get(selector, {})
                start = _integer(next(iter(fields.get(OA + "start", [])), None))
                end = _integer(next(iter(fields.get(OA + "end", [])), None))
                if start is None or end is None:
                    continue
                parts = (target, *props.get(target, {}).get(OA + "hasSelector", []))
                found += [EvidencedStatement(node, subjects[0].value, predicates[0].value, value, start, end, parts)
                          for value in own.get(IDD + "evidenceObject", [])]
    return found


def curated_statements(store: GraphStore, graph: ox.NamedNode) -> list[EvidencedStatement]:
    """The statements `graph` holds together with evidence for them, in span order."""
    if graph not in store.named_graphs():
        return []
    triples = store.graph_triples(graph)
    held = {(t.subject, t.predicate, t.object) for t in triples}
    found = [s for s in evidenced_statements(triples)
             if (ox.NamedNode(s.subject), ox.NamedNode(s.predicate), s.value) in held]
    return sorted(found, key=lambda s: (s.start, s.end, s.subject, s.predicate, str(s.value)))
