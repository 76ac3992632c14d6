"""Report checks on the ontology's terms, like the ODK/ROBOT report and gist's own checks.

Every declared class and property has exactly one English rdfs:label and an English
skos:definition; no two classes share a label, nor two properties; the header carries what
publishing tools need; and data/ uses only classes and properties that the ontology declares.
Each check is a function returning its findings, so the tests below can also show that it fails
on a broken copy of the ontology.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, Namespace

from graphsvc import project

VANN = Namespace("http://purl.org/vocab/vann/")
CLASS_KINDS = (OWL.Class,)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
HEADER = (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator,
          OWL.versionIRI, OWL.versionInfo, VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri)
# What data/ may use without the ontology declaring it.
BUILTIN_PREDICATES = {RDF.type, RDFS.label, RDFS.comment}
BUILTIN_TYPES = {OWL.NamedIndividual, OWL.Thing}

_RDFLIB_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads",
                   ".jsonld": "json-ld", ".rdf": "xml", ".owl": "xml"}


def load(paths: list[Path]) -> Graph:
    """All triples of the files in one graph (named graphs of TriG/N-Quads flattened)."""
    graph = Graph()
    for path in paths:
        if path.suffix in (".trig", ".nq"):
            dataset = Dataset()
            dataset.parse(path, format=_RDFLIB_FORMATS[path.suffix])
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(path, format=_RDFLIB_FORMATS[path.suffix])
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    files = project.ontology_files()
    assert files, "no ontology file found"
    return load(files)


def declared(graph: Graph, kinds: tuple[URIRef, ...]) -> set[URIRef]:
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def _english(values) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


def annotation_findings(graph: Graph) -> list[str]:
    findings = []
    for term in sorted(declared(graph, CLASS_KINDS + PROPERTY_KINDS)):
        labels = _english(graph.objects(term, RDFS.label))
        if len(labels) != 1:
            findings.append(f"{term}: {len(labels)} rdfs:label@en (want exactly one)")
        elif not str(labels[0]).strip():
            findings.append(f"{term}: empty rdfs:label@en")
        definitions = _english(graph.objects(term, SKOS.definition))
        if not any(str(d).strip() for d in definitions):
            findings.append(f"{term}: no skos:definition@en")
    return findings


def duplicate_label_findings(graph: Graph) -> list[str]:
    """Labels shared within the classes, or within the properties (a class and a property may share)."""
    findings = []
    for what, kinds in (("classes", CLASS_KINDS), ("properties", PROPERTY_KINDS)):
        by_label: dict[str, set[URIRef]] = defaultdict(set)
        for term in declared(graph, kinds):
            for label in _english(graph.objects(term, RDFS.label)):
                by_label[str(label).strip().lower()].add(term)
        for label, terms in sorted(by_label.items()):
            if len(terms) > 1:
                findings.append(f"{what} share the label {label!r}: {', '.join(sorted(terms))}")
    return findings


def header_findings(graph: Graph) -> list[str]:
    ontologies = [s for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)]
    if len(ontologies) != 1:
        return [f"expected one owl:Ontology, found {len(ontologies)}"]
    header = ontologies[0]
    findings = [f"header has no {graph.namespace_manager.normalizeUri(p)}"
                for p in HEADER if not any(str(v).strip() for v in graph.objects(header, p))]
    if str(header) != project.ONTOLOGY_IRI:
        findings.append(f"ontology IRI is <{header}>, not <{project.ONTOLOGY_IRI}>")
    return findings


def undeclared_term_findings(ontology: Graph, data: Graph) -> list[str]:
    classes = declared(ontology, CLASS_KINDS) | BUILTIN_TYPES
    properties = declared(ontology, PROPERTY_KINDS) | BUILTIN_PREDICATES
    findings = set()
    for s, p, o in data:
        if p not in properties:
            findings.add(f"property <{p}> is used in data/ but not declared in the ontology")
        if p == RDF.type and not isinstance(o, BNode) and o not in classes:
            findings.add(f"class <{o}> is used in data/ but not declared in the ontology")
    return sorted(findings)


# ----------------------------------------------------------------------------- the project


def test_every_term_has_one_english_label_and_a_definition(ontology: Graph) -> None:
    assert declared(ontology, CLASS_KINDS) and declared(ontology, PROPERTY_KINDS)
    assert annotation_findings(ontology) == []


def test_no_two_classes_and_no_two_properties_share_a_label(ontology: Graph) -> None:
    assert duplicate_label_findings(ontology) == []


def test_header_has_title_description_license_creator_versions_and_namespace(ontology: Graph) -> None:
    assert header_findings(ontology) == []


def test_data_uses_only_declared_classes_and_properties(ontology: Graph) -> None:
    data = load(project.data_files())
    assert undeclared_term_findings(ontology, data) == []


# ----------------------------------------------------------------------------- the checks can fail


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def test_checks_catch_a_missing_label_a_second_label_and_a_missing_definition(ontology: Graph) -> None:
    broken = _copy(ontology)
    idd = Namespace(project.VOCAB_NS)
    broken.remove((idd.Instrument, RDFS.label, None))
    broken.add((idd.party, RDFS.label, Literal("participant in", lang="en")))
    broken.remove((idd.signatory, SKOS.definition, None))
    findings = annotation_findings(broken)
    assert any(f.startswith(f"{idd.Instrument}: 0 rdfs:label@en") for f in findings), findings
    assert any(f.startswith(f"{idd.party}: 2 rdfs:label@en") for f in findings), findings
    assert any(f.startswith(f"{idd.signatory}: no skos:definition") for f in findings), findings


def test_checks_catch_shared_labels_and_a_thin_header(ontology: Graph) -> None:
    broken = _copy(ontology)
    idd = Namespace(project.VOCAB_NS)
    broken.set((idd.Summit, RDFS.label, Literal("Meeting", lang="en")))
    broken.set((idd.partOf, RDFS.label, Literal("participant", lang="en")))
    broken.remove((None, DCTERMS.license, None))
    assert len(duplicate_label_findings(broken)) == 2, duplicate_label_findings(broken)
    assert header_findings(broken) == ["header has no dcterms:license"]


def test_checks_catch_undeclared_terms_in_data(ontology: Graph) -> None:
    fixture = Path(__file__).parent / "data" / "owl" / "data_undeclared_terms.ttl"
    findings = undeclared_term_findings(ontology, load([fixture]))
    assert len(findings) == 2 and any("Treaty" in f for f in findings) \
        and any("ratifiedBy" in f for f in findings), findings
