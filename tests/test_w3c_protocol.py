"""A protocol harness run against the service on 127.0.0.1: the 34 cases of the W3C SPARQL 1.1
Protocol test manifest (sparql11/protocol/manifest.ttl), then 31 stricter cases of our own for
content negotiation, datasets, error codes, read-only refusal and outbound requests. 65 in all.

The W3C cases are written here from the manifest's requests and expected responses, with two
readings the manifest leaves to the implementation under test:
- the endpoint is read-only, so each update case must be refused with a 400 that says so, and the
  data must be unchanged after it (the W3C's expectation is for endpoints that take updates);
- `query_multiple_dataset` sends its two named graphs as two `named-graph-uri` parameters (the
  manifest's request URL encodes the `&` between them by mistake).
The graphs the W3C cases name (http://kasei.us/2009/09/sparql/data/dataN.rdf) are loaded through
`/graphs` with small stand-ins for the W3C's data files: each graph says of its own IRI that it
is a foaf:Document, which is all the cases ask of them.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import httpx
import pytest

from tests.listener import Listener
from tests.server import running_service

TOKEN = "protocol-harness-token"
KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA = [f"{KASEI}data{n}.rdf" for n in range(4)]
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json",
             "application/n-quads", "application/trig"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Harness:
    """A client of the endpoint, the witness listener, and checks of the answers."""

    def __init__(self, base_url: str, listener: Listener) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.listener = listener

    def media_type(self, response: httpx.Response) -> str:
        return response.headers.get("content-type", "").split(";")[0].strip()

    def boolean(self, response: httpx.Response, expected: bool) -> None:
        assert 200 <= response.status_code < 400, response.text[:300]
        assert self.media_type(response) in BOOLEAN_TYPES, response.headers.get("content-type")
        if self.media_type(response) == "application/sparql-results+json":
            assert response.json()["boolean"] is expected
        else:
            assert f"<boolean>{str(expected).lower()}</boolean>" in response.text

    def client_error(self, response: httpx.Response, status: int | None = None) -> None:
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
        if status is not None:
            assert response.status_code == status, (response.status_code, response.text[:300])
        assert response.headers.get("content-type", "").startswith("application/json"), response.text[:200]
        assert response.json()["error"]

    def read_only(self, response: httpx.Response) -> None:
        self.client_error(response, 400)
        assert "read-only" in response.json()["error"]
        assert self.graph_count() == 4, "an update changed the data"

    def graph_count(self) -> int:
        query = "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'http://kasei.us/')) }"
        response = self.client.get("/sparql", params={"query": query},
                                   headers={"Accept": "application/sparql-results+json"})
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    def ask(self, query: str, **params: object) -> httpx.Response:
        return self.client.get("/sparql", params={"query": query, **params},
                               headers={"Accept": "application/sparql-results+json"})

    def no_connection(self) -> None:
        time.sleep(0.3)  # the listener accepts in a thread of its own, polling every 0.1 s
        assert self.listener.connections == 0, f"the service opened {self.listener.connections} connection(s)"


CASES: dict[str, Callable[[Harness], None]] = {}


def case(function: Callable[[Harness], None]) -> Callable[[Harness], None]:
    CASES[function.__name__] = function
    return function


def _ask_types(*graphs: int) -> str:
    return "ASK { " + " ".join(f"<{DATA[g]}> a ?type ." for g in graphs) + " }"


def _ask_named(*graphs: int) -> str:
    return "ASK { " + " ".join(f"GRAPH ?g{g} {{ <{DATA[g]}> a ?type }}" for g in graphs) + " }"


# --- the W3C SPARQL 1.1 Protocol manifest: 34 cases ----------------------------------------------

@case
def query_post_form(h: Harness) -> None:
    h.boolean(h.client.post("/sparql", params={"default-graph-uri": DATA[0]}, content=b"query=ASK%20%7B%7D",
                            headers=FORM), True)


@case
def query_dataset_default_graphs_get(h: Harness) -> None:
    h.boolean(h.client.get("/sparql", params={"query": _ask_types(1, 2), "default-graph-uri": [DATA[1], DATA[2]]}), True)


@case
def query_dataset_default_graphs_post(h: Harness) -> None:
    h.boolean(h.client.post("/sparql", params={"default-graph-uri": [DATA[1], DATA[2]]},
                            content=_ask_types(1, 2), headers=SPARQL_QUERY), True)


@case
def query_dataset_named_graphs_post(h: Harness) -> None:
    h.boolean(h.client.post("/sparql", params={"named-graph-uri": [DATA[1], DATA[2]]},
                            content=_ask_named(1, 2), headers=SPARQL_QUERY), True)


@case
def query_dataset_named_graphs_get(h: Harness) -> None:
    h.boolean(h.client.get("/sparql", params={"query": _ask_named(1, 2), "named-graph-uri": [DATA[1], DATA[2]]}), True)


@case
def query_dataset_full(h: Harness) -> None:
    query = f"ASK {{ <{DATA[3]}> a ?type GRAPH ?g1 {{ <{DATA[1]}> a ?type }} GRAPH ?g2 {{ <{DATA[2]}> a ?type }} }}"
    h.boolean(h.client.post("/sparql", params={"default-graph-uri": DATA[3], "named-graph-uri": [DATA[1], DATA[2]]},
                            content=query, headers=SPARQL_QUERY), True)


@case
def query_multiple_dataset(h: Harness) -> None:
    query = f"ASK FROM <{DATA[3]}> {{ GRAPH ?g1 {{ <{DATA[1]}> a ?type }} GRAPH ?g2 {{ <{DATA[2]}> a ?type }} }}"
    h.boolean(h.client.post("/sparql", params={"named-graph-uri": [DATA[1], DATA[2]]}, content=query,
                            headers=SPARQL_QUERY), True)


@case
def query_get(h: Harness) -> None:
    h.boolean(h.client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": DATA[0]}), True)


@case
def query_content_type_select(h: Harness) -> None:
    response = h.client.post("/sparql", params={"default-graph-uri": DATA[0]}, content="SELECT (1 AS ?value) {}",
                             headers=SPARQL_QUERY)
    assert response.status_code == 200 and h.media_type(response) in TABULAR_TYPES


@case
def query_content_type_ask(h: Harness) -> None:
    response = h.client.post("/sparql", params={"default-graph-uri": DATA[0]}, content="ASK {}", headers=SPARQL_QUERY)
    assert response.status_code == 200 and h.media_type(response) in BOOLEAN_TYPES


@case
def query_content_type_describe(h: Harness) -> None:
    response = h.client.post("/sparql", params={"default-graph-uri": DATA[0]}, content="DESCRIBE <http://example.org/>",
                             headers=SPARQL_QUERY)
    assert response.status_code == 200 and h.media_type(response) in RDF_TYPES


@case
def query_content_type_construct(h: Harness) -> None:
    response = h.client.post("/sparql", params={"default-graph-uri": DATA[0]}, content="CONSTRUCT { <s> <p> 1 } WHERE {}",
                             headers=SPARQL_QUERY)
    assert response.status_code == 200 and h.media_type(response) in RDF_TYPES


_UPDATE = ("PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\nCLEAR ALL ;\n"
           f"INSERT DATA {{ GRAPH <{DATA[1]}> {{ <{DATA[1]}> a foaf:Document }} }} ;\n"
           "INSERT { GRAPH <http://example.org/protocol-update-dataset-test/> { ?s a dc:BibliographicResource } }\n"
           "WHERE { ?s a foaf:Document }")
_UPDATE_CHECK = ("ASK { GRAPH <http://example.org/protocol-update-dataset-test/> "
                 f"{{ <{DATA[1]}> a <http://purl.org/dc/terms/BibliographicResource> }} }}")
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}


def _refused_update(h: Harness, **params: object) -> None:
    h.read_only(h.client.post("/sparql", params=params, content=_UPDATE, headers=SPARQL_UPDATE))
    h.boolean(h.client.post("/sparql", content=_UPDATE_CHECK, headers=SPARQL_QUERY), False)


@case
def update_dataset_default_graph(h: Harness) -> None:
    _refused_update(h, **{"using-graph-uri": DATA[1]})


@case
def update_dataset_default_graphs(h: Harness) -> None:
    _refused_update(h, **{"using-graph-uri": [DATA[1], DATA[2]]})


@case
def update_dataset_named_graphs(h: Harness) -> None:
    _refused_update(h, **{"using-named-graph-uri": [DATA[1], DATA[2]]})


@case
def update_dataset_full(h: Harness) -> None:
    _refused_update(h, **{"using-graph-uri": DATA[3], "using-named-graph-uri": [DATA[1], DATA[2]]})


@case
def update_post_form(h: Harness) -> None:
    h.read_only(h.client.post("/sparql", data={"update": _UPDATE}))
    h.boolean(h.client.post("/sparql", content=_UPDATE_CHECK, headers=SPARQL_QUERY), False)


@case
def update_post_direct(h: Harness) -> None:
    _refused_update(h)


@case
def update_base_uri(h: Harness) -> None:
    update = ("CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
              "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }")
    h.read_only(h.client.post("/sparql", content=update, headers=SPARQL_UPDATE))
    response = h.client.post("/sparql", content="SELECT ?o { GRAPH <http://example.org/protocol-base-test/> "
                                                "{ <http://example.org/s> <http://example.org/p> ?o } }",
                             headers={**SPARQL_QUERY, "Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


@case
def query_post_direct(h: Harness) -> None:
    h.boolean(h.client.post("/sparql", content="ASK {}", headers=SPARQL_QUERY), True)


@case
def bad_query_method(h: Harness) -> None:
    response = h.client.put("/sparql", params={"query": "ASK {}", "default-graph-uri": DATA[0]}, headers=FORM)
    assert 400 <= response.status_code < 500, response.status_code


@case
def bad_multiple_queries(h: Harness) -> None:
    h.client_error(h.client.get("/sparql", params={"query": ["ASK {}", "SELECT * {}"]}))


@case
def bad_query_wrong_media_type(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}))


@case
def bad_query_missing_form_type(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content=b"query=ASK%20%7B%7D"))


@case
def bad_query_missing_direct_type(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content=b"ASK {}"))


@case
def bad_query_non_utf8(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content="ASK {}".encode("utf-16"),
                                 headers={"Content-Type": "application/sparql-query; charset=UTF-16"}))


@case
def bad_query_syntax(h: Harness) -> None:
    h.client_error(h.client.get("/sparql", params={"query": "ASK {"}), 400)


@case
def bad_update_get(h: Harness) -> None:
    h.read_only(h.client.get("/sparql", params={"update": "CLEAR ALL"}))


@case
def bad_multiple_updates(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", headers=FORM))
    assert h.graph_count() == 4


@case
def bad_update_wrong_media_type(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content=b"CLEAR NAMED", headers={"Content-Type": "text/plain"}))
    assert h.graph_count() == 4


@case
def bad_update_missing_form_type(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content=b"update=CLEAR%20NAMED"))
    assert h.graph_count() == 4


@case
def bad_update_non_utf8(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content="CLEAR NAMED".encode("utf-16"),
                                 headers={"Content-Type": "application/sparql-update; charset=UTF-16"}))
    assert h.graph_count() == 4


@case
def bad_update_syntax(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content=b"CLEAR XYZ", headers=SPARQL_UPDATE))


@case
def bad_update_dataset_conflict(h: Harness) -> None:
    update = (f"PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <{DATA[1]}> DELETE {{ ?s a foaf:Document }} "
              f"USING <{DATA[2]}> WHERE {{ ?s a foaf:Document }}")
    h.client_error(h.client.post("/sparql", params={"using-graph-uri": DATA[3]}, content=update, headers=SPARQL_UPDATE))
    assert h.graph_count() == 4


W3C_CASES = list(CASES)

# --- stricter cases: content negotiation (8) ----------------------------------------------------


@case
def ask_prefers_an_acceptable_boolean_format(h: Harness) -> None:
    response = h.client.get("/sparql", params={"query": "ASK {}"},
                            headers={"Accept": "text/tab-separated-values, application/sparql-results+json;q=0.5"})
    h.boolean(response, True)


@case
def ask_with_only_tabular_formats_is_406(h: Harness) -> None:
    h.client_error(h.client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"}), 406)


@case
def select_as_csv(h: Harness) -> None:
    response = h.client.get("/sparql", params={"query": "SELECT (1 AS ?one) {}"}, headers={"Accept": "text/csv"})
    assert h.media_type(response) == "text/csv" and response.text.splitlines() == ["one", "1"]


@case
def select_as_xml(h: Harness) -> None:
    response = h.client.get("/sparql", params={"query": "SELECT (1 AS ?one) {}"},
                            headers={"Accept": "application/sparql-results+xml"})
    assert h.media_type(response) == "application/sparql-results+xml" and "<variable name=\"one\"" in response.text


@case
def construct_with_sparqlwrapper_format_xml(h: Harness) -> None:
    response = h.client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "format": "xml"},
                            headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200 and h.media_type(response) == "application/rdf+xml"


@case
def describe_with_format_json_is_json_ld(h: Harness) -> None:
    response = h.client.get("/sparql", params={"query": f"DESCRIBE <{DATA[1]}>", "format": "json"})
    assert response.status_code == 200 and h.media_type(response) == "application/ld+json"
    assert DATA[1] in response.text


@case
def construct_with_any_accept(h: Harness) -> None:
    response = h.client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"Accept": "*/*"})
    assert response.status_code == 200 and h.media_type(response) in RDF_TYPES


@case
def select_with_only_graph_formats_is_406(h: Harness) -> None:
    h.client_error(h.client.get("/sparql", params={"query": "SELECT * {}"},
                                headers={"Accept": "application/n-triples"}), 406)


# --- datasets (6) -------------------------------------------------------------------------------

def _count(h: Harness, query: str, **params: object) -> int:
    response = h.client.get("/sparql", params={"query": query, **params},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text[:300]
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@case
def from_restricts_the_default_graph(h: Harness) -> None:
    assert _count(h, f"SELECT (COUNT(*) AS ?n) FROM <{DATA[1]}> WHERE {{ ?s ?p ?o }}") == 2


@case
def from_named_restricts_the_named_graphs(h: Harness) -> None:
    assert _count(h, f"SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <{DATA[2]}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 1


@case
def protocol_dataset_overrides_from(h: Harness) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{DATA[1]}> WHERE {{ <{DATA[2]}> ?p ?o }}"
    assert _count(h, query, **{"default-graph-uri": DATA[2]}) == 2


@case
def from_an_unknown_graph_is_empty_and_never_fetched(h: Harness) -> None:
    assert _count(h, f"SELECT (COUNT(*) AS ?n) FROM <{h.listener.url}/data.ttl> WHERE {{ ?s ?p ?o }}") == 0
    h.no_connection()


@case
def named_graphs_alone_leave_the_default_graph_empty(h: Harness) -> None:
    assert _count(h, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"named-graph-uri": DATA[1]}) == 0


@case
def relative_iris_resolve_against_the_endpoint(h: Harness) -> None:
    response = h.client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                            headers={"Accept": "application/n-triples"})
    subject = response.text.split(" ", 1)[0]
    assert subject.startswith("<http") and subject.endswith("/s>"), response.text


# --- error codes (7) ----------------------------------------------------------------------------

@case
def unknown_prefix_is_one_line_with_its_position(h: Harness) -> None:
    response = h.ask("ASK {\n  ?s a skos:Concept }")
    h.client_error(response, 400)
    body = response.json()
    assert "skos:" in body["error"] and "\n" not in body["error"] and len(body["error"]) < 300
    assert (body.get("line"), body.get("column")) == (2, 8)


@case
def oversize_query_is_413(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content="ASK {}" + " " * 200_000, headers=SPARQL_QUERY), 413)


@case
def oversize_header_is_431(h: Harness) -> None:
    h.client_error(h.client.get("/sparql", params={"query": "ASK {}"}, headers={"X-Padding": "x" * 40_000}), 431)


@case
def oversize_url_is_414(h: Harness) -> None:
    h.client_error(h.client.get("/sparql", params={"query": "ASK {}", "pad": "x" * 40_000}), 414)


@case
def deep_nesting_is_400(h: Harness) -> None:
    h.client_error(h.client.post("/sparql", content="ASK " + "{" * 5000 + "}" * 5000, headers=SPARQL_QUERY), 400)


@case
def unknown_extension_function_is_400(h: Harness) -> None:
    response = h.ask("SELECT * { BIND(<http://example.org/fn>(1) AS ?x) }")
    h.client_error(response, 400)
    assert "http://example.org/fn" in response.json()["error"]


@case
def bare_get_is_the_service_description(h: Harness) -> None:
    response = h.client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and "sd:Service" in response.text


# --- read-only refusal (5) ------------------------------------------------------------------------

@case
def form_update_is_refused(h: Harness) -> None:
    h.read_only(h.client.post("/sparql", data={"update": "CLEAR ALL"}))


@case
def update_in_the_query_parameter_is_refused(h: Harness) -> None:
    h.read_only(h.client.post("/sparql", data={"query": "INSERT DATA { <http://x/s> <http://x/p> 1 }"}))


@case
def two_update_values_are_refused(h: Harness) -> None:
    h.read_only(h.client.post("/sparql", data={"update": ["CLEAR ALL", "CLEAR DEFAULT"]}))


@case
def malformed_update_is_refused_as_read_only(h: Harness) -> None:
    h.read_only(h.client.post("/sparql", data={"update": "CLEAR EVERYTHING NOW"}))


@case
def load_update_is_refused_and_fetches_nothing(h: Harness) -> None:
    h.read_only(h.client.post("/sparql", data={"update": f"LOAD <{h.listener.url}/data.ttl>"}))
    h.no_connection()


# --- outbound requests (5) ----------------------------------------------------------------------

def _refused_outbound(h: Harness, query: str) -> None:
    response = h.client.post("/sparql", content=query, headers=SPARQL_QUERY)
    h.client_error(response, 400)
    h.no_connection()


@case
def service_is_refused(h: Harness) -> None:
    _refused_outbound(h, f"SELECT * WHERE {{ SERVICE <{h.listener.url}/sparql> {{ ?s ?p ?o }} }}")


@case
def service_after_an_escaped_hash_is_refused(h: Harness) -> None:
    _refused_outbound(h, "PREFIX ex: <http://ex/>\nSELECT * WHERE { OPTIONAL { ?s ex:a\\# ?o } "
                         f"SERVICE <{h.listener.url}/sparql> {{ ?x ?y ?z }} }}")


@case
def service_after_a_dot_is_refused(h: Harness) -> None:
    _refused_outbound(h, f"SELECT * WHERE {{ BIND(1 AS ?x) .SERVICE <{h.listener.url}/sparql> {{ ?s ?p ?o }} }}")


@case
def service_after_a_comment_ended_by_cr_is_refused(h: Harness) -> None:
    _refused_outbound(h, f"SELECT * WHERE {{ BIND(1 AS ?x) # a comment\rSERVICE <{h.listener.url}/x> {{ ?s ?p ?o }} }}")


@case
def service_silent_is_refused(h: Harness) -> None:
    _refused_outbound(h, f"SELECT * WHERE {{ SERVICE SILENT <{h.listener.url}/sparql> {{ ?s ?p ?o }} }}")


# --- the run ------------------------------------------------------------------------------------

STAND_INS = {iri: f"<{iri}> a <http://xmlns.com/foaf/0.1/Document> ; <http://purl.org/dc/terms/title> \"{iri[-9:-4]}\" .\n"
             for iri in DATA}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"GRAPHSVC_WRITE_TOKENS": f"harness={TOKEN}", "GRAPHSVC_UNVALIDATED_GRAPHS": KASEI}
    with running_service("memory", extra_env=env) as base_url:
        for iri, turtle in STAND_INS.items():
            response = httpx.put(f"{base_url}/graphs", params={"graph": iri}, content=turtle.encode(),
                                 headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
            assert response.status_code in (200, 201, 204), response.text
        yield base_url


@pytest.fixture
def harness(service: str) -> Iterator[Harness]:
    listener = Listener()
    h = Harness(service, listener)
    try:
        yield h
    finally:
        h.client.close()
        listener.close()


def test_the_harness_has_65_cases() -> None:
    assert len(W3C_CASES) == 34 and len(CASES) == 65


@pytest.mark.parametrize("name", list(CASES))
def test_protocol_case(harness: Harness, name: str) -> None:
    CASES[name](harness)


def test_the_service_is_up_and_its_data_unchanged_after_the_harness(harness: Harness) -> None:
    """Run last (pytest keeps the file's order): every refused request left the data as loaded."""
    assert harness.client.get("/healthz").status_code == 200
    assert harness.graph_count() == 4
    query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'http://kasei.us/')) }"
    assert _count(harness, query) == 2 * len(DATA)
    assert _count(harness, "SELECT (COUNT(*) AS ?n) { GRAPH <http://example.org/protocol-update-dataset-test/> { ?s ?p ?o } }") == 0
