"""Validated ingest over HTTP and the command line: nothing invalid gets in, nothing valid is lost,
and a rejected write leaves the whole dataset exactly as it was."""

from __future__ import annotations

import hashlib
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore
from tests.listener import CountingContextHandler

VALID = Path(__file__).parent / "data" / "valid" / "signed_memorandum.ttl"
INVALID = Path(__file__).parent / "data" / "invalid"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://example.org/graphs/curated-1"
TURTLE = {"Content-Type": "text/turtle"}


def dataset_hash(store: OxigraphStore) -> str:
    """SHA-256 of the canonical N-Quads of everything in the store (blank nodes relabelled)."""
    quads = [ox.Quad(q["s"], q["p"], q["o"], q["g"])
             for q in store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(str(q) for q in dataset)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture()
def service():
    store = OxigraphStore()
    load_project(store)
    settings = Settings(store="memory", write_tokens=(("curator", TOKEN),), max_upload_bytes=200_000)
    with TestClient(create_app(settings, store)) as client:
        yield client, store


def test_valid_put_writes_the_graph_with_provenance(service) -> None:
    client, store = service
    before = dataset_hash(store)
    response = client.put("/graphs", params={"graph": GRAPH}, content=VALID.read_bytes(), headers={**AUTH, **TURTLE})
    assert response.status_code == 201, response.text
    assert dataset_hash(store) != before, "the hash must see a write, or the 'unchanged' checks prove nothing"
    body = response.json()
    assert body["written"] is True and body["conforms"] is True and body["triples"] > 50
    count = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")))["n"]
    assert int(count.value) == body["triples"]
    provenance = list(store.query(f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX idd: <https://w3id.org/iddkg/ontology#>
        SELECT ?who ?when ?file ?hash WHERE {{ <{GRAPH}> prov:wasGeneratedBy ?a .
          ?a prov:wasAssociatedWith/rdfs:label ?who ; prov:startedAtTime ?when ;
             prov:used ?f . ?f dcterms:title ?file ; idd:sha256 ?hash }}"""))
    assert len(provenance) == 1
    assert provenance[0]["who"].value == "curator"
    assert provenance[0]["hash"].value == hashlib.sha256(VALID.read_bytes()).hexdigest()
    again = client.put("/graphs", params={"graph": GRAPH}, content=VALID.read_bytes(), headers={**AUTH, **TURTLE})
    assert again.status_code == 200


@pytest.mark.parametrize("name", ["event_edition_string", "signatory_post_outside_parties", "span_past_document_end"])
def test_shacl_violation_is_422_and_changes_nothing(service, name: str) -> None:
    client, store = service
    expected = json.loads((INVALID / f"{name}.expected.json").read_text())
    before = dataset_hash(store)
    response = client.put("/graphs", params={"graph": GRAPH}, content=(INVALID / f"{name}.ttl").read_bytes(),
                          headers={**AUTH, **TURTLE})
    assert response.status_code == 422
    report = response.json()
    assert report["conforms"] is False and report["written"] is False
    violation = next(r for r in report["results"] if r["severity"] == "Violation")
    assert violation["shape"] == expected["shape"] and violation["focusNode"] == expected["focus"]
    assert violation.get("path") == expected["path"]
    assert violation["message"] and violation["line"] >= 1
    text = (INVALID / f"{name}.ttl").read_text().splitlines()
    # The line of the triple that breaks the rule: it names the path (or, with no path, the focus).
    named = (expected["path"] or expected["focus"]).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    assert named in text[violation["line"] - 1]
    assert dataset_hash(store) == before


def test_the_report_is_also_a_standard_shacl_report(service) -> None:
    client, _ = service
    response = client.post("/validate", content=(INVALID / "event_edition_string.ttl").read_bytes(),
                           headers={**TURTLE, "Accept": "text/turtle"})
    assert response.status_code == 422
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sh = "http://www.w3.org/ns/shacl#"
    assert any(t.predicate.value == sh + "conforms" and t.object.value == "false" for t in triples)
    assert any(t.predicate.value == sh + "sourceShape" for t in triples)


def test_malformed_input_is_400_with_line_and_column(service) -> None:
    client, store = service
    before = dataset_hash(store)
    broken = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n"
    response = client.put("/graphs", params={"graph": GRAPH}, content=broken, headers={**AUTH, **TURTLE})
    assert response.status_code == 400
    assert response.json()["line"] == 3 and response.json()["column"] >= 1
    assert dataset_hash(store) == before


def test_too_large_is_413_and_unknown_media_type_is_415(service) -> None:
    client, _ = service
    big = b"<http://e/a> <http://e/p> \"" + b"x" * 300_000 + b"\" .\n"
    assert client.put("/graphs", params={"graph": GRAPH}, content=big,
                      headers={**AUTH, "Content-Type": "application/n-triples"}).status_code == 413
    assert client.put("/graphs", params={"graph": GRAPH}, content=b"{}",
                      headers={**AUTH, "Content-Type": "application/json"}).status_code == 415


def test_writes_need_the_operator_token(service) -> None:
    client, store = service
    before = dataset_hash(store)
    assert client.put("/graphs", params={"graph": GRAPH}, content=VALID.read_bytes(), headers=TURTLE).status_code == 401
    wrong = client.put("/graphs", params={"graph": GRAPH}, content=VALID.read_bytes(),
                       headers={**TURTLE, "Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert dataset_hash(store) == before
    closed = Settings(store="memory")
    with TestClient(create_app(closed, store)) as client_without_tokens:
        response = client_without_tokens.put("/graphs", params={"graph": GRAPH}, content=VALID.read_bytes(),
                                             headers={**TURTLE, **AUTH})
        assert response.status_code == 403


def test_the_service_s_own_graphs_cannot_be_written(service) -> None:
    client, _ = service
    for graph in ("https://w3id.org/iddkg/graph/ontology", "https://w3id.org/iddkg/graph/data/agents"):
        response = client.put("/graphs", params={"graph": graph}, content=VALID.read_bytes(), headers={**AUTH, **TURTLE})
        assert response.status_code == 400 and "managed by the service" in response.json()["error"]


def test_append_dry_run_and_delete(service) -> None:
    client, store = service
    first = b"<https://w3id.org/iddkg/id/place-x> a <https://w3id.org/iddkg/ontology#Place> ; " \
            b"<http://www.w3.org/2000/01/rdf-schema#label> \"Place X\"@en .\n"
    second = first.replace(b"place-x", b"place-y").replace(b"Place X", b"Place Y")
    nt = {**AUTH, "Content-Type": "text/turtle"}
    assert client.put("/graphs", params={"graph": GRAPH}, content=first, headers=nt).status_code == 201
    dry = client.post("/graphs", params={"graph": GRAPH, "dry-run": "true"}, content=second, headers=nt)
    assert dry.status_code == 200 and dry.json()["written"] is False
    assert client.post("/graphs", params={"graph": GRAPH}, content=second, headers=nt).status_code == 200
    labels = {r["l"].value for r in store.query(
        f"SELECT ?l WHERE {{ GRAPH <{GRAPH}> {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}")}
    assert labels == {"Place X", "Place Y"}
    assert client.delete("/graphs", params={"graph": GRAPH}, headers=AUTH).status_code == 204
    assert ox.NamedNode(GRAPH) not in store.named_graphs()
    assert client.delete("/graphs", params={"graph": GRAPH}, headers=AUTH).status_code == 404
    gone = store.query(f"ASK {{ <{GRAPH}> <http://www.w3.org/ns/prov#invalidatedAtTime> ?t }}")
    assert bool(gone)


def test_parsers_fetch_nothing(service, tmp_path: Path) -> None:
    client, store = service
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingContextHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        jsonld = json.dumps({"@context": f"http://127.0.0.1:{port}/context.jsonld",
                             "@id": "https://w3id.org/iddkg/id/x", "name": "X"}).encode()
        response = client.post("/validate", content=jsonld, headers={"Content-Type": "application/ld+json"})
        assert response.status_code == 400
        secret = tmp_path / "secret.txt"
        secret.write_text("do not read me")
        xml = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
               '<rdf:Description rdf:about="https://w3id.org/iddkg/id/x"><rdfs:label>&leak;</rdfs:label>'
               '</rdf:Description></rdf:RDF>').encode()
        response = client.post("/validate", content=xml, headers={"Content-Type": "application/rdf+xml"})
        assert response.status_code == 400
        assert "do not read me" not in response.text
        assert CountingContextHandler.hits == 0
    finally:
        server.shutdown()
        server.server_close()


def test_every_supported_format_is_accepted(service) -> None:
    client, _ = service
    graph = ox.parse(VALID.read_bytes(), format=ox.RdfFormat.TURTLE)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in graph]
    for media, fmt in [("application/n-triples", ox.RdfFormat.N_TRIPLES), ("application/ld+json", ox.RdfFormat.JSON_LD),
                       ("application/rdf+xml", ox.RdfFormat.RDF_XML), ("text/turtle", ox.RdfFormat.TURTLE)]:
        response = client.post("/validate", content=ox.serialize(triples, format=fmt), headers={"Content-Type": media})
        assert response.status_code == 200, (media, response.text)
        assert response.json()["triples"] == len(triples)
    quads = ox.serialize([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH)) for t in triples],
                         format=ox.RdfFormat.N_QUADS)
    response = client.put("/graphs", params={"graph": GRAPH}, content=quads,
                          headers={**AUTH, "Content-Type": "application/n-quads"})
    assert response.status_code == 400 and "named graphs of its own" in response.json()["error"]


def test_cli_validate_and_ingest(tmp_path: Path) -> None:
    store = tmp_path / "store"
    bad = subprocess.run([sys.executable, "-m", "graphsvc", "validate", "--store", str(store),
                          str(INVALID / "event_edition_string.ttl")], capture_output=True, text=True)
    assert bad.returncode == 1 and "EventShape-edition" in bad.stdout and "(line " in bad.stdout
    ok = subprocess.run([sys.executable, "-m", "graphsvc", "ingest", "--store", str(store), "--graph", GRAPH,
                         "--agent", "tester", str(VALID)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    rejected = subprocess.run([sys.executable, "-m", "graphsvc", "ingest", "--store", str(store), "--graph", GRAPH,
                               str(INVALID / "event_edition_string.ttl")], capture_output=True, text=True)
    assert rejected.returncode == 1 and "nothing was written" in rejected.stderr
    count = subprocess.run([sys.executable, "-m", "graphsvc", "query", "--store", str(store),
                            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"],
                           capture_output=True, text=True, check=True)
    assert int(count.stdout.split()[1]) > 50
