"""A validation finding points at the line of the triple that breaks the rule, in every text format.

The line is that of the triple with the focus node as subject, the result's path as predicate and
its value as object (the value's own line when a statement spreads its objects over lines); when
no such triple is written (a missing value, a path of several steps), the line where the focus
node is described.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore
from graphsvc.upload import ParsedUpload, line_of

INVALID = Path(__file__).resolve().parent / "data" / "invalid"
UPLOAD_GRAPH = "https://w3id.org/iddkg/graph/upload/lines"
KG = "https://example.org/id/"  # the namespace of the test files in tests/data/
IDD = "https://w3id.org/iddkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory"), store=kg_store))


def _results(client: TestClient, body: bytes, media_type: str) -> list[dict]:
    response = client.post("/validate", params={"graph": UPLOAD_GRAPH}, content=body,
                           headers={"Content-Type": media_type})
    assert response.status_code == 422, response.text
    return [r for r in response.json()["results"] if r["severity"] == "Violation"]


def _line(text: str, number: int) -> str:
    return text.splitlines()[number - 1]


def test_turtle_points_at_the_triple_not_at_its_subject(client: TestClient) -> None:
    text = (INVALID / "altlabel_untagged.ttl").read_text()
    [result] = _results(client, text.encode(), "text/turtle")
    assert result["focusNode"] == KG + "country-a" and result["value"] == "A-land"
    assert _line(text, result["line"]).strip() == 'skos:altLabel "A-land" ;'
    assert "ex:country-a a idd:Country" not in _line(text, result["line"])


def test_each_value_of_a_list_spread_over_lines_gets_its_own_line(client: TestClient) -> None:
    text = (INVALID / "party_not_an_agent.ttl").read_text()
    spread = text.replace("idd:party ex:ministry-a , ex:ministry-b , ex:city-a ;",
                          "idd:party ex:ministry-a ,\n        ex:ministry-b ,\n        ex:city-a ;")
    assert spread != text
    [result] = _results(client, spread.encode(), "text/turtle")
    assert result["value"] == KG + "city-a"
    assert _line(spread, result["line"]).strip() == "ex:city-a ;"


def test_two_findings_on_one_predicate_get_the_lines_of_their_values(client: TestClient) -> None:
    text = (INVALID / "preflabel_two_english.ttl").read_text()
    spread = text.replace('"artificial intelligence"@en , "AI"@en', '"artificial intelligence"@en ,\n    "AI"@en')
    results = _results(client, spread.encode(), "text/turtle")
    lines = {r["value"]: _line(spread, r["line"]) for r in results}
    assert '"AI"@en' in lines["AI"] and '"artificial intelligence"' in lines["artificial intelligence"]


def test_a_missing_value_points_at_the_subject_and_an_inverse_path_at_the_triple_in(client: TestClient) -> None:
    text = (INVALID / "label_missing.ttl").read_text()
    [result] = _results(client, text.encode(), "text/turtle")
    assert _line(text, result["line"]).startswith("ex:mou a idd:Instrument")
    text = (INVALID / "commitment_in_two_areas.ttl").read_text()
    [result] = _results(client, text.encode(), "text/turtle")
    assert result["path"].startswith("^")
    assert _line(text, result["line"]).strip().startswith("idd:commitment ex:mou-commitment-1")


def test_n_triples_and_rdf_xml_point_at_the_triple(client: TestClient) -> None:
    quads = list(ox.parse(path=str(INVALID / "altlabel_untagged.ttl"), format=ox.RdfFormat.TURTLE))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    n_triples = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    [result] = _results(client, n_triples.encode(), "application/n-triples")
    assert _line(n_triples, result["line"]) == f'<{KG}country-a> <{SKOS}altLabel> "A-land" .'
    rdf_xml = ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes={"skos": SKOS, "idd": IDD}).decode()
    [result] = _results(client, rdf_xml.encode(), "application/rdf+xml")
    assert _line(rdf_xml, result["line"]).strip() == "<skos:altLabel>A-land</skos:altLabel>"


@dataclass(frozen=True)
class Finding:
    focus: ox.NamedNode
    path: str | None
    value: ox.NamedNode | ox.Literal | None = None


def _upload(text: str, fmt: ox.RdfFormat) -> ParsedUpload:
    return ParsedUpload(quads=[], prefixes={}, text=text, source="upload", format=fmt)


TRICKY = '''@prefix ex: <http://example.org/> .
# a comment with "quotes" ; and a full stop.
ex:s ex:note """a long string
spread over lines ; with a # and a " inside""" ;
    ex:count 1.
ex:s.b ex:p [ ex:q ex:r ] ; ex:list ( ex:a ex:b ) ;
    ex:p 'single # quoted', "esc\\"aped"@en ,
        "typed"^^ex:type .
PREFIX ex2: <http://example.org/two/>
<http://example.org/s> ex2:p ex2:o .
'''


@pytest.mark.parametrize("predicate, value, expected", [
    ("note", None, 3),
    ("count", ox.Literal("1"), 5),
    ("p", ox.Literal("typed"), 8),
    ("p", ox.Literal('esc"aped', language="en"), 7),
    ("list", None, 6),
])
def test_turtle_tokens_that_look_like_statement_ends_do_not_mislead(predicate: str, value, expected: int) -> None:
    subject = "s.b" if predicate in ("p", "list") else "s"
    finding = Finding(ox.NamedNode("http://example.org/" + subject), "http://example.org/" + predicate, value)
    assert line_of(_upload(TRICKY, ox.RdfFormat.TURTLE), finding) == expected


def test_sparql_style_prefixes_trig_and_n_quads() -> None:
    upload = _upload(TRICKY, ox.RdfFormat.TURTLE)
    assert line_of(upload, Finding(ox.NamedNode("http://example.org/s"), "http://example.org/two/p")) == 10
    trig = "@prefix ex: <http://example.org/> .\nex:g {\n  ex:s ex:p ex:o ;\n    ex:q ex:r .\n}\n" \
           "GRAPH ex:h { ex:s ex:p\n  ex:o2 }\n"
    upload = _upload(trig, ox.RdfFormat.TRIG)
    assert line_of(upload, Finding(ox.NamedNode("http://example.org/s"), "http://example.org/q")) == 4
    assert line_of(upload, Finding(ox.NamedNode("http://example.org/s"), "http://example.org/p",
                                   ox.NamedNode("http://example.org/o2"))) == 7
    quads = "<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n<http://e/s> <http://e/q> \"v\" <http://e/g> .\n"
    upload = _upload(quads, ox.RdfFormat.N_QUADS)
    assert line_of(upload, Finding(ox.NamedNode("http://e/s"), "http://e/q", ox.Literal("v"))) == 2


def test_json_ld_falls_back_to_the_first_line_naming_the_focus() -> None:
    text = '{\n  "@id": "http://e/s",\n  "http://e/p": "v"\n}\n'
    upload = _upload(text, ox.RdfFormat.JSON_LD)
    assert line_of(upload, Finding(ox.NamedNode("http://e/s"), "http://e/p", ox.Literal("v"))) == 2
