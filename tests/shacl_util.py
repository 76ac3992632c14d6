"""Small helpers to run the project's SHACL shapes with pyshacl, the reference validator here.

pyshacl may add triples to the shapes graph it is given, so every call gets its own copy of the
shapes parsed once per process; the ontology graph is added to a copy of the data graph, so it is
shared safely too.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.util import guess_format

from graphsvc import project


@dataclass(frozen=True)
class Result:
    """One validation result, reduced to what the tests compare."""

    severity: str  # "Violation", "Warning" or "Info"
    shape: str | None  # IRI of sh:sourceShape (None for a blank-node shape)
    focus: str
    path: str | None
    message: str
    value: str | None


def parse_files(paths: Iterable[Path]) -> Graph:
    """All triples of the files in one graph (the format follows each file's suffix)."""
    graph = Graph()
    for path in paths:
        graph.parse(path, format=guess_format(str(path)) or "turtle")
    return graph


@functools.lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The shapes of shapes/*.ttl, parsed once. Do not hand it to pyshacl: use a copy."""
    return parse_files(sorted(project.SHAPES_DIR.glob("*.ttl")))


@functools.lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    return parse_files(project.ontology_files())


def _copy(graph: Graph) -> Graph:
    fresh = Graph()
    for prefix, namespace in graph.namespaces():
        fresh.bind(prefix, namespace, override=True)
    fresh += graph
    return fresh


_TRANSLATED: dict[tuple, object] = {}


@contextmanager
def cached_sparql_parsing() -> Iterator[None]:
    """Parse each SPARQL text once instead of once per pyshacl run.

    pyshacl hands rdflib the same SPARQL constraint texts on every run, and rdflib parses them
    afresh each time (about 0.07 s a query, most of the cost of validating a tiny file). Inside
    this block a text seen before is reused in its translated form, as a prepared query is;
    evaluation itself is unchanged.
    """
    original = sparql_processor.SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, frozenset((str(k), str(v)) for k, v in (initNs or {}).items()))
            if key not in _TRANSLATED:
                parsed = sparql_processor.parseQuery(strOrQuery)
                _TRANSLATED[key] = sparql_processor.translateQuery(parsed, base, initNs or {})
            strOrQuery = _TRANSLATED[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    sparql_processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        sparql_processor.SPARQLProcessor.query = original


def validate(data: Graph) -> list[Result]:
    """Validate `data` (with the ontology mixed in) against the shapes; return every result.

    The whole ontology goes into a copy of the data graph, as graphsvc.validation has it beside
    every batch: pyshacl's own mix-in (ont_graph) copies only class and property axioms, and the
    shapes read more of the ontology than that (which properties are idd:evidenceExempt).
    """
    mixed = _copy(data)
    mixed += ontology_graph()
    _conforms, report, _text = pyshacl.validate(
        mixed,
        shacl_graph=_copy(shapes_graph()),
        inference="none",
        advanced=True,
        inplace=False,
        allow_warnings=True,
    )
    return results_of(report)


def results_of(report: Graph) -> list[Result]:
    """The report's top-level results (nested ones, reached through sh:detail, are left out)."""
    results = []
    for node in report.objects(None, SH.result):
        severity = report.value(node, SH.resultSeverity)
        shape = report.value(node, SH.sourceShape)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        results.append(
            Result(
                severity=str(severity).rsplit("#", 1)[-1],
                shape=str(shape) if isinstance(shape, URIRef) else None,
                focus=str(report.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else None,
                message=str(report.value(node, SH.resultMessage) or ""),
                value=str(value) if isinstance(value, (URIRef, Literal)) else None,
            )
        )
    return sorted(results, key=lambda r: (r.severity, r.shape or "", r.focus, r.path or ""))


def describe(results: Iterable[Result]) -> str:
    """One line per result, for assertion messages."""
    return "\n".join(
        f"{r.severity}: {r.shape} focus={r.focus} path={r.path} value={r.value} :: {r.message}" for r in results
    ) or "(no results)"
