"""Validated ingest: parse -> validate -> commit, all of a batch or none of it.

A batch is validated with the ontology and the part of the graph it touches (the nodes it
names, what the store already says about them, two steps out and one step in), so the cost
grows with the batch and not with the store. Only a batch without violations is committed,
in one transaction, together with a PROV record of who sent which file when.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from time import monotonic
from typing import Iterable, Sequence

import pyoxigraph as ox

from graphsvc import graph_names, project
from graphsvc.named_params import bind_values
from graphsvc.store import GraphStore
from graphsvc.upload import ParsedUpload, UploadError
from graphsvc.validation.validator import ValidationResult, ValidationTimeout, ValidationTooLarge, validate

Term = ox.NamedNode | ox.BlankNode | ox.Literal
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROVENANCE_GRAPH_NS = project.GRAPH_NS + "provenance/"
# Graphs the service itself manages; curators write elsewhere.
_RESERVED = (project.ONTOLOGY_GRAPH, project.GRAPH_NS + "meta", project.GRAPH_NS + "data/", PROVENANCE_GRAPH_NS,
             project.GRAPH_NS + "sources/")  # the last: registered texts (graphsvc.curation.sources)
_CONTEXT_OUT_DEPTH = 3


class IngestRejected(Exception):
    """The batch breaks at least one rule that blocks ingest; `results` says which and where."""

    def __init__(self, results: list[ValidationResult]) -> None:
        violations = sum(1 for r in results if r.blocking)
        super().__init__(f"the data breaks {violations} rule(s) of the shapes; nothing was written")
        self.results = results


@dataclass
class IngestPlan:
    """What one ingest would write: the new content of each target graph."""

    targets: dict[ox.NamedNode, list[ox.Triple]]
    uploads: list[ParsedUpload]
    append: bool = False
    results: list[ValidationResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(r.blocking for r in self.results)

    @property
    def triple_count(self) -> int:
        return sum(len(t) for t in self.targets.values())


def check_graph_name(iri: str) -> ox.NamedNode:
    """A graph a curator may write: an absolute IRI outside the graphs the service manages."""
    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise UploadError(400, f"graph {iri!r} is not an absolute IRI: {exc}") from exc
    if ":" not in iri:
        raise UploadError(400, f"graph {iri!r} is not an absolute IRI")
    if (why := graph_names.trick(iri)) is not None:
        raise UploadError(400, f"graph {iri!r} {why}")
    if any(graph_names.names_reserved(iri, r) for r in _RESERVED):
        raise UploadError(400, f"graph {iri} is managed by the service (ontology, data/, metadata, "
                               f"provenance or registered sources) and cannot be written through ingest")
    return node


def plan(uploads: Sequence[ParsedUpload], graph: ox.NamedNode | None, default_graph: ox.NamedNode,
         append: bool = False) -> IngestPlan:
    """Sort the uploaded quads into target graphs.

    With `graph`, everything goes there (a file with named graphs of its own is refused, so
    nothing ends up somewhere unexpected). Without it, the default graph of each file goes to
    `default_graph` and each named graph in a TriG/N-Quads file is its own target.
    """
    targets: dict[ox.NamedNode, list[ox.Triple]] = {}
    for upload in uploads:
        for quad in upload.quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                target = graph or default_graph
            elif graph is not None:
                raise UploadError(400, f"{upload.source} has named graphs of its own; leave out the graph "
                                       f"parameter to write each of them, or send a triples format",
                                  source=upload.source)
            elif isinstance(quad.graph_name, ox.NamedNode):
                target = check_graph_name(quad.graph_name.value)
            else:
                raise UploadError(400, f"{upload.source}: a graph named by a blank node cannot be stored",
                                  source=upload.source)
            targets.setdefault(target, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    if graph is not None:
        targets.setdefault(graph, [])
    return IngestPlan(targets, list(uploads), append)


def _focus(batch: Iterable[ox.Triple]) -> set[Term]:
    nodes: set[Term] = set()
    for triple in batch:
        nodes.add(triple.subject)
        if not isinstance(triple.object, ox.Literal):
            nodes.add(triple.object)
    return nodes


def is_unvalidated(graph: ox.NamedNode, unvalidated: Sequence[str]) -> bool:
    """Whether the shapes do not apply to `graph` (its IRI starts with one of the prefixes given)."""
    return any(graph.value.startswith(prefix) for prefix in unvalidated if prefix)


def check(store: GraphStore, ingest: IngestPlan, timeout_s: float | None = None,
          unvalidated: Sequence[str] = ()) -> IngestPlan:
    """Validate the planned content against the shapes, with the context it needs from the store.

    Targets under one of the `unvalidated` IRI prefixes (GRAPHSVC_UNVALIDATED_GRAPHS) are not
    judged, and what such graphs hold is no context for the others. Past `timeout_s` seconds,
    ValidationTimeout; a class hierarchy too large to infer from, ValidationTooLarge.
    """
    deadline = None if timeout_s is None else monotonic() + timeout_s
    judged = {g: t for g, t in ingest.targets.items() if not is_unvalidated(g, unvalidated)}
    batch = [t for triples in judged.values() for t in triples]
    if not batch:
        ingest.results = []
        return ingest
    nodes = _focus(batch)
    # The ontology is in the validation store already; the meta graph is the service's own.
    replaced = [ox.NamedNode(project.ONTOLOGY_GRAPH), ox.NamedNode(project.GRAPH_NS + "meta")]
    replaced += [] if ingest.append else list(ingest.targets)
    if unvalidated:
        replaced += [g for g in store.named_graphs() if is_unvalidated(g, unvalidated)]
    named = [n for n in nodes if isinstance(n, ox.NamedNode)]
    # Only the batch's subjects are judged: other nodes are there as context, judged when they came in.
    focus = {t.subject for t in batch}
    # Incoming triples matter only for the judged nodes (inverse paths, what links to them); those of
    # a class or concept the batch points to grow with the store and are never read.
    inward = [n for n in focus if isinstance(n, ox.NamedNode)]
    context = store.neighbourhood(named, exclude_graphs=replaced, depth=_CONTEXT_OUT_DEPTH, inward=inward)
    context += evidence_records(store, _with_evidence(context, inward), replaced)
    try:
        ingest.results = validate(batch, focus, context, deadline=deadline)
    except ValidationTimeout as exc:
        raise ValidationTimeout(f"validating the upload took longer than {timeout_s:g} s "
                                f"(GRAPHSVC_UPLOAD_TIMEOUT); nothing was written") from exc
    except ValidationTooLarge as exc:
        raise ValidationTooLarge(f"{exc}; nothing was written: send the data in smaller parts") from exc
    return ingest


_EVIDENCE_SUBJECT = ox.NamedNode(project.VOCAB_NS + "evidenceSubject")


def _with_evidence(context: Iterable[ox.Triple], things: Iterable[ox.NamedNode]) -> list[ox.NamedNode]:
    """The `things` that evidence in the store already names as its subject."""
    wanted = set(things)
    return sorted({t.object for t in context if t.predicate == _EVIDENCE_SUBJECT and t.object in wanted},
                  key=lambda n: n.value)  # type: ignore[union-attr]


def evidence_records(store: GraphStore, things: Sequence[ox.NamedNode],
                     exclude_graphs: Sequence[ox.NamedNode] = ()) -> list[ox.Triple]:
    """The statements of the evidence records that name each of `things` as their subject (outside
    `exclude_graphs`), so that a batch about a known thing is judged with the evidence it has."""
    excluded = {g.value for g in exclude_graphs}
    found: list[ox.Triple] = []
    for thing in things:
        rows = store.query(bind_values(_evidence_query(), {"thing": thing}))
        found += [ox.Triple(r["evidence"], r["p"], r["o"]) for r in rows  # type: ignore[union-attr]
                  if r["g"].value not in excluded]
    return found


@lru_cache(maxsize=1)
def _evidence_query() -> str:
    return (project.QUERIES_DIR / "validation" / "evidence-about.rq").read_text(encoding="utf-8")


def provenance(ingest: IngestPlan, graph: ox.NamedNode, agent: str, when: datetime) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The PROV record of one write into `graph`: the activity, who did it, when, from which files."""
    stamp = when.strftime("%Y%m%dT%H%M%S%fZ")
    key = hashlib.sha256(graph.value.encode()).hexdigest()[:16]
    record_graph = ox.NamedNode(PROVENANCE_GRAPH_NS + key)
    activity = ox.NamedNode(f"{project.THING_NS}ingest-{key}-{stamp}")
    agent_node = ox.NamedNode(f"{project.THING_NS}agent-{hashlib.sha256(agent.encode()).hexdigest()[:12]}")
    n = ox.NamedNode
    triples = [
        ox.Triple(graph, n(PROV + "wasGeneratedBy"), activity),
        ox.Triple(activity, RDF_TYPE, n(PROV + "Activity")),
        ox.Triple(activity, n(PROV + "startedAtTime"), ox.Literal(when.isoformat(), datatype=n(XSD + "dateTime"))),
        ox.Triple(activity, n(PROV + "wasAssociatedWith"), agent_node),
        ox.Triple(agent_node, RDF_TYPE, n(PROV + "Agent")),
        ox.Triple(agent_node, n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(agent)),
        ox.Triple(activity, n(DCTERMS + "description"),
                  ox.Literal("appended to the graph" if ingest.append else "replaced the graph's content")),
    ]
    for index, upload in enumerate(ingest.uploads):
        used = n(f"{activity.value}-file-{index + 1}")
        triples += [
            ox.Triple(activity, n(PROV + "used"), used),
            ox.Triple(used, RDF_TYPE, n(PROV + "Entity")),
            ox.Triple(used, n(DCTERMS + "title"), ox.Literal(upload.source)),
            ox.Triple(used, n(project.VOCAB_NS + "sha256"), ox.Literal(upload_digest(upload))),
        ]
    return record_graph, triples


def upload_digest(upload: ParsedUpload) -> str:
    return hashlib.sha256((upload.text or "").encode("utf-8")).hexdigest() if upload.text is not None else ""


def commit(store: GraphStore, ingest: IngestPlan, agent: str, when: datetime | None = None) -> None:
    """Write a checked plan in one transaction; refuses a plan with violations."""
    if not ingest.conforms:
        raise IngestRejected(ingest.results)
    when = when or datetime.now(timezone.utc)
    replace: dict[ox.NamedNode, list[ox.Triple]] = {}
    add: dict[ox.NamedNode, list[ox.Triple]] = {}
    for graph, triples in ingest.targets.items():
        (add if ingest.append else replace)[graph] = triples
        record_graph, record = provenance(ingest, graph, agent, when)
        add.setdefault(record_graph, []).extend(record)
    store.write_graphs(replace=replace, add=add)


def delete_graph(store: GraphStore, graph: ox.NamedNode, agent: str) -> None:
    """Remove a curator's graph, and note who removed it when, in one transaction."""
    when = datetime.now(timezone.utc)
    empty = IngestPlan({graph: []}, [], append=False)
    record_graph, record = provenance(empty, graph, agent, when)
    record.append(ox.Triple(graph, ox.NamedNode(PROV + "invalidatedAtTime"),
                            ox.Literal(when.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))))
    store.write_graphs(replace={graph: []}, add={record_graph: record})
