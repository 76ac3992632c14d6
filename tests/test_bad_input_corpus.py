"""A corpus of bad input against one running service: every case gets its status and a clear message,
and the dataset is exactly as it was afterwards.

One `graphsvc serve` on 127.0.0.1 (a fresh on-disk store filled from data/, a write token, a CORS
origin, small body limits) takes each case of CASES, sent byte for byte over a socket (no client
library normalises the path or refuses the body): malformed RDF in every format, SHACL violations,
injection in every named-query parameter, SERVICE and LOAD in their spellings, oversize bodies,
deep JSON-LD, XML entities, path tricks in graph and /id/ names, odd Unicode and NUL, wrong
methods and media types, missing, wrong and query-string tokens, and CORS preflights.

Each answer must have the case's status and, for a refusal, be one JSON object whose `error` names
what is wrong (the case's words) and where (line and column, the parameter, the path), with no
stack trace, internal path or token in it. After each case the data version is the one before
(every write makes a new one), and after the corpus the canonical hash of every quad the service
holds (read through GET /graphs, blank nodes canonicalised with RDFC-1.0) is the first one.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pyoxigraph as ox
import pytest

from graphsvc.catalog import catalog
from tests.server import running_service
from tests.test_http_limits import send_until_answered

ROOT = Path(__file__).resolve().parent.parent
INVALID = Path(__file__).parent / "data" / "invalid"
VALID = Path(__file__).parent / "data" / "valid" / "signed_memorandum.ttl"
TOKEN = "corpus-" + secrets.token_hex(16)
ORIGIN = "https://dashboard.example"
UPLOAD_LIMIT = 200_000
REQUEST_LIMIT = 65_536
QUERY_LIMIT = 32_768
URL_LIMIT = 16_384
GRAPH = "https://example.org/graphs/corpus"
VERSION_PROBE = "/api/concepts?scheme=idd:InstrumentKinds"  # computed per data version, never in the background
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
TRIPLE = b"<https://example.org/id/a> <https://example.org/p> <https://example.org/id/b> .\n"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Case:
    """One bad request and what the service must answer: `says` are words of the message (any case),
    `where` keys (with their values, or None for any value) the JSON body must carry."""

    name: str
    method: str
    target: str  # path and query string, exactly as sent
    status: int
    says: tuple[str, ...] = ()
    where: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    token: bool = False  # send the valid write token
    check: Callable[[Reply], None] | None = None


def q(path: str, **params: str) -> str:
    """A target with its query string percent-encoded."""
    return path + ("?" + urlencode(params, quote_via=quote) if params else "")


def graph_target(graph: str) -> str:
    return "/graphs?graph=" + quote(graph, safe="")


# --- what the bodies are -------------------------------------------------------------------------

TURTLE = {"Content-Type": "text/turtle"}
NTRIPLES = {"Content-Type": "application/n-triples"}
JSONLD = {"Content-Type": "application/ld+json"}
RDFXML = {"Content-Type": "application/rdf+xml"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
RDF_TURTLE = {"Accept": "text/turtle"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
XML_HEAD = b'<?xml version="1.0"?>\n'
RDF_OPEN = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">\n'
LAUGHS = (XML_HEAD + b'<!DOCTYPE rdf:RDF [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">\n'
          b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n' + RDF_OPEN +
          b'<rdf:Description rdf:about="https://example.org/id/a"><ex:p>&lol3;</ex:p></rdf:Description>\n</rdf:RDF>\n')
EXTERNAL_DTD = XML_HEAD + b'<!DOCTYPE rdf:RDF SYSTEM "file:///etc/passwd">\n' + RDF_OPEN + b"</rdf:RDF>\n"
EXTERNAL_ENTITY = (XML_HEAD + b'<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>\n' + RDF_OPEN +
                   b'<rdf:Description rdf:about="https://example.org/id/a"><ex:p>&secret;</ex:p></rdf:Description>\n'
                   b"</rdf:RDF>\n")
TRUNCATED_XML = XML_HEAD + RDF_OPEN + b'<rdf:Description rdf:about="https://example.org/id/a">\n  <ex:p>cut'
DEEP_JSONLD = b'{"@id": "https://example.org/id/a", "https://example.org/p": ' + b"[" * 200 + b"1" + b"]" * 200 + b"}"
DEEP_OBJECTS = b'{"https://example.org/p": ' * 100 + b'"x"' + b"}" * 100


def nested_query(depth: int) -> str:
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth


def injection(param_type: str) -> str:
    """A value that tries to end the SPARQL term it is put into and run an update."""
    return {
        "iri": 'kg:japan> } ; DROP ALL ; SELECT * { <urn:x',
        "date": '2020-01-01"^^<urn:x> } ; DROP ALL ; SELECT * { "',
        "integer": "1 } ; DROP ALL ; SELECT * {",
        "decimal": "1.0 } ; DROP ALL",
        "boolean": "true } ; DROP ALL",
        "language": 'en") } ; DROP ALL ; SELECT * { FILTER("',
        "string": '") } } ; DROP ALL ; SELECT * { { FILTER("',
    }[param_type]


def shacl_case(name: str, method: str, target: str, media: str | None = None) -> Case:
    """A file of tests/data/invalid sent as it is (Turtle) or re-serialised into another format: 422,
    and the expected result (shape and focus) among the findings."""
    expected = json.loads((INVALID / f"{name}.expected.json").read_text())
    body = (INVALID / f"{name}.ttl").read_bytes()
    if media is not None:
        triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(media))

    def check(reply: Reply) -> None:
        report = reply.json()
        assert report["conforms"] is False and report.get("written", False) is False
        found = [(r["shape"], r["focusNode"]) for r in report["results"] if r["severity"] == "Violation"]
        assert (expected["shape"], expected["focus"]) in found, found
        assert all(r["message"] for r in report["results"])
        if media in (None, "application/n-triples", "application/rdf+xml"):
            assert any(isinstance(r.get("line"), int) for r in report["results"]), "a finding says on which line"

    return Case(f"shacl {name} ({media or 'text/turtle'}) {method} {target.split('?')[0]}", method, target, 422,
                body=body, headers={"Content-Type": media or "text/turtle"}, token=target.startswith("/graphs"),
                check=check)


def named_query_cases() -> list[Case]:
    """For every parameter of every named query, an injection attempt (the query's other required
    parameters get their examples): 422 naming the parameter, or for free text, only a value."""
    cases = []
    for query in catalog().values():
        for param in query.params:
            params = {p.name: p.example or "" for p in query.params if p.required and p.name != param.name}
            params[param.name] = injection(param.type)
            target = q(f"/api/{query.name}", **params)
            if param.type == "string":
                def only_a_value(reply: Reply, name: str = param.name) -> None:
                    body = reply.json()
                    assert body["params"][name] == injection("string") and body["items"] == []

                cases.append(Case(f"injection /api/{query.name} {param.name}", "GET", target, 200, check=only_a_value))
            else:
                cases.append(Case(f"injection /api/{query.name} {param.name}", "GET", target, 422,
                                  says=(param.name, f"not a valid {param.type}"),
                                  where={"parameter": param.name, "value": injection(param.type)}))
    return cases


def no_items(reply: Reply) -> None:
    assert reply.json()["items"] == []


def not_written(reply: Reply) -> None:
    body = reply.json()
    assert body["written"] is False and body["conforms"] is False


def no_allow_origin(reply: Reply) -> None:
    assert "access-control-allow-origin" not in reply.headers


def bearer_challenge(reply: Reply) -> None:
    assert reply.headers.get("www-authenticate") == "Bearer"


def allow_lists(*methods: str) -> Callable[[Reply], None]:
    def check(reply: Reply) -> None:
        allowed = {m.strip() for m in reply.headers["allow"].split(",")}
        assert set(methods) <= allowed, allowed
    return check


def preflight(origin: str, method: str, headers: str | None = None) -> dict[str, str]:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    return {**asked, "Access-Control-Request-Headers": headers} if headers else asked


CASES: list[Case] = [
    # --- /sparql ----------------------------------------------------------------------------------
    Case("sparql syntax error", "GET", q("/sparql", query="SELECT * WHERE { ?s ?p "), 400,
         ("syntax error",), {"line": 1, "column": None}),
    Case("sparql SERVICE", "GET", q("/sparql", query="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"),
         400, ("SERVICE",), {"line": 1, "column": 18}),
    Case("sparql service in lower case", "GET",
         q("/sparql", query="select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }"), 400, ("SERVICE",),
         {"line": 1}),
    Case("sparql SERVICE spelt with a \\u escape", "GET",
         q("/sparql", query="SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:9/> { ?s ?p ?o } }"), 400,
         ("SERVICE", "escape"), {"line": 1}),
    Case("sparql SERVICE on a later line", "POST", "/sparql", 400, ("SERVICE",), {"line": 3},
         body=b"SELECT * WHERE {\n  ?s ?p ?o .\n  SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
         headers=SPARQL_QUERY),
    Case("sparql LOAD as a query", "GET", q("/sparql", query="LOAD <http://127.0.0.1:9/data.ttl>"), 400,
         ("LOAD",), {"line": 1}),
    Case("sparql LOAD as update=", "POST", "/sparql", 400, ("read-only", "/graphs"), {"parameter": "update"},
         body=b"update=LOAD%20%3Chttp%3A%2F%2F127.0.0.1%3A9%2Fx%3E", headers=FORM),
    Case("sparql update body", "POST", "/sparql", 400, ("read-only",), body=b"DROP ALL",
         headers={"Content-Type": "application/sparql-update"}),
    Case("sparql INSERT DATA as a query", "GET", q("/sparql", query='INSERT DATA { <urn:a> <urn:b> "c" }'), 400,
         ("INSERT",), {"line": 1}),
    Case("sparql brackets nested 300 deep", "GET", q("/sparql", query=nested_query(300)), 400, ("nests",),
         {"line": 1, "column": None}),
    Case("sparql query past the query limit", "POST", "/sparql", 413, ("GRAPHSVC_MAX_QUERY_BYTES",),
         {"parameter": "query"}, body=b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * QUERY_LIMIT, headers=SPARQL_QUERY),
    Case("sparql body past the request limit", "POST", "/sparql", 413, ("GRAPHSVC_MAX_REQUEST_BYTES",),
         body=b"query=" + b"x" * (2 * REQUEST_LIMIT), headers=FORM),
    Case("sparql URL past the URL limit", "GET", q("/sparql", query="ASK {} #" + "x" * URL_LIMIT), 414,
         ("URL", str(URL_LIMIT), "POST")),
    Case("sparql text/plain body", "POST", "/sparql", 415, ("text/plain", "application/sparql-query"),
         body=b"SELECT * WHERE { ?s ?p ?o }", headers={"Content-Type": "text/plain"}),
    Case("sparql multipart body", "POST", "/sparql", 415, ("multipart/form-data",),
         body=b'--b\r\nContent-Disposition: form-data; name="query"\r\n\r\nASK {}\r\n--b--\r\n',
         headers={"Content-Type": "multipart/form-data; boundary=b"}),
    Case("sparql Accept image/png", "GET", q("/sparql", query="SELECT * WHERE { ?s ?p ?o } LIMIT 1"), 406,
         ("SELECT", "application/sparql-results+json"), headers={"Accept": "image/png"}),
    Case("sparql unknown format", "GET", q("/sparql", query="ASK {}", format="exe"), 400, ("exe",),
         {"parameter": "format"}),
    Case("sparql PUT", "PUT", "/sparql", 405, ("PUT", "/sparql"), {"path": "/sparql"}, body=b"ASK {}",
         headers=SPARQL_QUERY, check=allow_lists("GET", "POST")),
    Case("sparql DELETE", "DELETE", "/sparql", 405, ("DELETE",), check=allow_lists("GET", "POST")),
    Case("sparql invalid UTF-8", "POST", "/sparql", 400, ("UTF-8",), body=b"ASK { ?s ?p \"\xff\xfe\" }",
         headers=SPARQL_QUERY),
    Case("sparql query in the URL and the form", "POST", q("/sparql", query="ASK {}"), 400, ("both",),
         {"parameter": "query"}, body=b"query=SELECT%20*%20%7B%7D", headers=FORM),
    Case("sparql two query parameters", "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", 400, ("more than one",),
         {"parameter": "query"}),
    Case("sparql default-graph-uri not an IRI", "GET",
         q("/sparql", query="ASK {}", **{"default-graph-uri": "not an iri"}), 400, ("not an iri",),
         {"parameter": "default-graph-uri"}),
    Case("sparql unknown extension function", "GET",
         q("/sparql", query="SELECT * WHERE { BIND(<http://127.0.0.1:9/f>(1) AS ?x) }"), 400, ("custom function",)),
    Case("sparql token in the query string", "GET", q("/sparql", query="ASK {}", access_token=TOKEN), 400,
         ("credential", "Authorization"), {"parameter": "access_token"}),
    # --- /api/* (every parameter's injection comes from named_query_cases) ---------------------------
    Case("api unknown parameter", "GET", q("/api/instruments", partnr="kg:japan"), 422, ("unknown parameter",),
         {"parameter": "partnr"}),
    Case("api parameter given twice", "GET", "/api/instruments?partner=kg%3Ajapan&partner=kg%3Afrance", 422,
         ("more than once",), {"parameter": "partner"}),
    Case("api negative limit", "GET", q("/api/instruments", limit="-1"), 422, ("between 1 and 500",),
         {"parameter": "limit"}),
    Case("api offset as a float", "GET", q("/api/instruments", offset="1e9"), 422, ("whole number",),
         {"parameter": "offset"}),
    Case("api 24-digit integer", "GET", q("/api/expiring", days="9" * 24), 422, ("18 digits",), {"parameter": "days"}),
    Case("api unknown format", "GET", q("/api/partners", format="xml"), 422, ("not available",),
         {"parameter": "format"}),
    Case("api Accept application/xml", "GET", "/api/partners", 406, ("application/json",),
         headers={"Accept": "application/xml"}),
    Case("api no such query", "GET", "/api/no-such-query", 404, ("/api/no-such-query",),
         {"path": "/api/no-such-query"}),
    Case("api POST", "POST", "/api/partners", 405, ("POST", "/api/partners"), check=allow_lists("GET")),
    Case("api required parameter missing", "GET", "/api/instrument", 422, ("instrument",), {"parameter": "instrument"}),
    Case("api IRI of the wrong class", "GET", q("/api/instrument", instrument="kg:japan"), 404, ("idd:Instrument",),
         {"parameter": "instrument"}),
    Case("api NUL in free text", "GET", q("/api/search", q="ja\x00pan"), 422, ("U+0000",), {"parameter": "q"}),
    Case("api escape character in free text", "GET", q("/api/search", q="\x1b[2Jjapan"), 422, ("U+001B",),
         {"parameter": "q"}),
    Case("api right-to-left override in free text", "GET", q("/api/search", q="\u202enapaj"), 200,
         check=no_items),
    Case("api value past 2000 characters", "GET", q("/api/search", q="x" * 2001), 422, ("2000",), {"parameter": "q"}),
    # --- /id/* ----------------------------------------------------------------------------------------
    Case("id unknown name", "GET", "/id/no-such-thing", 404, ("no-such-thing",), headers=RDF_TURTLE),
    Case("id dot segments", "GET", "/id/../../etc/passwd", 404, ("nothing at",), {"path": None}, headers=RDF_TURTLE),
    Case("id encoded dot segments", "GET", "/id/%2e%2e/%2e%2e/etc/passwd", 404, ("nothing at",), headers=RDF_TURTLE),
    Case("id encoded slashes", "GET", "/id/..%2f..%2fetc%2fpasswd", 404, ("nothing at",)),
    Case("id NUL", "GET", "/id/japan%00", 404, ("no thing is named",), {"parameter": "name"},
         headers=RDF_TURTLE),
    Case("id right-to-left override", "GET", "/id/japan%E2%80%AE", 404, ("no thing is named",), {"parameter": "name"},
         headers=RDF_TURTLE),
    Case("id invalid UTF-8", "GET", "/id/%FF%FE", 404, ("no thing is named",), {"parameter": "name"},
         headers=RDF_TURTLE),
    Case("id 300 characters", "GET", "/id/" + "a" * 300, 404, ("at most 201",), {"parameter": "name"},
         headers=RDF_TURTLE),
    Case("id SPARQL in the name", "GET", "/id/japan%3E%20%7D%20DROP%20ALL", 404, ("no thing is named",),
         headers=RDF_TURTLE),
    Case("id Accept image/png", "GET", "/id/japan", 406, ("text/turtle",), headers={"Accept": "image/png"}),
    Case("id unknown format", "GET", "/id/japan?format=exe", 422, ("exe",), {"parameter": "format"},
         headers=RDF_TURTLE),
    Case("id POST", "POST", "/id/japan", 405, ("POST",), check=allow_lists("GET")),
    Case("id nothing after /id/", "GET", "/id/", 404, ("nothing at",), headers=RDF_TURTLE),
    # --- /validate: malformed RDF in each format, expansion, encodings --------------------------------
    Case("validate Turtle cut short", "POST", "/validate", 400, ("Turtle",), {"line": 2, "column": None},
         body=b"@prefix ex: <https://example.org/> .\nex:a ex:p ", headers=TURTLE),  # the end is on line 2
    Case("validate Turtle undefined prefix", "POST", "/validate", 400, ("Turtle", "prefix"),
         {"line": 2, "column": None},
         body=b"@prefix ex: <https://example.org/> .\nex:a nope:p ex:b .\n", headers=TURTLE),
    Case("validate N-Triples without the dot", "POST", "/validate", 400, ("N-Triples", "dot"), {"line": None},
         body=TRIPLE + b'<https://example.org/id/a> <https://example.org/p> "x"\n', headers=NTRIPLES),
    Case("validate N-Triples relative IRI", "POST", "/validate", 400, ("N-Triples",), {"line": 1},
         body=b"<a> <https://example.org/p> <b> .\n", headers=NTRIPLES),
    Case("validate N-Quads cut short", "POST", "/validate", 400, ("N-Quads",), {"line": 1},
         body=b"<https://example.org/id/a> <https://example.org/p> <https://example.org/id/b> <https://exa",
         headers={"Content-Type": "application/n-quads"}),
    Case("validate TriG unclosed graph", "POST", "/validate", 400, ("TriG",), {"line": None, "column": None},
         body=b"<https://example.org/g> {\n" + TRIPLE,
         headers={"Content-Type": "application/trig"}),
    Case("validate JSON-LD not JSON", "POST", "/validate", 400, ("JSON",), {"line": 1, "column": None},
         body=b'{"@id": "https://example.org/id/a", "https://example.org/p": ', headers=JSONLD),
    Case("validate JSON-LD nested 200 deep", "POST", "/validate", 400, ("nested", "64"), {"line": 1},
         body=DEEP_JSONLD, headers=JSONLD),
    Case("validate JSON-LD objects nested 100 deep", "POST", "/validate", 400, ("nested",), body=DEEP_OBJECTS,
         headers=JSONLD),
    Case("validate JSON-LD remote context", "POST", "/validate", 400, ("remote context",), {"line": 1},
         body=b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "https://example.org/id/a"}', headers=JSONLD),
    Case("validate JSON-LD @import", "POST", "/validate", 400, ("@import", "remote"),
         body=b'{"@context": {"@import": "http://127.0.0.1:9/c.jsonld"}, "@id": "https://example.org/id/a"}',
         headers=JSONLD),
    Case("validate RDF/XML cut short", "POST", "/validate", 400, ("cut short",), {"line": 4, "column": None},
         body=TRUNCATED_XML, headers=RDFXML),
    Case("validate RDF/XML not well-formed", "POST", "/validate", 400, ("not well-formed",), {"line": 1},
         body=TRIPLE, headers=RDFXML),
    Case("validate entity expansion", "POST", "/validate", 400, ("entity", "lol"), {"line": None, "column": None},
         body=LAUGHS, headers=RDFXML),
    Case("validate external DTD", "POST", "/validate", 400, ("DTD",), {"line": 2}, body=EXTERNAL_DTD, headers=RDFXML),
    Case("validate external entity", "POST", "/validate", 400, ("entity", "secret"), {"line": 2},
         body=EXTERNAL_ENTITY, headers=RDFXML),
    Case("validate NUL byte", "POST", "/validate", 400, ("NUL",), {"line": 2, "column": 54},
         body=TRIPLE + b'<https://example.org/id/a> <https://example.org/p> "x\x00y" .\n', headers=NTRIPLES),
    Case("validate escaped NUL in Turtle", "POST", "/validate", 400, ("U+0000",), {"line": 2},
         body=b"@prefix ex: <https://example.org/> .\nex:a ex:p \"x\\u0000y\" .\n", headers=TURTLE),
    Case("validate escaped NUL in JSON-LD", "POST", "/validate", 400, ("U+0000",),
         body=b'{"@id": "https://example.org/id/a", "https://example.org/p": "x\\u0000y"}', headers=JSONLD),
    Case("validate UTF-16", "POST", "/validate", 400, ("UTF-16",),
         body=("\ufeff" + TRIPLE.decode()).encode("utf-16-le"), headers=NTRIPLES),
    Case("validate invalid UTF-8", "POST", "/validate", 400, ("UTF-8",), {"line": 1},
         body=b'<https://example.org/id/a> <https://example.org/p> "\xc3\x28" .\n', headers=NTRIPLES),
    Case("validate Latin-1 charset", "POST", "/validate", 415, ("latin-1", "UTF-8"), {"parameter": "Content-Type"},
         body=TRIPLE, headers={"Content-Type": "text/turtle; charset=latin-1"}),
    Case("validate no media type", "POST", "/validate", 415, ("(none)", "text/turtle"), body=TRIPLE),
    Case("validate JSON that is not JSON-LD's type", "POST", "/validate", 415, ("application/json",), body=b"{}",
         headers={"Content-Type": "application/json"}),
    Case("validate N3", "POST", "/validate", 415, ("text/n3",), body=TRIPLE, headers={"Content-Type": "text/n3"}),
    Case("validate unknown mode", "POST", "/validate?mode=merge", 400, ("mode", "merge"), {"parameter": "mode"},
         body=TRIPLE, headers=NTRIPLES),
    Case("validate graph not an IRI", "POST", "/validate?graph=not-an-iri", 400, ("not an absolute IRI",),
         {"parameter": "graph"}, body=TRIPLE, headers=NTRIPLES),
    Case("validate over the upload limit", "POST", "/validate", 413, (str(UPLOAD_LIMIT),),
         body=TRIPLE * (UPLOAD_LIMIT // len(TRIPLE) + 2000), headers=NTRIPLES),
    Case("validate GET", "GET", "/validate", 405, ("GET", "/validate"), check=allow_lists("POST")),
    shacl_case("label_missing", "POST", "/validate"),
    shacl_case("signing_date_year_only", "POST", "/validate", "application/n-triples"),
    shacl_case("party_not_an_agent", "POST", "/validate", "application/ld+json"),
    shacl_case("span_past_document_end", "POST", "/validate", "application/rdf+xml"),
    # --- /graphs: tokens ------------------------------------------------------------------------------
    Case("graphs PUT without a token", "PUT", graph_target(GRAPH), 401, ("Authorization: Bearer",),
         body=VALID.read_bytes(), headers=TURTLE, check=bearer_challenge),
    Case("graphs PUT with a wrong token", "PUT", graph_target(GRAPH), 401, ("not valid",), body=TRIPLE,
         headers={**NTRIPLES, "Authorization": "Bearer " + TOKEN[:-1] + "x"}, check=bearer_challenge),
    Case("graphs PUT with Basic credentials", "PUT", graph_target(GRAPH), 401, ("Bearer",), body=TRIPLE,
         headers={**NTRIPLES, "Authorization": "Basic Y3VyYXRvcjpzZWNyZXQ="}, check=bearer_challenge),
    Case("graphs PUT with an empty bearer", "PUT", graph_target(GRAPH), 401, ("Bearer",), body=TRIPLE,
         headers={**NTRIPLES, "Authorization": "Bearer "}),
    Case("graphs token in the query string", "PUT", q("/graphs", graph=GRAPH, token=TOKEN), 400,
         ("credential", "Authorization"), {"parameter": "token"}, body=TRIPLE, headers=NTRIPLES),
    Case("graphs token value under another name", "PUT", q("/graphs", graph=GRAPH, note=TOKEN), 400,
         ("credential",), body=TRIPLE, headers=NTRIPLES),
    Case("graphs DELETE without a token", "DELETE", graph_target("https://w3id.org/iddkg/graph/data/agents"), 401,
         ("Bearer",)),
    # --- /graphs: names -------------------------------------------------------------------------------
    Case("graphs no graph parameter", "PUT", "/graphs", 400, ("graph",), {"parameter": "graph"}, body=TRIPLE,
         headers=NTRIPLES, token=True),
    Case("graphs graph given twice", "PUT", "/graphs?graph=urn%3Ax&graph=urn%3Ay", 400, ("more than once",),
         {"parameter": "graph"}, body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs relative path", "PUT", graph_target("../../etc/passwd"), 400, ("not an absolute IRI",),
         {"parameter": "graph"}, body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs dot segments to the meta graph", "PUT", graph_target("https://w3id.org/iddkg/graph/x/../meta"), 400,
         ("'..' segment",), {"parameter": "graph"}, body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs encoded dot segments", "PUT", graph_target("https://example.org/a/%2E%2E/b"), 400, ("'..' segment",),
         body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs meta graph with a slash", "PUT", graph_target("https://w3id.org/iddkg/graph/meta/"), 400,
         ("managed by the service",), {"parameter": "graph"}, body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs meta graph with a query", "PUT", graph_target("https://w3id.org/iddkg/graph/meta?x=1"), 400,
         ("managed by the service",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs meta graph in capitals", "PUT", graph_target("HTTPS://W3ID.ORG/iddkg/graph/meta"), 400,
         ("managed by the service",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs data graph", "PUT", graph_target("https://w3id.org/iddkg/graph/data/agents"), 400,
         ("managed by the service",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs data namespace itself", "PUT", graph_target("https://w3id.org/iddkg/graph/data"), 400,
         ("managed by the service",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs provenance graph", "POST", graph_target("https://w3id.org/iddkg/graph/provenance/0123456789abcdef"),
         400, ("managed by the service",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs ontology graph", "DELETE", graph_target("https://w3id.org/iddkg/graph/ontology"), 400,
         ("managed by the service",), token=True),
    Case("graphs right-to-left override", "PUT", graph_target("https://example.org/graphs/\u202ecorpus"), 400,
         ("U+202E", "RFC 3987"), {"parameter": "graph"}, body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs NUL in the name", "PUT", graph_target("https://example.org/graphs/a\x00b"), 400,
         ("not an absolute IRI",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs space in the name", "PUT", graph_target("https://example.org/graphs/a b"), 400,
         ("not an absolute IRI",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs SPARQL in the name", "PUT", graph_target("https://example.org/g> } ; DROP ALL ; INSERT DATA { <urn:x"),
         400, ("not an absolute IRI",), body=TRIPLE, headers=NTRIPLES, token=True),
    Case("graphs blank node name", "PUT", graph_target("_:b0"), 400, ("not an absolute IRI",), body=TRIPLE,
         headers=NTRIPLES, token=True),
    Case("graphs TriG with a graph of its own", "PUT", graph_target(GRAPH), 400, ("named graphs of its own",),
         body=b"<https://example.org/other> { " + TRIPLE + b"}", headers={"Content-Type": "application/trig"},
         token=True),
    Case("validate TriG naming the meta graph", "POST", "/validate", 400, ("managed by the service",),
         body=b"<https://w3id.org/iddkg/graph/meta> { " + TRIPLE + b"}", headers={"Content-Type": "application/trig"}),
    # --- /graphs: bodies, methods, switches -----------------------------------------------------------
    Case("graphs Turtle cut short", "PUT", graph_target(GRAPH), 400, ("Turtle",), {"line": 2, "column": None},
         body=b"@prefix ex: <https://example.org/> .\nex:a ex:p ", headers=TURTLE, token=True),
    Case("graphs RDF/XML cut short", "PUT", graph_target(GRAPH), 400, ("cut short",), {"line": 4}, body=TRUNCATED_XML,
         headers=RDFXML, token=True),
    Case("graphs entity expansion", "POST", graph_target(GRAPH), 400, ("entity",), body=LAUGHS, headers=RDFXML,
         token=True),
    Case("graphs deep JSON-LD", "PUT", graph_target(GRAPH), 400, ("nested",), body=DEEP_JSONLD, headers=JSONLD,
         token=True),
    Case("graphs NUL byte", "PUT", graph_target(GRAPH), 400, ("NUL",), {"line": 1}, body=b'<urn:a> <urn:b> "\x00" .',
         headers=NTRIPLES, token=True),
    Case("graphs application/json", "PUT", graph_target(GRAPH), 415, ("application/json",), body=b"{}",
         headers={"Content-Type": "application/json"}, token=True),
    Case("graphs over the upload limit", "PUT", graph_target(GRAPH), 413, (str(UPLOAD_LIMIT),),
         body=TRIPLE * (UPLOAD_LIMIT // len(TRIPLE) + 2000), headers=NTRIPLES, token=True),
    Case("graphs mistyped dry-run", "PUT", q("/graphs", graph=GRAPH, **{"dry-run": "ture"}), 400, ("dry-run", "ture"),
         {"parameter": "dry-run"}, body=VALID.read_bytes(), headers=TURTLE, token=True),
    Case("graphs PATCH", "PATCH", graph_target(GRAPH), 405, ("PATCH", "/graphs"), body=TRIPLE, headers=NTRIPLES,
         token=True, check=allow_lists("GET", "PUT", "POST", "DELETE")),
    Case("graphs DELETE of a graph that is not there", "DELETE", graph_target("https://example.org/graphs/none"), 404,
         ("https://example.org/graphs/none",), token=True),
    Case("graphs GET of a graph that is not there", "GET", graph_target("https://example.org/graphs/none"), 404,
         ("no graph",), {"parameter": "graph"}),
    Case("graphs GET not an IRI", "GET", graph_target("not an iri"), 400, ("not an IRI",), {"parameter": "graph"}),
    Case("graphs GET Accept image/png", "GET", graph_target("https://w3id.org/iddkg/graph/data/agents"), 406,
         ("text/turtle",), headers={"Accept": "image/png"}),
    shacl_case("label_missing", "PUT", graph_target(GRAPH)),
    shacl_case("signatory_post_outside_parties", "POST", graph_target(GRAPH), "application/rdf+xml"),
    Case("graphs SHACL violation in a dry run", "PUT", q("/graphs", graph=GRAPH, **{"dry-run": "true"}), 422,
         body=(INVALID / "label_missing.ttl").read_bytes(), headers=TURTLE, token=True, check=not_written),
    # --- /sources -------------------------------------------------------------------------------------
    Case("sources POST without a token", "POST", q("/sources", title="Corpus"), 401, ("Bearer",),
         body=b"A text that is never registered.", headers={"Content-Type": "text/plain"}, check=bearer_challenge),
    Case("sources token in the query string", "POST", q("/sources", title="Corpus", bearer=TOKEN), 400,
         ("credential",), {"parameter": "bearer"}, body=b"A text for the token case.",
         headers={"Content-Type": "text/plain"}),
    Case("sources not UTF-8", "POST", q("/sources", title="Corpus"), 400, ("UTF-8",), body=b"caf\xe9 au lait",
         headers={"Content-Type": "text/plain"}, token=True),
    Case("sources Latin-1 charset", "POST", q("/sources", title="Corpus"), 415, ("UTF-8",),
         {"parameter": "Content-Type"}, body=b"cafe", headers={"Content-Type": "text/plain; charset=latin-1"},
         token=True),
    Case("sources an image", "POST", q("/sources", title="Corpus"), 415, ("image/png",), body=b"\x89PNG\r\n\x1a\n",
         headers={"Content-Type": "image/png"}, token=True),
    Case("sources empty", "POST", q("/sources", title="Corpus"), 400, ("empty",), body=b"",
         headers={"Content-Type": "text/plain"}, token=True),
    Case("sources url not http", "POST", q("/sources", title="Corpus", url="file:///etc/passwd"), 400, ("url",),
         {"parameter": "url"}, body=b"A text for the url case.", headers={"Content-Type": "text/plain"}, token=True),
    Case("sources unknown kind", "POST", q("/sources", title="Corpus", kind="Spell"), 400, ("not a document kind",),
         {"parameter": "kind"}, body=b"A text for the kind case.", headers={"Content-Type": "text/plain"}, token=True),
    Case("sources date in words", "POST", q("/sources", title="Corpus", published="yesterday"), 400, ("published",),
         {"parameter": "published"}, body=b"A text for the date case.", headers={"Content-Type": "text/plain"},
         token=True),
    Case("sources over the upload limit", "POST", q("/sources", title="Corpus"), 413, (str(UPLOAD_LIMIT),),
         body=b"word " * (UPLOAD_LIMIT // 5 + 2000), headers={"Content-Type": "text/plain"}, token=True),
    Case("sources unknown", "GET", "/sources/source-000000000000", 404, ("no source named",),
         headers={"Accept": "application/json"}),
    Case("sources encoded slashes", "GET", "/sources/..%2f..%2fetc%2fpasswd", 404, ("nothing at",),
         headers={"Accept": "application/json"}),
    Case("sources NUL in the name", "GET", "/sources/source-%00", 404, ("no source named",),
         headers={"Accept": "application/json"}),
    Case("sources dot segments", "GET", "/sources/../../etc/passwd", 404, ("nothing at",)),
    Case("sources DELETE", "DELETE", "/sources", 405, ("DELETE",), check=allow_lists("GET", "POST")),
    Case("sources Accept image/png", "GET", "/sources", 406, ("application/json",), headers={"Accept": "image/png"}),
    # --- CORS -----------------------------------------------------------------------------------------
    Case("preflight from another origin", "OPTIONS", "/sparql", 403, ("https://evil.example", "GRAPHSVC_CORS_ORIGINS"),
         {"origin": "https://evil.example"}, headers=preflight("https://evil.example", "POST"), check=no_allow_origin),
    Case("preflight for a write from the allowed origin", "OPTIONS", graph_target(GRAPH), 403, ("PUT",),
         headers=preflight(ORIGIN, "PUT", "authorization, content-type")),
    Case("preflight with Authorization from the allowed origin", "OPTIONS", "/sparql", 403, ("authorization",),
         headers=preflight(ORIGIN, "POST", "Authorization")),
    Case("preflight for DELETE from another origin", "OPTIONS", graph_target(GRAPH), 403, ("evil", "DELETE"),
         headers=preflight("https://evil.example", "DELETE"), check=no_allow_origin),
    Case("preflight from a null origin", "OPTIONS", "/api/partners", 403, ("null",), headers=preflight("null", "GET"),
         check=no_allow_origin),
    Case("simple request from another origin", "GET", "/api/partners", 200, headers={"Origin": "https://evil.example"},
         check=no_allow_origin),
    # --- anywhere -------------------------------------------------------------------------------------
    Case("no such path", "GET", "/etc/passwd", 404, ("/etc/passwd",), {"path": "/etc/passwd"}),
    Case("no such path with NUL", "GET", "/%00", 404, ("nothing at",)),
]
CASES += named_query_cases()


# --- talking to the service ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"GRAPHSVC_WRITE_TOKENS": f"curator={TOKEN}", "GRAPHSVC_CORS_ORIGINS": ORIGIN,
           "GRAPHSVC_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT), "GRAPHSVC_MAX_REQUEST_BYTES": str(REQUEST_LIMIT),
           "GRAPHSVC_MAX_QUERY_BYTES": str(QUERY_LIMIT), "GRAPHSVC_MAX_URL_BYTES": str(URL_LIMIT)}
    with running_service(tmp_path_factory.mktemp("corpus") / "store", extra_env=env) as base_url:
        yield base_url


def exchange(base_url: str, case: Case) -> Reply:
    """The case's request as bytes on a new connection (closed after the answer), and the answer."""
    headers = {"Host": "127.0.0.1", "Connection": "close", "Accept": "application/json", **case.headers}
    if case.token:
        headers["Authorization"] = f"Bearer {TOKEN}"
    if case.body or case.method in ("POST", "PUT", "PATCH"):
        headers["Content-Length"] = str(len(case.body))
    head = f"{case.method} {case.target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    pieces = (case.body[i:i + 65_536] for i in range(0, len(case.body), 65_536))
    raw, _ = send_until_answered(int(urlsplit(base_url).port or 80), head.encode("utf-8"), pieces, timeout=60)
    return parse_reply(raw)


def parse_reply(raw: bytes) -> Reply:
    assert raw, "the service sent nothing and closed the connection"
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return Reply(int(lines[0].split()[1]), headers, body)


def dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return bytes(out)


def data_version(client: httpx.Client) -> str:
    response = client.get(VERSION_PROBE)
    assert response.status_code == 200, response.text
    return response.headers["x-data-version"]


def dataset_hash(client: httpx.Client) -> tuple[str, int]:
    """SHA-256 of the canonical N-Quads of every graph the service lists (blank nodes by RDFC-1.0),
    and the number of quads."""
    quads = []
    for name in client.get("/graphs").json()["graphs"]:
        response = client.get("/graphs", params={"graph": name}, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, (name, response.text)
        graph = ox.NamedNode(name)
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph)
                  for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return hashlib.sha256("\n".join(sorted(str(q) for q in dataset)).encode()).hexdigest(), len(quads)


@pytest.fixture(scope="module")
def before(service: str) -> Iterator[tuple[httpx.Client, str, tuple[str, int]]]:
    with httpx.Client(base_url=service, timeout=60) as client:
        yield client, data_version(client), dataset_hash(client)


LEAKS = ("Traceback", 'File "', "site-packages", str(ROOT), TOKEN, tempfile.gettempdir() + "/")


def assert_clear_refusal(case: Case, reply: Reply) -> None:
    """One JSON object whose `error` says what (the case's words) and where (its keys), leaking nothing."""
    text = reply.body.decode("utf-8", "replace")
    for leak in LEAKS:
        assert leak not in text, f"the answer shows {leak!r}: {text[:500]}"
    if case.method == "HEAD" or reply.status == 304:
        return
    assert reply.headers.get("content-type", "").startswith("application/json"), (reply.headers, text[:300])
    body = reply.json()
    if reply.status == 422 and "results" in body:  # a validation report: its findings say what and where
        return
    message = body.get("error")
    assert isinstance(message, str) and message.strip(), f"no message: {text[:300]}"
    assert "\n" not in message, message
    for word in case.says:
        assert word.lower() in message.lower(), f"{word!r} is not in {message!r}"
    for key, value in case.where.items():
        assert key in body, f"the answer does not say {key!r}: {body}"
        if value is not None:
            assert body[key] == value, (key, body[key], value)


def test_the_corpus_is_large_and_covers_every_endpoint() -> None:
    assert len(CASES) >= 60 and len({c.name for c in CASES}) == len(CASES), "each case has its own name"
    roots = {c.target.split("?")[0].split("/")[1] for c in CASES}
    assert {"sparql", "api", "id", "validate", "graphs", "sources"} <= roots, roots
    named = {c.name.split()[1] for c in CASES if c.name.startswith("injection ")}
    assert named == {f"/api/{name}" for name, query in catalog().items() if query.params}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(case: Case, before) -> None:
    client, version, _ = before
    reply = exchange(str(client.base_url), case)
    text = reply.body.decode("utf-8", "replace")
    assert reply.status == case.status, f"{case.method} {case.target[:120]}: {reply.status} {text[:500]}"
    if reply.status >= 400:
        assert_clear_refusal(case, reply)
    else:
        for leak in LEAKS[-2:]:
            assert leak not in text
    if case.check is not None:
        case.check(reply)
    assert data_version(client) == version, f"{case.name} changed the data"


def test_the_dataset_is_unchanged_and_the_service_well(before) -> None:
    client, version, (digest, count) = before
    assert count > 5_000, "the store holds the project's graph"
    assert client.get("/readyz").json()["status"] == "ready"
    assert data_version(client) == version
    assert dataset_hash(client) == (digest, count)
    written = client.put("/graphs", params={"graph": GRAPH}, content=VALID.read_bytes(),
                         headers={**TURTLE, "Authorization": f"Bearer {TOKEN}"})
    assert written.status_code == 201, written.text
    assert dataset_hash(client)[0] != digest, "the hash sees a write, so its being unchanged above means something"
