"""Turning a named query's answer into the plain JSON a dashboard wants.

Rows become objects keyed by variable: an IRI becomes {"iri", "label"} taking the label from a
sibling `<var>Label` variable, literals become typed JSON values, and variables the header lists
under `list` are split on "|" into arrays. Two shapes go further: `facets` groups rows by their
`facet` variable (one instrument in full), `network` turns edge rows into {nodes, edges}, or into triples for RDF formats.
"""

from __future__ import annotations

from typing import Any, Callable

import pyoxigraph as ox

from graphsvc.answers import QueryAnswer, Term
from graphsvc.results import plain_value

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LIST_SEPARATOR = "|"


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/'."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _value(term: Term | None, label: Term | None, has_label: bool) -> Any:
    if isinstance(term, ox.NamedNode):
        node: dict[str, Any] = {"iri": term.value}
        if has_label:
            node["label"] = label.value if label is not None else None
        return node
    return plain_value(term)


def plain_objects(answer: QueryAnswer, lists: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """One JSON object per row: IRIs with their labels, typed literals, lists split."""
    names = set(answer.variables)
    labelled = {v for v in names if v + "Label" in names}
    shown = [v for v in answer.variables if not (v.endswith("Label") and v[:-5] in labelled)]
    objects = []
    for row in answer.rows:
        item: dict[str, Any] = {}
        for var in shown:
            term = row.get(var)
            if var in lists:
                text = term.value if term is not None else ""
                item[var] = [part for part in text.split(LIST_SEPARATOR) if part]
            else:
                item[var] = _value(term, row.get(var + "Label"), var in labelled)
        objects.append(item)
    return objects


def facets(answer: QueryAnswer,
           names: "Callable[[str], dict[str, str]] | None" = None) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by `facet`, each column under the name its facet gives it (`names`, from the
    query's `#+ facet:` lines); evidence rows quote their span in the query's own `quote` column."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in plain_objects(answer):
        facet = item.pop("facet")
        renamed = names(str(facet)) if names else {}
        entry = {renamed.get(k, k): v for k, v in item.items() if v is not None}
        grouped.setdefault(str(facet), []).append(entry)
    return grouped


def edge_triples(answer: QueryAnswer) -> list[ox.Triple]:
    """The rows of a network query (source, relation, target, labels, types) as triples."""
    triples: dict[ox.Triple, None] = {}
    label, rdf_type = ox.NamedNode(RDFS_LABEL), ox.NamedNode(RDF_TYPE)
    for row in answer.rows:
        source, relation, target = row.get("source"), row.get("relation"), row.get("target")
        if not isinstance(source, ox.NamedNode) or not isinstance(relation, ox.NamedNode) or target is None:
            continue
        triples[ox.Triple(source, relation, target)] = None
        for end in ("source", "target"):
            node = row.get(end)
            if not isinstance(node, ox.NamedNode):
                continue
            if isinstance(row.get(end + "Label"), ox.Literal):
                triples[ox.Triple(node, label, row[end + "Label"])] = None
            if isinstance(row.get(end + "Type"), ox.NamedNode):
                triples[ox.Triple(node, rdf_type, row[end + "Type"])] = None
    return list(triples)


def network(answer: QueryAnswer) -> dict[str, list[dict[str, Any]]]:
    """Edge rows as {nodes, edges}: labels and types go on the nodes, the other triples are edges."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, str]] = []

    def node(iri: str) -> dict[str, Any]:
        return nodes.setdefault(iri, {"id": iri, "label": None, "types": []})

    for triple in edge_triples(answer):
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        if predicate == RDFS_LABEL and isinstance(obj, ox.Literal):
            node(subject.value)["label"] = obj.value
        elif predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
            node(subject.value)["types"].append(local_name(obj.value))
        elif isinstance(obj, ox.NamedNode):
            node(subject.value)
            node(obj.value)
            edges.append({"source": subject.value, "target": obj.value,
                          "relation": local_name(predicate), "relationIri": predicate})
    for entry in nodes.values():
        entry["types"].sort()
    ordered = sorted(nodes.values(), key=lambda n: n["id"])
    edges.sort(key=lambda e: (e["source"], e["relation"], e["target"]))
    return {"nodes": ordered, "edges": edges}


def resources(answer: QueryAnswer, lists: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The triples of a CONSTRUCT as objects: one per subject that no other triple points at, keyed
    `iri`, its properties by local name (`type` for rdf:type), IRIs as {"iri"}, literals typed, and
    a subject that a property points at nested in its place. Properties under `lists` are arrays;
    another property with several values is one too (its header should then list it)."""
    by_subject: dict[str, list[ox.Triple]] = {}
    pointed_at: set[str] = set()
    for triple in answer.triples:
        by_subject.setdefault(_key(triple.subject), []).append(triple)
        if not isinstance(triple.object, ox.Literal):
            pointed_at.add(_key(triple.object))

    def build(key: str, seen: frozenset[str]) -> dict[str, Any]:
        node: dict[str, Any] = {"iri": key}
        values: dict[str, list[Any]] = {}
        for triple in sorted(by_subject.get(key, []), key=lambda t: (t.predicate.value, str(t.object))):
            name = "type" if triple.predicate.value == RDF_TYPE else local_name(triple.predicate.value)
            target = triple.object
            if not isinstance(target, ox.Literal) and _key(target) in by_subject and _key(target) not in seen:
                value: Any = build(_key(target), seen | {key})
            elif isinstance(target, ox.Literal):
                value = plain_value(target)
            else:
                value = {"iri": _key(target)}
            values.setdefault(name, []).append(value)
        for name, found in values.items():
            node[name] = found if name in lists or len(found) > 1 else found[0]
        return node

    roots = sorted(key for key in by_subject if key not in pointed_at)
    return [build(key, frozenset()) for key in roots]


def _key(term: Any) -> str:
    """A subject's or object's key: an IRI as it is, a blank node as `_:id`."""
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value
