"""The SPARQL 1.1 Protocol to the letter, as real clients use it: updates refused as such, relative
IRIs resolved, answers in a format that can carry them, FROM and FROM NAMED honoured, and the
format names that SPARQLWrapper, Fuseki and Virtuoso clients send."""

from __future__ import annotations

import json
import xml.dom.minidom

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import GET, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

INDIA_JAPAN = "https://w3id.org/iddkg/graph/data/india-japan"
INDIA_FRANCE = "https://w3id.org/iddkg/graph/data/india-france"
COUNT = "SELECT (COUNT(*) AS ?n) {from_clause} WHERE {{ ?s ?p ?o }}"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def client(live_server: str):
    with httpx.Client(base_url=live_server, timeout=30) as http:
        yield http


def _count(client: httpx.Client, query: str, **params: str) -> int:
    response = client.get("/sparql", params={"query": query, **params}, headers=JSON_RESULTS)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _store_is_unchanged(client: httpx.Client) -> None:
    assert _count(client, COUNT.format(from_clause="FROM <urn:x:cleared>")) == 0
    assert _count(client, COUNT.format(from_clause="")) > 1000


# --- updates are refused as updates -------------------------------------------------------------

@pytest.mark.parametrize("request_args", [
    {"method": "POST", "data": {"update": "CLEAR ALL"}},
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": {"update": "INSERT DATA { <urn:x:a> <urn:x:b> "}},  # malformed
    {"method": "POST", "content": b"update=CLEAR+ALL&update=DROP+ALL",
     "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"method": "POST", "data": {"update": "LOAD <http://127.0.0.1:9/data.ttl>"}},
    {"method": "POST", "content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
], ids=["form", "get", "malformed", "two-values", "load", "update-body"])
def test_an_update_is_refused_saying_the_endpoint_is_read_only(client: httpx.Client, request_args: dict) -> None:
    response = client.request(url="/sparql", **request_args)
    assert response.status_code == 400
    body = response.json()
    assert "read-only" in body["error"] and "/graphs" in body["error"]
    _store_is_unchanged(client)


def test_sparqlwrapper_is_told_its_update_failed(live_server: str, client: httpx.Client) -> None:
    wrapper = SPARQLWrapper(live_server + "/sparql")
    wrapper.setMethod(POST)
    wrapper.setQuery("CLEAR ALL")
    with pytest.raises(QueryBadFormed, match="read-only"):
        wrapper.query()
    _store_is_unchanged(client)


# --- relative IRIs ------------------------------------------------------------------------------

def test_relative_iris_resolve_against_the_endpoint(client: httpx.Client, live_server: str) -> None:
    response = client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert [t.subject.value for t in triples] == [live_server + "/s"]


def test_a_query_base_overrides_the_endpoint(client: httpx.Client) -> None:
    query = "BASE <http://example.org/dir/> SELECT ?x WHERE { BIND(<a> AS ?x) }"
    response = client.get("/sparql", params={"query": query}, headers=JSON_RESULTS)
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/dir/a"


# --- a format that can carry the answer ---------------------------------------------------------

def test_ask_prefers_an_acceptable_format_that_has_booleans(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"},
                          headers={"Accept": "text/tab-separated-values, application/sparql-results+json;q=0.5"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json()["boolean"] is True


def test_ask_in_csv_only_is_406_and_format_csv_is_400(client: httpx.Client) -> None:
    only_csv = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert only_csv.status_code == 406 and "boolean" in only_csv.json()["error"]
    named = client.get("/sparql", params={"query": "ASK {}", "format": "csv"})
    assert named.status_code == 400 and named.json()["parameter"] == "format"


# --- FROM and FROM NAMED ------------------------------------------------------------------------

def test_from_restricts_the_default_graph_like_default_graph_uri(client: httpx.Client) -> None:
    by_from = _count(client, COUNT.format(from_clause=f"FROM <{INDIA_JAPAN}>"))
    by_parameter = _count(client, COUNT.format(from_clause=""), **{"default-graph-uri": INDIA_JAPAN})
    everything = _count(client, COUNT.format(from_clause=""))
    assert by_from == by_parameter
    assert 0 < by_from < everything


def test_two_from_clauses_merge_and_protocol_parameters_win(client: httpx.Client) -> None:
    japan = _count(client, COUNT.format(from_clause=f"FROM <{INDIA_JAPAN}>"))
    france = _count(client, COUNT.format(from_clause=f"FROM <{INDIA_FRANCE}>"))
    both = _count(client, COUNT.format(from_clause=f"FROM <{INDIA_JAPAN}> FROM <{INDIA_FRANCE}>"))
    assert both <= japan + france and both > max(japan, france)
    overridden = _count(client, COUNT.format(from_clause=f"FROM <{INDIA_JAPAN}>"),
                        **{"default-graph-uri": INDIA_FRANCE})
    assert overridden == france


def test_from_named_limits_the_graphs_and_empties_the_default(client: httpx.Client) -> None:
    query = f"SELECT DISTINCT ?g FROM NAMED <{INDIA_JAPAN}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query}, headers=JSON_RESULTS)
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [INDIA_JAPAN]
    assert _count(client, COUNT.format(from_clause=f"FROM NAMED <{INDIA_JAPAN}>")) == 0


def test_from_a_graph_the_store_does_not_hold_is_empty_and_fetches_nothing(client: httpx.Client) -> None:
    assert _count(client, COUNT.format(from_clause="FROM <http://127.0.0.1:9/remote.ttl>")) == 0


# --- the format names real clients send ----------------------------------------------------------

SELECT_QUERY = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"
CONSTRUCT_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
DESCRIBE_QUERY = "DESCRIBE <https://w3id.org/iddkg/id/meity>"


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_defaults_work_for_every_query_form(live_server: str, method: str) -> None:
    def wrapper(query: str) -> SPARQLWrapper:
        client = SPARQLWrapper(live_server + "/sparql")  # default return format: XML
        client.setMethod(method)
        client.setQuery(query)
        return client

    select = wrapper(SELECT_QUERY).query().convert()
    assert isinstance(select, xml.dom.minidom.Document)
    assert len(select.getElementsByTagName("result")) == 1
    ask = wrapper("ASK {}").query().convert()
    assert ask.getElementsByTagName("boolean")[0].firstChild.data == "true"
    for query in (CONSTRUCT_QUERY, DESCRIBE_QUERY):
        graph = wrapper(query).query().convert()
        assert isinstance(graph, rdflib.Graph) and len(graph) > 0


@pytest.mark.parametrize("name, form, media_type", [
    ("xml", "SELECT", "application/sparql-results+xml"),
    ("json", "SELECT", "application/sparql-results+json"),
    ("xml", "CONSTRUCT", "application/rdf+xml"),
    ("rdf+xml", "CONSTRUCT", "application/rdf+xml"),
    ("json", "CONSTRUCT", "application/ld+json"),
    ("json-ld", "DESCRIBE", "application/ld+json"),
    ("n3", "CONSTRUCT", "text/turtle"),
    ("turtle", "DESCRIBE", "text/turtle"),
    ("tsv", "SELECT", "text/tab-separated-values"),
])
@pytest.mark.parametrize("parameter", ["format", "output"])
def test_format_names_mean_what_the_query_form_needs(client: httpx.Client, name: str, form: str,
                                                      media_type: str, parameter: str) -> None:
    query = {"SELECT": SELECT_QUERY, "CONSTRUCT": CONSTRUCT_QUERY, "DESCRIBE": DESCRIBE_QUERY}[form]
    response = client.get("/sparql", params={"query": query, parameter: name})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


def test_sparqlwrapper_tsv_sends_two_values_and_gets_tsv(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(SELECT_QUERY)
    client.setReturnFormat("tsv")
    text = client.query().convert().decode("utf-8")
    assert text.splitlines()[0] == "?g"


def test_json_results_for_a_construct_in_json_ld_are_real_json_ld(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT_QUERY, "format": "json"})
    document = json.loads(response.content)
    assert isinstance(document, (list, dict))
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.JSON_LD))) == 5


def test_a_query_longer_than_the_limit_is_413_before_it_is_read(client: httpx.Client) -> None:
    long_query = "SELECT * WHERE { " + "?s ?p ?o . " * 13_000 + "}"  # about 140 KB
    response = client.post("/sparql", content=long_query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert response.json()["parameter"] == "query" and "GRAPHSVC_MAX_QUERY_BYTES" in response.json()["error"]


@pytest.mark.parametrize("opening, closing", [("{ ", "} "), ("(", ")")])
def test_five_thousand_nested_brackets_are_refused_before_the_engine(client: httpx.Client, opening: str,
                                                                     closing: str) -> None:
    if opening == "(":
        query = "SELECT * WHERE { FILTER(" + opening * 5000 + "1" + closing * 5000 + ") }"
    else:
        query = "SELECT * WHERE " + opening * 5000 + closing * 5000
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert "nests brackets too deeply" in response.json()["error"]
    assert client.get("/sparql", params={"query": "ASK {}"}, headers=JSON_RESULTS).json()["boolean"] is True
