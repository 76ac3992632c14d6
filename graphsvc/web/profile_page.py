"""The HTML profile of one thing at /id/<name>, in the site's layout.

graphsvc.api.linked_data reads what the graph says of the thing (its facts, what links to it, the
evidence for its statements, its classes) into a `Profile`, negotiates the format and keeps the
ETags; this module turns a Profile into the page: facts grouped and ordered for a reader
(graphsvc.web.fact_groups), each fact linked to the evidence that states it, the quoted spans of
the sources as plain text, and the panels that matter for its kind (graphsvc.web.panels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from graphsvc.source_spans import SpanReader
from graphsvc.store import GraphStore
from graphsvc.vocabulary import curie
from graphsvc.web import templating
from graphsvc.web.fact_groups import GROUPS, FactGroup, place
from graphsvc.web.ontology_links import ontology_links
from graphsvc.web.panels import run_panels
from graphsvc.web.quotes import plain_text
from graphsvc.web.terms import Linker, TermView, thing_name

DATA_FORMATS = (("ttl", "Turtle", "text/turtle"), ("jsonld", "JSON-LD", "application/ld+json"),
                ("nt", "N-Triples", "application/n-triples"), ("rdfxml", "RDF/XML", "application/rdf+xml"))


@dataclass
class Profile:
    """What the graph says of one thing, as rows of the queries in queries/linked-data/."""

    iri: str
    label: str | None = None
    types: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    incoming: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # its classes and their superclasses


@dataclass(frozen=True)
class RenderedPage:
    body: bytes
    complete: bool  # every panel was answered (only then may the page be cached)


@dataclass
class Value:
    view: TermView
    evidence: list[int] = field(default_factory=list)  # numbers of the evidence items that state it
    position: int | None = None  # where its source states it first


@dataclass
class FactRow:
    property: TermView
    values: list[Value]


@dataclass
class GroupView:
    group: FactGroup
    rows: list[FactRow]


@dataclass
class EvidenceView:
    number: int
    property: TermView
    objects: list[TermView]
    source: TermView
    start: int
    end: int
    quote: str | None
    reasoning: str | None
    in_context: str | None  # the source's page (/sources/<name>), where the span is marked in the whole text


def _key(term: Any) -> str:
    return str(term)


def evidence_views(profile: Profile, linker: Linker, store: GraphStore) -> list[EvidenceView]:
    """One item per quoted span, numbered, in the order of the property then the source text;
    the span is read from the text of the source that `store` holds."""
    views = []
    spans = SpanReader(store)
    for number, entry in enumerate(profile.evidence, start=1):
        start, end = int(entry["start"].value), int(entry["end"].value)
        quote = spans.span(entry["source"].value, start, end)
        reasoning = entry.get("reasoning")
        source_name = thing_name(entry["source"].value)
        views.append(EvidenceView(
            number=number, property=linker.term(entry["p"], entry.get("pLabel")),
            objects=[linker.term(o, label) for o, label in entry["objects"]],
            source=linker.term(entry["source"], entry.get("sourceLabel")), start=start, end=end,
            quote=plain_text(quote) if quote is not None else None,
            reasoning=reasoning.value if reasoning is not None else None,
            in_context=f"{linker.root}/sources/{source_name}" if source_name else None))
    return views


def _stated_by(profile: Profile) -> dict[tuple[str, str], tuple[list[int], int]]:
    """(property, value) -> the evidence items that state it and the earliest offset among them."""
    found: dict[tuple[str, str], tuple[list[int], int]] = {}
    for number, entry in enumerate(profile.evidence, start=1):
        start = int(entry["start"].value)
        for obj, _label in entry["objects"]:
            key = (entry["p"].value, _key(obj))
            numbers, first = found.get(key, ([], start))
            found[key] = ([*numbers, number], min(first, start))
    return found


def _language_order(view: TermView) -> tuple[int, str]:
    return (0 if view.lang in (None, "en") or (view.lang or "").startswith("en-") else 1, view.lang or "")


def fact_groups(profile: Profile, linker: Linker) -> list[GroupView]:
    """The thing's facts (its types among them) by group, each property once with all its values."""
    stated = _stated_by(profile)
    by_property: dict[str, tuple[TermView, list[Value]]] = {}
    for row in [*profile.types, *profile.facts]:
        predicate = row["p"].value
        numbers, first = stated.get((predicate, _key(row["o"])), ([], None))
        value = Value(linker.term(row["o"], row.get("oLabel")), list(numbers), first)
        prop_view, values = by_property.setdefault(predicate, (linker.term(row["p"], row.get("pLabel")), []))
        values.append(value)
    rows_by_group: dict[str, list[tuple[int, str, FactRow]]] = {}
    for predicate, (prop_view, values) in by_property.items():
        group, position = place(predicate)
        if group.source_order:
            values.sort(key=lambda v: (v.position is None, v.position or 0, v.view.text.lower()))
        elif group.key == "names":
            values.sort(key=lambda v: (_language_order(v.view), v.view.text.lower()))
        else:
            values.sort(key=lambda v: v.view.text.lower())
        rows_by_group.setdefault(group.key, []).append((position, predicate, FactRow(prop_view, values)))
    return [GroupView(group, [row for _p, _i, row in sorted(rows_by_group[group.key], key=lambda r: r[:2])])
            for group in GROUPS if group.key in rows_by_group]


def incoming_rows(profile: Profile, linker: Linker) -> list[FactRow]:
    """What links to the thing, by the property it links with."""
    by_property: dict[str, FactRow] = {}
    for row in profile.incoming:
        entry = by_property.setdefault(row["p"].value, FactRow(linker.term(row["p"], row.get("pLabel")), []))
        entry.values.append(Value(linker.term(row["s"], row.get("sLabel"))))
    for entry in by_property.values():
        entry.values.sort(key=lambda v: v.view.text.lower())
    return sorted(by_property.values(), key=lambda r: r.property.text.lower())


def title_of(profile: Profile) -> str:
    return profile.label or curie(profile.iri)


def render_profile(request: Request, profile: Profile) -> RenderedPage:
    """The page of `profile` in the site's layout."""
    root = templating.root_of(request)
    linker = Linker(ontology_links(request), root)
    name = thing_name(profile.iri) or ""
    panels = run_panels(request, profile.iri, profile.classes)
    context = {
        "title": title_of(profile),
        "iri": profile.iri,
        "name": name,
        "kinds": [linker.term(row["o"], row.get("oLabel")) for row in profile.types],
        "groups": fact_groups(profile, linker),
        "incoming": incoming_rows(profile, linker),
        "evidence": evidence_views(profile, linker, request.app.state.store),
        "panels": panels,
        "linker": linker,
        "formats": DATA_FORMATS,
    }
    response = templating.render(request, "thing.html", context)
    return RenderedPage(bytes(response.body), complete=all(p.answer.complete for p in panels))
