"""/ontology: documentation for browsers, RDF for programs."""

from __future__ import annotations

import httpx
import pyoxigraph as ox


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
