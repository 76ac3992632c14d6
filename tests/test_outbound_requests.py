"""Nothing an anonymous request sends makes the running service connect anywhere.

Queries that hide SERVICE, LOAD, FROM and GRAPH IRIs among every lexical construct of SPARQL,
named-query parameters, and uploads with every fetching feature of their formats all point at a
listener on 127.0.0.1; it must count zero connections, and the service must answer each with a
status below 500 and stay up.
"""

from __future__ import annotations

import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.listener import Listener

# Constructs a query can hold around an operation: strings of the four kinds with escapes, IRIs,
# prefixed names with PN_LOCAL_ESC and %XX, variables, blank nodes, numbers, language tags,
# datatypes, comments ended by CR, LF or CRLF, codepoint escapes, brackets.
FILLERS = [
    '"str\\"ing"', "'it\\'s'", '"""a "" b " c"""', "'''x ' '' y'''", '"\\u0053ERVICE"',
    "<http://ex/i#SERVICE>", "ex:a\\#", "ex:a\\.b", "ex:%41b", "ex:SERVICE", "?SERVICE", "$LOAD",
    "_:SERVICE", "12.5e3", "-7", '"x"@en-GB', '"1"^^ex:int', "# SERVICE <x>\r", "# c\n", "# c\r\n",
    "\\u0053ERVICE", "[]", "()", "a", "ex:p/ex:q*", "^ex:p", "!ex:p", "ex:p|ex:q",
]
SEPARATORS = ["", " ", "\t", "\r", "\n", ".", " . ", "# c\r", ";", "\u00a0"]
SPELLINGS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "\\u0053ERVICE", "SERVICE\\u0020"]


def operations(url: str) -> list[str]:
    return [
        *(f"{word} <{url}/sparql> {{ ?a ?b ?c }}" for word in SPELLINGS),
        "SERVICE:sparql { ?a ?b ?c }",  # with PREFIX : <url/>
        f"SERVICE ?svc {{ ?a ?b ?c }} BIND(<{url}/s> AS ?svc)",
        f"GRAPH <{url}/g> {{ ?a ?b ?c }}",
        f"LOAD <{url}/data.ttl>",
        f"}} LOAD <{url}/data.ttl> ; SELECT * {{",
    ]


def query_strategy(url: str) -> st.SearchStrategy[str]:
    piece = st.sampled_from(FILLERS)
    triple = st.builds(lambda s, o: f"{s} ex:p {o} .", piece, piece)
    return st.builds(
        lambda head, before, sep1, operation, sep2, after, dataset: (
            f"PREFIX ex: <http://ex/> PREFIX : <{url}/>\nSELECT * {dataset} WHERE {{ {head}"
            f"{before}{sep1}{operation}{sep2}{after} }}"),
        st.sampled_from(["", "?s ?p ?o .", "OPTIONAL { ?s ex:a\\# ?o }", "BIND(1 AS ?x)"]),
        st.lists(st.one_of(piece, triple), max_size=3).map(" ".join),
        st.sampled_from(SEPARATORS),
        st.sampled_from(operations(url)),
        st.sampled_from(SEPARATORS),
        st.lists(st.one_of(piece, triple), max_size=2).map(" ".join),
        st.sampled_from(["", f"FROM <{url}/g>", f"FROM NAMED <{url}/g>"]),
    )


@pytest.fixture(scope="module")
def witness():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def client(live_server: str):
    with httpx.Client(base_url=live_server, timeout=30) as http:
        yield http


def _assert_no_connection(witness: Listener, client: httpx.Client) -> None:
    time.sleep(0.2)  # a connection attempt made just now would have been accepted by now
    assert witness.connections == 0
    assert client.get("/").status_code == 200


def test_hidden_operations_in_queries_connect_nowhere(witness: Listener, client: httpx.Client) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(query=query_strategy(witness.url), by_post=st.booleans())
    def check(query: str, by_post: bool) -> None:
        if by_post:
            response = client.post("/sparql", content=query.encode("utf-8"),
                                   headers={"Content-Type": "application/sparql-query"})
        else:
            response = client.get("/sparql", params={"query": query})
        assert response.status_code < 500, (query, response.text)
        assert witness.connections == 0, query

    check()
    _assert_no_connection(witness, client)


@pytest.mark.parametrize("path, value", [
    ("/api/instrument", "instrument={url}/x"),
    ("/api/instruments", "partner={url}/x"),
    ("/api/search", "q=SERVICE <{url}/x> {{ ?s ?p ?o }}"),
    ("/id/x", "format=SERVICE <{url}/x>"),
])
def test_named_queries_and_pages_connect_nowhere(witness: Listener, client: httpx.Client, path: str,
                                                 value: str) -> None:
    response = client.get(f"{path}?{value.format(url=witness.url)}")
    assert response.status_code < 500
    _assert_no_connection(witness, client)


def uploads(url: str) -> list[tuple[str, bytes]]:
    return [
        ("application/rdf+xml", f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY remote SYSTEM "{url}/entity"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="urn:x:s"><rdf:value>&remote;</rdf:value></rdf:Description>
</rdf:RDF>""".encode()),
        ("application/rdf+xml", f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF SYSTEM "{url}/dtd">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>""".encode()),
        ("application/rdf+xml", f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY % p SYSTEM "{url}/param"> %p; ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>""".encode()),
        ("application/ld+json", f'{{"@context": "{url}/context.jsonld", "@id": "urn:x:s", "p": 1}}'.encode()),
        ("application/ld+json", f'{{"@context": {{"@import": "{url}/c"}}, "@id": "urn:x:s"}}'.encode()),
        ("application/ld+json", f'{{"@context": ["{url}/c"], "@id": "urn:x:s"}}'.encode()),
        ("text/turtle", f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:x:o> a owl:Ontology ; owl:imports <{url}/ontology.ttl> .
<urn:x:shape> a sh:NodeShape ; sh:targetNode <urn:x:o> ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}" ] .
""".encode()),
    ]


def test_uploads_connect_nowhere(witness: Listener, client: httpx.Client) -> None:
    for media_type, body in uploads(witness.url):
        response = client.post("/validate", content=body, headers={"Content-Type": media_type})
        assert response.status_code < 500, (media_type, response.text)
    _assert_no_connection(witness, client)
