"""A source's draft as the review page and `POST /sources/<id>/draft` give it (JSON).

Each candidate comes with its id, its statement (subject, predicate, value, each with a label and a
CURIE), its span and the quoted text, the words the value was read from (cue), the confidence, the
rule and the reasoning, and whether the source's curated graph holds it already. Beside the
candidates: the new things the draft proposes, the things a correction may pick (those of the draft
and those of the graph the text names), the properties a curator may add a statement with, and the
statements an earlier review put in the curated graph that are not among the candidates (values it
corrected, statements it added).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

import pyoxigraph as ox

from graphsvc import project
from graphsvc.curation.curated_statements import EvidencedStatement
from graphsvc.curation.drafting.candidates import Candidate
from graphsvc.curation.source_drafts import SourceDraft
from graphsvc.store import GraphStore
from graphsvc.vocabulary import curie

QUERIES = project.QUERIES_DIR / "curation"


@dataclass(frozen=True)
class Property:
    iri: str
    label: str
    kind: str  # "object", "datatype" or "annotation"
    range: str | None


@lru_cache(maxsize=None)
def _query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def read_properties(store: GraphStore) -> list[Property]:
    """The properties a curator may add a statement with (queries/curation/properties.rq)."""
    found = []
    for row in store.query(_query_text("properties")):
        iri = row["property"].value
        label = row["label"].value if row["label"] is not None else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        kind = row["type"].value.rsplit("#", 1)[-1].removesuffix("Property").lower()
        found.append(Property(iri, label, kind, row["range"].value if row["range"] is not None else None))
    return found


class Labels:
    """Labels of the terms a draft shows: things of the graph and the draft, and properties."""

    def __init__(self, sd: SourceDraft, properties: Iterable[Property]) -> None:
        self.sd = sd
        self.properties = {p.iri: p.label for p in properties}

    def of(self, iri: str) -> str:
        if iri in self.properties:
            return self.properties[iri]
        thing = self.sd.draft.new_things.get(iri)
        if thing is not None:
            return thing.label
        return self.sd.knowledge.label(iri)

    def term(self, term: Any) -> dict[str, Any]:
        if isinstance(term, ox.NamedNode):
            return {"type": "iri", "value": term.value, "curie": curie(term.value), "label": self.of(term.value),
                    "new": term.value in self.sd.draft.new_things}
        if isinstance(term, ox.Literal):
            out: dict[str, Any] = {"type": "literal", "value": term.value, "label": term.value}
            if term.language:
                out["language"] = term.language
            elif term.datatype is not None:
                out["datatype"] = term.datatype.value
                out["datatypeCurie"] = curie(term.datatype.value)
            return out
        return {"type": "blank", "value": str(term), "label": str(term)}


def _candidate(cid: str, c: Candidate, labels: Labels, held: set[tuple[str, str, str, int, int]]) -> dict[str, Any]:
    return {
        "id": cid, "subject": labels.term(ox.NamedNode(c.subject)), "predicate": labels.term(ox.NamedNode(c.predicate)),
        "value": labels.term(c.value), "span": {"start": c.start, "end": c.end},
        "quote": labels.sd.text[c.start:c.end], "cue": {"start": c.cue.start, "end": c.cue.end, "text": c.cue.text},
        "confidence": round(c.confidence, 2), "rule": c.rule, "reasoning": c.reasoning,
        "inGraph": (c.subject, c.predicate, str(c.value), c.start, c.end) in held,
    }


def _things(sd: SourceDraft, labels: Labels) -> list[dict[str, Any]]:
    """The things a correction or an addition may name: the draft's, then those the text names."""
    seen: dict[str, None] = {}
    for c in sd.candidates.values():
        seen.setdefault(c.subject, None)
        if isinstance(c.value, ox.NamedNode) and not sd.knowledge.is_vocabulary_concept(c.value.value):
            seen.setdefault(c.value.value, None)
    for iri in list(sd.draft.new_things) + list(sd.mentioned):
        seen.setdefault(iri, None)
    return [labels.term(ox.NamedNode(iri)) for iri in seen]


def draft_json(sd: SourceDraft, curated: list[EvidencedStatement], properties: list[Property],
               root: str = "") -> dict[str, Any]:
    """The draft of `sd` for the review page (see the module's docstring)."""
    labels = Labels(sd, properties)
    held = {s.key for s in curated}
    candidates = [_candidate(cid, c, labels, held) for cid, c in sd.candidates.items()]
    drafted = {(c.subject, c.predicate, str(c.value), c.start, c.end) for c in sd.candidates.values()}
    earlier = [{"id": f"earlier-{n}", "subject": labels.term(ox.NamedNode(s.subject)),
                "predicate": labels.term(ox.NamedNode(s.predicate)), "value": labels.term(s.value),
                "span": {"start": s.start, "end": s.end}, "quote": sd.text[s.start:s.end]}
               for n, s in enumerate((s for s in curated if s.key not in drafted), start=1)
               if 0 <= s.start < s.end <= len(sd.text)]
    used = {c.predicate for c in sd.candidates.values()}
    return {
        "source": {"id": sd.source.name, "iri": sd.source.iri, "title": sd.source.title or sd.source.label,
                   "published": sd.source.published, "page": f"{root}/sources/{sd.source.name}"},
        "graph": sd.graph.value,
        "text": sd.text,
        "length": len(sd.text),
        "candidates": candidates,
        "curated": earlier,
        "newThings": [{**labels.term(ox.NamedNode(t.iri)), "types": [curie(x) for x in sorted(t.types)]}
                      for t in sd.draft.new_things.values()],
        "things": _things(sd, labels),
        "properties": sorted(({"iri": p.iri, "curie": curie(p.iri), "label": p.label, "kind": p.kind,
                               "range": curie(p.range) if p.range else None, "used": p.iri in used}
                              for p in properties), key=lambda p: (not p["used"], p["label"].casefold())),
    }
