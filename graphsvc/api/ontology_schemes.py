"""The SKOS concept schemes of the ontology as an HTML section, "Controlled vocabularies", which
/ontology adds to pyLODE's page (pyLODE documents classes and properties, not schemes): each
scheme with a table of its concepts, read by queries/ontology/schemes.rq.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from graphsvc import project
from graphsvc.vocabulary import curie
from graphsvc.rdf_files import parse_file

SCHEMES_QUERY = project.QUERIES_DIR / "ontology" / "schemes.rq"
SECTION_ID = "schemes"
SECTION_TITLE = "Controlled vocabularies"

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
# Which list of a Term each property of schemes.rq fills.
_FIELDS = {_RDFS + "label": "labels", _SKOS + "prefLabel": "labels", _SKOS + "altLabel": "alt_labels",
           _SKOS + "definition": "definitions", _SKOS + "scopeNote": "notes",
           _SKOS + "notation": "notations", _SKOS + "broader": "broader"}
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.:-]")
# The concept table's columns and their share of its width (the definitions get the most room).
_COLUMNS = {"Concept": 20, "Label (en)": 16, "Labels in other languages": 16, "Definition": 36, "Broader": 12}


@dataclass
class Term:
    """A concept scheme or a concept, with what the page shows of it; a scheme has members."""

    iri: str
    labels: list[ox.Literal] = field(default_factory=list)
    alt_labels: list[ox.Literal] = field(default_factory=list)
    definitions: list[ox.Literal] = field(default_factory=list)
    notes: list[ox.Literal] = field(default_factory=list)
    notations: list[ox.Literal] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    members: list[Term] = field(default_factory=list)


# --- reading the schemes -----------------------------------------------------------------------

def ontology_triples() -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object)
            for path in project.ontology_files() for q in parse_file(path).quads]


def ontology_store() -> ox.Store:
    """An in-memory pyoxigraph store holding the ontology's triples (and nothing of data/)."""
    store = ox.Store()
    store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in ontology_triples()])
    return store


def _add_fact(term: Term, predicate: ox.NamedNode | None, value: ox.NamedNode | ox.Literal | None) -> None:
    """File one (property, value) row of schemes.rq under the matching list of `term`."""
    name = _FIELDS.get(predicate.value) if predicate is not None else None
    if name is None or value is None:
        return
    entry = value.value if name == "broader" else value
    if entry not in getattr(term, name):
        getattr(term, name).append(entry)


def load_schemes(store: ox.Store) -> list[Term]:
    """The concept schemes in `store` with their concepts, both sorted by label."""
    schemes: dict[str, Term] = {}
    concepts: dict[tuple[str, str], Term] = {}
    for row in store.query(SCHEMES_QUERY.read_text(encoding="utf-8")):  # type: ignore[union-attr]
        scheme = schemes.setdefault(row["scheme"].value, Term(row["scheme"].value))
        target = scheme
        if row["concept"] is not None:
            key = (scheme.iri, row["concept"].value)
            if key not in concepts:
                concepts[key] = Term(row["concept"].value)
                scheme.members.append(concepts[key])
            target = concepts[key]
        _add_fact(target, row["p"], row["o"])
    for scheme in schemes.values():
        scheme.members.sort(key=sort_key)
    return sorted(schemes.values(), key=sort_key)


# --- HTML --------------------------------------------------------------------------------------

def _is_english(literal: ox.Literal) -> bool:
    language = (literal.language or "").lower()
    return language == "en" or language.startswith("en-")


def english(literals: list[ox.Literal]) -> str | None:
    """The first English text among `literals`, else the first untagged one, else None."""
    for wanted in (_is_english, lambda literal: not literal.language):
        for literal in literals:
            if wanted(literal):
                return literal.value
    return None


def sort_key(term: Term) -> tuple[str, str]:
    """Terms sort by English label, case aside, then by IRI; unlabelled ones by prefixed name."""
    return ((english(term.labels) or curie(term.iri)).casefold(), term.iri)


def anchor(iri: str) -> str:
    """The id of a term's place on the page: its prefixed name (idd:Signed), made safe for HTML."""
    name = curie(iri)
    if name == iri:
        name = "term-" + iri
    return _UNSAFE_ID.sub("-", name)


def _tagged(literals: list[ox.Literal]) -> str:
    """Language-tagged literals as a comma-separated list, each marked with its language."""
    e = html.escape
    return ", ".join(f'<span lang="{e(lit.language or "")}">{e(lit.value)}</span> ({e(lit.language or "")})'
                     for lit in literals)


def _label_cell(term: Term) -> str:
    text = html.escape(english(term.labels) or "")
    also = [lit.value for lit in term.alt_labels if lit.language is None or _is_english(lit)]
    if also:
        text += f'<br><small>also: {html.escape(", ".join(also))}</small>'
    return text


def _other_labels_cell(term: Term) -> str:
    return _tagged([lit for lit in term.labels + term.alt_labels if lit.language and not _is_english(lit)])


def _definition_cell(term: Term) -> str:
    text = html.escape(english(term.definitions) or "")
    for note in term.notes:
        text += f"<br><small>{html.escape(note.value)}</small>"
    return text


def _name_cell(term: Term) -> str:
    e = html.escape
    notation = "".join(f" <small>[{e(n.value)}]</small>" for n in term.notations)
    return f'<code title="{e(term.iri)}">{e(curie(term.iri))}</code>{notation}'


def _broader_cell(term: Term) -> str:
    e = html.escape
    return ", ".join(f'<a href="#{e(anchor(iri))}">{e(curie(iri))}</a>' for iri in term.broader)


def _concept_row(concept: Term, with_id: bool) -> str:
    """One concept's table row; it carries the concept's anchor id unless an earlier row does."""
    cells = [_name_cell(concept), _label_cell(concept), _other_labels_cell(concept),
             _definition_cell(concept), _broader_cell(concept)]
    ident = f' id="{html.escape(anchor(concept.iri))}"' if with_id else ""
    return f"<tr{ident}>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _scheme_html(scheme: Term, seen: set[str]) -> str:
    """One scheme: heading, IRI, definition and its table of concepts; `seen` keeps ids unique."""
    e = html.escape
    rows = []
    for concept in scheme.members:
        rows.append(_concept_row(concept, concept.iri not in seen))
        seen.add(concept.iri)
    heading = e(english(scheme.labels) or curie(scheme.iri))
    about = (f"<tr><th>IRI</th><td>{_name_cell(scheme)}</td></tr>\n"
             f"<tr><th>Definition</th><td>{_definition_cell(scheme)}</td></tr>")
    widths = "".join(f'<col style="width: {share}%">' for share in _COLUMNS.values())
    header = "".join(f"<th>{title}</th>" for title in _COLUMNS)
    return (f'<div class="property entity concept-scheme" id="{e(anchor(scheme.iri))}">\n'
            f"<h3>{heading}</h3>\n<table>{about}</table>\n"
            f'<table class="concepts"><colgroup>{widths}</colgroup><tr>{header}</tr>\n'
            + "\n".join(rows) + "\n</table>\n</div>")


def render_schemes(schemes: list[Term]) -> str:
    """The "Controlled vocabularies" section: every scheme with its concepts, all text escaped."""
    seen = {scheme.iri for scheme in schemes}
    body = "\n".join(_scheme_html(scheme, seen) for scheme in schemes)
    return (f'<div class="section" id="{SECTION_ID}">\n<h2>{SECTION_TITLE}</h2>\n'
            "<p>The SKOS concept schemes of the vocabulary and their concepts.</p>\n" + body + "\n</div>\n")


def render_toc(schemes: list[Term]) -> str:
    """The table-of-contents entry for the section, one link per scheme, as pyLODE nests them."""
    e = html.escape
    items = "".join(f'<li><a href="#{e(anchor(s.iri))}">{e(english(s.labels) or curie(s.iri))}</a></li>'
                    for s in schemes)
    return (f'<li>\n<h4>\n<a href="#{SECTION_ID}">{SECTION_TITLE}</a>\n</h4>\n'
            f'<ul class="second">{items}</ul>\n</li>\n')


_BEFORE_SECTION = re.compile(r'<div id="namespaces">')
_BEFORE_TOC_ENTRY = re.compile(r'<li>\s*<h4>\s*<a href="#namespaces">')


def insert_schemes(page: str, section: str, toc: str) -> str:
    """`page` with the section before pyLODE's Namespaces (else before </body>), and its ToC entry."""
    found = _BEFORE_SECTION.search(page)
    at = found.start() if found else page.rindex("</body>")
    page = page[:at] + section + page[at:]
    entry = _BEFORE_TOC_ENTRY.search(page)
    if entry is not None:
        page = page[:entry.start()] + toc + page[entry.start():]
    return page
