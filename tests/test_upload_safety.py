"""Uploads cannot crash, hang or fetch: what the checks refuse before the parser, the parse's
time, memory and expansion bounds, the validation's time bound, base IRIs, unvalidated graphs,
and an entity bomb sent to a real service that runs under a memory cap."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path
from typing import Iterator

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graphsvc import cli, project, upload_worker
from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore
from graphsvc.validation import validator
from tests.listener import CountingContextHandler

TOKEN = "upload-safety-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://example.org/graphs/upload-safety"
OPEN_PREFIX = "https://example.org/w3c-tests/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XML = {"Content-Type": "application/rdf+xml"}
JSONLD = {"Content-Type": "application/ld+json"}
TURTLE = {"Content-Type": "text/turtle"}
PLACE = b"<https://w3id.org/iddkg/id/place-safe> a <https://w3id.org/iddkg/ontology#Place> ; " \
        b"<http://www.w3.org/2000/01/rdf-schema#label> \"Safe place\"@en .\n"
# Outside the project's vocabulary, as in the W3C test suites: a label without a language tag.
FOREIGN = b"<http://example.org/data/alice> <http://www.w3.org/2000/01/rdf-schema#label> \"Alice\" .\n"


def rdf_xml(body: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0"?>\n{doctype}<rdf:RDF xmlns:rdf="{RDF}" xmlns:rdfs="{RDFS}">\n'
            f"{body}\n</rdf:RDF>\n").encode()


def entity_bomb(levels: int, fan_out: int, seed: str) -> bytes:
    """A DOCTYPE whose last entity expands to fan_out**levels copies of `seed`, used in a label."""
    names = [f"e{i}" for i in range(levels + 1)]
    lines = [f'  <!ENTITY {names[0]} "{seed}">']
    lines += [f'  <!ENTITY {names[i]} "{f"&{names[i - 1]};" * fan_out}">' for i in range(1, levels + 1)]
    doctype = "<!DOCTYPE rdf:RDF [\n" + "\n".join(lines) + "\n]>\n"
    body = (f'<rdf:Description rdf:about="https://w3id.org/iddkg/id/bomb">'
            f'<rdfs:label xml:lang="en">&{names[-1]};</rdfs:label></rdf:Description>')
    return rdf_xml(body, doctype)


def snapshot(store: OxigraphStore) -> dict[str, int]:
    """Triples per graph: any write (content or provenance) changes it."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


@pytest.fixture(scope="module", autouse=True)
def _stop_the_parse_helper() -> Iterator[None]:
    yield
    upload_worker.stop_helper()  # the process that forks the parser children for this one


@pytest.fixture(scope="module")
def loaded_store() -> OxigraphStore:
    store = OxigraphStore()
    load_project(store)
    return store


def _client(store: OxigraphStore, **settings: object) -> TestClient:
    base = dict(store="memory", write_tokens=(("curator", TOKEN),), max_upload_bytes=4_000_000,
                unvalidated_graphs=(OPEN_PREFIX,))
    return TestClient(create_app(Settings(**{**base, **settings}), store))


@pytest.fixture(scope="module")
def service(loaded_store: OxigraphStore) -> Iterator[tuple[TestClient, OxigraphStore]]:
    with _client(loaded_store) as client:
        yield client, loaded_store


def _refused_everywhere(client: TestClient, store: OxigraphStore, data: bytes, headers: dict[str, str],
                        status: int = 400) -> list[dict[str, object]]:
    """POST /validate and PUT /graphs both refuse `data` with `status`, and nothing is written."""
    before = snapshot(store)
    answers = [client.post("/validate", content=data, headers=headers),
               client.put("/graphs", params={"graph": GRAPH}, content=data, headers={**AUTH, **headers})]
    for answer in answers:
        assert answer.status_code == status, answer.text
        assert "\n" not in answer.json()["error"]
    assert snapshot(store) == before
    return [answer.json() for answer in answers]


# --- what the checks refuse before the parser sees it --------------------------------------------


def test_a_small_entity_expansion_is_refused_with_its_place(service) -> None:
    client, store = service
    bomb = entity_bomb(levels=5, fan_out=10, seed="x" * 30)  # 3 MB once expanded
    assert len(bomb) < 1024
    for body in _refused_everywhere(client, store, bomb, XML):
        assert "declares the entity 'e0'" in body["error"] and "not accepted" in body["error"]
        assert (body["line"], body["column"]) == (3, 3)


@pytest.mark.parametrize("doctype, body, expected", [
    ('<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/rdf.dtd">\n', "", "external DTD"),
    ('<!DOCTYPE rdf:RDF [ <!ENTITY leak SYSTEM "file:///etc/hostname"> ]>\n',
     '<rdf:Description rdf:about="https://w3id.org/iddkg/id/x"><rdfs:label>&leak;</rdfs:label></rdf:Description>',
     "declares the entity 'leak'"),
    ('<!DOCTYPE rdf:RDF [ <!ENTITY % p "x"> ]>\n', "", "declares the parameter entity 'p'"),
    ('<!DOCTYPE rdf:RDF [ <!NOTATION n SYSTEM "n"> <!ENTITY u SYSTEM "u" NDATA n> ]>\n', "",
     "declares the unparsed entity 'u'"),
    ("<!DOCTYPE rdf:RDF [ %undeclared; ]>\n",
     '<rdf:Description rdf:about="https://w3id.org/iddkg/id/x"><rdfs:label>&nbsp;</rdfs:label></rdf:Description>',
     "the reference &nbsp; names an entity"),
    ("", '<rdf:Description rdf:about="https://w3id.org/iddkg/id/x"><rdfs:label>&nbsp;</rdfs:label></rdf:Description>',
     "undefined entity"),
])
def test_dtds_and_entity_references_are_refused(service, doctype: str, body: str, expected: str) -> None:
    client, store = service
    for answer in _refused_everywhere(client, store, rdf_xml(body, doctype), XML):
        assert expected in answer["error"] and answer["line"] >= 2 and answer["column"] >= 1


def test_predefined_entities_and_a_plain_doctype_are_accepted(service) -> None:
    client, _ = service
    body = ('<rdf:Description rdf:about="https://w3id.org/iddkg/id/place-amp">'
            f'<rdf:type rdf:resource="{project.VOCAB_NS}Place"/>'
            '<rdfs:label xml:lang="en">Trade &amp; Tariffs &#x2013; &lt;2026&gt;</rdfs:label></rdf:Description>')
    answer = client.post("/validate", content=rdf_xml(body, "<!DOCTYPE rdf:RDF>\n"), headers=XML)
    assert answer.status_code == 200, answer.text
    assert answer.json()["triples"] == 2


def test_truncated_rdf_xml_is_refused(service) -> None:
    client, store = service
    whole = rdf_xml('<rdf:Description rdf:about="https://w3id.org/iddkg/id/place-cut">\n'
                    f'  <rdf:type rdf:resource="{project.VOCAB_NS}Place"/>\n'
                    '  <rdfs:label xml:lang="en">Cut short</rdfs:label>\n</rdf:Description>')
    assert client.post("/validate", content=whole, headers=XML).status_code == 200
    cut = whole[:whole.index(b"</rdf:Description>")]
    for answer in _refused_everywhere(client, store, cut, XML):
        assert "cut short" in answer["error"] and answer["line"] == 6


def test_deep_rdf_xml_is_refused_fast(service) -> None:
    client, store = service
    levels = 60_000
    deep = rdf_xml('<rdf:Description rdf:about="https://w3id.org/iddkg/id/deep"><rdfs:seeAlso>'
                   + "<rdf:Description><rdfs:seeAlso>" * levels
                   + "</rdfs:seeAlso></rdf:Description>" * levels + "</rdfs:seeAlso></rdf:Description>")
    started = time.monotonic()
    for answer in _refused_everywhere(client, store, deep, XML):
        assert "nested more than 64 deep" in answer["error"] and answer["line"] == 3
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("opening, closing", [('{"http://example.org/p": ', "}"), ("[", "]")])
def test_deep_json_ld_is_refused_fast(service, opening: str, closing: str) -> None:
    client, store = service
    levels = 10_000
    deep = (opening * levels + '"x"' + closing * levels).encode()
    started = time.monotonic()
    for answer in _refused_everywhere(client, store, deep, JSONLD):
        assert "nested more than 64 deep" in answer["error"] and answer["line"] == 1 and answer["column"] > 64
    assert time.monotonic() - started < 5


def test_remote_json_ld_contexts_are_refused_and_never_fetched(service) -> None:
    client, store = service
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingContextHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        remote = f"http://127.0.0.1:{server.server_address[1]}/context.jsonld"
        documents = [
            ("/@context", {"@context": remote, "@id": "https://w3id.org/iddkg/id/x", "name": "X"}),
            ("/@context", {"@context": [{"name": "http://schema.org/name"}, remote], "name": "X"}),
            ("/@context/@import", {"@context": {"@import": remote}, "name": "X"}),
            ("/@graph/1/@context", {"@graph": [{"@id": "https://w3id.org/iddkg/id/a"},
                                               {"@context": remote, "@id": "https://w3id.org/iddkg/id/b"}]}),
        ]
        for pointer, document in documents:
            text = json.dumps(document, indent=1).encode()
            for answer in _refused_everywhere(client, store, text, JSONLD):
                assert "remote contexts are not fetched" in answer["error"] and pointer in answer["error"]
                assert answer["line"] >= 2 and answer["column"] >= 1
        assert CountingContextHandler.hits == 0
    finally:
        server.shutdown()
        server.server_close()


def test_a_local_context_is_accepted(service) -> None:
    client, _ = service
    document = {"@context": {"rdfs": RDFS, "idd": project.VOCAB_NS, "label": {"@id": "rdfs:label", "@language": "en"}},
                "@id": "https://w3id.org/iddkg/id/place-json", "@type": "idd:Place", "label": "Json place"}
    answer = client.post("/validate", content=json.dumps(document).encode(), headers=JSONLD)
    assert answer.status_code == 200, answer.text
    assert answer.json()["triples"] == 2


# --- the parse's bounds: time, memory, expansion -------------------------------------------------


def test_a_parse_past_its_time_budget_is_stopped(loaded_store: OxigraphStore) -> None:
    before = snapshot(loaded_store)
    lines = b"".join(b'<https://w3id.org/iddkg/id/n%d> <http://example.org/p> "value %d" .\n' % (i, i)
                     for i in range(60_000))
    with _client(loaded_store, max_upload_bytes=len(lines), upload_timeout_s=0.05) as client:
        started = time.monotonic()
        answer = client.put("/graphs", params={"graph": GRAPH}, content=lines,
                            headers={**AUTH, "Content-Type": "application/n-triples"})
        assert answer.status_code == 503, answer.text
        assert "took longer than 0.05 s" in answer.json()["error"]
        assert time.monotonic() - started < 3
    assert snapshot(loaded_store) == before


def test_a_parse_past_its_memory_allowance_is_stopped(loaded_store: OxigraphStore) -> None:
    with _client(loaded_store, upload_memory_mb=1) as client:
        answer = client.post("/validate", content=PLACE * 1500, headers=TURTLE)
        assert answer.status_code == 413, answer.text
        assert "more memory than the 1 MB allowed" in answer.json()["error"]


def test_prefix_expansion_is_bounded(service) -> None:
    client, store = service
    long_iri = "http://example.org/" + "x" * 2000 + "#"
    small = f"@prefix p: <{long_iri}> .\np:a p:b p:c".encode() + b", p:c" * 30_000 + b" .\n"
    assert len(small) < 200_000
    for answer in _refused_everywhere(client, store, small, TURTLE, status=413):
        assert "bytes of N-Quads" in answer["error"]


def test_the_service_still_parses_after_refusals(service) -> None:
    client, _ = service
    answer = client.post("/validate", content=PLACE, headers=TURTLE)
    assert answer.status_code == 200 and answer.json()["conforms"] is True


# --- validation's bounds -------------------------------------------------------------------------


def test_validation_past_its_time_budget_is_refused(service, monkeypatch: pytest.MonkeyPatch) -> None:
    client, store = service
    monkeypatch.setattr(validator, "monotonic", lambda: float("inf"))
    body = _refused_everywhere(client, store, PLACE, TURTLE, status=503)
    assert all("validating the upload took longer than 10 s" in b["error"] for b in body)


def test_a_long_subclass_chain_is_bounded_not_a_crash(service) -> None:
    client, store = service
    chain = "".join(f"<http://example.org/c{i}> <{RDFS}subClassOf> <http://example.org/c{i + 1}> .\n"
                    for i in range(3000))
    data = (chain + f"<http://example.org/thing> <{RDF}type> <http://example.org/c0> .\n").encode()
    started = time.monotonic()
    for answer in _refused_everywhere(client, store, data, {"Content-Type": "application/n-triples"}, status=413):
        assert "inferred class memberships" in answer["error"]
    assert time.monotonic() - started < 10


def test_superclasses_of_a_deep_chain_need_no_recursion() -> None:
    chain = [ox.Triple(ox.NamedNode(f"http://example.org/c{i}"), ox.NamedNode(RDFS + "subClassOf"),
                       ox.NamedNode(f"http://example.org/c{i + 1}")) for i in range(2000)]
    closure = validator._superclasses(chain)
    assert len(closure[ox.NamedNode("http://example.org/c1990")]) == 11


# --- base IRIs -----------------------------------------------------------------------------------


def test_relative_iris_resolve_against_the_graph(service) -> None:
    client, store = service
    graph = GRAPH + "/relative"
    turtle = (f"<> a <{project.VOCAB_NS}Place> ; <{RDFS}label> \"Here\"@en ; <{RDFS}seeAlso> <#part> .\n").encode()
    answer = client.put("/graphs", params={"graph": graph}, content=turtle, headers={**AUTH, **TURTLE})
    assert answer.status_code == 201, answer.text
    stored = {(t.subject.value, t.predicate.value, t.object.value) for t in store.graph_triples(ox.NamedNode(graph))}
    assert (graph, RDFS + "seeAlso", graph + "#part") in stored

    # outside the graph's own namespace: a statement about a kg: thing would need evidence
    xml = rdf_xml(f'<rdf:Description rdf:about="https://example.org/id/place-linked">'
                  f'<rdf:type rdf:resource="{project.VOCAB_NS}Place"/><rdfs:label xml:lang="en">Linked</rdfs:label>'
                  '<rdfs:seeAlso rdf:resource=""/></rdf:Description>')
    answer = client.put("/graphs", params={"graph": graph}, content=xml, headers={**AUTH, **XML})
    assert answer.status_code == 200, answer.text
    stored = {(t.subject.value, t.predicate.value, t.object.value) for t in store.graph_triples(ox.NamedNode(graph))}
    assert ("https://example.org/id/place-linked", RDFS + "seeAlso", graph) in stored


def test_validate_without_a_graph_resolves_against_the_upload_graph(service) -> None:
    client, _ = service
    answer = client.post("/validate", content=f'<> <{RDFS}label> "untagged" .\n'.encode(), headers=TURTLE)
    assert answer.status_code == 422, answer.text
    assert {r["focusNode"] for r in answer.json()["results"]} == {project.GRAPH_NS + "upload"}
    answer = client.post("/validate", params={"graph": GRAPH}, content=f'<> <{RDFS}label> "x" .\n'.encode(),
                         headers=TURTLE)
    assert {r["focusNode"] for r in answer.json()["results"]} == {GRAPH}


def test_cli_resolves_against_the_graph_or_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "relative.ttl"
    path.write_bytes(f'<> <{RDFS}label> "untagged" .\n'.encode())
    assert cli.main(["validate", "--store", "memory", str(path)]) == 1
    assert f"Violation: {path.resolve().as_uri()} " in capsys.readouterr().out
    assert cli.main(["validate", "--store", "memory", "--graph", GRAPH, str(path)]) == 1
    assert f"Violation: {GRAPH} " in capsys.readouterr().out
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(entity_bomb(levels=5, fan_out=10, seed="x" * 30))
    assert cli.main(["validate", "--store", "memory", str(bomb)]) == 2
    assert "bomb.rdf at line 3, column 3: the DOCTYPE declares the entity" in capsys.readouterr().err


# --- graphs the shapes do not apply to -----------------------------------------------------------


def test_an_unvalidated_graph_takes_foreign_data_with_provenance(service) -> None:
    client, store = service
    before = snapshot(store)
    refused = client.put("/graphs", params={"graph": GRAPH + "/foreign"}, content=FOREIGN, headers={**AUTH, **TURTLE})
    assert refused.status_code == 422 and refused.json()["written"] is False
    assert snapshot(store) == before

    graph = OPEN_PREFIX + "data-r2/basic"
    answer = client.put("/graphs", params={"graph": graph}, content=FOREIGN, headers={**AUTH, **TURTLE})
    assert answer.status_code == 201, answer.text
    assert answer.json()["written"] is True and answer.json()["validated"] is False
    assert len(store.graph_triples(ox.NamedNode(graph))) == 1
    assert bool(store.query(f"ASK {{ <{graph}> <http://www.w3.org/ns/prov#wasGeneratedBy> ?activity }}"))
    assert client.put("/graphs", params={"graph": graph}, content=FOREIGN, headers=TURTLE).status_code == 401


def test_what_an_unvalidated_graph_says_is_no_context_for_the_shapes(service) -> None:
    client, _ = service
    place = "https://w3id.org/iddkg/id/place-context"
    other_label = f'<{place}> <{RDFS}label> "Another name"@en .\n'.encode()
    assert client.put("/graphs", params={"graph": OPEN_PREFIX + "context"}, content=other_label,
                      headers={**AUTH, **TURTLE}).status_code == 201
    own = f'<{place}> a <{project.VOCAB_NS}Place> ; <{RDFS}label> "Context place"@en .\n'.encode()
    answer = client.put("/graphs", params={"graph": GRAPH + "/context"}, content=own, headers={**AUTH, **TURTLE})
    assert answer.status_code == 201, answer.text  # one label as far as the shapes know, not two


def test_unvalidated_graphs_are_still_checked_and_managed_graphs_stay_closed(loaded_store: OxigraphStore) -> None:
    before = snapshot(loaded_store)
    with _client(loaded_store, unvalidated_graphs=(OPEN_PREFIX, project.GRAPH_NS)) as client:
        refused = client.put("/graphs", params={"graph": OPEN_PREFIX + "bomb"}, content=entity_bomb(5, 10, "x" * 30),
                             headers={**AUTH, **XML})
        assert refused.status_code == 400 and "declares the entity" in refused.json()["error"]
        for managed in (project.ONTOLOGY_GRAPH, project.GRAPH_NS + "data/agents", project.GRAPH_NS + "meta"):
            answer = client.put("/graphs", params={"graph": managed}, content=FOREIGN, headers={**AUTH, **TURTLE})
            assert answer.status_code == 400 and "managed by the service" in answer.json()["error"]
    assert snapshot(loaded_store) == before


# --- a real service under a memory cap -----------------------------------------------------------


def test_a_billion_laughs_leaves_a_memory_capped_service_answering() -> None:
    from tests.server import running_service

    bomb = entity_bomb(levels=9, fan_out=10, seed="lol")  # 10**9 copies: 3 GB once expanded
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    env = {"GRAPHSVC_WRITE_TOKENS": f"curator={TOKEN}", "GRAPHSVC_QUERY_WORKERS": "1"}
    with running_service("memory", env, memory_limit_bytes=2 << 30) as url:
        with httpx.Client(base_url=url, timeout=30) as http:
            def quads() -> str:
                answer = http.get("/sparql", params={"query": count},
                                  headers={"Accept": "application/sparql-results+json"})
                assert answer.status_code == 200, answer.text
                return answer.json()["results"]["bindings"][0]["n"]["value"]

            before = quads()
            assert int(before) > 1000
            refused = http.post("/validate", content=bomb, headers=XML)
            assert refused.status_code == 400 and "declares the entity" in refused.json()["error"]
            refused = http.put("/graphs", params={"graph": GRAPH}, content=bomb, headers={**AUTH, **XML})
            assert refused.status_code == 400 and "declares the entity" in refused.json()["error"]
            assert http.get("/").status_code == 200
            assert http.post("/validate", content=PLACE, headers=TURTLE).status_code == 200
            assert quads() == before
