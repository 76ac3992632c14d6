"""The dashboard API: every named query over HTTP, checked against what the graph is known to say."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.catalog import CatalogError, catalog, parse_named_query
from graphsvc.config import Settings
from graphsvc.named_params import bind_query, bind_values, read_params
from graphsvc.store import OxigraphStore

KG = "https://w3id.org/iddkg/id/"
MOC = KG + "india-japan-digital-partnership-2-0-moc"


@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory"), store=kg_store))


def items(client: TestClient, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def iris(rows: list[dict[str, Any]], key: str) -> set[str]:
    return {row[key]["iri"] for row in rows}


def test_every_named_query_has_a_route_that_answers(client: TestClient) -> None:
    listed = {q["name"] for q in client.get("/api").json()["queries"]}
    assert listed == set(catalog())
    for query in catalog().values():
        params = {p.name: p.example for p in query.params if p.required}
        response = client.get(f"/api/{query.name}", params=params)
        assert response.status_code == 200, (query.name, response.text)
        assert response.headers["etag"]


def test_partners_ranked_by_instruments(client: TestClient) -> None:
    rows = items(client, "/api/partners")
    assert [(r["partner"]["label"], r["instruments"]) for r in rows] == [("France", 5), ("Japan", 3)]
    japan = rows[1]
    assert japan["partner"]["iri"] == KG + "japan"
    assert (japan["signed"], japan["firstSigned"], japan["lastSigned"]) == (3, "2018-05-01", "2025-08-25")
    signed_mocs = items(client, "/api/partners?kind=idd:MemorandumOfCooperation&status=idd:Signed")
    assert [(r["partner"]["label"], r["instruments"]) for r in signed_mocs] == [("Japan", 2)]


def test_instruments_filters(client: TestClient) -> None:
    japan = items(client, "/api/instruments?partner=kg:japan")
    assert iris(japan, "instrument") == {MOC, KG + "india-japan-semiconductor-supply-chain-moc",
                                         KG + "japan-india-startup-initiative"}
    assert all((r["partnerCount"], r["partnerName"]) == (1, "Japan") for r in japan)
    mocs = items(client, "/api/instruments?partner=japan&kind=idd:MemorandumOfCooperation")
    assert len(mocs) == 2 and all(r["kind"]["label"] == "memorandum of cooperation" for r in mocs)
    in_force = items(client, "/api/instruments?inForceOn=2026-01-01")
    assert iris(in_force, "instrument") == {MOC}
    assert in_force[0]["endDate"] == "2030-08-25" and in_force[0]["entryIntoForceDate"] == "2025-08-25"
    assert items(client, "/api/instruments?inForceOn=2030-08-25") == []  # five years end that day
    assert iris(items(client, "/api/instruments?inForceOn=2030-08-24"), "instrument") == {MOC}
    signed = items(client, "/api/instruments?signedFrom=2020-01-01&signedTo=2024-12-31")
    assert iris(signed, "instrument") == {KG + "india-japan-semiconductor-supply-chain-moc"}
    semis = iris(items(client, "/api/instruments?area=kg:semiconductors"), "instrument")
    assert semis == {MOC, KG + "india-japan-semiconductor-supply-chain-moc"}
    # narrower concepts count for a broader one: AI is an emerging technology
    assert MOC in iris(items(client, "/api/instruments?area=kg:emerging-technologies"), "instrument")
    gpai = iris(items(client, "/api/instruments?forum=kg:gpai"), "instrument")
    assert gpai == {MOC, KG + "indo-french-roadmap-on-cyber-security-and-digital-technology"}
    france = items(client, "/api/instruments?partner=" + quote(KG + "france"))
    assert len(france) == 5


def test_one_instrument_in_full(client: TestClient) -> None:
    body = client.get("/api/instrument", params={"instrument": "kg:india-japan-digital-partnership-2-0-moc"}).json()
    facets = body["facets"]
    signatories = {s["signatory"]["label"] for s in facets["signature"]}
    assert signatories == {"Muto Yoji", "Ashwini Vaishnaw"}
    posts = {s["signatory"]["iri"]: s["post"]["label"] for s in facets["signature"]}
    assert "Minister" in posts[KG + "ashwini-vaishnaw"]
    assert {p["value"]["iri"] for p in facets["party"]} == {KG + "meti", KG + "meity"}
    assert facets["signingDate"][0]["value"] == "2025-08-25"
    assert facets["entryIntoForceDate"][0]["value"] == "2025-08-25"
    assert facets["duration"][0]["amount"] == 5 and facets["duration"][0]["unit"]["iri"].endswith("unitYear")
    assert len(facets["clause"]) == 13 and len(facets["area"]) == 8
    renewal = next(c for c in facets["clause"] if c["clause"]["iri"].endswith("provision-renewal"))
    assert renewal["section"] == "7(ii)" and renewal["kind"]["iri"].endswith("RenewalProvision")
    evidence = facets["evidence"]
    assert evidence and all({"source", "start", "end"} <= set(e) for e in evidence)
    signing = [e for e in evidence if e["property"]["iri"].endswith("#signingDate")]
    assert signing and all("quote" in e for e in signing)
    assert any("25" in e["quote"] and "August" in e["quote"] for e in signing)


def test_technology_areas(client: TestClient) -> None:
    rows = {r["area"]["iri"]: r for r in items(client, "/api/technology-areas?limit=500")}
    assert rows[KG + "semiconductors"]["instruments"] == 2
    assert rows[KG + "semiconductors"]["partnerCount"] == 1
    assert rows[KG + "artificial-intelligence"]["partnerCount"] == 2
    sectors = items(client, "/api/technology-areas?scheme=kg:sectors")
    assert sectors and KG + "semiconductors" not in iris(sectors, "area")


def test_forums_and_who_takes_part(client: TestClient) -> None:
    rows = {r["forum"]["iri"]: r for r in items(client, "/api/forums")}
    gpai = rows[KG + "gpai"]
    assert (gpai["references"], gpai["instruments"]) == (2, 2)
    assert gpai["actors"] == 4  # India and France (roadmap), METI and MeitY (the 2.0 MoC)
    assert (rows[KG + "g20"]["references"], rows[KG + "g20"]["actors"]) == (1, 1)
    meity = iris(items(client, "/api/forums?actor=kg:meity"), "forum")
    assert KG + "gpai" in meity and KG + "international-solar-alliance" not in meity


def test_events_timeline(client: TestClient) -> None:
    rows = items(client, "/api/events")
    assert len(rows) == 4
    years = [r["year"] for r in rows]
    assert years == sorted(years, key=lambda y: (y is not None, y))
    dated = items(client, "/api/events?from=2025-01-01&to=2025-12-31")
    assert iris(dated, "event") == {KG + "india-france-ai-policy-roundtable-2"}
    assert dated[0]["date"] == "2025-02-10" and dated[0]["place"]["label"] == "Sciences Po Paris university campus"
    assert (dated[0]["participants"], dated[0]["organisers"]) == (2, 4)
    france = iris(items(client, "/api/events?participant=kg:france"), "event")
    assert france == {KG + "india-france-ai-policy-roundtable-2", KG + "india-france-paris-meeting-22-august"}


def test_network_as_nodes_and_edges_and_as_rdf(client: TestClient) -> None:
    body = client.get("/api/network?partner=kg:japan").json()
    nodes = {n["id"]: n for n in body["nodes"]}
    edges = {(e["source"], e["relation"], e["target"]) for e in body["edges"]}
    assert (MOC, "party", KG + "meti") in edges
    assert (KG + "meti", "subOrganizationOf", KG + "government-of-japan") in edges
    assert (KG + "government-of-japan", "governmentOf", KG + "japan") in edges
    assert nodes[KG + "meti"]["types"] == ["Ministry"] and nodes[MOC]["label"].startswith("Memorandum")
    assert all(e["source"] in nodes and e["target"] in nodes for e in body["edges"])
    assert not any("france" in n for n in nodes)
    jsonld = client.get("/api/network?partner=kg:japan", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    import pyoxigraph as ox
    triples = list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))
    assert any(t.subject.value == MOC and t.object.value == KG + "meti" for t in triples)
    turtle = client.get("/api/network?format=ttl")
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_expiring_within_a_window(client: TestClient) -> None:
    rows = items(client, "/api/expiring?on=2030-06-01&days=120")
    assert iris(rows, "instrument") == {MOC} and rows[0]["endDate"] == "2030-08-25"
    assert items(client, "/api/expiring?on=2030-06-01&days=10") == []
    assert items(client, "/api/expiring?on=2030-08-25&days=0")[0]["endDate"] == "2030-08-25"
    today = client.get("/api/expiring")
    assert today.status_code == 200 and "on" in today.json()["params"]


def test_search_in_any_language(client: TestClient) -> None:
    assert KG + "japan" in iris(items(client, "/api/search?q=japon"), "thing")
    assert KG + "japan" in iris(items(client, "/api/search?q=" + quote("日本")), "thing")
    india = items(client, "/api/search?q=" + quote("भारत"))
    assert KG + "india" in iris(india, "thing") and india[0]["matchLang"] == "hi"
    assert KG + "muto-yoji" in iris(items(client, "/api/search?q=MUTO"), "thing")
    assert items(client, "/api/search?q=japon&lang=ja") == []
    assert items(client, "/api/search?q=japon&lang=fr")[0]["match"] == "Japon"


def test_statistics_queries(client: TestClient) -> None:
    classes = items(client, "/api/stats-classes")
    assert any(r["class"]["iri"].endswith("#Instrument") for r in classes)
    evidence = items(client, "/api/stats-evidence")[0]
    assert evidence["statements"] == evidence["withEvidence"] > 0
    assert len(items(client, "/api/stats-sources")) == 5


def test_pagination_with_next_links(kg_store: OxigraphStore) -> None:
    client = TestClient(create_app(Settings(store="memory", public_url="https://kg.example.org/base"), store=kg_store))
    first = client.get("/api/instruments?limit=4")
    body = first.json()
    assert body["count"] == 4 and body["next"] and body["next"].startswith("https://kg.example.org/base/api/instruments?")
    assert first.headers["link"] == f'<{body["next"]}>; rel="next"'
    seen = [r["instrument"]["iri"] for r in body["items"]]
    url = body["next"]
    while url:
        page = client.get(url.removeprefix("https://kg.example.org/base")).json()
        seen += [r["instrument"]["iri"] for r in page["items"]]
        url = page["next"]
    everything = [r["instrument"]["iri"] for r in items(client, "/api/instruments?limit=500")]
    assert seen == everything and len(everything) >= 11  # every instrument of data/, each once
    last_offset = (len(everything) - 1) // 4 * 4
    last = client.get(f"/api/instruments?limit=4&offset={last_offset}").json()
    assert last["count"] == len(everything) - last_offset and last["next"] is None
    filtered = client.get("/api/instruments?partner=kg:france&limit=2").json()
    assert "partner=" in filtered["next"]
    assert len(client.get(filtered["next"].removeprefix("https://kg.example.org/base")).json()["items"]) == 2


def test_formats_by_negotiation_and_override(client: TestClient) -> None:
    csv = client.get("/api/partners", headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("partner,partnerLabel,instruments")
    sparql_json = client.get("/api/partners?format=sparql-json").json()
    assert sparql_json["head"]["vars"][:2] == ["partner", "partnerLabel"]
    assert sparql_json["results"]["bindings"][1]["instruments"]["value"] == "3"
    assert client.get("/api/partners", headers={"Accept": "text/html,*/*;q=0.8"}).headers[
        "content-type"] == "application/json"
    assert client.get("/api/partners", headers={"Accept": "image/png"}).status_code == 406
    tsv = client.get("/api/partners?format=tsv", headers={"Accept": "application/json"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")


@pytest.mark.parametrize("url, parameter", [
    ("/api/instrument", "instrument"),
    ("/api/instruments?partner=ftp://example.org/x", "partner"),
    ("/api/instruments?partner=unknownprefix:x", "partner"),
    ("/api/instruments?inForceOn=2026-02-30", "inForceOn"),
    ("/api/instruments?signedFrom=yesterday", "signedFrom"),
    ("/api/instruments?kind=kg:japan", "kind"),
    ("/api/instruments?limit=0", "limit"),
    ("/api/instruments?limit=501", "limit"),
    ("/api/instruments?offset=-1", "offset"),
    ("/api/instruments?partnr=kg:japan", "partnr"),
    ("/api/instruments?partner=kg:japan&partner=kg:france", "partner"),
    ("/api/instruments?format=xml", "format"),
    ("/api/expiring?days=-1", "days"),
    ("/api/expiring?days=ten", "days"),
    ("/api/search", "q"),
    ("/api/search?q=a", "q"),
    ("/api/search?q=japan&lang=fr-", "lang"),
    ("/api/stats-classes?limit=5", "limit"),
])
def test_invalid_parameters_get_422_naming_them(client: TestClient, url: str, parameter: str) -> None:
    response = client.get(url)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["parameter"] == parameter and body["reason"] and parameter in body["error"]


INJECTIONS = [
    '"} } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "' } UNION { ?s ?p ?o } #",
    "japan> } UNION { ?s ?p ?o",
    "\\\" ) } LIMIT 1",
    "\n# @parameters\nFILTER(false)",
    "\n# @end\n# @if-bound q\n",
    "<https://w3id.org/iddkg/id/japan>",
    "SELECT ?x WHERE",
]


@pytest.mark.parametrize("url, parameter", [
    ("/api/instrument?instrument=kg:japan", "instrument"),
    ("/api/instruments?partner=kg:meity", "partner"),
    ("/api/events?area=https://example.org/no-such-area", "area"),
])
def test_a_value_naming_nothing_of_its_class_gets_404_naming_it(client: TestClient, url: str, parameter: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["parameter"] == parameter and "is not an instance of" in body["error"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injected_text_is_only_a_value(client: TestClient, kg_store: OxigraphStore, value: str) -> None:
    size = len(kg_store)
    response = client.get("/api/search", params={"q": value})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == [] and response.json()["params"]["q"] == value
    for url in ("/api/instrument", "/api/instruments", "/api/network"):
        name = "instrument" if url == "/api/instrument" else "partner"
        bad = client.get(url, params={name: value})
        assert bad.status_code == 422 and bad.json()["parameter"] == name
    assert len(kg_store) == size


def test_a_quote_in_a_value_matches_a_label_with_a_quote(client: TestClient) -> None:
    # the commitment label "synergies the 'Japan's idea of Society 5.0'" holds quotes
    rows = items(client, "/api/search?q=" + quote("'Japan's idea"))
    assert [r["thing"]["iri"] for r in rows] == [MOC + "-area-r-and-d-cooperation-society-5-0"]


# -- blocks kept only when a parameter is bound ---------------------------------------------------

BLOCKS = """SELECT ?x WHERE {
  # @parameters
  # @if-bound a
  { SELECT ?x WHERE {
      # @parameters
      ?a ?p ?x .
  } }
  # @end
  ?x ?q ?y .
}
"""


def test_a_block_is_kept_only_when_its_parameter_is_bound() -> None:
    iri = ox.NamedNode(KG + "japan")
    kept = bind_values(BLOCKS, {"a": iri})
    assert "@if-bound" not in kept and "@end" not in kept and "?a ?p ?x" in kept
    assert kept.count(f"VALUES (?a) {{ ({iri}) }}") == 2
    dropped = bind_values(BLOCKS, {"a": None})
    assert "?a ?p ?x" not in dropped and "@if-bound" not in dropped and "?x ?q ?y" in dropped
    assert dropped.count("VALUES (?a) { (UNDEF) }") == 1
    for text in (BLOCKS, kept, dropped):  # each a valid query: as it stands, bound, unbound
        ox.Store().query(text)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "blocks.rq"
    path.write_text("#+ title: t\n#+ param: a iri\n#+ field: x term\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "reason"), [
    (BLOCKS.replace("@if-bound a", "@if-bound b"), "names no parameter"),
    (BLOCKS.replace("  # @end\n", ""), "needs a '# @end'"),
    (BLOCKS.replace("  ?x ?q ?y .\n", "  # @end\n"), "needs a '# @end'"),
    (BLOCKS.replace("      ?a ?p ?x .\n", "      # @if-bound a\n      ?a ?p ?x .\n"), "nested"),
])
def test_the_catalog_refuses_bad_blocks(tmp_path: Path, body: str, reason: str) -> None:
    parse_named_query(_write(tmp_path, BLOCKS))
    with pytest.raises(CatalogError, match=reason):
        parse_named_query(_write(tmp_path, body))


def test_named_queries_with_blocks_bind_with_and_without_the_value(kg_store: OxigraphStore) -> None:
    with_blocks = [q for q in catalog().values() if "# @if-bound" in q.text]
    assert {q.name for q in with_blocks} >= {"instruments", "network"}
    for query in with_blocks:
        examples = {p.name: [p.example] for p in query.params if p.example is not None}
        required = {k: v for k, v in examples.items() if query.param(k).required}  # type: ignore[union-attr]
        for given in (required, examples):
            text = bind_query(query, read_params(query, given))
            assert "@if-bound" not in text and "@end" not in text
            kg_store.query(text)


def test_instruments_filters_from_the_value_agree_with_the_unfiltered_list(client: TestClient) -> None:
    every = items(client, "/api/instruments?limit=500")
    japan = items(client, "/api/instruments?limit=500&partner=japan")
    assert japan and {r["instrument"]["iri"] for r in japan} < {r["instrument"]["iri"] for r in every}
    by_iri = {r["instrument"]["iri"]: r for r in every}
    assert all(by_iri[r["instrument"]["iri"]] == r for r in japan)
