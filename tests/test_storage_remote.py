"""The remote store against a real OpenLink Virtuoso: loading through the write path, answers
equal to the embedded store's, budgets passed on, and a down or slow server reported as such."""

from __future__ import annotations

import datetime as dt

import http.server
import json
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from graphsvc import project
from graphsvc.answers import BackendTimeout, BackendUnavailable
from graphsvc.api.app import create_app
from graphsvc.bootstrap import ensure_loaded
from graphsvc.budget import Budget
from graphsvc.catalog import catalog
from graphsvc.config import Settings
from graphsvc.remote_store import STAGING_PREFIX, RemoteStore, with_row_cap
from graphsvc.named_params import bind_query, read_params
from graphsvc.results import plain_value
from graphsvc.store import OxigraphStore, connect_store
from tests.competency_cases import load_competency_cases
from tests.server import free_port, running_service
from tests.virtuoso import Virtuoso

CASES = load_competency_cases()
XSD = "http://www.w3.org/2001/XMLSchema#"
CARTESIAN = """PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT (COUNT(*) AS ?n) WHERE {
  ?a a oa:TextPositionSelector . ?b a oa:TextPositionSelector .
  ?c a oa:TextPositionSelector . ?d a oa:TextPositionSelector .
}"""


CONDITIONAL_NAMES = re.compile(r"^[ \t]*# @if-bound[ \t]+(\S+)", re.MULTILINE)


def _named_query_cases() -> list[tuple[str, dict[str, list[str]]]]:
    """Each named query as the API runs it: with its defaults, with every example value set, and
    with each parameter that has `# @if-bound` blocks set alone."""
    cases = []
    for name, query in sorted(catalog().items()):
        examples = {p.name: [p.example] for p in query.params if p.example is not None}
        if not any(p.required for p in query.params):
            cases.append((f"{name}:defaults", {}))
        if examples:
            cases.append((f"{name}:examples", examples))
        required = {p.name: [p.example] for p in query.params if p.required and p.example is not None}
        for block in sorted(set(CONDITIONAL_NAMES.findall(query.text))):  # each `# @if-bound` alone
            if block in examples and block not in required and len(examples) > 1:
                cases.append((f"{name}:{block}", {**required, block: examples[block]}))
    return cases


NAMED = _named_query_cases()

# Where Virtuoso 7.2.5 answers differently for a reason that is not representation: its SPARQL
# deviates from the standard. Each stays a strict xfail, so it fails once Virtuoso (or the query)
# stops differing and the entry must go; the fix belongs in the query (a portable form).
KNOWN_VIRTUOSO_DIFFERENCES: dict[str, str] = {}


def _params(names: list[str]) -> list:
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_VIRTUOSO_DIFFERENCES[n]))
            if n in KNOWN_VIRTUOSO_DIFFERENCES else n for n in names]


@pytest.fixture(scope="module")
def remote(virtuoso: Virtuoso) -> RemoteStore:
    """Virtuoso filled with the ontology and data/ through RemoteStore.replace_graph."""
    settings = Settings().with_overrides(**{k: v for k, v in {
        "backend": "sparql", "sparql_query_url": virtuoso.query_url, "sparql_update_url": virtuoso.update_url,
        "sparql_user": virtuoso.user, "sparql_password": virtuoso.password}.items()})
    store = connect_store(settings)
    assert isinstance(store, RemoteStore)
    assert ensure_loaded(store) is True
    return store


# -- comparison -------------------------------------------------------------------------------

def _normal(term: Any) -> Any:
    """A term as a plain value; representation differences between engines are folded here only.

    - numbers: plain_value already reads xsd:integer, xsd:int, xsd:decimal ... as numbers, and
      30 and 30.0 compare equal;
    - language tags: compared in lower case (pyoxigraph lower-cases them, Virtuoso keeps case).
    """
    if isinstance(term, ox.Literal) and term.language:
        return f"{term.value}@{term.language.lower()}"
    value = plain_value(term)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and isinstance(term, ox.BlankNode):
        return "_:b"  # blank node labels are local to each answer
    return value


def _answer(result: Any) -> Any:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, (ox.QueryTriples, list)):
        return Counter(json.dumps([_normal(t.subject), _normal(t.predicate), _normal(t.object)], ensure_ascii=False)
                       for t in result)
    names = [v.value for v in result.variables]
    rows = [json.dumps({n: _normal(row[n]) for n in names}, sort_keys=True, ensure_ascii=False)
            for row in result]
    return Counter(rows)


def _assert_same(name: str, embedded: Any, remote: Any) -> None:
    if isinstance(embedded, bool):
        assert remote == embedded, f"{name}: embedded {embedded}, Virtuoso {remote}"
        return
    missing = embedded - remote
    extra = remote - embedded
    assert not missing and not extra, (
        f"{name}: answers differ\n  only embedded: {sorted(missing.elements())[:10]}\n"
        f"  only Virtuoso: {sorted(extra.elements())[:10]}")


# -- loading ----------------------------------------------------------------------------------

def test_the_write_path_loads_the_same_graphs(remote: RemoteStore, kg_store: OxigraphStore) -> None:
    assert [g.value for g in remote.named_graphs()] == [g.value for g in kg_store.named_graphs()]
    # Per graph; the meta graph holds versions, which each store keeps in its own way.
    sizes = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
               FILTER(STRSTARTS(STR(?g), "%s") && ?g != <%smeta>) } GROUP BY ?g""" % (project.GRAPH_NS, project.GRAPH_NS)
    assert _answer(remote.query(sizes)) == _answer(kg_store.query(sizes))
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?s) || isBlank(?o)) }"
    assert int(next(iter(remote.query(count)))["n"].value) == int(next(iter(kg_store.query(count)))["n"].value)
    assert ensure_loaded(remote) is False, "an unchanged project must not be reloaded"


def test_export_of_the_remote_store(remote: RemoteStore) -> None:
    import io

    from graphsvc.export import export_dataset

    out = io.BytesIO()
    export_dataset(remote, out, "nquads")
    quads = list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(remote)
    assert {q.graph_name for q in quads} == set(remote.named_graphs())


def test_blank_node_structures_survive_chunking(remote: RemoteStore, kg_store: OxigraphStore) -> None:
    # Each blank node keeps all its triples: the shape of what blank nodes link is the same.
    query = """SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?b ?p ?o } FILTER(isBlank(?b))
               FILTER EXISTS { GRAPH ?g { ?x ?q ?b } } } GROUP BY ?p"""
    _assert_same("blank-node shapes", _answer(kg_store.query(query)), _answer(remote.query(query)))


# -- parity -----------------------------------------------------------------------------------

def test_there_are_cases_to_compare() -> None:
    assert len(CASES) >= 25 and NAMED


CASE_BY_NAME = {c.name: c for c in CASES}


@pytest.mark.parametrize("name", _params(list(CASE_BY_NAME)))
def test_competency_question_same_on_virtuoso(name: str, remote: RemoteStore, kg_store: OxigraphStore) -> None:
    case = CASE_BY_NAME[name]
    _assert_same(case.name, _answer(kg_store.query(case.query)), _answer(remote.query(case.query)))


@pytest.mark.parametrize(("name", "given"), [
    pytest.param(n, g, id=n, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_VIRTUOSO_DIFFERENCES[n])]
                 if n in KNOWN_VIRTUOSO_DIFFERENCES else []) for n, g in NAMED])
def test_named_query_same_on_virtuoso(name: str, given: dict[str, list[str]], remote: RemoteStore,
                                      kg_store: OxigraphStore) -> None:
    query = catalog()[name.split(":")[0]]
    text = bind_query(query, read_params(query, given, today=dt.date(2026, 1, 1)))
    _assert_same(name, _answer(kg_store.query(text)), _answer(remote.query(text)))


# -- writes -----------------------------------------------------------------------------------

GRAPH = ox.NamedNode("https://w3id.org/iddkg/graph/test/remote-swap")


def _quads(tag: str, n: int) -> list[ox.Quad]:
    p = ox.NamedNode("urn:test:p")
    quads = [ox.Quad(ox.NamedNode(f"urn:test:{tag}:{i}"), p, ox.Literal(f"{tag} {i} é \"q\"\n"), GRAPH)
             for i in range(n)]
    node = ox.BlankNode()
    quads.append(ox.Quad(ox.NamedNode(f"urn:test:{tag}"), p, node, GRAPH))
    quads.append(ox.Quad(node, p, ox.Literal(tag, language="en"), GRAPH))
    return quads


def _tags(store: RemoteStore) -> Counter:
    rows = store.query(f"SELECT ?s WHERE {{ GRAPH <{GRAPH.value}> {{ ?s ?p ?o }} }}")
    return Counter(row["s"].value.split(":")[2] for row in rows if isinstance(row["s"], ox.NamedNode))


def test_replace_graph_swaps_and_a_failed_load_leaves_the_old_graph(virtuoso: Virtuoso,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    store = RemoteStore(virtuoso.query_url, virtuoso.update_url, user=virtuoso.user,
                        password=virtuoso.password, chunk_triples=40)
    store.replace_graph(GRAPH, _quads("old", 100))
    assert _tags(store) == Counter({"old": 101})
    store.replace_graph(GRAPH, _quads("new", 150))
    assert _tags(store) == Counter({"new": 151})
    rows = list(store.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH.value}> {{ ?s ?p ?b . ?b ?p ?o }} }}"))
    assert [r["o"] for r in rows] == [ox.Literal("new", language="en")]

    sent: list[str] = []
    real_update = RemoteStore.update

    def failing_update(self: RemoteStore, sparql: str) -> None:
        sent.append(sparql)
        if len(sent) == 3:
            raise BackendUnavailable("the connection broke (simulated)")
        real_update(self, sparql)

    monkeypatch.setattr(RemoteStore, "update", failing_update)
    with pytest.raises(BackendUnavailable):
        store.replace_graph(GRAPH, _quads("broken", 200))
    monkeypatch.undo()
    assert _tags(store) == Counter({"new": 151}), "a failed load must leave the old graph as it was"
    assert sent[-1].startswith("DROP SILENT GRAPH <" + STAGING_PREFIX), "the staging graph is removed"
    leftovers = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [r["g"].value for r in leftovers if r["g"].value.startswith(STAGING_PREFIX)]
    store.replace_graph(GRAPH, [])
    assert GRAPH not in store.named_graphs()


# -- budgets and failures ---------------------------------------------------------------------

def test_rows_are_capped_and_marked(remote: RemoteStore) -> None:
    answer = remote.execute("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "SELECT", Budget(10, 25))
    assert answer.size == 25 and answer.truncated
    answer = remote.execute("SELECT ?s WHERE { ?s ?p ?o } LIMIT 7", "SELECT", Budget(10, 25))
    assert answer.size == 7 and not answer.truncated
    answer = remote.execute("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT", Budget(10, 25))
    assert answer.size == 25 and answer.truncated
    assert with_row_cap("SELECT * { ?s ?p ?o } VALUES ?s { <urn:a> }", 5).endswith("}")
    assert with_row_cap("SELECT * { ?s ?p ?o } # LIMIT in a comment", 5).endswith("LIMIT 5")


def _client(store: RemoteStore, timeout_s: float) -> TestClient:
    return TestClient(create_app(Settings(store="memory", query_timeout_s=timeout_s, result_limit=25), store=store))


def test_time_budget_reaches_the_server(remote: RemoteStore) -> None:
    with _client(remote, 1.0) as client:
        started = time.monotonic()
        response = client.get("/sparql", params={"query": CARTESIAN})
        elapsed = time.monotonic() - started
        assert response.status_code == 504, response.text
        assert "1 s" in response.json()["error"]
        assert elapsed < 4.0
        light = client.get("/sparql", params={"query": "ASK { ?s a ?c }"})
        assert light.status_code == 200 and light.json()["boolean"] is True


def test_a_server_that_is_down_gives_502() -> None:
    port = free_port()  # nothing listens there
    store = RemoteStore(f"http://127.0.0.1:{port}/sparql", user="someone", password="do-not-show-me")
    with _client(store, 2.0) as client:
        response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 502
    assert f"127.0.0.1:{port}" in response.json()["error"]
    assert "do-not-show-me" not in response.text


def test_routes_beyond_sparql_also_give_502() -> None:
    port = free_port()
    store = RemoteStore(f"http://127.0.0.1:{port}/sparql")
    with _client(store, 2.0) as client:
        assert client.get("/api/stats").status_code == 502


def test_validated_ingest_into_virtuoso(remote: RemoteStore) -> None:
    from graphsvc.ingest import check, commit, plan
    from graphsvc.upload import parse_upload

    source = Path(__file__).parent / "data" / "valid" / "signed_memorandum.ttl"
    invalid = Path(__file__).parent / "data" / "invalid" / "signatory_post_outside_parties.ttl"
    graph = ox.NamedNode("https://example.org/graphs/remote-ingest")
    rejected = check(remote, plan([parse_upload(invalid.read_bytes(), ox.RdfFormat.TURTLE, invalid.name)],
                                  graph, graph))
    assert not rejected.conforms
    accepted = check(remote, plan([parse_upload(source.read_bytes(), ox.RdfFormat.TURTLE, source.name)],
                                  graph, graph))
    assert accepted.conforms, [r.message for r in accepted.results if r.blocking]
    commit(remote, accepted, "tester")
    assert len(remote.graph_triples(graph)) == accepted.triple_count
    context = remote.neighbourhood([ox.NamedNode("https://w3id.org/iddkg/id/mou-a-b")], depth=1)
    assert any(t.predicate.value.endswith("#party") for t in context)
    remote.write_graphs(replace={graph: []}, add={})
    assert graph not in remote.named_graphs()


class _Sleepy(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        time.sleep(5)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {}, "boolean": true}')

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sleepy_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sleepy)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_slow_server_gives_504(sleepy_server: str) -> None:
    store = RemoteStore(sleepy_server)
    with _client(store, 1.0) as client:
        started = time.monotonic()
        response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert elapsed < 3.0
    with pytest.raises(BackendTimeout):
        store.execute("ASK { ?s ?p ?o }", "ASK", Budget(0.5, 10))


def test_credentials_are_never_shown(virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in virtuoso.env().items():
        monkeypatch.setenv(key, value)
    settings = Settings.from_env()
    store = connect_store(settings)
    assert virtuoso.password not in repr(settings) + repr(store)
    wrong = RemoteStore(virtuoso.query_url, virtuoso.update_url, user=virtuoso.user, password="wrong-secret-42")
    with pytest.raises(BackendUnavailable) as failure:
        wrong.update("INSERT DATA { GRAPH <urn:test:x> { <urn:a> <urn:b> <urn:c> } }")
    assert "credentials" in str(failure.value)
    assert "wrong-secret-42" not in str(failure.value) and "wrong-secret-42" not in repr(wrong)


def test_the_service_runs_on_virtuoso(virtuoso: Virtuoso, remote: RemoteStore, tmp_path: Path) -> None:
    env = {**virtuoso.env(), "GRAPHSVC_RESULT_LIMIT": "10"}
    with running_service(tmp_path / "unused", extra_env=env) as base_url:
        import httpx

        response = httpx.get(base_url + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert response.status_code == 200
        assert response.headers["X-Result-Truncated"] == "true"
        assert len(response.json()["results"]["bindings"]) == 10
        stats = httpx.get(base_url + "/api/stats", timeout=30).json()
        assert stats["quads"] == len(remote)
    assert not (tmp_path / "unused").exists(), "the embedded store is not opened with a remote backend"
