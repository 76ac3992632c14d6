"""Operations: the /healthz and /readyz probes, JSON request logs without secrets, tokens in a
URL refused, and links that do not come from the Host header."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from pathlib import Path
from typing import Iterator

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from fastapi.testclient import TestClient

from graphsvc import project
from graphsvc.api.app import create_app
from graphsvc.api.health import readiness
from graphsvc.config import Settings
from graphsvc.request_log import ACCESS_LOG
from graphsvc.store import OxigraphStore
from tests.server import free_port

TOKEN = "s3cret-token-for-tests"
GRAPH = "https://w3id.org/iddkg/graph/upload/logs"
PROJECT_MARK = ox.Quad(ox.NamedNode(project.GRAPH_NS + "project-content"),
                       ox.NamedNode("http://purl.org/dc/terms/hasVersion"), ox.Literal("test"))


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture()
def access_lines() -> Iterator[Lines]:
    handler, level = Lines(), ACCESS_LOG.level
    ACCESS_LOG.addHandler(handler)
    ACCESS_LOG.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        ACCESS_LOG.removeHandler(handler)
        ACCESS_LOG.setLevel(level)


@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory", write_tokens=(("curator", TOKEN),)), store=kg_store))


# --- probes ----------------------------------------------------------------------------------------

def test_alive_and_ready_on_a_loaded_store(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"store": "open", "data": "loaded", "replica": "not used"}}


def test_not_ready_without_data_or_while_the_replica_is_built(tmp_path: Path) -> None:
    empty = OxigraphStore()
    response = TestClient(create_app(Settings(store="memory"), store=empty)).get("/readyz")
    assert response.status_code == 503 and "not been loaded" in response.json()["error"]
    assert response.json()["checks"]["data"] == "missing"

    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(ox.NamedNode(project.GRAPH_NS + "meta"), [PROJECT_MARK])
    copying, go_on = threading.Event(), threading.Event()

    def paused(_quads: int) -> None:
        copying.set()
        go_on.wait(10)

    store._copied = paused  # type: ignore[method-assign]  # noqa: SLF001
    try:
        client = TestClient(create_app(Settings(store=str(store.path), memory_replica=True), store=store))
        assert copying.wait(10)
        loading = client.get("/readyz")
        assert loading.status_code == 503 and loading.json()["checks"]["replica"] == "loading"
        assert client.get("/healthz").status_code == 200
        go_on.set()
        assert store.wait_for_replica(10)
        assert client.get("/readyz").json()["checks"]["replica"] == "ready"
    finally:
        go_on.set()
        store.stop_workers()


def test_a_store_that_cannot_be_read_is_not_ready() -> None:
    class Broken:
        def query(self, *args: object, **kwargs: object) -> None:
            raise OSError("IO error: /some/internal/path is gone")

    reason, checks = readiness(Broken(), Settings(store="memory"))  # type: ignore[arg-type]
    assert reason == "the store cannot be read: OSError" and checks == {"store": "unreadable"}


# --- request logs ---------------------------------------------------------------------------------

def test_each_request_is_one_json_line_with_a_hash_of_its_query(client: TestClient, access_lines: Lines) -> None:
    text = "ASK { ?s ?p ?o }"
    assert client.get("/sparql", params={"query": text}).status_code == 200
    assert client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query"}).status_code == 200
    assert client.post("/sparql", data={"query": text}).status_code == 200
    assert client.get("/api/partners", params={"limit": "2"}).status_code == 200
    assert client.get("/api/partners", params={"limit": "2"}).status_code == 200
    assert client.get("/healthz").status_code == 200
    entries = access_lines.entries()
    assert [e["path"] for e in entries] == ["/sparql"] * 3 + ["/api/partners"] * 2 + ["/healthz"]
    expected = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert [e["query_hash"] for e in entries[:3]] == [expected] * 3
    assert entries[3]["query_hash"] == entries[4]["query_hash"] != expected
    assert "query_hash" not in entries[5]
    for entry in entries:
        assert entry["status"] == 200 and entry["method"] in ("GET", "POST") and entry["client"] == "testclient"
        assert isinstance(entry["duration_ms"], float) and entry["bytes"] > 0 and entry["time"].endswith("+00:00")
    assert not any("ASK" in line or "limit" in line for line in access_lines.lines)


@pytest.mark.parametrize("query", [f"token={TOKEN}", f"access_token={TOKEN}", "Bearer=abc", "API-KEY=abc",
                                   f"graph={GRAPH}&q={TOKEN}"])
def test_a_credential_in_the_url_is_refused_and_not_logged(client: TestClient, access_lines: Lines,
                                                           kg_store: OxigraphStore, query: str) -> None:
    graphs = len(kg_store.named_graphs())
    response = client.put(f"/graphs?{query}", content=b"<urn:a> <urn:b> <urn:c> .",
                          headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and "Authorization" in response.json()["error"]
    assert len(kg_store.named_graphs()) == graphs
    assert client.get(f"/api/partners?{query}").status_code == 400
    assert [(e["status"], e["path"]) for e in access_lines.entries()] == [(400, "/graphs"), (400, "/api/partners")]
    assert not any(TOKEN in line or "abc" in line for line in access_lines.lines)


def test_under_uvicorn_only_these_lines_are_written(kg_store: OxigraphStore, access_lines: Lines,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """With uvicorn's own access log off (as `graphsvc serve` runs it), the request line that
    carried a token appears nowhere; the client is the real peer address."""
    port = free_port()
    config = uvicorn.Config(create_app(Settings(store="memory"), store=kg_store), host="127.0.0.1", port=port,
                            access_log=False, log_level="info", lifespan="off")
    # uvicorn writes its access lines to standard output when its logger has a handler.
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert httpx.get(f"http://127.0.0.1:{port}/api/partners?access_token={TOKEN}").status_code == 400
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
    printed = capsys.readouterr()
    assert TOKEN not in printed.out + printed.err and "GET /" not in printed.out + printed.err
    assert [(e["status"], e["client"]) for e in access_lines.entries()] == [(400, "127.0.0.1"), (200, "127.0.0.1")]
    assert not any(TOKEN in line for line in access_lines.lines)


# --- links ------------------------------------------------------------------------------------------

def test_links_come_from_the_settings_not_the_host_header(kg_store: OxigraphStore) -> None:
    spoofed = {"Host": "evil.example"}
    relative = TestClient(create_app(Settings(store="memory"), store=kg_store)).get("/", headers=spoofed).json()
    assert relative["sparql"] == "/sparql" and relative["api"] == "/api"
    public = TestClient(create_app(Settings(store="memory", public_url="https://kg.example.org"), store=kg_store))
    links = public.get("/", headers=spoofed).json()
    assert links["sparql"] == "https://kg.example.org/sparql" and links["stats"] == "https://kg.example.org/api/stats"
    description = public.get("/sparql", headers={**spoofed, "Accept": "application/n-triples"}).text
    assert "<https://kg.example.org/sparql>" in description and "evil.example" not in description
    local = TestClient(create_app(Settings(store="memory", host="0.0.0.0", port=8123), store=kg_store))
    assert "<http://127.0.0.1:8123/sparql>" in local.get("/sparql", headers={**spoofed, "Accept": "text/turtle"}).text
