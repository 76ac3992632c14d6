"""The SHACL shapes of shapes/: data/ passes them, each known-bad file fails exactly as recorded,
known-good files pass, and the shapes themselves follow the project's conventions.

pyshacl is the reference validator. Each test file is validated on its own, with the ontology
mixed in so that rdfs:subClassOf counts for targets and sh:class.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from graphsvc import project
from tests.shacl_util import (
    cached_sparql_parsing,
    describe,
    ontology_graph,
    parse_files,
    shapes_graph,
    validate,
)

TEST_DATA = Path(__file__).parent / "data"
INVALID = sorted((TEST_DATA / "invalid").glob("*.ttl"))
VALID = sorted((TEST_DATA / "valid").glob("*.ttl"))
SHAPES_NS = "https://w3id.org/iddkg/shapes#"

# Parameters that make a shape report something itself (SHACL Core and SHACL-SPARQL constraint
# components). sh:property is not one: a node shape that only groups property shapes reports nothing.
CONSTRAINT_PARAMETERS = {
    SH[name]
    for name in (
        "class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive maxInclusive "
        "minLength maxLength pattern languageIn uniqueLang equals disjoint lessThan lessThanOrEquals "
        "not and or xone node qualifiedValueShape closed hasValue in sparql"
    ).split()
}
SEVERITIES = {SH.Violation, SH.Warning, SH.Info}


@pytest.fixture(scope="module", autouse=True)
def _parse_sparql_once():
    with cached_sparql_parsing():
        yield


@pytest.fixture(scope="module")
def data_results():
    graph = parse_files(project.ontology_files() + project.data_files())
    return validate(graph)


# (a) data/ conforms ------------------------------------------------------------------------------

def test_data_has_no_violation(data_results) -> None:
    assert project.data_files(), "data/ holds no RDF file"
    violations = [r for r in data_results if r.severity == "Violation"]
    assert not violations, "data/ violates the shapes:\n" + describe(violations)


def test_data_warnings_are_only_advice(data_results) -> None:
    """Warnings are allowed, but only from shapes declared as warnings (nothing else leaks through)."""
    shapes = shapes_graph()
    for result in data_results:
        if result.severity == "Warning":
            assert result.shape is not None
            severity = shapes.value(URIRef(result.shape), SH.severity)
            assert severity == SH.Warning, describe([result])


# (b) each negative file yields its one recorded violation ---------------------------------

def test_negative_corpus_is_large_enough_and_documented() -> None:
    assert len(INVALID) >= 30
    for path in INVALID:
        assert path.with_suffix(".expected.json").exists(), f"{path.name} has no .expected.json"
    for sidecar in (TEST_DATA / "invalid").glob("*.expected.json"):
        assert sidecar.with_name(sidecar.name.replace(".expected.json", ".ttl")).exists(), sidecar.name


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_negative_file_yields_its_one_violation(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert expected["severity"] == "Violation"
    assert (URIRef(expected["shape"]), None, None) in shapes_graph(), f"no shape {expected['shape']}"
    results = validate(parse_files([path]))
    violations = [r for r in results if r.severity == "Violation"]
    # One broken rule: every violation comes from one shape, focus node and path (a value that is
    # both of the wrong datatype and out of range breaks two components of the same shape).
    found = {(v.shape, v.focus, v.path) for v in violations}
    assert found == {(expected["shape"], expected["focus"], expected["path"])}, (
        f"{path.name}: expected {expected}, got:\n" + describe(results)
    )
    assert all(v.message for v in violations), "a violation must carry a plain-English message"


# (c) valid files conform ------------------------------------------------------------------------

@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_file_conforms(path: Path) -> None:
    results = validate(parse_files([path]))
    assert not results, f"{path.name} should pass every shape:\n" + describe(results)


def test_there_are_valid_examples() -> None:
    assert len(VALID) >= 2


# (d) the shapes follow the conventions ----------------------------------------------------------

def _reporting_shapes(shapes: Graph) -> set:
    """Shapes that can appear as sh:sourceShape: declared node and property shapes, shapes reached
    through sh:property or sh:node, and shapes with targets. Operands inside sh:or lists report
    through the shape that holds the list, so they are not counted."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    found |= set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.node))
    for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        found |= set(shapes.subjects(target, None))
    return found


def test_every_constraint_has_a_message_and_a_severity() -> None:
    shapes = shapes_graph()
    problems = []
    for shape in sorted(_reporting_shapes(shapes), key=str):
        if not any((shape, p, None) in shapes for p in CONSTRAINT_PARAMETERS):
            continue
        if not isinstance(shape, URIRef) or not str(shape).startswith(SHAPES_NS):
            problems.append(f"{shape}: a shape with constraints needs an IRI under {SHAPES_NS}")
        if not list(shapes.objects(shape, SH.message)):
            problems.append(f"{shape}: no sh:message")
        if shapes.value(shape, SH.severity) not in SEVERITIES:
            problems.append(f"{shape}: no sh:severity")
        for prop in (RDFS.label, RDFS.comment):
            if shapes.value(shape, prop) is None:
                problems.append(f"{shape}: no {prop.n3(shapes.namespace_manager)}")
    for constraint in shapes.objects(None, SH.sparql):
        owners = list(shapes.subjects(SH.sparql, constraint))
        if not list(shapes.objects(constraint, SH.message)):
            problems.append(f"{constraint}: SPARQL constraint without sh:message")
        if shapes.value(constraint, SH.select) is None:
            problems.append(f"{constraint}: SPARQL constraint without sh:select")
        if isinstance(constraint, BNode) or not str(constraint).startswith(SHAPES_NS):
            problems.append(f"{constraint}: a SPARQL constraint needs an IRI under {SHAPES_NS}")
        if not any(shapes.value(o, SH.severity) in SEVERITIES for o in owners):
            problems.append(f"{constraint}: the shape that holds it has no sh:severity")
    assert not problems, "\n".join(problems)


def test_messages_are_plain_english() -> None:
    shapes = shapes_graph()
    for subject, message in shapes.subject_objects(SH.message):
        assert getattr(message, "language", None) == "en", f"{subject}: sh:message should be tagged @en"
        assert len(str(message).split()) >= 5, f"{subject}: message too terse: {message!r}"


def test_shape_files_parse_and_name_their_shapes() -> None:
    files = sorted(project.SHAPES_DIR.glob("*.ttl"))
    assert files, "shapes/ holds no Turtle file"
    for path in files:
        Graph().parse(path, format="turtle")


# (e) every class that data/ instantiates is targeted ---------------------------------------------

def test_every_instantiated_ontology_class_is_a_target() -> None:
    data = parse_files(project.data_files())
    ontology_classes = set(ontology_graph().subjects(RDF.type, OWL.Class))
    targeted = set(shapes_graph().objects(None, SH.targetClass))
    used = {c for c in data.objects(None, RDF.type) if c in ontology_classes}
    assert used, "data/ instantiates no ontology class"
    missing = sorted(str(c) for c in used - targeted)
    assert not missing, "classes used in data/ but targeted by no shape:\n" + "\n".join(missing)


def test_targets_and_shape_references_are_ontology_terms() -> None:
    """A misspelt class or property in a shape silently checks nothing; catch it here."""
    shapes = shapes_graph()
    ontology = ontology_graph()
    built_in = {RDFS.label, RDFS.comment, RDF.type}
    declared = set(ontology.subjects(RDF.type, None)) | built_in
    for target in shapes.objects(None, SH.targetClass):
        assert target in declared, f"sh:targetClass {target} is not declared in the ontology"
    for prop in (SH.targetSubjectsOf, SH.targetObjectsOf, SH["class"]):
        for term in shapes.objects(None, prop):
            assert term in declared, f"{prop.n3(shapes.namespace_manager)} {term} is not declared in the ontology"
    for path in shapes.objects(None, SH.path):
        if isinstance(path, URIRef):
            assert path in declared, f"sh:path {path} is not declared in the ontology"
