"""/id/<name>: HTML pages for browsers, Turtle and JSON-LD for programs, 404 for unknown names."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore

KG = "https://w3id.org/iddkg/id/"
MOC = "india-japan-digital-partnership-2-0-moc"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory"), store=kg_store))


def test_a_browser_gets_an_html_page_with_facts_links_and_evidence(client: TestClient) -> None:
    page = client.get(f"/id/{MOC}", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<h1>Memorandum of Cooperation on India-Japan Digital Partnership 2.0</h1>" in text
    assert 'href="/id/meti"' in text and 'href="/id/india-japan-digital-partnership-2-0-moc-signing"' in text
    assert "<blockquote>" in text and "August" in text  # a span of the source text, read now
    assert 'type="text/turtle"' in text and page.headers["etag"]


def test_signatories_pages_link_back(client: TestClient) -> None:
    page = client.get("/id/muto-yoji", headers={"Accept": "text/html"}).text
    assert "<h1>Muto Yoji</h1>" in page and "MUTO Yoji" in page
    assert 'href="/id/india-japan-digital-partnership-2-0-moc-signing-meti"' in page  # referred to by


def test_a_program_gets_turtle_or_json_ld(client: TestClient) -> None:
    turtle = client.get(f"/id/{MOC}", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    subject = ox.NamedNode(KG + MOC)
    assert any(t.subject == subject and t.object == ox.NamedNode(KG + "meti") for t in triples)
    assert any(t.predicate.value == "http://www.w3.org/ns/oa#start" for t in triples)  # evidence spans too
    jsonld = client.get(f"/id/{MOC}", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))) == len(triples)
    assert client.get(f"/id/{MOC}?format=nt").headers["content-type"].startswith("application/n-triples")
    assert client.get(f"/id/{MOC}", headers={"Accept": "image/png"}).status_code == 406
    assert client.get(f"/id/{MOC}?format=pdf").status_code == 422


def test_unknown_and_malformed_names_are_404(client: TestClient) -> None:
    assert client.get("/id/no-such-thing").status_code == 404
    assert client.get("/id/..%2Fetc").status_code == 404
    assert client.get("/id/%3Cscript%3E").status_code == 404


def test_304_for_a_current_etag(client: TestClient) -> None:
    first = client.get("/id/japan", headers={"Accept": "text/turtle"})
    again = client.get("/id/japan", headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/id/japan", headers={"Accept": "text/html"}).headers["etag"] != first.headers["etag"]


def test_everything_in_html_is_escaped() -> None:
    store = OxigraphStore()
    load_project(store)
    evil = ox.NamedNode(KG + "evil")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    store.replace_graph(ox.NamedNode("https://w3id.org/iddkg/graph/data/test-evil"), [
        ox.Quad(evil, label, ox.Literal("<script>alert(1)</script>", language="en")),
        ox.Quad(evil, comment, ox.Literal('"><img src=x onerror=alert(2)>')),
        ox.Quad(evil, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                ox.NamedNode("javascript:alert(3)")),
    ])
    page = TestClient(create_app(Settings(store="memory"), store=store)).get("/id/evil", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img" not in page.text
    assert 'href="javascript:' not in page.text
