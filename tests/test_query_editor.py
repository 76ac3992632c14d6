"""The browser query editor, driven in a real headless Chromium (Debian's chromium + chromedriver)."""

from __future__ import annotations

import shutil
import tempfile

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    assert shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER), (
        "Chromium and ChromeDriver are missing: scripts/install --test installs Debian's chromium and chromium-driver")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_browsers_get_the_editor_and_programs_do_not(live_server: str) -> None:
    page = httpx.get(live_server + "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert "<textarea" in page.text
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", ""), "no outside resources"
    program = httpx.get(live_server + "/sparql", headers={"Accept": "*/*"})
    assert program.headers["content-type"].startswith("text/turtle")


def test_type_a_query_run_it_and_read_the_table(browser: webdriver.Chrome, live_server: str) -> None:
    browser.get(live_server + "/sparql")
    wait = WebDriverWait(browser, 20)
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#examples button")))
    editor = browser.find_element(By.ID, "query")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(
        "PREFIX idd: <https://w3id.org/iddkg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?name WHERE { ?m a idd:Ministry ; rdfs:label ?name } ORDER BY ?name")
    assert browser.find_elements(By.CSS_SELECTOR, "#highlight .kw"), "keywords are highlighted"
    browser.find_element(By.ID, "run").click()
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#results table tbody tr")))
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#results th")]
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#results tbody td")]
    assert header == ["name"]
    assert "Ministry of Electronics and Information Technology" in " ".join(cells)
    assert "rows" in browser.find_element(By.ID, "status").text
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a")]
    assert links == ["CSV", "TSV", "JSON", "XML"]


def test_an_example_is_one_click_away_and_errors_show_position(browser: webdriver.Chrome,
                                                                live_server: str) -> None:
    browser.get(live_server + "/sparql")
    wait = WebDriverWait(browser, 20)
    example = wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, "#examples button")))
    example.click()
    assert "SELECT" in browser.find_element(By.ID, "query").get_attribute("value")
    editor = browser.find_element(By.ID, "query")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys("SELECT * WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    wait.until(lambda d: "Error 400" in d.find_element(By.ID, "status").text)
    assert "line 1" in browser.find_element(By.ID, "status").text
