"""The project survives a Protégé save.

Protégé saves Turtle through the OWL API: comments go, triples are reordered, list members may
be sorted, declarations may be added. `OntologyCheck resave` does exactly that save. The re-saved
ontology must keep every triple of the original (compared as graphs, never as text) and the
project's test suite must pass against it (GRAPHSVC_ONTOLOGY_DIR points the project at it): every
test that reads the ontology's content, that is all but those listed in NOT_ONTOLOGY_READERS.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, XSD

from tests.owlapi_tool import OwlApiTool, owlapi  # noqa: F401  (the session fixture)

from graphsvc import project

# Lists whose order carries no meaning in OWL: compared as sets of members.
UNORDERED_LISTS = {OWL.unionOf, OWL.intersectionOf, OWL.oneOf, OWL.disjointUnionOf,
                   OWL.members, OWL.distinctMembers, OWL.hasKey, OWL.withRestrictions}


def _term(node):
    """Plain literals and xsd:string literals are the same RDF term since RDF 1.1."""
    if isinstance(node, Literal) and node.datatype == XSD.string:
        return Literal(str(node))
    return node


def named_triples(graph: Graph) -> set[tuple]:
    return {tuple(_term(t) for t in triple) for triple in graph
            if not any(isinstance(t, BNode) for t in triple)}


def _shape(graph: Graph, node, unordered: bool = False, path: frozenset = frozenset()):
    """A blank node's structure as a nested, comparable value, free of blank node labels."""
    if not isinstance(node, BNode):
        return ("term", _term(node).n3())
    if node in path:
        return ("cycle",)
    path = path | {node}
    if (node, RDF.first, None) in graph or node == RDF.nil:
        items, cell = [], node
        while cell != RDF.nil and isinstance(cell, BNode) and (cell, RDF.first, None) in graph:
            items.append(_shape(graph, graph.value(cell, RDF.first), path=path))
            cell = graph.value(cell, RDF.rest)
        return ("set" if unordered else "list", tuple(sorted(items, key=repr) if unordered else items))
    return ("node", tuple(sorted(
        ((p.n3(), _shape(graph, o, unordered=p in UNORDERED_LISTS, path=path))
         for p, o in graph.predicate_objects(node)), key=repr)))


def blank_structures(graph: Graph) -> Counter:
    """Every blank-node structure hanging off a named node, and every free-standing one."""
    found: Counter = Counter()
    for s, p, o in graph:
        if isinstance(o, BNode) and not isinstance(s, BNode):
            found[(s.n3(), p.n3(), _shape(graph, o, unordered=p in UNORDERED_LISTS))] += 1
    for s in set(graph.subjects()):
        if isinstance(s, BNode) and not any(True for _ in graph.subject_predicates(s)):
            found[("root", _shape(graph, s))] += 1
    return found


def lost_in_resave(original: Graph, resaved: Graph) -> list[str]:
    """What the original has and the re-saved graph lacks (named triples and blank structures)."""
    lost = [f"triple {' '.join(t.n3() for t in triple)}"
            for triple in sorted(named_triples(original) - named_triples(resaved))]
    missing = blank_structures(original) - blank_structures(resaved)
    lost += [f"blank-node structure {key!r}" for key in sorted(missing, key=repr)]
    return lost


@pytest.fixture(scope="module")
def resaved_dir(owlapi: OwlApiTool, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """The ontology's files as Protégé would save them, alone in a temporary folder."""
    folder = tmp_path_factory.mktemp("resaved-ontology")
    for source in project.ontology_files():
        result = owlapi.resave(source, folder / source.name)
        assert result.returncode == 0 and (folder / source.name).is_file(), result.describe()
    return folder


@pytest.mark.roundtrip
def test_resave_loses_no_triple(resaved_dir: Path) -> None:
    sources = project.ontology_files()
    assert sources
    for source in sources:
        original = Graph().parse(source, format="turtle")
        resaved = Graph().parse(resaved_dir / source.name, format="turtle")
        assert blank_structures(original), "expected some blank-node structures (owl:unionOf) to compare"
        lost = lost_in_resave(original, resaved)
        assert not lost, f"{source.name}: the OWL API's save lost {len(lost)} item(s):\n" + "\n".join(lost[:50])


# Tests of the protocol, the sandbox, budgets, crashes, the storage engines and the HTTP surface:
# they hold whatever the ontology says (and take most of the suite's time), so the re-saved
# ontology's run leaves them out.
NOT_ONTOLOGY_READERS = (
    "test_w3c_protocol.py", "test_w3c_query_eval.py", "test_api_fuzz.py", "test_sparql_guard.py",
    "test_sparql_guard_properties.py", "test_query_sandbox.py", "test_query_budget.py", "test_http_limits.py",
    "test_upload_safety.py", "test_outbound_requests.py", "test_storage_crash.py", "test_store_replica.py",
    "test_storage_remote.py", "test_bad_input_corpus.py", "test_bench_generator.py", "test_cli_beside_service.py",
)


@pytest.mark.roundtrip
def test_whole_suite_passes_on_the_resaved_ontology(resaved_dir: Path) -> None:
    env = dict(os.environ, GRAPHSVC_ONTOLOGY_DIR=str(resaved_dir))
    ignored = [f"--ignore=tests/{name}" for name in NOT_ONTOLOGY_READERS]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", "not roundtrip", "-p", "no:cacheprovider", *ignored],
        cwd=project.ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    tail = "\n".join((proc.stdout + "\n" + proc.stderr).strip().splitlines()[-60:])
    assert proc.returncode == 0, f"the suite fails on the re-saved ontology (exit {proc.returncode}):\n{tail}"


# ----------------------------------------------------------------------------- the comparison can fail


def _graph(turtle: str) -> Graph:
    return Graph().parse(data="@prefix : <http://example.org/f#> .\n"
                              "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + turtle,
                         format="turtle")


ORIGINAL = """
:p rdfs:label "p"@en ; rdfs:comment "note" ;
   rdfs:range [ a owl:Class ; owl:unionOf ( :A :B ) ] .
:q rdfs:range [ a owl:Class ; owl:unionOf ( :A :C ) ] .
"""


def test_comparison_ignores_order_of_union_members_and_string_typing() -> None:
    resaved = _graph("""
        :q rdfs:range [ owl:unionOf ( :C :A ) ; a owl:Class ] .
        :p rdfs:range [ owl:unionOf ( :B :A ) ; a owl:Class ] ;
           rdfs:comment "note"^^<http://www.w3.org/2001/XMLSchema#string> ; rdfs:label "p"@en .
        :A a owl:Class .
    """)
    assert lost_in_resave(_graph(ORIGINAL), resaved) == []


def test_comparison_reports_a_lost_triple_and_a_changed_union() -> None:
    resaved = _graph("""
        :p rdfs:label "p"@en ; rdfs:range [ a owl:Class ; owl:unionOf ( :A :B ) ] .
        :q rdfs:range [ a owl:Class ; owl:unionOf ( :A ) ] .
    """)
    lost = lost_in_resave(_graph(ORIGINAL), resaved)
    assert len(lost) == 2, lost
    assert lost[0].startswith("triple ") and "note" in lost[0]
    assert lost[1].startswith("blank-node structure") and "f#q" in lost[1]


def test_comparison_reports_a_lost_shared_structure() -> None:
    original = _graph(ORIGINAL + ":r rdfs:range [ a owl:Class ; owl:unionOf ( :A :B ) ] .")
    lost = lost_in_resave(original, _graph(ORIGINAL))
    assert len(lost) == 1 and lost[0].startswith("blank-node structure") and "f#r" in lost[0], lost
