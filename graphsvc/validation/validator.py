"""Run compiled shapes over a batch of triples plus the context it needs.

The validation store holds the ontology (for subclass reasoning and the fixed schemes), the
context (what the graph already says about the nodes the batch touches) and the batch; only the
batch's own nodes are focus nodes, so the cost grows with the batch, not with the graph.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from time import monotonic
from typing import Iterable

import pyoxigraph as ox

from graphsvc import project
from graphsvc.rdf_files import parse_file
from graphsvc.validation.compiler import (
    FOCUS_CLASS,
    FOCUS_GRAPH,
    INSTANCE_GRAPH,
    INSTANCE_OF,
    CompiledConstraint,
    compile_shapes,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
SH = "http://www.w3.org/ns/shacl#"
VIOLATION = SH + "Violation"
_FOCUS_GRAPH = ox.NamedNode(FOCUS_GRAPH)
_FOCUS_CLASS = ox.NamedNode(FOCUS_CLASS)
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_INSTANCE_OF = ox.NamedNode(INSTANCE_OF)
_INSTANCE_GRAPH = ox.NamedNode(INSTANCE_GRAPH)
_TEMPLATE = re.compile(r"\{[?$](\w+)\}")
# Class memberships inferred per triple of the batch and its context, at most (plus a fixed
# allowance for the ontology's own hierarchy): a chain of n subclasses in the data would
# otherwise give each of its instances n memberships, n squared in all.
_INFERRED_PER_TRIPLE = 16
_INFERRED_ALLOWANCE = 100_000
_CHECK_EVERY = 1024  # loop steps between looks at the clock


class ValidationStopped(Exception):
    """Validation ended before judging everything; nothing it was judging may be written."""

    status = 503


class ValidationTimeout(ValidationStopped):
    """The deadline passed."""


class ValidationTooLarge(ValidationStopped):
    """The batch's class hierarchy would need too many inferred class memberships."""

    status = 413


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and monotonic() > deadline:
        raise ValidationTimeout("validation ran past its deadline")


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


_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


Class = ox.NamedNode | ox.BlankNode


def _superclasses(triples: list[ox.Triple], limit: int | None = None,
                  deadline: float | None = None) -> dict[Class, set[Class]]:
    """Each class with itself and all its superclasses, from the rdfs:subClassOf triples given.
    Iterative (a long chain of subclasses must not exhaust Python's stack); ValidationTooLarge
    past `limit` memberships in all, ValidationTimeout past `deadline`."""
    parents: dict[Class, set[Class]] = {}
    for t in triples:
        if t.predicate == _SUBCLASS and not isinstance(t.object, ox.Literal):
            parents.setdefault(t.subject, set()).add(t.object)
    closure: dict[Class, set[Class]] = {}
    size = 0
    for start in list(parents):
        # Depth first: a class is closed once all of its parents are (a cycle is cut where it closes).
        stack: list[tuple[Class, bool]] = [(start, False)]
        while stack:
            cls, parents_done = stack.pop()
            if parents_done:
                members = {cls}
                for parent in parents.get(cls, ()):
                    members |= closure.get(parent, {parent})
                closure[cls] = members
                size += len(members)
                if limit is not None and size > limit:
                    raise ValidationTooLarge(f"the class hierarchy would need more than {limit} inferred "
                                             f"class memberships")
                _check_deadline(deadline)
            elif cls not in closure:
                closure[cls] = {cls}  # provisional, for cycles; replaced once the parents are done
                stack.append((cls, True))
                stack.extend((parent, False) for parent in parents.get(cls, ()) if parent not in closure)
    return closure


_BASE_GRAPH = ox.NamedNode("urn:iddkg:validation:base")
_SCRATCH_GRAPH = ox.NamedNode("urn:iddkg:validation:scratch")
_local = threading.local()


@lru_cache(maxsize=1)
def ontology_instances() -> tuple[ox.Triple, ...]:
    """The class memberships of the ontology's own terms (its concepts, units and schemes)."""
    ontology = list(ontology_triples())
    return tuple(_instance_of(ontology, _superclasses(ontology)))


def _workspace() -> ox.Store:
    """This thread's validation store, holding the ontology once."""
    store = getattr(_local, "store", None)
    if store is None:
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object, _BASE_GRAPH) for t in ontology_triples())
        _local.store = store
    return store


def _instance_of(triples: Iterable[ox.Triple], supers: dict, limit: int | None = None,
                 deadline: float | None = None) -> set[ox.Triple]:
    found: set[ox.Triple] = set()
    for index, t in enumerate(triples):
        if t.predicate == _RDF_TYPE and not isinstance(t.object, ox.Literal):
            for cls in supers.get(t.object, {t.object}):
                found.add(ox.Triple(t.subject, _INSTANCE_OF, cls))
            if limit is not None and len(found) > limit:
                raise ValidationTooLarge(f"the data's types would need more than {limit} inferred class "
                                         f"memberships")
        if index % _CHECK_EVERY == 0:
            _check_deadline(deadline)
    return found


def validate(
    batch: Iterable[ox.Triple],
    focus: Iterable[Term],
    context: Iterable[ox.Triple] = (),
    constraints: Iterable[CompiledConstraint] | None = None,
    deadline: float | None = None,
) -> list[ValidationResult]:
    """All results (violations and warnings) of the constraints for the given focus nodes.
    Past `deadline` (a time.monotonic() value), ValidationTimeout: the clock is read between
    constraint queries and between the rows of each."""
    _check_deadline(deadline)
    new = [*context, *batch]
    focus_nodes = {node for node in focus if not isinstance(node, ox.Literal)}
    limit = _INFERRED_ALLOWANCE + _INFERRED_PER_TRIPLE * len(new)
    supers = _superclasses([*ontology_triples(), *new], limit, deadline)
    instance_of = _instance_of(new, supers, limit, deadline)
    # Skip constraints that target nothing the focus nodes are or use.
    focus_classes = {t.object.value for t in instance_of if t.subject in focus_nodes}
    subject_predicates = {t.predicate.value for t in new if t.subject in focus_nodes}
    object_predicates = {t.predicate.value for t in new if t.object in focus_nodes}
    chosen = [c for c in (constraints if constraints is not None else project_constraints())
              if c.targets.may_match(focus_classes, subject_predicates, object_predicates)]

    store = _workspace()
    try:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, _SCRATCH_GRAPH) for t in new)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, _INSTANCE_GRAPH)
                     for t in {*ontology_instances(), *instance_of})
        store.extend(ox.Quad(node, _RDF_TYPE, _FOCUS_CLASS, _FOCUS_GRAPH) for node in focus_nodes)
        return _run(store, chosen, deadline)
    finally:
        store.remove_graph(_SCRATCH_GRAPH)
        store.remove_graph(_INSTANCE_GRAPH)
        store.remove_graph(_FOCUS_GRAPH)


def _run(store: ox.Store, constraints: list[CompiledConstraint],
         deadline: float | None = None) -> list[ValidationResult]:
    results: list[ValidationResult] = []
    for constraint in constraints:
        _check_deadline(deadline)
        solutions = store.query(constraint.query, default_graph=[_BASE_GRAPH, _SCRATCH_GRAPH],
                                named_graphs=[_FOCUS_GRAPH, _INSTANCE_GRAPH])
        variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
        for row in solutions:  # type: ignore[union-attr]
            _check_deadline(deadline)
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
