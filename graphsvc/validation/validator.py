"""Run compiled shapes over a batch of triples plus the context it needs.

The validation store holds the ontology (for subclass reasoning and the fixed schemes), the
context (what the graph already says about the nodes the batch touches) and the batch; only the
batch's own nodes are focus nodes, so the cost grows with the batch, not with the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox

from graphsvc import project
from graphsvc.rdf_files import parse_file
from graphsvc.validation.compiler import FOCUS_CLASS, FOCUS_GRAPH, CompiledConstraint, compile_shapes

Term = ox.NamedNode | ox.BlankNode | ox.Literal
SH = "http://www.w3.org/ns/shacl#"
VIOLATION = SH + "Violation"
_FOCUS_GRAPH = ox.NamedNode(FOCUS_GRAPH)
_FOCUS_CLASS = ox.NamedNode(FOCUS_CLASS)
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_TEMPLATE = re.compile(r"\{[?$](\w+)\}")


@dataclass(frozen=True)
class ValidationResult:
    focus: Term
    path: str | None
    value: Term | None
    shape: str
    component: str
    severity: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.severity == VIOLATION


@lru_cache(maxsize=1)
def project_constraints() -> tuple[CompiledConstraint, ...]:
    return tuple(compile_shapes(project.SHAPES_DIR))


@lru_cache(maxsize=1)
def ontology_triples() -> tuple[ox.Triple, ...]:
    return tuple(ox.Triple(q.subject, q.predicate, q.object)
                 for path in project.ontology_files() for q in parse_file(path).quads)


def _display(term: Term | None) -> str:
    if term is None:
        return ""
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else "_:" + term.value


def _fill(template: str, row: ox.QuerySolution, variables: list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return _display(row[name]) if name in variables else match.group(0)

    return _TEMPLATE.sub(replace, template)


def validate(
    batch: Iterable[ox.Triple],
    focus: Iterable[Term],
    context: Iterable[ox.Triple] = (),
    constraints: Iterable[CompiledConstraint] | None = None,
) -> list[ValidationResult]:
    """All results (violations and warnings) of the constraints for the given focus nodes."""
    store = ox.Store()
    default = ox.DefaultGraph()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in ontology_triples())
    store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in context)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in batch)
    store.extend(ox.Quad(node, _RDF_TYPE, _FOCUS_CLASS, _FOCUS_GRAPH)
                 for node in set(focus) if not isinstance(node, ox.Literal))
    results: list[ValidationResult] = []
    for constraint in constraints if constraints is not None else project_constraints():
        solutions = store.query(constraint.query)
        variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
        for row in solutions:  # type: ignore[union-attr]
            path = constraint.path
            if path is None and "path" in variables and row["path"] is not None:
                path = row["path"].value
            results.append(ValidationResult(
                focus=row["this"],
                path=path,
                value=row["value"] if "value" in variables else None,
                shape=constraint.shape,
                component=constraint.component,
                severity=constraint.severity,
                message=_fill(constraint.message, row, variables),
            ))
    return results
