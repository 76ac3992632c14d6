"""/ontology: documentation for browsers, RDF for programs."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest

from graphsvc import project
from graphsvc.api import ontology_schemes as ontology
from graphsvc.vocabulary import curie


def test_browsers_get_html_documentation(live_server: str) -> None:
    response = httpx.get(live_server + "/ontology", timeout=60,
                         headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "India Digital Diplomacy Ontology" in response.text
    assert "signatory" in response.text and "joint working group" in response.text


def test_programs_get_turtle_that_parses_to_the_ontology(live_server: str) -> None:
    response = httpx.get(live_server + "/ontology", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    subjects = {t.subject for t in triples}
    assert ox.NamedNode("https://w3id.org/iddkg/ontology#Instrument") in subjects


def test_unavailable_type_is_406(live_server: str) -> None:
    response = httpx.get(live_server + "/ontology", headers={"Accept": "image/png"}, timeout=30)
    assert response.status_code == 406


# ----------------------------------------------------------------------------- concept schemes

SKOS = "http://www.w3.org/2004/02/skos/core#"
IDD = "https://w3id.org/iddkg/ontology#"


class _SchemeTables(HTMLParser):
    """The rows of the "Controlled vocabularies" section: for each scheme id, row id -> cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.in_section = False
        self.scheme: str | None = None
        self.row: str | None = None
        self.tables: dict[str, dict[str, list[str]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id")
        if tag == "div" and ident == "schemes":
            self.in_section = True
        elif tag == "div" and ident == "namespaces":
            self.in_section = False
        elif self.in_section and tag == "div" and ident:
            self.scheme = ident
            self.tables[ident] = {}
        elif self.in_section and self.scheme and tag == "tr" and ident:
            self.row = ident
            self.tables[self.scheme][ident] = []
        elif self.row and tag == "td":
            self.tables[self.scheme][self.row].append("")  # type: ignore[index]

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.row and self.tables[self.scheme][self.row]:  # type: ignore[index]
            self.tables[self.scheme][self.row][-1] += data  # type: ignore[index]


def _ontology_schemes() -> set[str]:
    """The prefixed names of every skos:ConceptScheme the ontology files declare, read with pyoxigraph."""
    store = ox.Store()
    for path in project.ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    found = store.query(f"SELECT ?s WHERE {{ ?s a <{SKOS}ConceptScheme> }}")
    return {curie(row["s"].value) for row in found}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def page(live_server: str) -> str:
    response = httpx.get(live_server + "/ontology", headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="module")
def tables(page: str) -> dict[str, dict[str, list[str]]]:
    parser = _SchemeTables()
    parser.feed(page)
    return parser.tables


def test_page_has_a_controlled_vocabularies_section_in_its_contents(page: str) -> None:
    assert page.count('id="schemes"') == 1 and "<h2>Controlled vocabularies</h2>" in page
    assert page.index('id="schemes"') < page.index('id="namespaces"')  # before pyLODE's Namespaces
    assert page.count('href="#schemes"') == 1  # the table-of-contents entry
    assert page.index('id="toc"') < page.index('href="#schemes"')


def test_every_scheme_of_the_ontology_is_documented(tables: dict[str, dict[str, list[str]]]) -> None:
    expected = _ontology_schemes()
    assert {"idd:InstrumentKinds", "idd:InstrumentStatuses", "idd:ProvisionKinds",
            "idd:DocumentKinds"} <= expected
    assert set(tables) == expected
    assert all(tables[scheme] for scheme in expected), "a scheme has no concepts"


def test_a_known_concept_is_in_its_scheme_with_label_and_definition(
        tables: dict[str, dict[str, list[str]]]) -> None:
    name, label, other, definition, broader = tables["idd:InstrumentStatuses"]["idd:Signed"]
    assert name.strip() == "idd:Signed" and label.strip() == "signed"
    assert definition.strip() == "Signed, concluded, concurred or entered into by its parties."
    assert other == "" and broader == ""
    assert "idd:Signed" not in tables["idd:InstrumentKinds"]
    assert "also: MoU" in tables["idd:InstrumentKinds"]["idd:MemorandumOfUnderstanding"][1]


def test_concepts_are_sorted_by_label(tables: dict[str, dict[str, list[str]]]) -> None:
    for rows in tables.values():
        labels = [cells[1].split("also:")[0].strip().casefold() for cells in rows.values()]
        assert labels == sorted(labels)


def _term(iri: str, labels: list[ox.Literal], definition: str, **more: object) -> ontology.Term:
    return ontology.Term(IDD + iri, labels=labels, definitions=[ox.Literal(definition, language="en")],
                         **more)  # type: ignore[arg-type]


def test_rendering_shows_other_languages_and_broader_and_escapes_text() -> None:
    child = _term("Child", [ox.Literal("<script>alert(1)</script>", language="en"),
                            ox.Literal("enfant & fils", language="fr"),
                            ox.Literal("बच्चा", language="hi")],
                  'A "quoted" <b>definition</b>', broader=[IDD + "Parent"])
    parent = _term("Parent", [ox.Literal("parent", language="en")], "The parent.")
    scheme = _term("Family", [ox.Literal("family <kinds>", language="en")], "Kinds & kin.",
                   members=[child, parent])
    section = ontology.render_schemes([scheme])
    assert "<script>" not in section and "<b>" not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "family &lt;kinds&gt;" in section and "Kinds &amp; kin." in section
    assert '<span lang="fr">enfant &amp; fils</span> (fr)' in section
    assert '<span lang="hi">बच्चा</span> (hi)' in section
    assert 'A &quot;quoted&quot; &lt;b&gt;definition&lt;/b&gt;' in section
    assert '<tr id="idd:Child">' in section and '<a href="#idd:Parent">idd:Parent</a>' in section
    assert 'id="idd:Family"' in section


def test_load_schemes_reads_labels_in_every_language() -> None:
    store = ontology.ontology_store()
    store.add(ox.Quad(ox.NamedNode(IDD + "Signed"), ox.NamedNode(SKOS + "prefLabel"),
                      ox.Literal("signé", language="fr")))
    schemes = {s.iri: s for s in ontology.load_schemes(store)}
    signed = next(c for c in schemes[IDD + "InstrumentStatuses"].members if c.iri == IDD + "Signed")
    assert ox.Literal("signé", language="fr") in signed.labels
    assert ontology.english(signed.labels) == "signed"
    labels = [ontology.english(s.labels) for s in schemes.values()]
    assert labels == sorted(labels, key=str.casefold)


def test_insertion_falls_back_to_the_end_of_the_body() -> None:
    page = "<html><body><p>x</p></body></html>"
    assert ontology.insert_schemes(page, "<div>S</div>", "<li>T</li>") == \
        "<html><body><p>x</p><div>S</div></body></html>"
