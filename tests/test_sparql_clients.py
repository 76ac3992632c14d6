"""Real SPARQL clients against the running service: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

SIGNATORIES = """PREFIX idd: <https://w3id.org/iddkg/ontology#>
PREFIX kg: <https://w3id.org/iddkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE {
  kg:india-japan-digital-partnership-2-0-moc idd:signing/idd:signature/idd:signatory/rdfs:label ?name
} ORDER BY ?name"""


def test_sparqlwrapper_select_json_get_and_post(live_server: str) -> None:
    for method in ("GET", POST):
        client = SPARQLWrapper(live_server + "/sparql")
        client.setQuery(SIGNATORIES)
        client.setReturnFormat(JSON)
        if method == POST:
            client.setMethod(POST)
        names = [b["name"]["value"] for b in client.query().convert()["results"]["bindings"]]
        assert names == ["Ashwini Vaishnaw", "Muto Yoji"]


def test_sparqlwrapper_xml_ask_and_construct(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery("ASK { ?s a <https://w3id.org/iddkg/ontology#Instrument> }")
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"

    client.setQuery("""PREFIX idd: <https://w3id.org/iddkg/ontology#>
        CONSTRUCT { ?i a idd:Instrument } WHERE { ?i a idd:Instrument }""")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) >= 5


def test_rdflib_sparqlstore(live_server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(live_server + "/sparql", returnFormat="json"))
    rows = list(graph.query(SIGNATORIES))
    assert [str(row.name) for row in rows] == ["Ashwini Vaishnaw", "Muto Yoji"]
    ministry = rdflib.URIRef("https://w3id.org/iddkg/id/meity")
    assert (ministry, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/iddkg/ontology#Ministry")) in graph
