"""The browser query editor (YASGUI from npm, installed by scripts/install), driven in a real
headless Chromium (Debian's chromium + chromedriver)."""

from __future__ import annotations

import re

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from graphsvc.web import query_editor

ACTIVE = ".tabPanel.active"


def _editor(browser: webdriver.Chrome, live_server: str) -> WebDriverWait:
    """Open the editor page and wait until YASGUI is set up with the examples."""
    browser.get(live_server + "/sparql")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.execute_script("return document.body.dataset.editorReady") == "true")
    return wait


def _type_query(browser: webdriver.Chrome, text: str) -> None:
    editor = browser.find_element(By.CSS_SELECTOR, f"{ACTIVE} .CodeMirror textarea")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(text)


def _run(browser: webdriver.Chrome) -> None:
    browser.find_element(By.CSS_SELECTOR, f"{ACTIVE} .yasqe_queryButton").click()


def _severe(browser: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_assets_are_installed() -> None:
    assert query_editor.assets_installed(), (
        f"YASGUI's files are missing from {query_editor.ASSETS_DIR}: run scripts/install (npm ci in web/)")


def test_browsers_get_the_editor_and_programs_do_not(live_server: str) -> None:
    page = httpx.get(live_server + "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", page.text)
    assert "static/yasgui/yasgui.min.js" in sources and "static/yasgui/yasgui.min.css" in sources
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], f"outside resources: {sources}"
    for source in sources:
        if not source.startswith("data:"):
            assert httpx.get(f"{live_server}/{source}").status_code == 200, source
    program = httpx.get(live_server + "/sparql", headers={"Accept": "*/*"})
    assert program.headers["content-type"].startswith("text/turtle")


def test_without_the_assets_the_page_says_how_to_install_them(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(query_editor, "ASSETS_DIR", tmp_path / "missing")
    page = query_editor.editor_response()
    assert page.status_code == 503
    assert b"scripts/install" in page.body and b"npm ci" in page.body


def test_every_example_runs_as_it_reads(live_server: str) -> None:
    examples = httpx.get(live_server + "/sparql/examples").json()
    assert {"instrument", "instruments", "partners"} <= {e["name"] for e in examples}
    for example in examples:
        answer = httpx.post(live_server + "/sparql", data={"query": example["query"]},
                            headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
        assert answer.status_code == 200, (example["name"], answer.text)
        if answer.headers["content-type"].startswith("application/sparql-results+json"):
            assert answer.json()["results"]["bindings"], f"{example['name']} gives no rows"
    one = next(e for e in examples if e["name"] == "instrument")
    assert one["parameters"] == {"instrument": "kg:india-japan-digital-partnership-2-0-moc"}
    rows = httpx.post(live_server + "/sparql", data={"query": one["query"]},
                      headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    labels = {r["value"]["value"] for r in rows if r["facet"]["value"] == "label"}
    assert len(labels) == 1 and "Japan" in labels.pop(), "one instrument, not all of them"


def test_the_page_loads_preset_with_no_console_error(browser: webdriver.Chrome, live_server: str) -> None:
    _editor(browser, live_server)
    endpoint = browser.find_element(By.CSS_SELECTOR, f"{ACTIVE} .controlbar input.autocomplete")
    assert endpoint.get_attribute("value") == live_server + "/sparql"
    tabs = [t.text.replace("✖", "").strip() for t in browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab a")]
    assert {"One instrument in full", "Partners of India", "Instruments"} <= set(tabs)
    assert _severe(browser) == []


def test_type_a_query_run_it_and_read_the_table(browser: webdriver.Chrome, live_server: str) -> None:
    wait = _editor(browser, live_server)
    browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab a")[0].click()
    _type_query(browser,
                "PREFIX idd: <https://w3id.org/iddkg/ontology#>\n"
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                "SELECT ?name WHERE { ?m a idd:Ministry ; rdfs:label ?name } ORDER BY ?name")
    _run(browser)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, f"{ACTIVE} .yasr table tbody tr td")))
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, f"{ACTIVE} .yasr table thead th")]
    assert "name" in header
    cells = " ".join(td.text for td in browser.find_elements(By.CSS_SELECTOR, f"{ACTIVE} .yasr tbody td"))
    assert "Ministry of Electronics and Information Technology" in cells
    assert _severe(browser) == []


def test_an_example_tab_runs_and_shows_its_table(browser: webdriver.Chrome, live_server: str) -> None:
    wait = _editor(browser, live_server)
    tab = next(t for t in browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab a")
               if "One instrument in full" in t.text)
    tab.click()
    query = browser.execute_script("return window.iddkgEditor.yasgui.getTab().getQuery()")
    assert "kg:india-japan-digital-partnership-2-0-moc" in query or "india-japan-digital-partnership-2-0-moc" in query
    _run(browser)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, f"{ACTIVE} .yasr table tbody tr td")))
    summary = browser.find_element(By.CSS_SELECTOR, f"{ACTIVE} .yasr").text
    assert re.search(r"\d+ results", summary), summary
    assert "facet" in [th.text for th in browser.find_elements(By.CSS_SELECTOR, f"{ACTIVE} .yasr table thead th")]
    assert _severe(browser) == []


def test_a_syntax_error_shows_its_message_and_position(browser: webdriver.Chrome, live_server: str) -> None:
    wait = _editor(browser, live_server)
    browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab a")[0].click()
    _type_query(browser, "SELECT * WHERE { ?s ?p }")
    _run(browser)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, f"{ACTIVE} .iddkg-error")))
    shown = browser.find_element(By.CSS_SELECTOR, f"{ACTIVE} .iddkg-error").text
    assert "line 1, column" in shown and "syntax error" in shown and '{"error"' not in shown
    # The browser reports the 400 answer itself; nothing else (no uncaught exception) may be logged.
    assert [m for m in _severe(browser) if "status of 400" not in m] == []


def test_the_vocabulary_prefixes_are_known(browser: webdriver.Chrome, live_server: str) -> None:
    _editor(browser, live_server)
    browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab a")[0].click()
    _type_query(browser, "SELECT * WHERE { ?s a kg:")
    WebDriverWait(browser, 10).until(lambda d: "PREFIX kg:" in d.execute_script(
        "return window.iddkgEditor.yasgui.getTab().getQuery()"))
    namespace = httpx.get(live_server + "/prefixes").json()["kg"]
    assert f"PREFIX kg: <{namespace}>" in browser.execute_script("return window.iddkgEditor.yasgui.getTab().getQuery()")
