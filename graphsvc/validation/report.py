"""Validation results for people (JSON with messages and lines) and programs (sh:ValidationReport)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import pyoxigraph as ox

from graphsvc.validation.validator import SH, ValidationResult

# Where in the upload a result's triple is written (graphsvc.upload.line_of), given the result.
LineFinder = Callable[[ValidationResult], "int | None"]
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return term.value
    return term.value if isinstance(term, ox.NamedNode) else "_:" + term.value


def report_json(results: Sequence[ValidationResult], line_of: LineFinder | None = None) -> dict[str, Any]:
    """{conforms, violations, warnings, results[]}: each result with message, severity, focus node,
    path, value, shape, constraint component and, where the upload shows it, its line: the line
    of the triple the result is about (focus node, path and value), else of the focus node."""
    items = []
    for result in sorted(results, key=lambda r: (not r.blocking, str(r.focus), r.path or "", r.shape)):
        item = {
            "severity": result.severity.rsplit("#", 1)[-1],
            "message": result.message,
            "focusNode": _term(result.focus),
            "path": result.path,
            "value": _term(result.value),
            "shape": result.shape,
            "constraint": result.component.rsplit("#", 1)[-1],
        }
        if line_of is not None:
            item["line"] = line_of(result)
        items.append({k: v for k, v in item.items() if v is not None})
    violations = sum(1 for r in results if r.blocking)
    return {"conforms": violations == 0, "violations": violations,
            "warnings": len(results) - violations, "results": items}


def report_triples(results: Sequence[ValidationResult]) -> list[ox.Triple]:
    """The same results as a standard SHACL validation report."""
    n = ox.NamedNode
    report = ox.BlankNode()
    conforms = not any(r.blocking for r in results)
    triples = [
        ox.Triple(report, _RDF_TYPE, n(SH + "ValidationReport")),
        ox.Triple(report, n(SH + "conforms"), ox.Literal("true" if conforms else "false",
                                                          datatype=n("http://www.w3.org/2001/XMLSchema#boolean"))),
    ]
    for result in results:
        node = ox.BlankNode()
        triples += [
            ox.Triple(report, n(SH + "result"), node),
            ox.Triple(node, _RDF_TYPE, n(SH + "ValidationResult")),
            ox.Triple(node, n(SH + "focusNode"), result.focus),
            ox.Triple(node, n(SH + "resultSeverity"), n(result.severity)),
            ox.Triple(node, n(SH + "sourceShape"), n(result.shape)),
            ox.Triple(node, n(SH + "sourceConstraintComponent"), n(result.component)),
            ox.Triple(node, n(SH + "resultMessage"), ox.Literal(result.message, language="en")),
        ]
        if result.path and not result.path.startswith(("^", "(")):
            triples.append(ox.Triple(node, n(SH + "resultPath"), n(result.path)))
        if result.value is not None:
            triples.append(ox.Triple(node, n(SH + "value"), result.value))
    return triples


def report_turtle(results: Sequence[ValidationResult]) -> bytes:
    return ox.serialize(report_triples(results), format=ox.RdfFormat.TURTLE, prefixes={"sh": SH})
