"""The remote store against a real OpenLink Virtuoso: loading through the write path, answers
equal to the embedded store's (on data/ and on a generated graph where aggregates take telling
values), budgets passed on, the server's own limits kept or reported by name, the data version
known without a round trip, and a down or slow server reported as such."""

from __future__ import annotations

import datetime as dt

import http.server
import io
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from bench import generator
from bench.cases import cases as bench_cases
from bench.worker import SYNTHETIC_GRAPH
from graphsvc import project
from graphsvc.answers import BackendTimeout, BackendUnavailable
from graphsvc.api.app import create_app
from graphsvc.bootstrap import ensure_loaded, load_project
from graphsvc.budget import Budget
from graphsvc.catalog import catalog
from graphsvc.config import Settings
from graphsvc.remote_store import STAGING_PREFIX, RemoteStore, ServerLimit, with_row_cap
from graphsvc.named_params import bind_query, clear_membership_cache, read_params
from graphsvc.store import OxigraphStore, connect_store
from tests import engine_parity as parity
from tests.competency_cases import load_competency_cases
from tests.server import free_port, running_service
from tests.virtuoso import STOCK, Virtuoso, running_virtuoso

CASES = load_competency_cases()
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
def remote(virtuoso: Virtuoso) -> Iterator[RemoteStore]:
    """Virtuoso filled with the ontology and data/ through RemoteStore.replace_graph."""
    settings = Settings().with_overrides(**{k: v for k, v in {
        "backend": "sparql", "sparql_query_url": virtuoso.query_url, "sparql_update_url": virtuoso.update_url,
        "sparql_user": virtuoso.user, "sparql_password": virtuoso.password}.items()})
    store = connect_store(settings)
    assert isinstance(store, RemoteStore)
    assert ensure_loaded(store) is True
    yield store
    store.stop_workers()


# -- loading ----------------------------------------------------------------------------------

def test_the_write_path_loads_the_same_graphs(remote: RemoteStore, kg_store: OxigraphStore) -> None:
    assert [g.value for g in remote.named_graphs()] == [g.value for g in kg_store.named_graphs()]
    # Per graph; the meta graph holds versions, which each store keeps in its own way.
    sizes = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
               FILTER(STRSTARTS(STR(?g), "%s") && ?g != <%smeta>) } GROUP BY ?g""" % (project.GRAPH_NS, project.GRAPH_NS)
    assert parity.typed_answer(remote.query(sizes)) == parity.typed_answer(kg_store.query(sizes))
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
    parity.assert_same("blank-node shapes", parity.typed_answer(kg_store.query(query)), parity.typed_answer(remote.query(query)))


# -- parity -----------------------------------------------------------------------------------

def test_there_are_cases_to_compare() -> None:
    assert len(CASES) >= 25 and NAMED


CASE_BY_NAME = {c.name: c for c in CASES}


@pytest.mark.parametrize("name", _params(list(CASE_BY_NAME)))
def test_competency_question_same_on_virtuoso(name: str, remote: RemoteStore, kg_store: OxigraphStore) -> None:
    case = CASE_BY_NAME[name]
    parity.assert_same(case.name, parity.typed_answer(kg_store.query(case.query)), parity.typed_answer(remote.query(case.query)))


@pytest.mark.parametrize(("name", "given"), [
    pytest.param(n, g, id=n, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_VIRTUOSO_DIFFERENCES[n])]
                 if n in KNOWN_VIRTUOSO_DIFFERENCES else []) for n, g in NAMED])
def test_named_query_same_on_virtuoso(name: str, given: dict[str, list[str]], remote: RemoteStore,
                                      kg_store: OxigraphStore) -> None:
    query_name = name.split(":")[0]
    parity.assert_named_query_same(name, query_name, _named_text(query_name, given), kg_store, remote)


# -- parity on a generated graph ---------------------------------------------------------------
# data/ is small and hides wrong aggregates (France's only signed instrument has no full date; every
# statement has evidence, so the share is exactly 1). The benchmark's generator makes a world in the
# same vocabulary where groups mix dated and undated instruments and shares are fractions.

GENERATED_TRIPLES = 10_000
GENERATED_SEED = 1


def _generated_quads() -> list[ox.Quad]:
    buffer = io.StringIO()
    generator.generate(buffer, GENERATED_TRIPLES, GENERATED_SEED)
    graph = ox.NamedNode(SYNTHETIC_GRAPH)
    return [ox.Quad(q.subject, q.predicate, q.object, graph)
            for q in ox.parse(buffer.getvalue().encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OxigraphStore, RemoteStore]]:
    """The ontology, data/ and a generated world (as the benchmark loads them) in the embedded
    store and, through RemoteStore, in a second private Virtuoso."""
    quads = _generated_quads()
    embedded = OxigraphStore()
    load_project(embedded)
    embedded.replace_graph(ox.NamedNode(SYNTHETIC_GRAPH), quads)
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-generated") / "db") as server:
        # Virtuoso compiles INSERT DATA of 2000 generated triples to more SQL than it allows: smaller chunks.
        store = RemoteStore(server.query_url, server.update_url, user=server.user, password=server.password,
                            chunk_triples=500)
        load_project(store)
        store.replace_graph(ox.NamedNode(SYNTHETIC_GRAPH), quads)
        yield embedded, store
        store.stop_workers()


def _generated_cases() -> list[tuple[str, str, dict[str, list[str]]]]:
    """Every named query as NAMED runs it, the benchmark's cases (names of the generated world),
    and filters of `instruments` together, which Virtuoso once answered wrongly on this graph."""
    found = [(name, name.split(":")[0], given) for name, given in NAMED]
    found += [(f"bench:{case.name}", case.query, {k: [v] for k, v in case.params.items()}) for case in bench_cases()]
    found += [("instruments:partner+area", "instruments", {"partner": ["kg:bench-country-1"], "area": ["kg:bench-area-0"]}),
              ("instruments:forum+area", "instruments", {"forum": ["kg:bench-forum-2"], "area": ["kg:bench-area-2"]})]
    return found


GENERATED_CASES = _generated_cases()


def _named_text(query_name: str, given: dict[str, list[str]]) -> str:
    query = catalog()[query_name]
    return bind_query(query, read_params(query, given, today=dt.date(2026, 1, 1)))


def test_the_generated_graph_gives_aggregates_telling_values(generated: tuple[OxigraphStore, RemoteStore]) -> None:
    embedded, _ = generated
    partners = [row for row in embedded.query(_named_text("partners", {})) if "bench-country" in row["partner"].value]
    assert len(partners) >= 5
    assert all(row["firstSigned"] is not None and row["lastSigned"] is not None for row in partners)
    assert any(row["firstSigned"] != row["lastSigned"] for row in partners)
    assert any(int(row["signed"].value) < int(row["instruments"].value) for row in partners), \
        "some partner must have instruments without a signing date, as the aggregates must cope with"
    share = float(next(iter(embedded.query(_named_text("stats-evidence", {}))))["share"].value)
    assert 0.05 < share < 0.95
    counts = [int(row["references"].value) for row in embedded.query(_named_text("forums", {}))]
    assert max(counts) > 5


@pytest.mark.parametrize(("name", "query_name", "given"), GENERATED_CASES, ids=[c[0] for c in GENERATED_CASES])
def test_named_query_same_on_a_generated_graph(name: str, query_name: str, given: dict[str, list[str]],
                                               generated: tuple[OxigraphStore, RemoteStore]) -> None:
    embedded, remote = generated
    parity.assert_named_query_same(name, query_name, _named_text(query_name, given), embedded, remote)


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


# -- the data version and parameter checks without extra round trips -------------------------

VERSIONED = ox.NamedNode("https://w3id.org/iddkg/graph/test/remote-version")


def _requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request RemoteStore sends from now on (the URL it went to)."""
    sent: list[str] = []
    real_send = RemoteStore._send

    def counting(self: RemoteStore, wrapper: Any, url: str, timeout_s: float) -> Any:
        sent.append(url)
        return real_send(self, wrapper, url, timeout_s)

    monkeypatch.setattr(RemoteStore, "_send", counting)
    return sent


def _store(virtuoso: Virtuoso, ttl_s: float) -> RemoteStore:
    return RemoteStore(virtuoso.query_url, virtuoso.update_url, user=virtuoso.user, password=virtuoso.password,
                       version_ttl_s=ttl_s)


def test_the_data_version_is_known_without_asking(virtuoso: Virtuoso, remote: RemoteStore,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store, server_view = _store(virtuoso, 60.0), _store(virtuoso, 0.0)
    first = store.data_version()
    sent = _requests(monkeypatch)
    assert store.data_version() == first and sent == [], "a cached version asks the server nothing"
    store.replace_graph(VERSIONED, _quads("mine", 3))
    written = len(sent)
    mine = store.data_version()
    assert len(sent) == written, "the store's own write set the version it made"
    assert mine != first and mine == server_view.data_version()
    assert server_view.data_version() and len(sent) == written + 2, "a TTL of 0 asks every time"
    server_view.replace_graph(VERSIONED, [])  # a writer outside `store`
    assert store.data_version() == mine, "within its TTL, another writer's change is not seen yet"
    soon = _store(virtuoso, 0.3)
    before = soon.data_version()
    server_view.replace_graph(VERSIONED, _quads("theirs", 2))
    time.sleep(0.35)
    assert soon.data_version() != before and soon.data_version() == server_view.data_version()
    server_view.replace_graph(VERSIONED, [])
    for started in (store, server_view, soon):
        started.stop_workers()


def test_while_requests_come_the_version_is_read_beside_them(virtuoso: Virtuoso, remote: RemoteStore,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A background thread reads the version every half TTL while it is asked for, so requests
    see a write made outside within the TTL and never wait for the read; idle, the thread ends."""
    store, server_view = _store(virtuoso, 1.0), _store(virtuoso, 0.0)
    store.version_idle_s = 1.0
    try:
        first = store.data_version()
        server_view.replace_graph(VERSIONED, _quads("outside", 1))
        written = server_view.data_version()
        asked_by_requests: list[str] = []
        real_send = RemoteStore._send

        def counting(self: RemoteStore, wrapper: Any, url: str, timeout_s: float) -> Any:
            if threading.current_thread() is threading.main_thread():
                asked_by_requests.append(url)
            return real_send(self, wrapper, url, timeout_s)

        monkeypatch.setattr(RemoteStore, "_send", counting)
        seen = []
        for _ in range(25):  # a request every 0.1 s for 2.5 s: two and a half TTLs
            time.sleep(0.1)
            seen.append(store.data_version())
        assert asked_by_requests == [], "no request waited for the version"
        assert first != written and seen[-1] == written, "the write made outside was seen"
        assert seen.index(written) <= 11, "within the TTL (and a margin) of the write"
        time.sleep(2.0)  # idle for twice version_idle_s
        assert store._poller is not None and not store._poller.is_alive(), "an idle store reads nothing"
    finally:
        store.stop_workers()
        server_view.replace_graph(VERSIONED, [])


def test_the_version_ttl_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_SPARQL_VERSION_TTL", "2.5")
    settings = Settings.from_env().with_overrides(backend="sparql", sparql_query_url="http://127.0.0.1:9/sparql")
    assert settings.sparql_version_ttl_s == 2.5
    assert RemoteStore.from_settings(settings).version_ttl_s == 2.5
    assert Settings().sparql_version_ttl_s == 1.0


def test_parameter_checks_go_together_once_per_version(virtuoso: Virtuoso, remote: RemoteStore,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(virtuoso, 60.0)
    store.data_version()
    clear_membership_cache()
    with TestClient(create_app(Settings(store="memory"), store=store)) as client:
        sent = _requests(monkeypatch)
        both = {"partner": "kg:japan", "area": "kg:artificial-intelligence"}
        response = client.get("/api/instruments", params=both)
        assert response.status_code == 200 and response.json()["count"] == 1
        assert len(sent) == 2, "the two checks in one request, beside the query"
        assert client.get("/api/instruments", params={**both, "limit": "5"}).status_code == 200
        assert len(sent) == 3, "the checks are remembered for this data version: only the query"
        bad = client.get("/api/instruments", params={"partner": "kg:meity", "area": "kg:japan"})
        assert bad.status_code == 404 and bad.json()["parameter"] == "partner"  # names no idd:Country
        assert len(sent) == 5, "both new checks in one request, the query beside them"
        assert client.get("/api/instruments", params={"partner": "kg:japan", "area": "kg:japan"}).json()["parameter"] == "area"
        assert len(sent) == 5, "remembered outcomes: a refusal without a query"
    store.stop_workers()


def test_a_refreshed_answer_checks_its_parameters_beside_the_query(virtuoso: Virtuoso, remote: RemoteStore,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """After a write, an answer noted for the earlier version is refreshed as a request would
    compute it: the parameter's check and the query are at the server at the same time (each waits
    at a barrier for the other, so one sent after the other breaks it)."""
    store = _store(virtuoso, 60.0)
    clear_membership_cache()
    path = "/api/concepts?scheme=idd%3AInstrumentKinds"
    try:
        with TestClient(create_app(Settings(store="memory"), store=store)) as client:
            assert client.get(path).status_code == 200  # noted for this version
            store.replace_graph(VERSIONED, _quads("refresh", 1))
            written = store.data_version()
            together = threading.Barrier(2, timeout=10)
            met: list[str] = []
            real_send = RemoteStore._send

            def meeting(self: RemoteStore, wrapper: Any, url: str, timeout_s: float) -> Any:
                text = wrapper.queryString
                if "InstrumentKinds" in text and wrapper.queryType in ("ASK", "SELECT") and len(met) < 2:
                    met.append(wrapper.queryType)
                    together.wait()
                return real_send(self, wrapper, url, timeout_s)

            monkeypatch.setattr(RemoteStore, "_send", meeting)
            response = client.get(path)
            assert sorted(met) == ["ASK", "SELECT"], met
            assert not together.broken, "the check and the query were sent one after the other"
            assert response.status_code == 200 and response.headers["X-Data-Version"] == written
            assert "X-Data-Stale" not in response.headers
    finally:
        store.replace_graph(VERSIONED, [])
        store.stop_workers()


def test_a_class_parameter_accepts_a_direct_instance_on_virtuoso(virtuoso: Virtuoso, remote: RemoteStore) -> None:
    # A scheme parameter is checked on Virtuoso as on the embedded store. (With the check written
    # `?type rdfs:subClassOf* skos:ConceptScheme`, the 1M benchmark on Virtuoso got 404 for every
    # scheme; on data/ that form answers true, so this test does not tell the two forms apart.)
    store = _store(virtuoso, 60.0)
    clear_membership_cache()
    with TestClient(create_app(Settings(store="memory"), store=store)) as client:
        response = client.get("/api/concepts", params={"scheme": "idd:InstrumentKinds"})
        assert response.status_code == 200 and response.json()["count"] > 0
        assert client.get("/api/concepts", params={"scheme": "kg:japan"}).status_code == 404


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


# -- the server's own limits ------------------------------------------------------------------
# The `virtuoso` fixture has the limits README.md asks for (tests/virtuoso.py RECOMMENDED); this
# one keeps those the Debian package ships, to show what the service does on such a server.

CUBE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """A private Virtuoso with its packaged limits (tests/virtuoso.py STOCK), data/ loaded."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso-stock") / "db", limits=STOCK) as server:
        store = RemoteStore(server.query_url, server.update_url, user=server.user, password=server.password)
        ensure_loaded(store)
        try:
            yield store
        finally:
            store.stop_workers()


def test_ordered_answers_stay_within_the_servers_sort_limit(stock: RemoteStore) -> None:
    # LIMIT 10001 on an ORDER BY query is more than MaxSortedTopRows (10000) allows: the store asks
    # again for as many as the server sorts, and says the answer may go on.
    ordered = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    answer = stock.execute(ordered, "SELECT", Budget(10, 10_000))
    assert answer.size == 10_000 and answer.truncated
    with TestClient(create_app(Settings(store="memory", query_timeout_s=10.0), store=stock)) as client:
        response = client.get("/api/stats-classes")  # unpaginated: LIMIT result_limit + 1 = 10001
        assert response.status_code == 200, response.text
        assert response.json()["count"] > 10 and not response.json()["truncated"]


def test_a_page_past_the_sort_limit_names_the_setting(stock: RemoteStore) -> None:
    with _client(stock, 10.0) as client:
        response = client.get("/api/instruments", params={"offset": "9990"})
    assert response.status_code == 503, response.text
    assert "MaxSortedTopRows" in response.json()["error"] and "10000" in response.json()["error"]


def test_a_refusal_on_estimated_cost_names_the_setting(stock: RemoteStore, remote: RemoteStore) -> None:
    with _client(stock, 3.0) as client:
        started = time.monotonic()
        response = client.get("/sparql", params={"query": CUBE})
        assert time.monotonic() - started < 3.0
    assert response.status_code == 503, response.text
    assert "MaxQueryCostEstimationTime" in response.json()["error"]
    with _client(remote, 1.0) as client:  # configured as recommended: the time budget decides
        assert client.get("/sparql", params={"query": CUBE}).status_code == 504


def test_an_answer_the_server_cut_is_marked_or_refused(stock: RemoteStore) -> None:
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    answer = stock.execute(everything, "SELECT", Budget(10, 20_000))  # ResultSetMaxRows is 10000 there
    assert answer.size == 10_000 and answer.truncated
    with pytest.raises(ServerLimit) as refused:  # the service's own queries need whole answers
        stock.query(everything)
    assert "ResultSetMaxRows" in str(refused.value)


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
    context = remote.neighbourhood([ox.NamedNode("https://example.org/id/mou-a-b")], depth=1)
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
