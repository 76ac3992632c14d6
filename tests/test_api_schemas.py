"""The OpenAPI description of the dashboard API says what the answers hold: each named query's
fields and types (from its `#+ field:` header lines), and every answer keeps to its schema."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.catalog import CatalogError, catalog, parse_named_query
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore

PUBLIC = "https://kg.example.org"


@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory", public_url=PUBLIC), store=kg_store))


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def _json_schema(document: dict[str, Any], path: str, status: str = "200") -> dict[str, Any]:
    return document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def _validate(instance: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)


@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_answer_keeps_to_its_documented_schema(client: TestClient, document: dict[str, Any], name: str) -> None:
    query = catalog()[name]
    schema = _json_schema(document, f"/api/{name}")
    assert schema != {"type": "object"} and schema["additionalProperties"] is False
    for given in ({p.name: p.example for p in query.params if p.required},
                  {p.name: p.example for p in query.params if p.example is not None}):
        response = client.get(f"/api/{name}", params=given)
        assert response.status_code == 200, response.text
        _validate(response.json(), schema)
    if query.shape in ("rows", "resources"):
        row = schema["properties"]["items"]["items"]
        assert list(row["properties"]) == [f.name for f in query.fields if f.parent is None]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(document)
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert document["paths"]["/graphs"]["put"]["security"] == [{"bearerToken": []}]
    busy = document["paths"]["/api/instruments"]["get"]["responses"]["503"]
    assert "Retry-After" in busy["headers"]
    headers = document["paths"]["/api/instruments"]["get"]["responses"]["200"]["headers"]
    assert {"ETag", "X-Data-Version", "X-Result-Truncated", "Link"} <= set(headers)
    assert "X-Data-Stale" in document["paths"]["/api/partners"]["get"]["responses"]["200"]["headers"]


def test_fields_are_typed_for_generated_clients(document: dict[str, Any]) -> None:
    row = _json_schema(document, "/api/instruments")["properties"]["items"]["items"]["properties"]
    assert row["instrument"]["required"] == ["iri", "label"]
    assert row["partnerCount"]["type"] == "integer"
    assert row["signingDate"]["anyOf"][0] == {"type": "string", "format": "date", "description": row["signingDate"]["description"]}
    assert row["signingDate"]["anyOf"][1] == {"type": "null"}
    partition = _json_schema(document, "/api/void")["properties"]["items"]["items"]["properties"]["classPartition"]
    assert partition["type"] == "array" and partition["items"]["properties"]["entities"]["type"] == "integer"


def test_a_query_whose_fields_disagree_with_its_variables_is_refused(tmp_path) -> None:
    path = tmp_path / "wrong.rq"
    path.write_text("#+ title: t\n#+ field: a iri\n#+ field: c integer\nSELECT ?a ?aLabel ?b WHERE { ?a ?p ?b }\n",
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="projected variables"):
        parse_named_query(path)
    path.write_text("#+ title: t\nSELECT ?a WHERE { ?a ?p ?b }\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="no '#\\+ field:' lines"):
        parse_named_query(path)


def test_void_answers_the_dataset_as_json(client: TestClient, kg_store: OxigraphStore) -> None:
    body = client.get("/api/void").json()
    assert body["count"] == 1
    dataset = body["items"][0]
    assert dataset["iri"] == "https://w3id.org/iddkg/id/dataset"
    assert dataset["type"] == [{"iri": "http://rdfs.org/ns/void#Dataset"}]
    counted = next(iter(kg_store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                       "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/iddkg/graph/')) }")))
    assert dataset["triples"] == int(counted["n"].value)
    ministries = [p for p in dataset["classPartition"] if p["class"]["iri"].endswith("#Ministry")]
    assert len(ministries) == 1 and ministries[0]["entities"] > 0


def test_stats_classes_is_shaped_like_the_others(client: TestClient) -> None:
    rows = client.get("/api/stats-classes").json()["items"]
    instrument = next(r for r in rows if r["class"]["iri"].endswith("#Instrument"))
    assert instrument["class"]["label"] == "instrument" and set(instrument) == {"class", "count"}


def test_the_index_lists_the_coverage_report(client: TestClient, document: dict[str, Any]) -> None:
    index = client.get("/api").json()
    assert {q["name"] for q in index["queries"]} == set(catalog())
    assert [r["path"] for r in index["reports"]] == ["/api/stats"]
    _validate(index, _json_schema(document, "/api"))
    _validate(client.get("/api/stats").json(), _json_schema(document, "/api/stats"))


def test_next_links_are_absolute_in_the_body_and_the_link_header(client: TestClient) -> None:
    response = client.get("/api/instruments", params={"limit": "2", "format": "csv"})
    link = response.headers["link"]
    assert link.startswith(f"<{PUBLIC}/api/instruments?") and link.endswith('>; rel="next"') and "format=csv" in link
    body = client.get("/api/instruments", params={"limit": "2"}).json()
    assert body["next"] == f"{PUBLIC}/api/instruments?limit=2&offset=2"


def test_error_answers_keep_to_their_schema(client: TestClient, document: dict[str, Any]) -> None:
    for url, status in (("/api/instruments?limit=0", "422"), ("/api/instrument?instrument=kg:japan", "404"),
                        ("/api/instruments?partner=%20kg:japan", "422")):
        response = client.get(url)
        assert str(response.status_code) == status, response.text
        _validate(response.json(), _json_schema(document, url.split("?")[0], status))


def test_an_empty_optional_value_is_no_value_and_other_blanks_are_refused(client: TestClient) -> None:
    assert client.get("/api/instruments?partner=").json()["count"] == client.get("/api/instruments").json()["count"]
    refused = client.get("/api/instruments", params={"partner": " "})
    assert refused.status_code == 422 and refused.json()["parameter"] == "partner"
