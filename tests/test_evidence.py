"""Every statement about a kg: thing is backed by a span of a source text that states it.

An evidence node names one statement (subject, predicate, one or more objects) and points at a
span of a source text by code-point offsets. The texts are the ones the store holds (registered
from GRAPHSVC_SOURCES when the project is loaded, graphsvc.curation.sources): nothing outside the
store is read. These tests check that the spans exist, that the texts are the ones the graph
describes (length and SHA-256), that each span really contains the value it is cited for, that
every non-exempt statement has evidence and that no evidence is stale. Which properties need no
evidence is read from the ontology (idd:evidenceExempt true).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphsvc import project
from graphsvc.curation.sources import source_text

IDD = project.VOCAB_NS
KG = project.THING_NS
DATA_GRAPHS = project.GRAPH_NS + "data/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PREFIXES = f"""
PREFIX idd: <{IDD}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
IN_DATA = f'FILTER(STRSTARTS(STR(?g), "{DATA_GRAPHS}"))'

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
NUMBER_TYPES = {XSD + t for t in ("decimal", "integer", "positiveInteger", "nonNegativeInteger", "int", "long")}
TEXT_TYPES = {XSD + "string", XSD + "language", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_word(n: int) -> str | None:
    if 0 <= n < 20:
        return _ONES[n]
    if 20 <= n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    return None


def norm(text: str) -> str:
    """Case-insensitive, whitespace-normalised form used for all text comparisons."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def has_number(span: str, digits: str) -> bool:
    return re.search(rf"(?<!\d){re.escape(digits)}(?!\d)", span) is not None


def has_day(span: str, day: int) -> bool:
    return re.search(rf"(?<!\d)0?{day}(?:st|nd|rd|th)?(?!\d)", span) is not None


def has_month(span: str, month: int, allow_number: bool) -> bool:
    name = MONTHS[month - 1]
    if re.search(rf"\b{name[:3]}", span):
        return True
    return allow_number and has_number(span, str(month)) or allow_number and has_number(span, f"{month:02d}")


@dataclass
class Evidence:
    node: str
    subjects: list = field(default_factory=list)
    predicates: list = field(default_factory=list)
    objects: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    starts: list = field(default_factory=list)
    ends: list = field(default_factory=list)
    reasoning: list = field(default_factory=list)


# ----------------------------------------------------------------------------- graph access

@pytest.fixture(scope="session")
def exempt_predicates(kg_store) -> set:
    rows = kg_store.query(PREFIXES + f"""
        SELECT ?p WHERE {{ GRAPH <{project.ONTOLOGY_GRAPH}> {{ ?p idd:evidenceExempt ?v }} FILTER(?v = true) }}""")
    found = {r["p"] for r in rows}
    assert found, "the ontology marks no property as evidence-exempt"
    return found | {ox.NamedNode(RDF_TYPE)}


@pytest.fixture(scope="session")
def statements(kg_store, exempt_predicates) -> set:
    """Non-exempt triples of data/ whose subject is a kg: IRI."""
    rows = kg_store.query(PREFIXES + f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {IN_DATA}
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{KG}")) }}""")
    return {(r["s"], r["p"], r["o"]) for r in rows if r["p"] not in exempt_predicates}


@pytest.fixture(scope="session")
def evidence(kg_store) -> list[Evidence]:
    nodes: dict[str, Evidence] = {}

    def get(term) -> Evidence:
        key = str(term)
        return nodes.setdefault(key, Evidence(key))

    rows = kg_store.query(PREFIXES + f"""
        SELECT ?e ?p ?v WHERE {{ GRAPH ?g {{ ?e a idd:Evidence ; ?p ?v }} {IN_DATA} }}""")
    slot = {IDD + "evidenceSubject": "subjects", IDD + "evidencePredicate": "predicates",
            IDD + "evidenceObject": "objects", IDD + "reasoning": "reasoning"}
    for r in rows:
        ev = get(r["e"])
        name = slot.get(r["p"].value)
        if name:
            getattr(ev, name).append(r["v"])
    rows = kg_store.query(PREFIXES + f"""
        SELECT ?e ?src ?start ?end WHERE {{ GRAPH ?g {{ ?e a idd:Evidence ; oa:hasTarget ?t .
            OPTIONAL {{ ?t oa:hasSource ?src }}
            OPTIONAL {{ ?t oa:hasSelector ?sel . ?sel a oa:TextPositionSelector .
                OPTIONAL {{ ?sel oa:start ?start }} OPTIONAL {{ ?sel oa:end ?end }} }} }}
            {IN_DATA} }}""")
    for r in rows:
        ev = get(r["e"])
        if r["src"] is not None:
            ev.sources.append(r["src"])
        if r["start"] is not None:
            ev.starts.append(int(r["start"].value))
        if r["end"] is not None:
            ev.ends.append(int(r["end"].value))
    return list(nodes.values())


@pytest.fixture(scope="session")
def source_texts(kg_store) -> dict:
    """Source document IRI -> (file path, stated character count, stated sha256)."""
    rows = kg_store.query(PREFIXES + """
        SELECT ?d ?fn ?cc ?sha WHERE { ?d a idd:SourceDocument .
            OPTIONAL { ?d idd:fileName ?fn } OPTIONAL { ?d idd:characterCount ?cc } OPTIONAL { ?d idd:sha256 ?sha } }""")
    return {r["d"]: (r["fn"] and r["fn"].value, r["cc"] and int(r["cc"].value), r["sha"] and r["sha"].value)
            for r in rows}


@pytest.fixture(scope="session")
def texts(kg_store, source_texts) -> dict:
    """Source document IRI -> the text the store holds for it."""
    out = {}
    for doc in source_texts:
        text = source_text(kg_store, doc.value)
        if text is not None:
            out[doc] = text
    return out


@pytest.fixture(scope="session")
def labels(kg_store) -> dict:
    rows = kg_store.query(PREFIXES + "SELECT ?x ?l WHERE { ?x rdfs:label|skos:altLabel|skos:prefLabel ?l }")
    out = defaultdict(set)
    for r in rows:
        out[r["x"]].add(norm(r["l"].value))
    return out


@pytest.fixture(scope="session")
def vocabulary_concepts(kg_store) -> set:
    """Concepts of the ontology's own schemes and OWL-Time units: their names need not appear in a span."""
    rows = kg_store.query(PREFIXES + f"""
        SELECT ?c WHERE {{ GRAPH <{project.ONTOLOGY_GRAPH}> {{ {{ ?c a skos:Concept }} UNION {{ ?c a time:TemporalUnit }} }} }}""")
    return {r["c"] for r in rows}


@pytest.fixture(scope="session")
def checker(texts, labels, vocabulary_concepts):
    def check(ev: Evidence) -> list[str]:
        return span_errors(ev, texts, labels, vocabulary_concepts)
    return check


# ----------------------------------------------------------------------------- the span check

def value_errors(obj, span: str, reasoned: bool, labels: dict, vocabulary_concepts: set) -> str | None:
    """Why `span` does not support `obj`, or None if it does."""
    nspan = norm(span)
    if isinstance(obj, ox.NamedNode):
        if obj in vocabulary_concepts or reasoned:
            return None
        names = labels.get(obj, set())
        if not names:
            return f"object {obj.value} has no label to look for"
        if any(n and n in nspan for n in names):
            return None
        return f"none of the names of {obj.value} ({sorted(names)}) is in the span"
    if isinstance(obj, ox.BlankNode):
        return "evidence object is a blank node"
    dt = obj.datatype.value if obj.datatype is not None else XSD + "string"
    lex = obj.value
    if dt == XSD + "date":
        m = re.fullmatch(r"(-?\d{4,})-(\d{2})-(\d{2})", lex)
        if not m:
            return f"malformed xsd:date {lex!r}"
        year, month, day = m.group(1), int(m.group(2)), int(m.group(3))
        if not has_number(span, year):
            return f"year {year} not in span"
        if not has_day(span, day):
            return f"day {day} not in span"
        if not has_month(nspan, month, allow_number=True):
            return f"month {month} not in span"
        return None
    if dt == XSD + "gYear":
        return None if has_number(span, lex) else f"year {lex} not in span"
    if dt == XSD + "gMonthDay":
        m = re.fullmatch(r"--(\d{2})-(\d{2})", lex)
        if not m:
            return f"malformed xsd:gMonthDay {lex!r}"
        month, day = int(m.group(1)), int(m.group(2))
        if not has_day(span, day):
            return f"day {day} not in span"
        if not has_month(nspan, month, allow_number=False):
            return f"month name {MONTHS[month - 1]} not in span"
        return None
    if dt in NUMBER_TYPES:
        value = float(lex)
        if value != int(value):
            return None if lex in span else f"number {lex} not in span"
        n = int(value)
        word = number_word(n)
        if has_number(span, str(n)) or (word and re.search(rf"\b{word}\b", nspan)):
            return None
        return f"number {n} not in span"
    if dt == XSD + "boolean":
        return None
    if dt in TEXT_TYPES or obj.language:
        if norm(lex) in nspan or reasoned:
            return None
        return f"text {lex!r} not in span"
    return f"no span check for datatype {dt}"


def span_errors(ev: Evidence, texts: dict, labels: dict, vocabulary_concepts: set) -> list[str]:
    if len(ev.sources) != 1 or len(ev.starts) != 1 or len(ev.ends) != 1:
        return ["needs exactly one source, one start and one end"]
    src, start, end = ev.sources[0], ev.starts[0], ev.ends[0]
    text = texts.get(src)
    if text is None:
        return [f"source {src} has no readable file"]
    if not (0 <= start < end <= len(text)):
        return [f"offsets {start}-{end} outside 0..{len(text)}"]
    span = text[start:end]
    errors = []
    for obj in ev.objects:
        problem = value_errors(obj, span, bool(ev.reasoning), labels, vocabulary_concepts)
        if problem:
            errors.append(problem)
    return errors


def describe(ev: Evidence) -> str:
    s = ev.subjects[0].value if ev.subjects else "?"
    p = ev.predicates[0].value if ev.predicates else "?"
    return f"<{s}> <{p}> {[str(o) for o in ev.objects]}"


# ----------------------------------------------------------------------------- tests

def test_data_is_loaded(statements, evidence):
    assert statements, "no statements about kg: things in data/"
    assert evidence, "no evidence nodes in data/"


def test_source_documents_match_their_texts(source_texts, texts):
    """Every source document's text is in the store, with the length and digest the graph states."""
    assert source_texts, "no idd:SourceDocument in the graph"
    problems = []
    for doc, (fname, count, sha) in sorted(source_texts.items(), key=lambda kv: kv[0].value):
        if not fname:
            problems.append(f"{doc.value}: no idd:fileName")
        text = texts.get(doc)
        if text is None:
            problems.append(f"{doc.value}: the store holds no text for it (is GRAPHSVC_SOURCES registered?)")
            continue
        if count != len(text):
            problems.append(f"{doc.value}: idd:characterCount {count} but the text has {len(text)} code points")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if sha != digest:
            problems.append(f"{doc.value}: idd:sha256 {sha} but the text's digest is {digest}")
    assert not problems, "\n".join(problems)


def test_evidence_nodes_are_well_formed(evidence, source_texts):
    problems = []
    for ev in evidence:
        if len(ev.subjects) != 1 or not isinstance(ev.subjects[0], ox.NamedNode) \
                or not ev.subjects[0].value.startswith(KG):
            problems.append(f"{describe(ev)}: needs exactly one kg: evidence subject")
        if len(ev.predicates) != 1:
            problems.append(f"{describe(ev)}: needs exactly one evidence predicate")
        if not ev.objects:
            problems.append(f"{describe(ev)}: needs at least one evidence object")
        if len(ev.sources) != 1 or ev.sources[0] not in source_texts:
            problems.append(f"{describe(ev)}: needs exactly one target whose source is a source document")
        if len(ev.starts) != 1 or len(ev.ends) != 1:
            problems.append(f"{describe(ev)}: needs exactly one selector with one start and one end")
    assert not problems, "\n".join(problems)


def test_every_span_contains_the_value_it_supports(evidence, checker):
    problems = [f"{describe(ev)}: {err}" for ev in evidence for err in checker(ev)]
    assert not problems, f"{len(problems)} evidence spans do not support their values:\n" + "\n".join(problems)


def test_every_statement_has_evidence(statements, evidence):
    covered = {(s, p, o) for ev in evidence for s in ev.subjects for p in ev.predicates for o in ev.objects}
    missing = sorted(f"<{s.value}> <{p.value}> {o}" for s, p, o in statements - covered)
    assert not missing, f"{len(missing)} statements have no evidence:\n" + "\n".join(missing)


def test_no_stale_evidence(statements, evidence):
    stale = [f"{describe(ev)}: object {o}" for ev in evidence for s in ev.subjects for p in ev.predicates
             for o in ev.objects if (s, p, o) not in statements]
    assert not stale, f"{len(stale)} evidence objects name statements that are not in data/:\n" + "\n".join(stale)


def test_moved_spans_are_rejected(evidence, checker):
    """The check is honest: moved off its value, a span that passed must fail."""
    checked = 0
    passed_anyway = []
    for ev in evidence:
        if ev.reasoning or checker(ev):
            continue
        if all(isinstance(o, ox.Literal) and o.datatype is not None and o.datatype.value == XSD + "boolean"
               for o in ev.objects):
            continue
        moved = replace(ev, starts=[0], ends=[1])
        if not checker(moved):
            if all(isinstance(o, ox.NamedNode) for o in ev.objects):
                # objects from the ontology's own schemes are not looked up in the text
                continue
            passed_anyway.append(describe(ev))
        checked += 1
    assert checked > 100, f"only {checked} spans were re-checked"
    assert not passed_anyway, "spans moved off their values still pass:\n" + "\n".join(passed_anyway)


def test_kg_things_have_exactly_one_english_label(kg_store):
    rows = kg_store.query(PREFIXES + f"""
        SELECT ?s (COUNT(DISTINCT ?l) AS ?n) WHERE {{
            GRAPH ?g {{ ?s ?p ?o }} {IN_DATA} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{KG}"))
            OPTIONAL {{ ?s rdfs:label ?l FILTER(LANG(?l) = "en") }}
        }} GROUP BY ?s""")
    bad = sorted(f"{r['s'].value}: {r['n'].value}" for r in rows if int(r["n"].value) != 1)
    assert not bad, "things without exactly one rdfs:label@en:\n" + "\n".join(bad)


def test_identifiers_from_outside_the_sources_are_marked_and_carry_no_evidence(kg_store, evidence, exempt_predicates):
    """ISO codes and Wikidata links come from outside the five texts: the ontology says where from,
    they need no evidence, and no evidence pretends that a source states them."""
    rows = kg_store.query(PREFIXES + f"""
        SELECT ?p ?from WHERE {{ GRAPH <{project.ONTOLOGY_GRAPH}> {{ ?p idd:identifierSource ?from }} }}""")
    marked = {r["p"]: r["from"] for r in rows}
    assert {IDD + "iso3166Alpha2", "http://www.w3.org/2004/02/skos/core#exactMatch"} <= {p.value for p in marked}
    assert all(isinstance(f, ox.NamedNode) for f in marked.values()), "each names where its values come from"
    assert set(marked) <= exempt_predicates
    claimed = [describe(ev) for ev in evidence if set(ev.predicates) & set(marked)]
    assert not claimed, "evidence for identifiers no source states:\n" + "\n".join(claimed)
