"""Review and ingest: from a registered press note to reviewed statements with their evidence.

The note below is invented for these tests, in the wording of a Cabinet note on a memorandum between
MeitY and a ministry of a country the graph does not know (Uruguay). The drafter reads "digital
payments" as the broad "digital technologies": the curator corrects that (a concept whose name is not
in the sentence is refused; one that is, is taken) and rejects the same reading elsewhere.

The API is exercised with FastAPI's TestClient over an in-memory store; the command-line path
(draft, edit the file, `graphsvc ingest`) in-process over a store in a temporary folder; the review
page in Debian's headless Chromium against `graphsvc serve` on 127.0.0.1, failing on any console
error and on any request that leaves 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from graphsvc.api.app import create_app
from graphsvc.bootstrap import load_project
from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore

KG = "https://w3id.org/iddkg/id/"
IDD = "https://w3id.org/iddkg/ontology#"
DCT = "http://purl.org/dc/terms/"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#editorialNote"
TOKEN = "curator-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTE = """Cabinet apprised of the Memorandum of Understanding between India and Uruguay on cooperation in Digital Public Infrastructure

The Union Cabinet chaired by the Prime Minister was apprised of a Memorandum of Understanding (MoU) signed between the Ministry of Electronics and Information Technology of the Republic of India and the Ministry of Industry, Energy and Mining of the Oriental Republic of Uruguay. The MoU was signed on 12 February 2026 in Montevideo.

Objectives:

The MoU aims to foster cooperation in digital public infrastructure, digital payments and cyber security through exchange of experts, pilot projects and joint training programmes.

The MoU shall come into effect on the date of its signature and shall remain in force for a period of four (4) years.
"""
MOU = KG + "india-uruguay-digital-public-infrastructure-mou"
AREA = MOU + "-area-digital-public-infrastructure"
COMMITMENT = AREA + "-commitment-1"
MINISTRY = KG + "uruguayan-ministry-of-industry-energy-and-mining"


# --- the API -------------------------------------------------------------------------------------

def _app(tokens: tuple[tuple[str, str], ...] = (("curator", TOKEN),)) -> tuple[TestClient, OxigraphStore]:
    store = OxigraphStore()
    load_project(store)
    return TestClient(create_app(Settings(store="memory", write_tokens=tokens), store)), store


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[TestClient, OxigraphStore, str]]:
    client, store = _app()
    with client:
        reply = client.post("/sources", params={"title": "Cabinet apprised of the India-Uruguay MoU", "kind": "press release",
                                                "published": "2026-02-20"},
                            content=NOTE.encode(), headers={**AUTH, "Content-Type": "text/plain; charset=utf-8"})
        assert reply.status_code == 201, reply.text
        yield client, store, reply.json()["id"]


def _draft(client: TestClient, name: str) -> dict[str, Any]:
    reply = client.post(f"/sources/{name}/draft", headers=AUTH)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _find(draft: dict[str, Any], subject: str, predicate: str, value: str) -> dict[str, Any]:
    [found] = [c for c in draft["candidates"] if c["subject"]["value"] == subject
               and c["predicate"]["value"] == predicate and c["value"]["value"] == value]
    return found


def _ask(client: TestClient, query: str) -> bool:
    reply = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 200, reply.text
    return bool(reply.json()["boolean"])


def _review(draft: dict[str, Any]) -> dict[str, Any]:
    """The review of the tests: two accepted, one corrected, one rejected, one added."""
    start = NOTE.index("cyber security")
    return {"decisions": {
        _find(draft, MOU, IDD + "instrumentKind", IDD + "MemorandumOfUnderstanding")["id"]: {"action": "accept"},
        _find(draft, MOU, IDD + "cooperationArea", AREA)["id"]: "accept",
        _find(draft, AREA, DCT + "subject", KG + "digital-technologies")["id"]:
            {"action": "correct", "value": {"type": "iri", "value": "kg:digital-public-infrastructure"}},
        _find(draft, COMMITMENT, DCT + "subject", KG + "digital-technologies")["id"]: {"action": "reject"},
    }, "added": [{"id": "added-1", "subject": "kg:india-uruguay-digital-public-infrastructure-mou",
                  "predicate": "dcterms:subject", "value": {"type": "iri", "value": "kg:cyber-security"},
                  "start": start, "end": start + len("cyber security")}]}


def test_every_curation_route_needs_the_write_token(service) -> None:
    client, _, name = service
    for path, body in (("draft", None), ("check", {}), ("review", {"decisions": {}})):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            reply = client.post(f"/sources/{name}/{path}", json=body, headers=headers)
            assert reply.status_code == 401, (path, reply.text)
            assert reply.headers["WWW-Authenticate"] == "Bearer" and "token" in reply.json()["error"]
    closed, _ = _app(tokens=())
    with closed:
        reply = closed.post(f"/sources/{name}/draft")
        assert reply.status_code == 403 and "GRAPHSVC_WRITE_TOKENS" in reply.json()["error"]


def test_an_unknown_source_is_404(service) -> None:
    client, _, _ = service
    for path in ("draft", "check", "review"):
        reply = client.post(f"/sources/source-000000000000/{path}", json={}, headers=AUTH)
        assert reply.status_code == 404 and "no source named" in reply.json()["error"], reply.text
    page = client.get("/curate/source-000000000000", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "No such source" in page.text


def test_the_draft_gives_each_candidate_with_its_span_quote_and_rule(service) -> None:
    client, _, name = service
    draft = _draft(client, name)
    assert draft["text"] == NOTE and draft["graph"] == "https://w3id.org/iddkg/graph/curated/" + name
    assert len(draft["candidates"]) >= 15
    for c in draft["candidates"]:
        start, end = c["span"]["start"], c["span"]["end"]
        assert c["quote"] == NOTE[start:end]
        assert start <= c["cue"]["start"] < c["cue"]["end"] <= end and NOTE[c["cue"]["start"]:c["cue"]["end"]] == c["cue"]["text"]
        assert 0 < c["confidence"] <= 1 and c["rule"] and c["subject"]["label"] and c["predicate"]["label"]
    party = _find(draft, MOU, IDD + "party", MINISTRY)
    assert party["value"]["new"] is True and party["value"]["label"] == "Ministry of Industry, Energy and Mining"
    assert {p["curie"] for p in draft["properties"]} >= {"idd:party", "dcterms:subject", "idd:signingDate"}
    assert {t["curie"] for t in draft["things"]} >= {"kg:meity", "kg:cyber-security", "kg:" + MINISTRY[len(KG):]}
    again = _draft(client, name)
    assert [c["id"] for c in again["candidates"]] == [c["id"] for c in draft["candidates"]], "ids are stable"
    turtle = client.post(f"/sources/{name}/draft", headers={**AUTH, "Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    parsed = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    assert sum(1 for q in parsed if q.predicate.value == IDD + "evidenceSubject") == len(draft["candidates"])
    assert client.post(f"/sources/{name}/draft", headers={**AUTH, "Accept": "image/png"}).status_code == 406


def test_a_correction_whose_value_is_not_in_its_span_is_refused(service) -> None:
    client, store, name = service
    draft = _draft(client, name)
    wrong = _find(draft, AREA, DCT + "subject", KG + "digital-technologies")
    payments = {"type": "iri", "value": "kg:digital-payment-systems"}  # "digital payments" is not its name
    checked = client.post(f"/sources/{name}/check", json={"candidate": wrong["id"], "value": payments}, headers=AUTH)
    assert checked.status_code == 200 and checked.json()["ok"] is False
    assert "not in its span" in checked.json()["error"] and "digital payment systems" in checked.json()["error"]
    review = _review(draft)
    review["decisions"][wrong["id"]] = {"action": "correct", "value": payments}
    reply = client.post(f"/sources/{name}/review", json=review, headers=AUTH)
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["item"] == wrong["id"] and "nothing was written" in body["error"]
    [problem] = body["problems"]
    assert problem["item"] == wrong["id"] and problem["span"] == f"{wrong['span']['start']}-{wrong['span']['end']}"
    assert "is not in its span" in problem["message"] and problem["quote"] == wrong["quote"]
    assert ox.NamedNode(draft["graph"]) not in store.named_graphs()
    good = client.post(f"/sources/{name}/check", headers=AUTH,
                       json={"candidate": wrong["id"], "value": {"type": "iri", "value": "kg:digital-public-infrastructure"}})
    assert good.json()["ok"] is True and good.json()["value"]["label"] == "digital public infrastructure"
    date = _find(draft, MOU, IDD + "signingDate", "2026-02-12")
    moved = client.post(f"/sources/{name}/check", headers=AUTH, json={"candidate": date["id"], "value": {
        "type": "literal", "value": "2026-02-13", "datatype": "xsd:date"}})
    assert moved.json()["ok"] is False and "date 2026-02-13 is not in the span" in moved.json()["error"]


def test_reviews_the_service_cannot_take_get_a_clear_4xx(service) -> None:
    client, _, name = service
    draft = _draft(client, name)
    some = draft["candidates"][0]["id"]
    url = f"/sources/{name}/review"
    cases = [
        ({"decisions": {"c0000000000000000": "accept"}}, 409, "draft again"),
        ({"decisions": {some: "approve"}}, 400, "accept, reject, correct"),
        ({"decisions": {some: {"action": "correct"}}}, 400, "gives the new value"),
        ({"decisions": {some: {"action": "correct", "value": {"type": "literal", "value": "12/02/2026",
                                                                "datatype": "xsd:date"}}}}, 400, "YYYY-MM-DD"),
        ({"decisions": {some: "reject"}}, 400, "nothing to ingest"),
        ({"decisions": {}, "added": [{"subject": "kg:meity", "predicate": "idd:party", "value": {"type": "iri", "value": "kg:india"},
                                      "start": 10, "end": len(NOTE) + 5}]}, 400, "not inside the text"),
        ({"decisions": {}, "added": [{"subject": "kg:meity", "predicate": "idd:noSuchProperty",
                                      "value": {"type": "iri", "value": "kg:india"}, "start": 0, "end": 20}]}, 400,
         "not a property of the vocabulary"),
        ({"decisions": {}, "added": [{"subject": "kg:nobody-at-all", "predicate": "idd:party",
                                      "value": {"type": "iri", "value": "kg:india"}, "start": 0, "end": 20}]}, 400,
         "neither in the graph nor proposed"),
        ({"decisions": {}, "added": [{"subject": "kg:meity", "predicate": "idd:party", "value": "kg:india",
                                      "start": 0, "end": 20}]}, 400, '"type": "iri" or "literal"'),
        ({"decisions": [], "added": []}, 400, "decisions must be an object"),
        ({"verdicts": {}}, 400, "unknown field(s) verdicts"),
    ]
    for body, status, words in cases:
        reply = client.post(url, json=body, headers=AUTH)
        assert reply.status_code == status and words in reply.json()["error"], (body, reply.status_code, reply.text)
    not_json = client.post(url, content=b"{decisions", headers={**AUTH, "Content-Type": "application/json"})
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]
    form = client.post(url, content=b"a=b", headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415


def test_a_finding_of_the_shapes_is_tied_to_the_statement_it_concerns(service) -> None:
    client, store, name = service
    draft = _draft(client, name)
    area_subject = _find(draft, AREA, DCT + "subject", KG + "digital-public-infrastructure")
    reply = client.post(f"/sources/{name}/review", json={"decisions": {area_subject["id"]: "accept"}}, headers=AUTH)
    assert reply.status_code == 422, reply.text
    [violation] = [f for f in reply.json()["findings"] if f["severity"] == "Violation"]
    assert violation["focusNode"] == AREA and "exactly one instrument" in violation["message"]
    assert violation["items"] == [area_subject["id"]], "the area was accepted without the link from its instrument"
    assert reply.json()["written"] is False and ox.NamedNode(draft["graph"]) not in store.named_graphs()


def test_a_finding_about_an_evidence_node_is_tied_to_the_statement_it_supports(service) -> None:
    """Findings on evidence are about a blank node (the evidence, its target or a selector)."""
    from graphsvc.curation.review import build_batch, read_review
    from graphsvc.curation.review_findings import findings
    from graphsvc.curation.source_drafts import draft_source
    from graphsvc.curation.sources import get_source
    from graphsvc.ingest import check, plan
    from graphsvc.upload import ParsedUpload

    _, store, name = service
    sd = draft_source(store, get_source(store, name))
    [kind] = [cid for cid, c in sd.candidates.items() if c.predicate == IDD + "instrumentKind"]
    batch = build_batch(sd, read_review({"decisions": {kind: "accept"}}), "curator")
    exact = "http://www.w3.org/ns/oa#exact"
    batch.triples = [ox.Triple(t.subject, t.predicate, ox.Literal("words the note does not hold"))
                     if t.predicate.value == exact else t for t in batch.triples]
    upload = ParsedUpload([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in batch.triples],
                          {}, None, "tampered review", ox.RdfFormat.TURTLE)
    results = check(store, plan([upload], sd.graph, sd.graph)).results
    [violation] = [f for f in findings(results, batch) if f["severity"] == "Violation"]
    assert violation["focusNode"].startswith("_:") and "does not match the text" in violation["message"]
    assert violation["items"] == [kind]


def test_a_review_ingests_what_was_accepted_corrected_and_added_and_nothing_rejected(service) -> None:
    client, store, name = service
    draft = _draft(client, name)
    review = _review(draft)
    dry = client.post(f"/sources/{name}/review", json={**review, "dryRun": True}, headers=AUTH)
    assert dry.status_code == 200 and dry.json()["written"] is False and dry.json()["conforms"] is True, dry.text
    assert ox.NamedNode(draft["graph"]) not in store.named_graphs()
    reply = client.post(f"/sources/{name}/review", json=review, headers=AUTH)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["accepted"], body["corrected"], body["added"], body["rejected"], body["statements"]) == (2, 1, 1, 1, 4)
    assert body["undecided"] == len(draft["candidates"]) - 4 and body["violations"] == 0
    graph = draft["graph"]
    for s, p, o in ((MOU, IDD + "instrumentKind", IDD + "MemorandumOfUnderstanding"), (MOU, IDD + "cooperationArea", AREA),
                    (AREA, DCT + "subject", KG + "digital-public-infrastructure"), (MOU, DCT + "subject", KG + "cyber-security")):
        assert _ask(client, f"ASK {{ GRAPH <{graph}> {{ <{s}> <{p}> <{o}> }} }}"), (s, p, o)
        assert _ask(client, f"""PREFIX idd: <{IDD}> PREFIX oa: <http://www.w3.org/ns/oa#>
            ASK {{ GRAPH <{graph}> {{ ?e idd:evidenceSubject <{s}> ; idd:evidencePredicate <{p}> ; idd:evidenceObject <{o}> ;
                   oa:hasTarget/oa:hasSelector/oa:exact ?quote }} }}"""), "each statement has its evidence and quote"
    assert _ask(client, f'ASK {{ GRAPH <{graph}> {{ ?e <{SKOS_NOTE}> "Corrected on review by curator: the draft proposed '
                        f'kg:digital-technologies."@en }} }}')
    # The rejected statement, the corrected value and whatever was left undecided are nowhere.
    assert not _ask(client, f"ASK {{ <{COMMITMENT}> ?p ?o }}") and not _ask(client, f"ASK {{ ?s ?p <{COMMITMENT}> }}")
    assert not _ask(client, f"ASK {{ <{AREA}> <{DCT}subject> <{KG}digital-technologies> }}")
    assert not _ask(client, f"ASK {{ GRAPH <{graph}> {{ ?e <{IDD}evidenceObject> <{KG}digital-technologies> }} }}")
    assert not _ask(client, f"ASK {{ <{MOU}> <{IDD}party> ?party }}"), "undecided candidates are not ingested"
    assert not _ask(client, f"ASK {{ <{MINISTRY}> ?p ?o }}"), "a new thing no ingested statement names is not described"
    page = client.get("/id/" + MOU[len(KG):], headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Cabinet apprised of the Memorandum of Understanding" in page.text
    # Drafting again shows what the graph holds; a second review replaces the first.
    again = _draft(client, name)
    held = {c["id"] for c in again["candidates"] if c["inGraph"]}
    assert held == {cid for cid, d in review["decisions"].items() if d in ("accept", {"action": "accept"})}
    assert {(s["predicate"]["curie"], s["value"]["curie"]) for s in again["curated"]} == {
        ("dcterms:subject", "kg:digital-public-infrastructure"), ("dcterms:subject", "kg:cyber-security")}
    kind = _find(again, MOU, IDD + "instrumentKind", IDD + "MemorandumOfUnderstanding")["id"]
    second = client.post(f"/sources/{name}/review", json={"decisions": {kind: "accept"}}, headers=AUTH)
    assert second.status_code == 200, second.text
    assert not _ask(client, f"ASK {{ <{MOU}> <{IDD}cooperationArea> ?area }}")
    assert _ask(client, f"ASK {{ <{MOU}> <{IDD}instrumentKind> <{IDD}MemorandumOfUnderstanding> }}")


def test_the_curate_pages_are_shells_that_hold_no_data(service) -> None:
    client, _, name = service
    listing = client.get("/curate", headers={"Accept": "text/html"})
    assert listing.status_code == 200 and f'href="/curate/{name}"' in listing.text
    assert "script-src 'self'" in listing.headers["content-security-policy"]
    page = client.get(f"/curate/{name}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="token-form"' in page.text and "digital payments" not in page.text
    assert "<script>" not in page.text and "frame-ancestors 'none'" in page.headers["content-security-policy"]


# --- the command line ----------------------------------------------------------------------------

def _without(turtle: str, statement: str) -> str:
    """The draft without one statement's block (its comment, the statement and its evidence)."""
    blocks = turtle.split("\n\n")
    kept = [b for b in blocks if statement not in b]
    assert len(kept) == len(blocks) - 1
    return "\n\n".join(kept)


def test_the_command_line_drafts_and_ingests_an_edited_draft(tmp_path: Path, capsys) -> None:
    note = tmp_path / "uruguay-note.txt"
    note.write_text(NOTE, encoding="utf-8")
    store = str(tmp_path / "store")
    assert main(["sources", "add", str(note), "--title", "India-Uruguay MoU", "--published", "2026-02-20",
                 "--store", store]) == 0
    name = capsys.readouterr().out.split()[1]
    draft = tmp_path / "draft.ttl"
    assert main(["draft", str(note), "-o", str(draft), "--store", store]) == 0
    text = draft.read_text(encoding="utf-8")
    rejected = "kg:india-uruguay-digital-public-infrastructure-mou-area-digital-public-infrastructure-commitment-1 " \
               "dcterms:subject kg:digital-technologies ."
    assert rejected in text
    draft.write_text(_without(text, rejected), encoding="utf-8")
    graph = "https://w3id.org/iddkg/graph/curated/" + name
    capsys.readouterr()
    assert main(["ingest", str(draft), "--graph", graph, "--store", store]) == 0
    assert f"written to {graph}" in capsys.readouterr().out
    ask = f"ASK {{ GRAPH <{graph}> {{ <{MOU}> <{IDD}party> <{MINISTRY}> }} }}"
    assert main(["query", ask, "--store", store]) == 0 and capsys.readouterr().out.strip() == "true"
    gone = f"ASK {{ <{COMMITMENT}> <{DCT}subject> <{KG}digital-technologies> }}"
    assert main(["query", gone, "--store", store]) == 0 and capsys.readouterr().out.strip() == "false"


# --- in a real browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def curate_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.server import running_service

    with running_service(tmp_path_factory.mktemp("curate-store"),
                         extra_env={"GRAPHSVC_WRITE_TOKENS": f"curator={TOKEN}"}) as base_url:
        yield base_url


def _wait(browser: webdriver.Chrome, condition: Any, timeout: float = 60) -> Any:
    # An element found while the page redraws the candidates may be replaced before it is read:
    # look again rather than fail.
    return WebDriverWait(browser, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def _state(browser: webdriver.Chrome, *wanted: str) -> None:
    _wait(browser, lambda d: d.find_element(By.ID, "curate").get_attribute("data-state") in wanted)


def _candidate(browser: webdriver.Chrome, subject: str, predicate: str, value: str):
    selector = f'li.candidate[data-subject="{subject}"][data-predicate="{predicate}"][data-value="{value}"]'
    [found] = browser.find_elements(By.CSS_SELECTOR, selector)
    return found


def _press(browser: webdriver.Chrome, subject: str, predicate: str, value: str, action: str) -> None:
    _candidate(browser, subject, predicate, value).find_element(By.CSS_SELECTOR, f'button[data-action="{action}"]').click()


def _page_problems(browser: webdriver.Chrome) -> list[str]:
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    urls = browser.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name))")
    return errors + [f"request to {u}" for u in urls if urlsplit(u).hostname != "127.0.0.1"]


SELECT_TEXT = """
const [start, end] = arguments;
const pieces = [...document.querySelectorAll('#document .piece')];
const point = (offset) => {
  const piece = pieces.find((p) => Number(p.dataset.start) <= offset && offset < Number(p.dataset.end));
  const cps = Array.from(piece.textContent).slice(0, offset - Number(piece.dataset.start));
  return [piece.firstChild, cps.join('').length];
};
const range = document.createRange();
range.setStart(...point(start));
const [node, at] = point(end - 1);
range.setEnd(node, at + 1);
const selection = window.getSelection();
selection.removeAllRanges();
selection.addRange(range);
document.getElementById('document').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
"""


def test_a_curator_reviews_a_press_note_in_the_browser(browser: webdriver.Chrome, curate_server: str,
                                                       tmp_path: Path) -> None:
    note = tmp_path / "india-uruguay-mou-note.txt"
    note.write_text(NOTE, encoding="utf-8")
    browser.get(curate_server + "/curate")
    browser.find_element(By.ID, "token-input").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#token-form button[type=submit]").click()
    _wait(browser, lambda d: d.find_element(By.ID, "token-state").is_displayed())
    # Register the note from the page.
    browser.find_element(By.ID, "register-file").send_keys(str(note))
    browser.find_element(By.ID, "register-title-input").send_keys("Cabinet apprised of the India-Uruguay MoU")
    browser.find_element(By.ID, "register-published").send_keys("2026-02-20")
    Select(browser.find_element(By.ID, "register-kind")).select_by_visible_text("press release")
    assert _page_problems(browser) == []
    browser.find_element(By.CSS_SELECTOR, "#register-form button[type=submit]").click()
    _wait(browser, lambda d: "/curate/source-" in d.current_url)
    _state(browser, "ready")
    name = browser.current_url.rsplit("/", 1)[-1]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#candidates li.candidate")) >= 15
    assert browser.find_elements(By.CSS_SELECTOR, "#document .cue.pending"), "the candidates are highlighted in the text"
    # Accept two, correct one (first with a value the span does not hold), reject one.
    _press(browser, MOU, IDD + "instrumentKind", IDD + "MemorandumOfUnderstanding", "accept")
    _press(browser, MOU, IDD + "cooperationArea", AREA, "accept")
    _press(browser, AREA, DCT + "subject", KG + "digital-technologies", "correct")
    form = _candidate(browser, AREA, DCT + "subject", KG + "digital-technologies").find_element(By.CSS_SELECTOR, ".correct-form")
    field = form.find_element(By.NAME, "value")
    field.clear()
    field.send_keys("kg:digital-payment-systems")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    problem = form.find_element(By.CSS_SELECTOR, ".problem")
    _wait(browser, lambda d: problem.is_displayed())
    assert "not in its span" in problem.text and "digital payment systems" in problem.text
    field.clear()
    field.send_keys("kg:digital-public-infrastructure")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(browser, lambda d: "corrected" in _candidate(d, AREA, DCT + "subject", KG + "digital-technologies")
          .get_attribute("class"))
    assert "digital public infrastructure" in _candidate(browser, AREA, DCT + "subject", KG + "digital-technologies").text
    _press(browser, COMMITMENT, DCT + "subject", KG + "digital-technologies", "reject")
    # Add one the draft missed, by selecting its words in the text.
    start = NOTE.index("cyber security")
    browser.execute_script(SELECT_TEXT, start, start + len("cyber security"))
    _wait(browser, lambda d: d.find_element(By.ID, "add-form").is_displayed())
    assert browser.find_element(By.ID, "add-quote").text == "cyber security"
    subject = browser.find_element(By.ID, "add-subject")
    subject.clear()
    subject.send_keys("kg:" + MOU[len(KG):])
    Select(browser.find_element(By.ID, "add-predicate")).select_by_value("dcterms:subject")
    assert browser.find_element(By.ID, "add-value").get_attribute("value") == "kg:cyber-security"
    browser.find_element(By.CSS_SELECTOR, "#add-form button[type=submit]").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#added li.candidate"))
    assert "4 undecided" not in browser.find_element(By.ID, "counts").text
    assert browser.find_element(By.ID, "counts").text.startswith("2 accepted, 1 corrected, 1 rejected")
    # Ingest.
    browser.find_element(By.ID, "ingest").click()
    _state(browser, "ingested", "refused")
    result = browser.find_element(By.ID, "result").text
    assert "Ingested 4 statements" in result, result
    assert _page_problems(browser) == []
    # The accepted statements are at /id/ with their evidence.
    browser.get(curate_server + "/id/" + MOU[len(KG):])
    evidence = browser.find_element(By.ID, "evidence").text
    assert "Cabinet apprised of the Memorandum of Understanding between India and Uruguay" in evidence
    assert "cyber security" in evidence
    browser.get(curate_server + "/id/" + AREA[len(KG):])
    evidence = browser.find_element(By.ID, "evidence").text
    assert "digital public infrastructure" in evidence
    assert "The MoU aims to foster cooperation in digital public infrastructure, digital payments" in evidence
    assert _page_problems(browser) == []
    # The rejected statement is nowhere; neither is the value that was corrected.

    def ask(query: str) -> bool:
        reply = httpx.get(curate_server + "/sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert reply.status_code == 200, reply.text
        return bool(reply.json()["boolean"])

    graph = f"https://w3id.org/iddkg/graph/curated/{name}"
    assert ask(f"ASK {{ GRAPH <{graph}> {{ <{MOU}> <{IDD}instrumentKind> <{IDD}MemorandumOfUnderstanding> }} }}")
    assert ask(f"ASK {{ GRAPH <{graph}> {{ <{AREA}> <{DCT}subject> <{KG}digital-public-infrastructure> }} }}")
    assert not ask(f"ASK {{ <{COMMITMENT}> <{DCT}subject> <{KG}digital-technologies> }}")
    assert not ask(f"ASK {{ ?evidence <{IDD}evidenceSubject> <{COMMITMENT}> }}")
    assert not ask(f"ASK {{ <{AREA}> <{DCT}subject> <{KG}digital-technologies> }}")
