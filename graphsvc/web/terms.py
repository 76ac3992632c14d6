"""How a page shows an RDF term: its text, and where a click on it goes.

Things the graph names (https://w3id.org/iddkg/id/<name>) link to their page /id/<name>, terms of
the vocabulary to their section of /ontology, other web IRIs (identifiers from elsewhere, such
as Wikidata's) out of the site, marked as external. Anything else (a term of a vocabulary that
/ontology does not document, such as rdfs:label) is shown without a link, its IRI as its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graphsvc import project
from graphsvc.vocabulary import curie
from graphsvc.web.ontology_links import OntologyLinks

XSD = "http://www.w3.org/2001/XMLSchema#"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
PLAIN_TYPES = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


@dataclass(frozen=True)
class TermView:
    """A term as a page shows it."""

    text: str
    href: str | None = None
    iri: str | None = None  # shown as the link's title
    lang: str | None = None  # of a literal
    note: str | None = None  # a literal's language tag or datatype, shown small beside it
    external: bool = False  # the link leaves the site

    @property
    def is_thing(self) -> bool:
        return self.href is not None and "/id/" in self.href and not self.external


def thing_name(iri: str) -> str | None:
    """The <name> of /id/<name> for an IRI the graph mints, else None."""
    if iri.startswith(project.THING_NS):
        name = iri[len(project.THING_NS):]
        if project.THING_NAME.match(name):
            return name
    return None


def readable_name(iri: str) -> str:
    """A vocabulary term without a label as words: rdfs:seeAlso -> "see also"; other IRIs as CURIEs."""
    short = curie(iri)
    if short == iri:
        return iri
    local = short.split(":", 1)[1]
    return _CAMEL.sub(" ", local).lower() if local.isidentifier() else short


class Linker:
    """Makes TermViews for one page: links relative to the service's root."""

    def __init__(self, ontology: OntologyLinks, root: str = "") -> None:
        self.ontology = ontology
        self.root = root

    def iri(self, iri: str, label: str | None = None) -> TermView:
        name = thing_name(iri)
        text = label or (curie(iri) if name is not None else readable_name(iri))
        if name is not None:
            return TermView(text, f"{self.root}/id/{name}", iri)
        documented = self.ontology.href(iri)
        if documented is not None:
            return TermView(text, self.root + documented, iri)
        if iri.startswith(("http://", "https://")) and curie(iri) == iri:
            return TermView(text, iri, iri, external=True)  # not a term of a vocabulary we use
        return TermView(text, None, iri)

    def term(self, term: Any, label: Any = None) -> TermView:
        """A pyoxigraph term, with the label term of a `?xLabel` variable if there is one."""
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value, label.value if isinstance(label, ox.Literal) else None)
        if isinstance(term, ox.BlankNode):
            return TermView("(a node without a name)")
        if isinstance(term, ox.Literal):
            if term.language:
                return TermView(term.value, lang=term.language, note=term.language)
            datatype = term.datatype.value
            if datatype == XSD + "boolean":
                return TermView("yes" if term.value in ("true", "1") else "no")
            note = None if datatype in PLAIN_TYPES or datatype in (XSD + "date", XSD + "integer") else curie(datatype)
            return TermView(term.value, note=note)
        return TermView("")

    def value(self, value: Any) -> TermView:
        """A value of the JSON API's plain rows: {"iri", "label"} objects, numbers, text."""
        if isinstance(value, dict) and "iri" in value:
            return self.iri(str(value["iri"]), value.get("label"))
        if isinstance(value, bool):
            return TermView("yes" if value else "no")
        if value is None:
            return TermView("")
        return TermView(str(value))
