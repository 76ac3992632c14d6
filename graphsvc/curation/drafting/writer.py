"""A draft as Turtle, laid out as data/ is: each new thing, then each statement and its evidence.

Evidence is modelled as in data/: an `idd:Evidence` naming the statement, with an
`oa:TextPositionSelector` (code-point offsets) into the source and, where the vocabulary declares
it, an `oa:TextQuoteSelector` (exact, prefix, suffix). The confidence and the rule that produced a
candidate are written as `idd:confidence` and `idd:draftRule` where the ontology declares those
terms, and otherwise as a `skos:editorialNote` on the evidence, which reviewers can sort by.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox

from graphsvc.curation.drafting.candidates import (IDD, RDF_TYPE, RDFS_LABEL, SKOS, SKOS_ALT, XSD, Candidate,
                                                   Draft, NewThing)
from graphsvc.curation.drafting.knowledge import Knowledge
from graphsvc.curation.quotes import quote_for
from graphsvc.vocabulary import prefixes

OA = "http://www.w3.org/ns/oa#"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
USED_PREFIXES = ("idd", "kg", "rdfs", "skos", "xsd", "dcterms", "org", "prov", "foaf", "time", "oa")


def term(value: str | ox.NamedNode | ox.Literal) -> str:
    """A term in Turtle: a CURIE where a prefix fits, else the N-Triples form."""
    if isinstance(value, ox.Literal):
        if value.datatype is not None and value.datatype.value.startswith(XSD) and not value.language:
            if value.datatype.value == XSD + "string":
                return str(ox.Literal(value.value))
            return f"{ox.Literal(value.value)}^^xsd:{value.datatype.value[len(XSD):]}"
        return str(value)
    iri = value.value if isinstance(value, ox.NamedNode) else value
    if iri == RDF_TYPE:
        return "a"
    known = prefixes()
    for name in USED_PREFIXES:
        namespace = known.get(name)
        if namespace and iri.startswith(namespace) and _LOCAL.match(iri[len(namespace):]):
            return f"{name}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _header() -> str:
    known = prefixes()
    lines = [f"@prefix {name}: <{known[name]}> ." for name in USED_PREFIXES if name in known]
    if "xsd" not in known:
        lines.append(f"@prefix xsd: <{XSD}> .")
    return "\n".join(lines) + "\n"


def _thing(thing: NewThing) -> str:
    lines = [f"{term(thing.iri)} a {' , '.join(term(t) for t in sorted(thing.types))} ;",
             f"    {term(RDFS_LABEL)} {term(ox.Literal(thing.label, language='en'))}"]
    for alt in sorted(thing.alt_labels - {thing.label}):
        lines[-1] += " ;"
        lines.append(f"    {term(SKOS_ALT)} {term(ox.Literal(alt, language='en'))}")
    if thing.comment:
        lines[-1] += " ;"
        lines.append(f"    {term(RDFS_COMMENT)} {term(ox.Literal(thing.comment, language='en'))}")
    for predicate, value in sorted(thing.external.items()):
        lines[-1] += " ;"
        lines.append(f"    {term(predicate)} {term(value)}")
    if thing.origin:
        lines[-1] += " ;"
        note = f"Proposed by the drafter; identifiers from {thing.origin}."
        lines.append(f"    {term(SKOS + 'editorialNote')} {term(ox.Literal(note, language='en'))}")
    return "\n".join(lines) + " .\n"


def _evidence(candidate: Candidate, draft: Draft, knowledge: Knowledge) -> str:
    lines = ["[] a idd:Evidence ;",
             f"    idd:evidenceSubject {term(candidate.subject)} ;",
             f"    idd:evidencePredicate {term(candidate.predicate)} ;",
             f"    idd:evidenceObject {term(candidate.value)} ;"]
    if candidate.reasoning:
        lines.append(f"    idd:reasoning {term(ox.Literal(candidate.reasoning, language='en'))} ;")
    if IDD + "confidence" in knowledge.declared and IDD + "draftRule" in knowledge.declared:
        lines.append(f"    idd:confidence {term(ox.Literal(f'{candidate.confidence:.2f}', datatype=ox.NamedNode(XSD + 'decimal')))} ;")
        lines.append(f"    idd:draftRule {term(ox.Literal(candidate.rule))} ;")
    else:
        note = f"Drafted by rule {candidate.rule} from {candidate.cue.text!r}, confidence {candidate.confidence:.2f}."
        lines.append(f"    skos:editorialNote {term(ox.Literal(note, language='en'))} ;")
    selectors = f"[ a oa:TextPositionSelector ; oa:start {candidate.start} ; oa:end {candidate.end} ]"
    if OA + "TextQuoteSelector" in knowledge.declared:
        quote = quote_for(draft.text, candidate.start, candidate.end)
        selectors += (f" , [ a oa:TextQuoteSelector ; oa:exact {term(ox.Literal(quote.exact))} ;"
                      f" oa:prefix {term(ox.Literal(quote.prefix))} ; oa:suffix {term(ox.Literal(quote.suffix))} ]")
    lines.append(f"    oa:hasTarget [ a oa:SpecificResource ; oa:hasSource {term(draft.source_iri)} ;")
    lines.append(f"        oa:hasSelector {selectors} ] .")
    return "\n".join(lines) + "\n"


def to_turtle(draft: Draft, knowledge: Knowledge) -> str:
    """The whole draft: prefixes, then per subject its description (if new) and its candidates."""
    by_subject: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in draft.sorted_candidates():
        by_subject[candidate.subject].append(candidate)
    order = sorted(set(by_subject) | set(draft.new_things),
                   key=lambda s: (min((c.start for c in by_subject.get(s, [])), default=len(draft.text)), s))
    out = [_header(), f"# Candidate statements drafted from {draft.source_iri}: review each before ingest.\n"]
    for subject in order:
        thing = draft.new_things.get(subject)
        if thing is not None:
            out.append("\n" + _thing(thing))
        for candidate in by_subject.get(subject, []):
            comment = f"# {candidate.confidence:.2f} {candidate.rule}: {candidate.cue.text!r}".replace("\n", " ")
            out.append("\n" + comment + "\n")
            out.append(f"{term(candidate.subject)} {term(candidate.predicate)} {term(candidate.value)} .\n")
            out.append(_evidence(candidate, draft, knowledge))
    return "".join(out)
