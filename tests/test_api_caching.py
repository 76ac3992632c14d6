"""ETags, 304s, the response cache and its invalidation by writes, CORS, and the OpenAPI document."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from graphsvc.api import named_queries
from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.catalog import catalog
from graphsvc.config import Settings
from graphsvc.response_cache import CachedResponse, ResponseCache
from graphsvc.store import OxigraphStore

KG = "https://w3id.org/iddkg/id/"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory"), store=kg_store))


@pytest.fixture()
def writable() -> tuple[OxigraphStore, TestClient]:
    """A store of its own, for tests that write."""
    store = OxigraphStore()
    load_project(store)
    return store, TestClient(create_app(Settings(store="memory"), store=store))


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/api/partners")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache" and "Accept" in first.headers["vary"]
    again = client.get("/api/partners")
    assert again.headers["etag"] == etag and again.content == first.content
    not_modified = client.get("/api/partners", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert client.get("/api/partners", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get("/api/partners", headers={"If-None-Match": '"other"'}).status_code == 200
    others = {client.get(url).headers["etag"] for url in (
        "/api/partners?format=csv", "/api/partners?limit=1", "/api/partners?kind=idd:Roadmap")}
    assert etag not in others and len(others) == 3


def test_repeated_answers_come_from_the_cache(client: TestClient) -> None:
    url = "/api/instruments?partner=kg:france&limit=3"
    client.get(url)
    hits = named_queries.CACHE.hits
    assert client.get(url).status_code == 200
    assert named_queries.CACHE.hits == hits + 1


def test_a_write_changes_the_version_the_etag_and_the_answer(writable: tuple[OxigraphStore, TestClient]) -> None:
    store, client = writable
    before = client.get("/api/search?q=Atlantis")
    assert before.json()["items"] == []
    version = store.data_version()
    atlantis = ox.NamedNode(KG + "atlantis")
    graph = ox.NamedNode("https://w3id.org/iddkg/graph/data/test-atlantis")
    store.replace_graph(graph, [ox.Quad(atlantis, RDF_TYPE, ox.NamedNode("https://w3id.org/iddkg/ontology#Country")),
                                ox.Quad(atlantis, LABEL, ox.Literal("Atlantis", language="en"))])
    assert store.data_version() != version
    after = client.get("/api/search?q=Atlantis", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert [r["thing"]["iri"] for r in after.json()["items"]] == [KG + "atlantis"]
    assert after.json()["dataVersion"] == store.data_version()


def test_data_version_survives_reopening(tmp_path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(ox.NamedNode("https://w3id.org/iddkg/graph/data/x"), [])
    version = store.data_version()
    del store
    reopened = OxigraphStore(tmp_path / "store")
    assert reopened.data_version() == version


def test_cache_is_bounded() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=10)
    for key in "abcd":
        cache.put(key, CachedResponse(b"xx", "text/plain"))
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") is not None
    cache.put("big", CachedResponse(b"y" * 9, "text/plain"))
    assert len(cache) == 1 and cache.get("big") is not None
    cache.put("huge", CachedResponse(b"z" * 11, "text/plain"))
    assert cache.get("huge") is None


def test_cors_is_explicit(kg_store: OxigraphStore) -> None:
    app = create_app(Settings(store="memory", cors_origins=("https://dashboard.example",)), store=kg_store)
    client = TestClient(app)
    allowed = client.get("/api/partners", headers={"Origin": "https://dashboard.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://dashboard.example"
    assert "access-control-allow-credentials" not in allowed.headers
    assert "etag" in allowed.headers["access-control-expose-headers"].lower()
    other = client.get("/api/partners", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_openapi_is_valid_and_documents_every_named_query(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for query in catalog().values():
        operation = spec["paths"][f"/api/{query.name}"]["get"]
        assert operation["summary"] == query.title and operation["description"]
        documented = {p["name"]: p for p in operation["parameters"]}
        assert set(documented) >= {p.name for p in query.params} | {"format"}
        for param in query.params:
            assert documented[param.name]["description"] and "example" in documented[param.name], param.name
            assert documented[param.name]["required"] == param.required
        if query.pagination:
            assert {"limit", "offset"} <= set(documented)
        responses = operation["responses"]
        assert {"200", "304", "422"} <= set(responses)
        assert "example" in responses["200"]["content"]["application/json"], query.name
    assert client.get("/docs").status_code == 200


def test_over_real_http(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        partners = http.get("/api/partners")
        assert partners.status_code == 200
        assert {r["partner"]["label"]: r["instruments"] for r in partners.json()["items"]} == {"France": 5, "Japan": 3}
        etag = partners.headers["etag"]
        assert http.get("/api/partners", headers={"If-None-Match": etag}).status_code == 304
        moc = http.get("/api/instrument", params={"instrument": KG + "india-japan-digital-partnership-2-0-moc"})
        assert {s["signatory"]["label"] for s in moc.json()["facets"]["signature"]} == {"Muto Yoji", "Ashwini Vaishnaw"}
        bad = http.get("/api/search", params={"q": '"} DROP ALL'})
        assert bad.status_code == 200 and bad.json()["items"] == []
        assert http.get("/api/instruments", params={"partner": "x> }"}).status_code == 422
        page = http.get("/id/japan", headers={"Accept": "text/turtle"})
        assert page.status_code == 200 and "Japan" in page.text
        validate(http.get("/openapi.json").json())


@pytest.mark.parametrize("path", ["/api/instruments?partner=kg:japan", "/api/partners"])
def test_a_cached_answer_is_sent_without_the_whole_way(writable: tuple[OxigraphStore, TestClient], path: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A repeated call (a plain query, then a background aggregate) is answered on the event loop,
    from the cache, with the same body and headers; a write sends the next call the whole way."""
    store, client = writable
    whole_way: list[str] = []
    real = named_queries.answer_request

    def counted(request, query):  # type: ignore[no-untyped-def]
        whole_way.append(query.name)
        return real(request, query)

    monkeypatch.setattr(named_queries, "answer_request", counted)
    first = client.get(path)
    assert first.status_code == 200 and len(whole_way) == 1
    again = client.get(path)
    assert len(whole_way) == 1, "answered from the cache at once"
    assert again.content == first.content
    for header in ("etag", "x-data-version", "vary", "cache-control", "content-type"):
        assert again.headers[header] == first.headers[header], header
    assert client.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert len(whole_way) == 1
    store.replace_graph(ox.NamedNode("https://w3id.org/iddkg/graph/test/fast-path"),
                        [ox.Quad(ox.NamedNode(KG + "x"), LABEL, ox.Literal("x"))])
    assert client.get(path).status_code == 200 and len(whole_way) == 2, "a new data version: the whole way"


def test_a_refused_value_is_refused_on_the_whole_way(writable: tuple[OxigraphStore, TestClient]) -> None:
    _store, client = writable
    for _ in range(2):
        response = client.get("/api/instruments", params={"partner": "kg:meity"})
        assert response.status_code == 404 and response.json()["parameter"] == "partner"
