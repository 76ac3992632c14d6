"""Compile SHACL shapes into SPARQL SELECT queries, one per constraint.

Every query returns the violations of one constraint as rows of ?this (the focus node),
?value and optionally ?path, restricted to the focus nodes listed in the FOCUS graph of the
store it runs on. The shapes are project content, so their terms are written into the queries;
data values never are. Supported: sh:targetClass/targetSubjectsOf/targetObjectsOf, and sh:target
with a sh:SPARQLTarget (SHACL-AF; its query written with full IRIs); predicate,
inverse, alternative and sequence paths; minCount, maxCount, datatype, class, nodeKind, pattern,
hasValue, in, languageIn, uniqueLang, minInclusive, minExclusive, lessThan, or, node; SPARQL
constraints.
Anything else makes compilation fail loudly rather than silently not check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, SH, BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

FOCUS_GRAPH = "urn:iddkg:validation:focus"
FOCUS_CLASS = "urn:iddkg:validation:Focus"
# The validator states every node's classes, superclasses included, with this predicate, so a
# target or class check is one lookup instead of a rdf:type/rdfs:subClassOf* walk. It keeps those
# statements in a named graph of their own, so that a SPARQL constraint that reads all of a node's
# triples (?this ?p ?o) never sees them.
INSTANCE_OF = "urn:iddkg:validation:instanceOf"
INSTANCE_GRAPH = "urn:iddkg:validation:instances"


def _is_a(node: str, cls: str) -> str:
    """The pattern: `node` is an instance of `cls` (both as SPARQL terms or variables)."""
    return f"GRAPH <{INSTANCE_GRAPH}> {{ {node} <{INSTANCE_OF}> {cls} }}"


_XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes whose lexical forms the engine can check by casting (ill-formed literals fail).
_CASTABLE = {_XSD + t for t in ("date", "gYear", "gMonthDay", "decimal", "integer", "boolean", "double",
                                "float", "dateTime")}
_INTEGER_SUBTYPES = {_XSD + "nonNegativeInteger": ">= 0", _XSD + "positiveInteger": "> 0",
                     _XSD + "nonPositiveInteger": "<= 0", _XSD + "negativeInteger": "< 0"}
_HANDLED = {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH.flags,
            SH.hasValue, SH["in"], SH.languageIn, SH.uniqueLang, SH.minExclusive, SH.minInclusive, SH.lessThan, SH["or"],
            SH.node, SH.sparql, SH.message, SH.severity, SH.property, SH.targetClass, SH.targetSubjectsOf,
            SH.targetObjectsOf, SH.target, SH.name, SH.description, SH.order, SH.group, SH.deactivated, RDF.type,
            RDFS.label, RDFS.comment, SH.declare, SH.prefixes, SH.select}


@dataclass(frozen=True)
class Targets:
    """Which nodes a shape targets: instances of classes, subjects or objects of predicates, and the
    nodes that SPARQL target queries select."""

    classes: frozenset[str] = frozenset()
    subjects_of: frozenset[str] = frozenset()
    objects_of: frozenset[str] = frozenset()
    selects: tuple[str, ...] = ()

    def may_match(self, classes: set[str], subject_predicates: set[str], object_predicates: set[str]) -> bool:
        return bool(self.selects or self.classes & classes or self.subjects_of & subject_predicates
                    or self.objects_of & object_predicates)


@dataclass(frozen=True)
class CompiledConstraint:
    shape: str  # the shape a report names as sh:sourceShape
    component: str  # the SHACL constraint component IRI
    severity: str  # sh:Violation, sh:Warning or sh:Info IRI
    message: str
    path: str | None  # the property path as text, for reports (IRI when a plain predicate)
    query: str
    targets: Targets = Targets()


def _n3(node: Node) -> str:
    return node.n3()


class ShapesCompiler:
    def __init__(self, shapes: rdflib.Graph) -> None:
        self.g = shapes

    # -- paths -----------------------------------------------------------------------------
    def path(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return _n3(node)
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p) for p in Collection(self.g, node)) + ")"
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + self.path(inverse)
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in Collection(self.g, alternatives)) + ")"
        for key, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = self.g.value(node, key)
            if inner is not None:
                return "(" + self.path(inner) + ")" + suffix
        raise ValueError(f"unsupported SHACL path {node!r}")

    # -- targets ---------------------------------------------------------------------------
    def targets(self, shape: Node) -> Targets:
        selects = []
        for target in self.g.objects(shape, SH.target):
            select = self.g.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in self.g or select is None:
                raise ValueError(f"unsupported sh:target on {shape}: only a sh:SPARQLTarget with sh:select")
            selects.append(str(select))
        return Targets(
            classes=frozenset(str(c) for c in self.g.objects(shape, SH.targetClass)),
            subjects_of=frozenset(str(p) for p in self.g.objects(shape, SH.targetSubjectsOf)),
            objects_of=frozenset(str(p) for p in self.g.objects(shape, SH.targetObjectsOf)),
            selects=tuple(sorted(selects)),
        )

    @staticmethod
    def target_pattern(targets: Targets) -> str:
        patterns = []
        if targets.classes:
            values = " ".join(f"<{c}>" for c in sorted(targets.classes))
            patterns.append(f"VALUES ?targetClass {{ {values} }} {_is_a('?this', '?targetClass')}")
        for prop in sorted(targets.subjects_of):
            patterns.append(f"?this <{prop}> ?targetAny .")
        for prop in sorted(targets.objects_of):
            patterns.append(f"?targetAny <{prop}> ?this .")
        for select in targets.selects:
            patterns.append(select.replace("$this", "?this"))  # a subquery that projects ?this
        return "{ " + " } UNION { ".join(patterns) + " }"

    @staticmethod
    def _focus_block(target: str) -> str:
        return f"GRAPH <{FOCUS_GRAPH}> {{ ?this a <{FOCUS_CLASS}> }} {target}"

    # -- conditions on one value -------------------------------------------------------------
    def value_conforms(self, shape: Node, var: str) -> str:
        """A SPARQL boolean expression: `var` conforms to the (inline or named) node shape."""
        parts: list[str] = []
        for predicate, obj in self.g.predicate_objects(shape):
            if predicate == SH.datatype:
                parts.append(self._datatype_ok(obj, var))
            elif predicate == SH["class"]:
                parts.append(f"EXISTS {{ {_is_a(var, _n3(obj))} }}")
            elif predicate == SH.nodeKind:
                parts.append(self._node_kind_ok(obj, var))
            elif predicate == SH.hasValue:
                parts.append(f"({var} = {_n3(obj)})")
            elif predicate == SH.property:
                parts.append(self._property_ok(obj, var))
            elif predicate in (RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity):
                continue
            else:
                raise ValueError(f"unsupported constraint {predicate} inside sh:or/sh:node shape {shape}")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def _property_ok(self, prop: Node, var: str) -> str:
        path = self.path(self.g.value(prop, SH.path))
        parts = []
        for predicate, obj in self.g.predicate_objects(prop):
            if predicate == SH.hasValue:
                parts.append(f"EXISTS {{ {var} {path} {_n3(obj)} }}")
            elif predicate == SH.minCount and int(obj) == 1:
                parts.append(f"EXISTS {{ {var} {path} ?nestedAny }}")
            elif predicate == SH["class"]:
                parts.append(f"NOT EXISTS {{ {var} {path} ?nested . "
                             f"FILTER NOT EXISTS {{ {_is_a('?nested', _n3(obj))} }} }}")
            elif predicate in (SH.path, RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity):
                continue
            else:
                raise ValueError(f"unsupported nested constraint {predicate} in {prop}")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    @staticmethod
    def _datatype_ok(datatype: Node, var: str) -> str:
        """`var` is a well-formed literal of `datatype` (ill-formed lexical forms fail the cast)."""
        iri = str(datatype)
        if iri == str(RDF.langString):
            return f"(isLiteral({var}) && lang({var}) != \"\")"
        check = f"(isLiteral({var}) && datatype({var}) = {_n3(datatype)}"
        if iri in _CASTABLE:
            check += f" && COALESCE(isLiteral({_n3(datatype)}(STR({var}))), false)"
        elif iri in _INTEGER_SUBTYPES:
            check += f" && COALESCE(<{_XSD}integer>(STR({var})) {_INTEGER_SUBTYPES[iri]}, false)"
        return check + ")"

    @staticmethod
    def _node_kind_ok(kind: Node, var: str) -> str:
        tests = {
            SH.IRI: f"isIRI({var})", SH.BlankNode: f"isBlank({var})", SH.Literal: f"isLiteral({var})",
            SH.BlankNodeOrIRI: f"(isIRI({var}) || isBlank({var}))",
            SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
            SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))",
        }
        return tests[kind]

    # -- whole constraints -------------------------------------------------------------------
    def compile(self) -> list[CompiledConstraint]:
        compiled: list[CompiledConstraint] = []
        node_shapes = set(self.g.subjects(RDF.type, SH.NodeShape))
        node_shapes |= {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
                        for s in self.g.subjects(p, None)}
        for shape in sorted(node_shapes, key=str):
            targets = self.targets(shape)
            if not (targets.classes or targets.subjects_of or targets.objects_of or targets.selects):
                continue  # only used through sh:node
            if (shape, SH.deactivated, Literal(True)) in self.g:
                continue
            target = self.target_pattern(targets)
            found = self._node_level(shape, target)
            for prop in self.g.objects(shape, SH.property):
                if (prop, SH.deactivated, Literal(True)) not in self.g:
                    found += self._property_level(prop, target)
            compiled += [replace(c, targets=targets) for c in found]
        return compiled

    def _meta(self, shape: Node, default_message: str) -> tuple[str, str]:
        severity = str(self.g.value(shape, SH.severity) or SH.Violation)
        message = self.g.value(shape, SH.message)
        return severity, str(message) if message is not None else default_message

    def _node_level(self, shape: Node, target: str) -> list[CompiledConstraint]:
        out = []
        for predicate in set(self.g.predicates(shape, None)):
            if predicate not in _HANDLED:
                raise ValueError(f"unsupported SHACL constraint {predicate} on {shape}")
        severity, message = self._meta(shape, "the node does not conform to its shape")
        for constraint in self.g.objects(shape, SH.sparql):
            query = self._sparql_constraint(constraint, target)
            c_message = self.g.value(constraint, SH.message)
            out.append(CompiledConstraint(str(shape), str(SH.SPARQLConstraintComponent), severity,
                                          str(c_message) if c_message is not None else message, None, query))
        return out

    def _sparql_constraint(self, constraint: Node, target: str) -> str:
        select = str(self.g.value(constraint, SH.select))
        prefixes = []
        for declaring in self.g.objects(constraint, SH.prefixes):
            for declaration in self.g.objects(declaring, SH.declare):
                prefix = self.g.value(declaration, SH.prefix)
                namespace = self.g.value(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        # $this and ?this are the same variable in SPARQL; the focus restriction joins on it.
        inner = select.replace("$this", "?this")
        head = re.search(r"SELECT\s+(DISTINCT\s+)?(.*?)\s+WHERE", inner, re.S | re.I)
        projected = set(re.findall(r"\?(\w+)", head.group(2))) if head else set()
        outputs = ["?this"] + [f"?{v}" for v in ("path", "value") if v in projected]
        extra = sorted(projected - {"this", "path", "value"})
        return ("\n".join(prefixes) + f"\nSELECT DISTINCT {' '.join(outputs + ['?' + v for v in extra])} WHERE {{\n"
                f"  {self._focus_block(target)}\n  {{ {inner} }}\n}}")

    def _property_level(self, prop: Node, target: str) -> list[CompiledConstraint]:
        for predicate in set(self.g.predicates(prop, None)):
            if predicate not in _HANDLED:
                raise ValueError(f"unsupported SHACL constraint {predicate} on {prop}")
        path_node = self.g.value(prop, SH.path)
        path = self.path(path_node)
        path_text = str(path_node) if isinstance(path_node, URIRef) else path
        severity, message = self._meta(prop, "a value does not conform to its shape")
        focus = self._focus_block(target)
        out: list[CompiledConstraint] = []

        def add(component: str, body: str, grouped: bool = False) -> None:
            if grouped:
                query = f"SELECT ?this WHERE {{ {body} }}"
            else:
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {body} }}"
            out.append(CompiledConstraint(str(prop), str(SH[component]), severity, message, path_text, query))

        for obj in self.g.objects(prop, SH.minCount):
            add("MinCountConstraintComponent",
                f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                f"GROUP BY ?this }} FILTER(?n < {int(obj)})", grouped=True)
        for obj in self.g.objects(prop, SH.maxCount):
            add("MaxCountConstraintComponent",
                f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} ?this {path} ?v }} "
                f"GROUP BY ?this }} FILTER(?n > {int(obj)})", grouped=True)
        for obj in self.g.objects(prop, SH.datatype):
            add("DatatypeConstraintComponent", f"?this {path} ?value . FILTER(!{self._datatype_ok(obj, '?value')})")
        for obj in self.g.objects(prop, SH["class"]):
            add("ClassConstraintComponent",
                f"?this {path} ?value . FILTER NOT EXISTS {{ {_is_a('?value', _n3(obj))} }}")
        for obj in self.g.objects(prop, SH.nodeKind):
            add("NodeKindConstraintComponent", f"?this {path} ?value . FILTER(!{self._node_kind_ok(obj, '?value')})")
        for obj in self.g.objects(prop, SH.pattern):
            flags = self.g.value(prop, SH.flags)
            regex = f"REGEX(STR(?value), {Literal(str(obj)).n3()}" + (f", {Literal(str(flags)).n3()})" if flags else ")")
            add("PatternConstraintComponent", f"?this {path} ?value . FILTER(isBlank(?value) || !{regex})")
        for obj in self.g.objects(prop, SH.hasValue):
            add("HasValueConstraintComponent", f"FILTER NOT EXISTS {{ ?this {path} {_n3(obj)} }}")
        for obj in self.g.objects(prop, SH["in"]):
            members = ", ".join(_n3(m) for m in Collection(self.g, obj))
            add("InConstraintComponent", f"?this {path} ?value . FILTER(?value NOT IN ({members}))")
        for obj in self.g.objects(prop, SH.languageIn):
            ranges = " || ".join(f"LANGMATCHES(lang(?value), {Literal(str(m)).n3()})" for m in Collection(self.g, obj))
            add("LanguageInConstraintComponent", f"?this {path} ?value . FILTER(!isLiteral(?value) || !({ranges}))")
        if (prop, SH.uniqueLang, Literal(True)) in self.g:
            add("UniqueLangConstraintComponent",
                f"?this {path} ?value, ?other . FILTER(?value != ?other && lang(?value) != \"\" "
                f"&& lang(?value) = lang(?other))")
        for obj in self.g.objects(prop, SH.minInclusive):
            add("MinInclusiveConstraintComponent", f"?this {path} ?value . FILTER(!COALESCE(?value >= {_n3(obj)}, false))")
        for obj in self.g.objects(prop, SH.minExclusive):
            add("MinExclusiveConstraintComponent", f"?this {path} ?value . FILTER(!COALESCE(?value > {_n3(obj)}, false))")
        for obj in self.g.objects(prop, SH.lessThan):
            add("LessThanConstraintComponent",
                f"?this {path} ?value . ?this {_n3(obj)} ?other . FILTER(!COALESCE(?value < ?other, false))")
        for obj in self.g.objects(prop, SH["or"]):
            options = " || ".join(self.value_conforms(o, "?value") for o in Collection(self.g, obj))
            add("OrConstraintComponent", f"?this {path} ?value . FILTER(!({options}))")
        for obj in self.g.objects(prop, SH.node):
            add("NodeConstraintComponent", f"?this {path} ?value . FILTER(!{self.value_conforms(obj, '?value')})")
        return out


def load_shapes(folder: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def compile_shapes(folder: Path) -> list[CompiledConstraint]:
    return ShapesCompiler(load_shapes(folder)).compile()
