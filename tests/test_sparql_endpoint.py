"""/sparql over real HTTP: the protocol's request forms, content negotiation and refusals."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyoxigraph as ox
import pytest

PREFIXES = """PREFIX idd: <https://w3id.org/iddkg/ontology#>
PREFIX kg: <https://w3id.org/iddkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
LABEL_QUERY = PREFIXES + 'SELECT ?label WHERE { idd:Instrument rdfs:label ?label }'


@pytest.fixture(scope="module")
def client(live_server: str):
    with httpx.Client(base_url=live_server, timeout=30) as http:
        yield http


def test_a_data_file_is_loaded_and_answered_over_http(client: httpx.Client) -> None:
    query = PREFIXES + "ASK { kg:meity a idd:Ministry ; rdfs:label ?name }"
    response = client.get("/sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_get_post_form_and_post_query_give_the_same_answer(client: httpx.Client) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = client.get("/sparql", params={"query": LABEL_QUERY}, headers=accept)
    by_form = client.post("/sparql", data={"query": LABEL_QUERY}, headers=accept)
    by_body = client.post("/sparql", content=LABEL_QUERY.encode(),
                          headers={**accept, "Content-Type": "application/sparql-query"})
    answers = [r.json()["results"]["bindings"] for r in (by_get, by_form, by_body)]
    assert answers[0] == [{"label": {"type": "literal", "value": "instrument", "xml:lang": "en"}}]
    assert answers[0] == answers[1] == answers[2]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, application/sparql-results+json;q=0.9", "application/sparql-results+json"),
        ("application/xml;q=0.1, text/*;q=0.8", "text/csv"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_results_follow_accept_q_values(client: httpx.Client, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": LABEL_QUERY}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    if expected == "text/csv":
        assert list(csv.reader(io.StringIO(response.text))) == [["label"], ["instrument"]]


def test_nothing_acceptable_is_406(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": LABEL_QUERY}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["error"]


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": LABEL_QUERY, "format": "tsv"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text.splitlines()[0] == "?label"


def test_construct_is_served_as_rdf(client: httpx.Client) -> None:
    query = PREFIXES + "CONSTRUCT { idd:Instrument rdfs:label ?l } WHERE { idd:Instrument rdfs:label ?l }"
    turtle = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert '"instrument"@en' in turtle.text
    jsonld = client.get("/sparql", params={"query": query}, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert json.loads(jsonld.text)[0]["@id"] == "https://w3id.org/iddkg/ontology#Instrument"


def test_syntax_error_is_400_with_line_and_column(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    body = response.json()
    assert "syntax" in body["error"].lower()
    assert body["line"] == 3 and body["column"] >= 1


def test_update_is_refused_on_the_query_endpoint(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert response.status_code == 400
    assert "read-only" in response.json()["error"]
    check = client.get("/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert check.json()["boolean"] is False


def test_service_is_refused_before_anything_is_fetched(client: httpx.Client) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["error"]


def test_wrong_content_type_is_415(client: httpx.Client) -> None:
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415


def test_get_without_query_describes_the_service(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd, void = "http://www.w3.org/ns/sparql-service-description#", "http://rdfs.org/ns/void#"
    values = {(t.predicate.value, t.object.value) for t in triples}
    assert (sd + "supportedLanguage", sd + "SPARQL11Query") in values
    assert not any(v.endswith(("BasicFederatedQuery", "SPARQL11Update")) for _, v in values), "federation and update are off"
    stats = {t.predicate.value: int(t.object.value) for t in triples
             if t.predicate.value in (void + "triples", void + "classes", void + "distinctSubjects")}
    counted = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
    assert stats[void + "triples"] == int(counted["results"]["bindings"][0]["n"]["value"])
    ministries = [t for t in triples if t.predicate.value == void + "class"
                  and t.object.value == "https://w3id.org/iddkg/ontology#Ministry"]
    assert len(ministries) == 1
    entities = next(t for t in triples if t.subject == ministries[0].subject and t.predicate.value == void + "entities")
    assert int(entities.object.value) >= 5
    graphs = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert "https://w3id.org/iddkg/graph/ontology" in graphs


def test_dataset_parameters_restrict_the_default_graph(client: httpx.Client) -> None:
    ontology_graph = "https://w3id.org/iddkg/graph/ontology"
    query = PREFIXES + "ASK { kg:meity ?p ?o }"
    only_ontology = client.get("/sparql", params={"query": query, "default-graph-uri": ontology_graph})
    assert only_ontology.json()["boolean"] is False
    everything = client.get("/sparql", params={"query": query})
    assert everything.json()["boolean"] is True


def test_prefixes_are_listed(client: httpx.Client) -> None:
    prefixes = client.get("/prefixes").json()
    assert prefixes["idd"] == "https://w3id.org/iddkg/ontology#"
    assert prefixes["kg"] == "https://w3id.org/iddkg/id/"
