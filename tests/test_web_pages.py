"""The site for browsers: the front page, the label search, profile pages, error pages.

Browser tests drive Debian's headless Chromium over the real graph served by `graphsvc serve` on
127.0.0.1: each page must load with no console error and no request leaving 127.0.0.1, and fit a
phone's width. The TestClient tests check what programs get from the same addresses (JSON, as
before) and what the pages say.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore
from graphsvc.web.ontology_links import read_anchors
from graphsvc.web.quotes import plain_text

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MOC = "india-japan-digital-partnership-2-0-moc"
INDEX_KEYS = {"name", "version", "sparql", "ontology", "prefixes", "stats", "api", "docs", "reads"}


# --- in a real browser ---------------------------------------------------------------------------

def _open(browser: webdriver.Chrome, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _console_errors(browser: webdriver.Chrome, allowed: str | None = None) -> list[str]:
    """SEVERE console entries, but for the browser's own note of the page's status when `allowed`."""
    return [e["message"] for e in browser.get_log("browser")
            if e["level"] == "SEVERE" and not (allowed and allowed in e["message"])]


def _outside_requests(browser: webdriver.Chrome) -> list[str]:
    """Every resource the page loaded that did not come from 127.0.0.1."""
    urls = browser.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name))")
    return [u for u in urls if urlsplit(u).hostname != "127.0.0.1" and not u.startswith("data:")]


def _fits(browser: webdriver.Chrome) -> bool:
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _check_page(browser: webdriver.Chrome, allowed: str | None = None) -> None:
    assert _console_errors(browser, allowed) == []
    assert _outside_requests(browser) == []


@pytest.fixture()
def wide(browser: webdriver.Chrome) -> webdriver.Chrome:
    browser.set_window_size(1400, 1000)
    return browser


def test_the_front_page_shows_what_the_graph_holds(wide: webdriver.Chrome, live_server: str, tmp_path: Path) -> None:
    _open(wide, live_server + "/")
    assert wide.find_element(By.TAG_NAME, "h1").text.startswith("India")
    holds = wide.find_element(By.ID, "holds-title").find_element(By.XPATH, "..").text
    assert "Things by class" in holds and "instrument" in holds and "Data version" in holds
    assert "Memorandum of Cooperation between the Ministry of Economy" in holds  # a source, by its title
    links = {a.get_attribute("pathname") for a in wide.find_elements(By.CSS_SELECTOR, ".cards a")}
    assert {"/dashboard", "/sparql", "/ontology", "/docs", "/sources", "/api"} <= links
    wide.save_screenshot(str(tmp_path / "front-page.png"))
    _check_page(wide)


def test_the_search_box_finds_labels_in_every_language(wide: webdriver.Chrome, live_server: str,
                                                       tmp_path: Path) -> None:
    _open(wide, live_server + "/")
    box = wide.find_element(By.ID, "front-search")
    box.send_keys("Japon", Keys.ENTER)  # French
    WebDriverWait(wide, 20).until(lambda d: "/search" in d.current_url)
    assert parse_qs(urlsplit(wide.current_url).query)["q"] == ["Japon"]
    results = [a.get_attribute("pathname") for a in wide.find_elements(By.CSS_SELECTOR, ".results li > a")]
    assert results[0] == "/id/japan"
    _open(wide, live_server + "/search?q=japan")
    results = [a.get_attribute("pathname") for a in wide.find_elements(By.CSS_SELECTOR, ".results li > a")]
    assert "/id/japan" in results and f"/id/{MOC}" in results
    json_link = wide.find_element(By.CSS_SELECTOR, ".query-links a[type='application/json']").get_attribute("href")
    assert "/api/search?" in json_link and "q=japan" in json_link
    wide.save_screenshot(str(tmp_path / "search.png"))
    _check_page(wide)


def test_japan_shows_its_instruments_and_partners(wide: webdriver.Chrome, live_server: str, tmp_path: Path) -> None:
    _open(wide, live_server + "/id/japan")
    assert wide.find_element(By.TAG_NAME, "h1").text == "Japan"
    panel = wide.find_element(By.ID, "panel-instruments")
    instruments = {a.get_attribute("pathname") for a in panel.find_elements(By.CSS_SELECTOR, "tbody a[href*='/id/']")}
    assert {f"/id/{MOC}", "/id/india-japan-semiconductor-supply-chain-moc",
            "/id/japan-india-startup-initiative"} <= instruments
    assert "instruments" in panel.find_element(By.CSS_SELECTOR, ".query-links code").text
    partners = wide.find_element(By.ID, "panel-partners").text
    assert "India" in partners
    kind = wide.find_element(By.CSS_SELECTOR, ".kinds a")
    assert kind.get_attribute("pathname") == "/ontology" and kind.get_attribute("hash") == "#Country"
    wide.save_screenshot(str(tmp_path / "japan.png"))
    _check_page(wide)


def test_an_unknown_name_gets_a_page_with_suggestions(wide: webdriver.Chrome, live_server: str,
                                                      tmp_path: Path) -> None:
    _open(wide, live_server + "/id/republic-of-japan")
    assert wide.find_element(By.TAG_NAME, "h1").text == "Not found"
    suggested = [a.get_attribute("pathname") for a in wide.find_elements(By.CSS_SELECTOR, ".suggestions a")]
    assert suggested[0] == "/id/japan"
    assert wide.find_element(By.ID, "site-search").get_attribute("value") == "republic of japan"
    wide.save_screenshot(str(tmp_path / "not-found.png"))
    _check_page(wide, allowed="status of 404")


def test_every_page_fits_a_phone(browser: webdriver.Chrome, live_server: str, tmp_path: Path) -> None:
    browser.set_window_size(375, 800)
    try:
        for path in ("/", "/search?q=japan", "/id/japan", f"/id/{MOC}", "/id/meity", "/id/no-such-thing"):
            _open(browser, live_server + path)
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "front-page"
            browser.save_screenshot(str(tmp_path / f"phone-{name}.png"))
            assert _fits(browser), f"{path} scrolls sideways at 375 px"
            _check_page(browser, allowed="status of 404" if "no-such" in path else None)
    finally:
        browser.set_window_size(1400, 1000)
    assert len(list(tmp_path.glob("phone-*.png"))) == 6


def test_the_keyboard_reaches_the_content_and_the_search(wide: webdriver.Chrome, live_server: str) -> None:
    _open(wide, live_server + "/id/japan")
    body = wide.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    skip = wide.switch_to.active_element
    assert skip.get_attribute("class") == "skip" and skip.get_attribute("hash") == "#content"
    skip.send_keys(Keys.ENTER)
    assert urlsplit(wide.current_url).fragment == "content"
    wide.find_element(By.ID, "site-search").send_keys("meity", Keys.ENTER)
    WebDriverWait(wide, 20).until(lambda d: "/search" in d.current_url)
    assert "/id/meity" in [a.get_attribute("pathname") for a in wide.find_elements(By.CSS_SELECTOR, ".results li > a")]
    _check_page(wide)


# --- what programs and pages get, in-process ------------------------------------------------------

@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory"), store=kg_store))


def test_programs_still_get_the_json_index(client: TestClient) -> None:
    for accept in (None, "application/json", "*/*", "application/json, text/html;q=0.5"):
        response = client.get("/", headers={"Accept": accept} if accept else {})
        assert response.headers["content-type"] == "application/json", accept
        assert set(response.json()) == INDEX_KEYS and response.json()["sparql"] == "/sparql"
    page = client.get("/", headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html") and "Accept" in page.headers["vary"]
    assert 'action="/search"' in page.text and 'href="/api/stats"' in page.text


def test_programs_searching_are_sent_to_the_api(client: TestClient) -> None:
    moved = client.get("/search?q=japan&lang=fr", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/api/search?q=japan&lang=fr"
    found = client.get("/search?q=Japon")
    assert found.headers["content-type"] == "application/json"
    assert found.json()["items"][0]["thing"]["iri"] == "https://w3id.org/iddkg/id/japan"


def test_the_search_page_says_what_is_wrong_with_a_query(client: TestClient) -> None:
    short = client.get("/search?q=j", headers={"Accept": BROWSER})
    assert short.status_code == 422 and "at least 2" in short.text and "parameter" in short.text
    empty = client.get("/search", headers={"Accept": BROWSER})
    assert empty.status_code == 200 and 'id="page-search"' in empty.text


def test_errors_are_pages_for_browsers_and_json_for_programs(client: TestClient) -> None:
    for path, status, wanted in (("/no-such-page", 404, "application/json"), ("/api/instruments?limit=0", 422, "*/*"),
                                 ("/id/no-such-thing", 404, "text/turtle")):
        program = client.get(path, headers={"Accept": wanted})
        assert program.status_code == status and program.headers["content-type"] == "application/json", path
        page = client.get(path, headers={"Accept": BROWSER})
        assert page.status_code == status and page.headers["content-type"].startswith("text/html"), path
        assert f"Error {status}" in page.text and 'class="site-header"' in page.text
    assert "must be between 1 and 500" in client.get("/api/instruments?limit=0", headers={"Accept": BROWSER}).text
    moved = client.put("/", headers={"Accept": BROWSER})
    assert moved.status_code == 405 and moved.headers["content-type"] == "application/json"  # not a page method
    posted = client.post("/", headers={"Accept": BROWSER})
    assert posted.status_code == 405 and "Method not allowed" in posted.text and "allow" in posted.headers


def test_an_unknown_thing_suggests_what_its_name_resembles(client: TestClient) -> None:
    page = client.get("/id/japn", headers={"Accept": BROWSER})
    assert page.status_code == 404 and "Did you mean" in page.text
    assert page.text.index('href="/id/japan"') < page.text.index("Go to the front page")
    hostile = client.get("/id/%3Cscript%3E", headers={"Accept": BROWSER})
    assert hostile.status_code == 404 and "<script>" not in hostile.text


def test_an_unexpected_failure_is_a_page_for_a_browser(kg_store: OxigraphStore) -> None:
    app: FastAPI = create_app(Settings(store="memory"), store=kg_store)

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/broken", headers={"Accept": BROWSER})
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "a bug" not in page.text and "Error 500" in page.text
    assert client.get("/broken").status_code == 500


def _sections(text: str) -> list[str]:
    return re.findall(r'<section class="fact-group" id="facts-([a-z]+)"', text)


def test_facts_come_in_a_readers_order(client: TestClient) -> None:
    text = client.get(f"/id/{MOC}", headers={"Accept": BROWSER}).text
    assert _sections(text) == ["names", "kind", "parties", "dates", "areas", "clauses", "related"]
    areas = re.findall(r"Area ([ivx]+)\) of the India-Japan", text[text.index('id="facts-areas"'):text.index('id="facts-clauses"')])
    assert areas == ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"]  # as the MoC numbers them
    clauses = text[text.index('id="facts-clauses"'):text.index('id="facts-related"')]
    assert clauses.index("Commencement provision") < clauses.index("Renewal provision") < \
        clauses.index("Dispute settlement provision")
    assert 'href="#ev-' in text  # each fact links to the evidence that states it
    assert 'href="/sources/source-003"' in text  # and the evidence to its span in the whole text
    assert client.get("/sources/source-003", headers={"Accept": BROWSER}).status_code == 200


def test_vocabulary_terms_link_to_their_documentation(client: TestClient) -> None:
    text = client.get(f"/id/{MOC}", headers={"Accept": BROWSER}).text
    anchors = set(read_anchors(client.get("/ontology", headers={"Accept": "text/html"}).text).values())
    linked = set(re.findall(r'href="/ontology#([^"]+)"', text))
    assert {"party", "Instrument", "idd:MemorandumOfCooperation"} <= linked
    assert linked <= anchors
    assert 'href="https://w3id.org/' not in text


def test_quotes_are_plain_text(client: TestClient) -> None:
    text = client.get(f"/id/{MOC}-area-artificial-intelligence", headers={"Accept": BROWSER}).text
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", text, re.DOTALL)
    assert "ii) Artificial Intelligence" in quotes and not [q for q in quotes if "**" in q]
    assert plain_text("**For the Ministry\nof X**") == "For the Ministry\nof X"
    assert plain_text("ii) a_b * c # d") == "ii) a_b * c # d"


@pytest.mark.parametrize(("name", "query", "expected"), [
    ("japan", "counterparts", "/id/india"),
    ("meity", "actor-instruments", "/id/meity-negotiated-ftas"),
    ("meity", "counterparts", "/id/france"),
    ("gpai", "forum-references", f"/id/{MOC}"),
    ("gpai", "forum-actors", "/id/meti"),
    ("artificial-intelligence", "partners-in-area", "/id/france"),
    ("artificial-intelligence", "instruments", f"/id/{MOC}"),
])
def test_each_kind_gets_its_panels(client: TestClient, name: str, query: str, expected: str) -> None:
    text = client.get(f"/id/{name}", headers={"Accept": BROWSER}).text
    panels = [p for p in text.split('<section class="panel"')[1:] if f"<code>{query}</code>" in p]
    assert panels, f"/id/{name} has no panel of {query}"
    panel = panels[0].split("</section>")[0]
    assert f'href="{expected}"' in panel
    for media, format_name in (("application/json", "json"), ("text/csv", "csv")):
        url = re.search(rf'<a href="([^"]+)" type="{media}">', panel).group(1).replace("&amp;", "&")
        assert f"format={format_name}" in url
        answer = client.get(url)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), url
        assert expected.removeprefix("/id/") in answer.text


def test_a_profile_is_cached_and_revalidated(client: TestClient) -> None:
    first = client.get("/id/japan", headers={"Accept": BROWSER})
    again = client.get("/id/japan", headers={"Accept": BROWSER, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/id/japan", headers={"Accept": BROWSER}).text == first.text


def test_the_site_serves_its_stylesheet(live_server: str) -> None:
    style = httpx.get(live_server + "/static/site/site.css")
    assert style.status_code == 200 and "@media (max-width" in style.text
