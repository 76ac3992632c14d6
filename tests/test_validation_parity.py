"""The fast validator (shapes compiled to SPARQL on pyoxigraph) gives the verdicts pyshacl gives,
the reference validator, on the whole negative corpus, the valid files and data/."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graphsvc import project
from graphsvc.rdf_files import parse_file
from graphsvc.validation.validator import validate
from tests import shacl_util

CORPUS = sorted((Path(__file__).parent / "data" / "invalid").glob("*.ttl")) + \
    sorted((Path(__file__).parent / "data" / "valid").glob("*.ttl"))
Verdict = set[tuple[str, str | None, str, str | None]]


def _stored_triples(paths: list[Path]) -> list[ox.Triple]:
    """The triples as the store keeps them (pyoxigraph canonicalises literals on the way in)."""
    store = ox.Store()
    for path in paths:
        store.extend(parse_file(path).quads)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)]


def _node(text: str) -> str:
    return text if text.startswith(("http:", "https:", "urn:")) else "_:blank"


def reference(triples: list[ox.Triple]) -> Verdict:
    graph = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    with shacl_util.cached_sparql_parsing():
        results = shacl_util.validate(graph)
    return {(r.severity, r.shape, _node(r.focus), r.path) for r in results}


def ours(triples: list[ox.Triple]) -> Verdict:
    focus = {t.subject for t in triples}
    results = validate(triples, focus)
    return {(r.severity.rsplit("#", 1)[-1], r.shape,
             _node(r.focus.value if isinstance(r.focus, ox.NamedNode) else "_:" + r.focus.value),
             r.path if r.path and not r.path.startswith(("^", "(")) else None) for r in results}


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_same_verdict_as_pyshacl(path: Path) -> None:
    triples = _stored_triples([path])
    assert ours(triples) == reference(triples)


def test_same_verdict_as_pyshacl_on_the_whole_graph() -> None:
    triples = _stored_triples(project.data_files())
    mine = ours(triples)
    assert mine == reference(triples)
    assert not [v for v in mine if v[0] == "Violation"]
