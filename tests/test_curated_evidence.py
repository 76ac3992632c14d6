"""The evidence rule for curated data, on the validate and ingest paths a curator uses.

A statement about a thing of the graph (a kg: IRI) needs evidence, except rdf:type and the
properties the ontology marks evidence-exempt; the span of that evidence, read from the text the
service holds, lies inside its document and contains the value it is cited for. Each broken rule is
one clear finding, and nothing of a refused batch is written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.config import Settings
from graphsvc.curation.quotes import quote_for
from graphsvc.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "curator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}
GRAPH = "https://example.org/graphs/curated-evidence"
KG = "https://w3id.org/iddkg/id/"
IDD = "https://w3id.org/iddkg/ontology#"
SHAPES = "https://w3id.org/iddkg/shapes#"
PREFIXES = """@prefix idd: <https://w3id.org/iddkg/ontology#> .
@prefix kg: <https://w3id.org/iddkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
"""
# A press note written for these tests; it names MeitY, whom the graph knows already.
NOTE = ("Cabinet approves MoU with Ruritania\n\n"
        "The Union Cabinet has approved the signing of a Memorandum of Understanding between the Ministry of "
        "Electronics and Information Technology (MeitY) and the Digital Office of Ruritania.\n"
        "The MoU was signed on 9 January 2024.\n"
        "MeitY has joined the Ruritania Digital Forum.\n")
MOU = """kg:ruritania-mou a idd:Instrument ;
    rdfs:label "India-Ruritania MoU"@en ;
    idd:instrumentKind idd:MemorandumOfUnderstanding ;
    idd:party kg:meity .
"""


def evidence(subject: str, predicate: str, obj: str, source: str, sentence: str, *, text: str = NOTE,
             start: int | None = None, end: int | None = None, quote: bool = True) -> str:
    """An evidence node for one statement, its span found in `text` by program (or given)."""
    if start is None:
        start = text.index(sentence)
        end = start + len(sentence)
    assert end is not None
    selectors = f"[ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ]"
    if quote and end <= len(text):
        q = quote_for(text, start, end)
        selectors += (f" , [ a oa:TextQuoteSelector ; oa:exact {_string(q.exact)} ; oa:prefix {_string(q.prefix)} ;"
                      f" oa:suffix {_string(q.suffix)} ]")
    return (f"[] a idd:Evidence ; idd:evidenceSubject {subject} ; idd:evidencePredicate {predicate} ;\n"
            f"    idd:evidenceObject {obj} ;\n"
            f"    oa:hasTarget [ a oa:SpecificResource ; oa:hasSource <{source}> ; oa:hasSelector {selectors} ] .\n")


def _string(value: str) -> str:
    import pyoxigraph as ox

    return str(ox.Literal(value))


@pytest.fixture()
def service():
    store = OxigraphStore()
    load_project(store)
    settings = Settings(store="memory", write_tokens=(("curator", TOKEN),))
    with TestClient(create_app(settings, store)) as client:
        reply = client.post("/sources", params={"title": "Cabinet approves MoU with Ruritania", "kind": "press release"},
                            content=NOTE.encode(), headers={**AUTH, "Content-Type": "text/plain; charset=utf-8"})
        assert reply.status_code == 201, reply.text
        yield client, store, reply.json()["iri"]


def _violations(reply) -> list[dict]:
    return [r for r in reply.json()["results"] if r["severity"] == "Violation"]


def _graph_size(store: OxigraphStore) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def test_a_batch_without_evidence_gets_a_finding_for_each_statement(service) -> None:
    client, store, _ = service
    body = (PREFIXES + MOU).encode()
    checked = client.post("/validate", params={"graph": GRAPH}, content=body, headers=TURTLE)
    assert checked.status_code == 422, checked.text
    findings = {(r["shape"], r["focusNode"], r["path"], r["value"]) for r in _violations(checked)}
    assert findings == {
        (SHAPES + "StatementHasEvidenceShape", KG + "ruritania-mou", IDD + "instrumentKind", IDD + "MemorandumOfUnderstanding"),
        (SHAPES + "StatementHasEvidenceShape", KG + "ruritania-mou", IDD + "party", KG + "meity"),
    }
    assert all("No evidence supports the statement" in r["message"] for r in _violations(checked))
    assert all(r.get("line") for r in _violations(checked)), "a finding says where in the upload it is"
    written = client.put("/graphs", params={"graph": GRAPH}, content=body, headers={**AUTH, **TURTLE})
    assert written.status_code == 422 and written.json()["written"] is False
    assert _graph_size(store) == 0


def test_labels_types_and_outside_identifiers_need_no_evidence(service) -> None:
    client, _, _ = service
    body = PREFIXES + """kg:ruritania a idd:Country ; rdfs:label "Ruritania"@en ; idd:iso3166Alpha2 "RX" ;
    <http://www.w3.org/2004/02/skos/core#exactMatch> <http://www.wikidata.org/entity/Q1000001> ."""
    checked = client.post("/validate", params={"graph": GRAPH}, content=body.encode(), headers=TURTLE)
    assert checked.status_code == 200 and checked.json()["conforms"] is True, checked.text


def test_a_batch_whose_spans_hold_their_values_is_ingested_and_quoted(service) -> None:
    client, store, source = service
    body = PREFIXES + MOU + "".join([
        evidence("kg:ruritania-mou", "idd:instrumentKind", "idd:MemorandumOfUnderstanding", source,
                 "signing of a Memorandum of Understanding"),
        evidence("kg:ruritania-mou", "idd:party", "kg:meity", source,
                 "Ministry of Electronics and Information Technology (MeitY)"),
    ])
    written = client.put("/graphs", params={"graph": GRAPH}, content=body.encode(), headers={**AUTH, **TURTLE})
    assert written.status_code == 201, written.text
    assert _graph_size(store) == written.json()["triples"] > 20
    answer = client.get("/api/instrument", params={"instrument": "kg:ruritania-mou"}).json()
    quotes = {e["quote"] for e in answer["facets"]["evidence"]}
    assert quotes == {"signing of a Memorandum of Understanding",
                      "Ministry of Electronics and Information Technology (MeitY)"}
    page = client.get("/sources/" + source[len(KG):], headers={"Accept": "text/html"}).text
    assert 'href="/id/ruritania-mou"' in page, "the source's page links the new spans to their statement"


def test_a_span_past_the_end_of_its_document_is_refused(service) -> None:
    client, store, source = service
    body = PREFIXES + MOU + evidence("kg:ruritania-mou", "idd:instrumentKind", "idd:MemorandumOfUnderstanding",
                                     source, "", start=10, end=len(NOTE) + 40) \
        + evidence("kg:ruritania-mou", "idd:party", "kg:meity", source, "MeitY")
    written = client.put("/graphs", params={"graph": GRAPH}, content=body.encode(), headers={**AUTH, **TURTLE})
    assert written.status_code == 422
    [finding] = _violations(written)
    assert finding["shape"] == SHAPES + "EvidenceSpanInsideDocumentShape"
    assert f"ends at offset {len(NOTE) + 40}" in finding["message"] and f"only {len(NOTE)} characters" in finding["message"]
    assert _graph_size(store) == 0


def test_a_span_that_does_not_contain_its_value_is_refused(service) -> None:
    client, store, source = service
    body = PREFIXES + MOU + "".join([
        evidence("kg:ruritania-mou", "idd:instrumentKind", "idd:MemorandumOfUnderstanding", source,
                 "signing of a Memorandum of Understanding"),
        evidence("kg:ruritania-mou", "idd:party", "kg:meity", source, "the Digital Office of Ruritania"),
    ])
    written = client.put("/graphs", params={"graph": GRAPH}, content=body.encode(), headers={**AUTH, **TURTLE})
    assert written.status_code == 422
    [finding] = _violations(written)
    assert finding["shape"] == SHAPES + "EvidenceSpanContainsValueShape" and finding["value"] == KG + "meity"
    start = NOTE.index("the Digital Office of Ruritania")
    assert f"span {start}-{start + 31}" in finding["message"] and "does not contain the value" in finding["message"]
    assert _graph_size(store) == 0


def test_a_date_is_checked_in_its_span_to_the_day(service) -> None:
    client, _, source = service
    base = PREFIXES + MOU.replace("idd:party kg:meity .", "idd:party kg:meity ;\n    idd:signingDate \"{date}\"^^xsd:date .") \
        + evidence("kg:ruritania-mou", "idd:instrumentKind", "idd:MemorandumOfUnderstanding", source,
                   "signing of a Memorandum of Understanding") \
        + evidence("kg:ruritania-mou", "idd:party", "kg:meity", source, "(MeitY)") \
        + evidence("kg:ruritania-mou", "idd:signingDate", "\"{date}\"^^xsd:date", source, "signed on 9 January 2024")
    right = client.post("/validate", params={"graph": GRAPH}, content=base.replace("{date}", "2024-01-09").encode(),
                        headers=TURTLE)
    assert right.status_code == 200, right.text
    wrong = client.post("/validate", params={"graph": GRAPH}, content=base.replace("{date}", "2024-01-19").encode(),
                        headers=TURTLE)
    assert [(r["shape"], r["value"]) for r in _violations(wrong)] == [
        (SHAPES + "EvidenceSpanContainsValueShape", "2024-01-19")]


def test_more_about_a_known_thing_is_judged_with_the_evidence_it_has(service) -> None:
    """kg:meity's statements in data/ have their evidence in the store: adding one more statement
    about it needs evidence for that statement only."""
    client, _, source = service
    body = PREFIXES + """kg:ruritania-digital-forum a idd:Forum ; rdfs:label "Ruritania Digital Forum"@en .
kg:meity org:memberOf kg:ruritania-digital-forum .
""" + evidence("kg:meity", "org:memberOf", "kg:ruritania-digital-forum", source,
               "MeitY has joined the Ruritania Digital Forum.")
    bare = body.split("[] a idd:Evidence")[0]
    refused = client.post("/validate", params={"graph": GRAPH}, content=bare.encode(), headers=TURTLE)
    assert [(r["focusNode"], r["path"]) for r in _violations(refused)] == [(KG + "meity", "http://www.w3.org/ns/org#memberOf")]
    added = client.post("/graphs", params={"graph": GRAPH}, content=body.encode(), headers={**AUTH, **TURTLE})
    assert added.status_code == 201, added.text


def test_the_command_line_reports_missing_evidence(tmp_path: Path) -> None:
    batch = tmp_path / "draft.ttl"
    batch.write_text(PREFIXES + MOU, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "graphsvc", "validate", "--store", "memory", str(batch)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("No evidence supports the statement") == 2
    assert "2 violation(s)" in result.stdout and "Traceback" not in result.stderr


def _data_and_texts(store: OxigraphStore) -> list:
    """The triples of data/ and of the registered texts, as the store holds them."""
    import pyoxigraph as ox

    wanted = ("https://w3id.org/iddkg/graph/data/", "https://w3id.org/iddkg/graph/sources/")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in store._store.quads_for_pattern(None, None, None, None)
            if q.graph_name.value.startswith(wanted)]


def test_data_with_its_texts_meets_every_evidence_rule(kg_store) -> None:
    """The shapes' rule and tests/test_evidence.py agree on data/: with the texts at hand, no span
    of data/ breaks it."""
    from graphsvc.validation.validator import validate

    triples = _data_and_texts(kg_store)
    results = validate(triples, {t.subject for t in triples})
    assert not [r for r in results if r.blocking], [r.message for r in results if r.blocking][:5]


def test_a_span_of_data_moved_off_its_value_breaks_the_rule(kg_store) -> None:
    import pyoxigraph as ox

    from graphsvc.validation.validator import validate

    triples = _data_and_texts(kg_store)
    oa = "http://www.w3.org/ns/oa#"
    start, end = ox.NamedNode(oa + "start"), ox.NamedNode(oa + "end")
    # the selector of the span 209-395 of source 003 (the MoC's preamble: parties and date)
    selectors = {t.subject for t in triples if t.predicate == start and t.object.value == "209"} \
        & {t.subject for t in triples if t.predicate == end and t.object.value == "395"}
    assert selectors
    moved = [t for t in triples if not (t.subject in selectors and t.predicate in (start, end))]
    moved += [ox.Triple(s, start, ox.Literal("14128", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
              for s in selectors]
    moved += [ox.Triple(s, end, ox.Literal("14186", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
              for s in selectors]
    found = {(r.shape.rsplit("#", 1)[-1], r.value.value if r.value is not None else None)
             for r in validate(moved, {t.subject for t in moved}) if r.blocking}
    assert ("EvidenceSpanContainsValueShape", "2025-08-25") in found, found
    assert ("EvidenceSpanContainsValueShape", KG + "meity") in found
    assert {shape for shape, _ in found} == {"EvidenceSpanContainsValueShape", "QuoteMatchesTextShape"}
