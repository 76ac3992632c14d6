"""Linked Data: every IRI the graph mints (https://w3id.org/iddkg/id/<name>) served at /id/<name>.

A browser gets an HTML page (label, types, facts, links to other /id/ pages, what refers to the
thing, and its evidence with the quoted span of the source text, read at request time); a program
gets Turtle, JSON-LD, N-Triples or RDF/XML of the same description by content negotiation or
`format=`. Unknown names are 404. Pages carry ETags and are cached like the dashboard API.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from graphsvc import conneg, project
from graphsvc.api.errors import error_response
from graphsvc.api.named_queries import CACHE, CACHE_CONTROL, data_version, etag_matches
from graphsvc.named_params import bind_values
from graphsvc.response_cache import CachedResponse
from graphsvc.source_spans import read_span
from graphsvc.sparql_formats import GRAPH_FORMATS
from graphsvc.store import GraphStore
from graphsvc.vocabulary import prefixes

router = APIRouter(tags=["linked data"])

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
FORMATS = {"html": "text/html", "ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
           "json-ld": "application/ld+json", "nt": "application/n-triples", "rdfxml": "application/rdf+xml"}
QUERIES = project.QUERIES_DIR / "linked-data"


@lru_cache(maxsize=None)
def _query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def page_query(name: str, iri: str) -> str:
    """queries/linked-data/<name>.rq with ?thing bound to `iri` as an RDF term (a VALUES row)."""
    return bind_values(_query_text(name), {"thing": ox.NamedNode(iri)})


@dataclass
class Page:
    """What the HTML page shows of one thing."""

    iri: str
    label: str | None = None
    types: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    incoming: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _rows(store: GraphStore, sparql: str) -> list[dict[str, Any]]:
    solutions = store.query(sparql)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{n: s[n] for n in names} for s in solutions]  # type: ignore[union-attr]


def load_page(store: GraphStore, iri: str) -> Page | None:
    """The facts, incoming links and evidence of `iri`, or None if the graph does not know it."""
    facts = _rows(store, page_query("facts", iri))
    incoming = _rows(store, page_query("links", iri))
    if not facts and not incoming:
        return None
    evidence = _rows(store, page_query("evidence", iri))
    page = Page(iri=iri)
    for row in facts:
        predicate = row["p"].value
        if predicate == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            page.types.append(row)
            continue
        if predicate == "http://www.w3.org/2000/01/rdf-schema#label" and page.label is None:
            page.label = row["o"].value
        page.facts.append(row)
    page.incoming = incoming
    # one evidence record per span; its objects gathered
    spans: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in evidence:
        key = (row["p"].value, row["source"].value, row["start"].value, row["end"].value)
        entry = spans.setdefault(key, {**row, "objects": []})
        if row.get("o") is not None:
            entry["objects"].append((row["o"], row.get("oLabel")))
    page.evidence = list(spans.values())
    return page


# --- HTML --------------------------------------------------------------------------------------

def curie(iri: str) -> str:
    for prefix, namespace in prefixes().items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def href(iri: str) -> str:
    """Where a link to `iri` goes: its /id/ page for minted things, the IRI itself otherwise."""
    if iri.startswith(project.THING_NS) and NAME.match(iri[len(project.THING_NS):]):
        return "/id/" + iri[len(project.THING_NS):]
    return iri


def term_html(term: Any, label: Any = None) -> str:
    e = html.escape
    if isinstance(term, ox.NamedNode):
        text = label.value if label is not None else curie(term.value)
        target = href(term.value)
        if not target.startswith(("/id/", "http://", "https://")):
            return f'<span title="{e(term.value)}">{e(text)}</span>'
        return f'<a href="{e(target)}" title="{e(term.value)}">{e(text)}</a>'
    if isinstance(term, ox.BlankNode):
        return "<em>(a node without a name)</em>"
    if isinstance(term, ox.Literal):
        note = f' <small lang="en">@{e(term.language)}</small>' if term.language else ""
        if not term.language and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            note = f" <small>{e(curie(term.datatype.value))}</small>"
        lang = f' lang="{e(term.language)}"' if term.language else ""
        return f"<span{lang}>{e(term.value)}</span>{note}"
    return ""


def render_html(page: Page) -> str:
    e = html.escape
    title = page.label or curie(page.iri)
    name = page.iri[len(project.THING_NS):]
    types = ", ".join(term_html(r["o"], r.get("oLabel")) for r in page.types) or "<em>no type</em>"
    facts = "\n".join(f"<tr><th>{term_html(r['p'], r.get('pLabel'))}</th><td>{term_html(r['o'], r.get('oLabel'))}</td></tr>"
                      for r in page.facts)
    incoming = "\n".join(f"<tr><td>{term_html(r['s'], r.get('sLabel'))}</td><td>{term_html(r['p'], r.get('pLabel'))}</td></tr>"
                         for r in page.incoming)
    items = []
    for ev in page.evidence:
        objects = ", ".join(term_html(o, label) for o, label in ev["objects"]) or "<em>-</em>"
        start, end = int(ev["start"].value), int(ev["end"].value)
        file_name = ev["fileName"].value if ev.get("fileName") is not None else None
        quote = read_span(file_name, start, end)
        quoted = (f"<blockquote>{e(quote)}</blockquote>" if quote is not None
                  else "<p><em>The source text is not available here.</em></p>")
        reasoning = f"<p class=reasoning>{e(ev['reasoning'].value)}</p>" if ev.get("reasoning") is not None else ""
        items.append(f"<li><p>{term_html(ev['p'], ev.get('pLabel'))}: {objects} &mdash; "
                     f"{term_html(ev['source'], ev.get('sourceLabel'))}, characters {start}&ndash;{end}</p>"
                     f"{quoted}{reasoning}</li>")
    evidence = "\n".join(items)
    alternates = "".join(f'<link rel="alternate" type="{t}" href="/id/{e(name)}?format={f}">'
                         for f, t in (("ttl", "text/turtle"), ("jsonld", "application/ld+json")))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>{alternates}
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
th{{text-align:left;vertical-align:top;padding-right:1rem;font-weight:normal;color:#555}}
blockquote{{background:#f4f4f4;border-left:4px solid #999;margin:.5rem 0;padding:.5rem 1rem;white-space:pre-wrap}}
.reasoning{{color:#555;font-style:italic}}</style></head>
<body>
<h1>{e(title)}</h1>
<p><code>{e(page.iri)}</code><br>Type: {types}</p>
<p>As data: <a href="/id/{e(name)}?format=ttl">Turtle</a> · <a href="/id/{e(name)}?format=jsonld">JSON-LD</a> ·
<a href="/id/{e(name)}?format=nt">N-Triples</a></p>
<h2>Facts</h2>
<table>{facts}</table>
<h2>Referred to by</h2>
<table>{incoming or '<tr><td><em>nothing</em></td></tr>'}</table>
<h2>Evidence</h2>
<ul>{evidence or '<li><em>no evidence recorded for statements about this thing</em></li>'}</ul>
</body></html>
"""


def render_rdf(store: GraphStore, iri: str, media_type: str) -> bytes:
    triples = list(store.query(page_query("describe", iri)))  # type: ignore[call-overload]
    return ox.serialize(triples, format=GRAPH_FORMATS[media_type], prefixes=prefixes())


@router.get("/id/{name}", summary="A thing of the graph: HTML for people, RDF for programs",
            response_class=Response,
            responses={200: {"content": {t: {"schema": {"type": "string"}} for t in OFFERED}},
                       404: {"description": "The graph does not know this name."}})
def thing(name: str, request: Request, format: str | None = None) -> Response:
    store: GraphStore = request.app.state.store
    if not NAME.match(name):
        return error_response(404, f"no thing is named {name!r} here")
    accept = request.headers.get("accept")
    if format:
        media_type = FORMATS.get(format.lower(), format.lower())
        if media_type not in OFFERED:
            return error_response(422, f"format {format!r} is not one of {', '.join(sorted(FORMATS))}",
                                  parameter="format", value=format)
    else:
        chosen = conneg.choose(accept, OFFERED)
        if chosen is None:
            return error_response(406, f"a thing is available as {', '.join(OFFERED)}")
        media_type = chosen
    iri = project.THING_NS + name
    version = data_version(store)
    headers = {"Vary": "Accept", "Cache-Control": CACHE_CONTROL}
    etag = None
    if version is not None:
        digest = hashlib.sha256(f"{version}\0id\0{name}\0{media_type}".encode()).hexdigest()[:40]
        etag = headers["ETag"] = f'"{digest}"'
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        cached = CACHE.get(etag)
        if cached is not None:
            return Response(cached.body, media_type=cached.media_type, headers=headers)
    page = load_page(store, iri)
    if page is None:
        return error_response(404, f"the graph knows nothing named {iri}")
    if media_type == "text/html":
        body, content_type = render_html(page).encode("utf-8"), "text/html; charset=utf-8"
    else:
        body = render_rdf(store, iri, media_type)
        content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    if etag is not None and data_version(store) == version:
        CACHE.put(etag, CachedResponse(body=body, media_type=content_type))
    return Response(body, media_type=content_type, headers=headers)



