"""The dashboard at /dashboard: the named queries it is drawn from, and the page itself in a real
headless Chromium (Debian's chromium + chromedriver) on the project's graph.

The page exposes what it drew through `window.dashboard` (the Cytoscape, vis-timeline and Chart.js
instances and the rows behind them) and data attributes, so the tests read the drawing's state
rather than pixels; clicks are real clicks at the drawn positions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.store import OxigraphStore
from graphsvc.web import dashboard

KG = "https://w3id.org/iddkg/id/"
IDD = "https://w3id.org/iddkg/ontology#"
MOC = KG + "india-japan-digital-partnership-2-0-moc"
MOU = KG + "india-france-digital-technologies-mou"
FRANCE, JAPAN, GPAI = KG + "france", KG + "japan", KG + "gpai"
ROUNDTABLE = KG + "india-france-ai-policy-roundtable-2"


@pytest.fixture(scope="module")
def client(kg_store: OxigraphStore) -> TestClient:
    return TestClient(create_app(Settings(store="memory"), store=kg_store))


def _items(client: TestClient, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _partners(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["partner"]["iri"]: row["cooperation"] for row in rows}


# --- the named queries behind the views ---------------------------------------------------------

def test_partner_network_links_countries_and_forums_through_shared_items(client: TestClient) -> None:
    rows = _items(client, "/api/partner-network")
    partners = _partners(rows)
    assert {FRANCE, JAPAN, GPAI, KG + "united-nations", KG + "g20"} <= set(partners)
    assert KG + "india" not in partners
    for partner, count in partners.items():  # `cooperation` counts the partner's distinct items
        assert count == len({r["item"]["iri"] for r in rows if r["partner"]["iri"] == partner})
    assert partners[FRANCE] > partners[GPAI] >= 1 and partners[JAPAN] > partners[GPAI]
    japan_moc = [r for r in rows if r["partner"]["iri"] == JAPAN and r["item"]["iri"] == MOC]
    assert japan_moc and {r["via"]["iri"] for r in japan_moc} == {KG + "meti"}, "Japan takes part through METI"
    gpai = {r["item"]["iri"] for r in rows if r["partner"]["iri"] == GPAI}
    assert MOC in gpai, "the MoC refers to GPAI through a commitment"
    roundtable = [r for r in rows if r["item"]["iri"] == ROUNDTABLE]
    assert {r["partner"]["iri"] for r in roundtable} == {FRANCE}
    assert roundtable[0]["itemType"]["iri"] == IDD + "Event"


def test_partner_network_filters(client: TestClient) -> None:
    semiconductors = _partners(_items(client, "/api/partner-network?area=kg:semiconductors"))
    assert JAPAN in semiconductors and FRANCE not in semiconductors
    planned = _items(client, "/api/partner-network?status=idd:Planned")
    planned_instruments = {r["instrument"]["iri"] for r in _items(client, "/api/instruments?status=idd:Planned&limit=500")
                           if r["partnerCount"]}
    assert planned_instruments >= {KG + "india-france-maritime-surveillance-pact", KG + "india-france-cyber-digital-agreement"}
    assert {r["item"]["iri"] for r in planned} == planned_instruments
    by_kind = _items(client, "/api/partner-network?kind=idd:MemorandumOfCooperation")
    assert by_kind and {r["itemType"]["iri"] for r in by_kind} == {IDD + "Instrument"}
    since = {r["item"]["iri"] for r in _items(client, "/api/partner-network?from=2025-01-01&to=2025-12-31")}
    assert {MOC, ROUNDTABLE} <= since
    signed = {r["instrument"]["iri"] for r in _items(client, "/api/instruments?signedFrom=2025-01-01&signedTo=2025-12-31&limit=500")}
    held = {r["event"]["iri"] for r in _items(client, "/api/events?from=2025-01-01&to=2025-12-31&limit=500")}
    assert since <= signed | held, "only items signed or held in the range"
    wrong = client.get("/api/partner-network?area=kg:france")  # a country is not a technology area
    assert 400 <= wrong.status_code < 500 and wrong.json()["parameter"] == "area"


def test_area_partners_counts_per_area_and_partner_country(client: TestClient) -> None:
    rows = _items(client, "/api/area-partners")
    digital = [r for r in rows if r["area"]["iri"] == KG + "digital-technologies"]
    in_area = _items(client, "/api/instruments?area=kg:digital-technologies&limit=500")
    assert {r["areaInstruments"] for r in digital} == {len(in_area)} and len(in_area) >= 6
    by_partner = {(r["partner"] or {}).get("iri"): r["instruments"] for r in digital}
    assert {FRANCE, JAPAN, None} <= set(by_partner), "a row for the instruments without a partner country"
    for partner in (FRANCE, JAPAN):  # the same count as the instruments of that partner in the area
        listed = _items(client, f"/api/instruments?area=kg:digital-technologies&partner={partner}&limit=500")
        assert by_partner[partner] == len(listed)
    assert by_partner[None] == len([r for r in in_area if r["partnerCount"] == 0])
    totals = [r["areaInstruments"] for r in rows]
    assert totals == sorted(totals, reverse=True), "rows in the order of the areas' counts"
    within = _items(client, "/api/area-partners?within=kg:semiconductors&status=idd:Signed")
    assert {r["area"]["label"] for r in within} == {"semiconductors", "advanced packaging", "display ecosystem",
                                                     "microelectronics", "next generation semiconductors"}
    assert {r["partner"]["iri"] for r in within} == {JAPAN}
    assert _items(client, "/api/area-partners?from=2026-01-01") == []


def test_the_timeline_queries_filter_by_status_and_area(client: TestClient) -> None:
    planned = _items(client, "/api/instruments?status=idd:Planned&limit=500")
    assert planned and all(r["status"]["iri"] == IDD + "Planned" for r in planned)
    every = _items(client, "/api/instruments?limit=500")
    assert len(planned) < len(every)
    moc = next(r for r in every if r["instrument"]["iri"] == MOC)
    assert (moc["entryIntoForceDate"], moc["endDate"]) == ("2025-08-25", "2030-08-25")
    mou = next(r for r in every if r["instrument"]["iri"] == MOU)
    assert (mou["signingDate"], mou["entryIntoForceDate"], mou["endDate"]) == (None, None, None)
    ai_events = {r["event"]["iri"] for r in _items(client, "/api/events?area=kg:artificial-intelligence")}
    assert ROUNDTABLE in ai_events
    assert _items(client, "/api/events?area=kg:semiconductors") == []


def test_one_event_in_full_quotes_its_evidence(client: TestClient) -> None:
    facets = client.get("/api/event", params={"event": "kg:india-france-ai-policy-roundtable-2"}).json()["facets"]
    assert facets["date"][0]["value"] == "2025-02-10"
    assert {p["value"]["iri"] for p in facets["participant"]} == {KG + "india", FRANCE}
    assert facets["sideEventOf"][0]["value"]["iri"] == KG + "ai-action-summit-2025"
    dated = [e for e in facets["evidence"] if e["property"]["iri"] == IDD + "date"]
    assert dated and "February 10, 2025" in dated[0]["quote"]
    wrong = client.get("/api/event", params={"event": "kg:france"})
    assert 400 <= wrong.status_code < 500 and wrong.json()["parameter"] == "event"


def test_concepts_of_a_scheme_for_the_menus(client: TestClient) -> None:
    statuses = {r["concept"]["iri"]: r["concept"]["label"] for r in _items(client, "/api/concepts?scheme=idd:InstrumentStatuses")}
    assert statuses == {IDD + "Planned": "planned", IDD + "ApprovedForSigning": "approved for signing",
                        IDD + "Signed": "signed", IDD + "Announced": "announced"}
    kinds = _items(client, "/api/concepts?scheme=idd:InstrumentKinds")
    assert IDD + "MemorandumOfCooperation" in {r["concept"]["iri"] for r in kinds}
    assert client.get("/api/concepts").status_code == 422


# --- the page -----------------------------------------------------------------------------------

def test_the_drawing_libraries_are_installed() -> None:
    assert dashboard.missing_assets() == [], (
        f"missing from {dashboard.ASSETS_DIR}: run scripts/install (npm ci in web/ and the copy steps)")


def test_without_the_libraries_the_page_says_how_to_install_them(client: TestClient, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "ASSETS_DIR", tmp_path / "missing")
    page = client.get("/dashboard", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "scripts/install" in page.text and "cytoscape/cytoscape.min.js" in page.text
    assert "<script" not in page.text.split("</footer>")[1] and "data-libraries" not in page.text


def test_the_page_loads_only_files_of_the_service(live_server: str) -> None:
    page = httpx.get(live_server + "/dashboard", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", page.text)
    libraries = re.search(r'data-libraries="([^"]*)"', page.text).group(1).split()  # loaded by dashboard.js
    assert set(libraries) == {"/static/cytoscape/cytoscape.min.js", "/static/vis-timeline/vis-timeline-graph2d.min.js",
                              "/static/chartjs/chart.umd.min.js"}
    assert "/static/site/dashboard.js" in sources
    sources += libraries
    for source in sources:
        if source.startswith("data:"):
            continue
        assert source.startswith("/"), f"{source} is not served by the service itself"
        assert httpx.get(live_server + source, timeout=30).status_code == 200, source


def _severe(browser: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _outside_requests(browser: webdriver.Chrome) -> list[str]:
    urls = browser.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name))")
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname != "127.0.0.1"]


def _assert_clean(browser: webdriver.Chrome) -> None:
    assert _severe(browser) == []
    assert _outside_requests(browser) == []


def _open(browser: webdriver.Chrome, live_server: str, query: str = "") -> None:
    browser.get(f"{live_server}/dashboard{query}")
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(
        "return Boolean(window.dashboard && ((window.dashboard.ready && window.dashboard.menus) || window.dashboard.error))"))
    assert browser.execute_script("return window.dashboard.error") is None


def _drawn_partners(browser: webdriver.Chrome) -> set[str]:
    return set(browser.execute_script("return window.dashboard.cy.nodes('.partner').map(n => n.id())"))


def _wait_for_render(browser: webdriver.Chrome, after: int) -> None:
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return window.dashboard.renders > arguments[0] && !window.dashboard.loading", after))


def _wait_for_detail(browser: webdriver.Chrome, iri: str) -> dict[str, Any]:
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "const p = document.getElementById('detail');"
        "return !p.hidden && p.dataset.state === 'ready' && p.dataset.iri === arguments[0]", iri))
    return browser.execute_script("return window.dashboard.detail")


def _click_at(browser: webdriver.Chrome, element: Any, x: float, y: float) -> None:
    """A real click at (x, y) in `element`'s own pixels (Selenium offsets from its centre)."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    width, height = element.size["width"], element.size["height"]
    ActionChains(browser).move_to_element_with_offset(element, int(x - width / 2), int(y - height / 2)).click().perform()


def test_the_page_loads_with_no_console_error_and_no_outside_request(browser: webdriver.Chrome, live_server: str,
                                                                      tmp_path: Path) -> None:
    _open(browser, live_server)
    browser.save_screenshot(str(tmp_path / "dashboard-laptop.png"))
    assert (tmp_path / "dashboard-laptop.png").stat().st_size > 10_000
    _assert_clean(browser)
    menus = browser.execute_script(
        "return ['area', 'kind', 'status'].map(n => document.getElementById('filter-' + n).options.length)")
    assert all(count > 2 for count in menus), menus
    first = browser.execute_script("return window.dashboard.timings.firstRenderMs")
    assert isinstance(first, int) and first > 0


def test_the_network_shows_india_s_partners(browser: webdriver.Chrome, live_server: str) -> None:
    _open(browser, live_server)
    drawn = _drawn_partners(browser)
    assert {FRANCE, JAPAN, GPAI, KG + "united-nations", KG + "g20", KG + "brics",
            KG + "hiroshima-ai-process-friends-group"} <= drawn
    assert KG + "india" not in drawn
    sizes = browser.execute_script(
        "const cy = window.dashboard.cy; return [arguments[0], arguments[1], arguments[2]].map(i => cy.$id(i).width())",
        FRANCE, JAPAN, GPAI)
    assert sizes[0] > sizes[1] > sizes[2], f"sized by how much they share: {sizes}"
    shared = browser.execute_script(
        "return window.dashboard.cy.$id(arguments[0]).neighborhood('node').map(n => n.id())", GPAI)
    assert MOC in shared
    chips = {b.get_attribute("data-iri") for b in browser.find_elements(By.CSS_SELECTOR, "#partner-list button")}
    assert chips == drawn
    _assert_clean(browser)


def test_a_filter_by_area_changes_what_is_drawn(browser: webdriver.Chrome, live_server: str) -> None:
    _open(browser, live_server)
    before = _drawn_partners(browser)
    items_before = browser.execute_script("return window.dashboard.cy.nodes('.item').length")
    renders = browser.execute_script("return window.dashboard.renders")
    Select(browser.find_element(By.ID, "filter-area")).select_by_value(KG + "semiconductors")
    _wait_for_render(browser, renders)
    after = _drawn_partners(browser)
    assert JAPAN in after and FRANCE not in after and after < before
    assert browser.execute_script("return window.dashboard.cy.nodes('.item').length") < items_before
    assert "area=" in browser.current_url, "the filter is kept in the address"
    bars = browser.execute_script("return window.dashboard.areas.drawn.map(a => a.label)")
    assert bars[0] == "semiconductors" and "digital technologies" not in bars
    unknown = {e.get_attribute("data-iri") for e in browser.find_elements(By.CSS_SELECTOR, "#timeline-unknown li[data-iri]")}
    assert MOU not in unknown, "the timeline follows the filter too"
    _assert_clean(browser)


def test_status_and_dates_filter_what_is_drawn(browser: webdriver.Chrome, live_server: str) -> None:
    _open(browser, live_server)
    renders = browser.execute_script("return window.dashboard.renders")
    Select(browser.find_element(By.ID, "filter-status")).select_by_value(IDD + "Planned")
    _wait_for_render(browser, renders)
    drawn = _drawn_partners(browser)
    assert FRANCE in drawn and JAPAN not in drawn, "only the partners of planned instruments"
    assert browser.execute_script("return window.dashboard.timeline.unknown.length") == 0
    assert "events have no kind or status" in browser.find_element(By.ID, "dashboard-status").text
    renders = browser.execute_script("return window.dashboard.renders")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=reset]").click()
    _wait_for_render(browser, renders)
    renders = browser.execute_script("return window.dashboard.renders")
    since = browser.find_element(By.ID, "filter-from")
    browser.execute_script("arguments[0].value = '2025-01-01'; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", since)
    _wait_for_render(browser, renders)
    items = set(browser.execute_script("return window.dashboard.network.items.map(i => i.iri)"))
    assert {MOC, ROUNDTABLE} <= items and MOU not in items and KG + "japan-india-startup-initiative" not in items
    entries = browser.execute_script("return window.dashboard.timeline.entries")
    assert {MOC, ROUNDTABLE} <= {e["iri"] for e in entries}
    assert all(e["start"] >= "2025-01-01" or (e.get("end") or "") >= "2025-01-01" for e in entries)
    _assert_clean(browser)


def test_a_click_on_a_node_opens_the_detail_with_the_evidence_quote(browser: webdriver.Chrome, live_server: str,
                                                                    tmp_path: Path) -> None:
    _open(browser, live_server)
    network = browser.find_element(By.ID, "network")
    x, y = browser.execute_script("const p = window.dashboard.cy.$id(arguments[0]).renderedPosition(); return [p.x, p.y]", MOC)
    _click_at(browser, network, x, y)
    detail = _wait_for_detail(browser, MOC)
    assert detail["kind"] == "instrument" and "Digital Partnership 2.0" in detail["title"]
    panel = browser.find_element(By.ID, "detail")
    text = panel.text
    assert "Ashwini Vaishnaw" in text and "Muto Yoji" in text, "signatories"
    assert "Ministry of Economy, Trade and Industry of Japan" in text, "parties"
    assert "2025-08-25" in text and "2030-08-25" in text, "dates"
    assert "Renewal provision" in text or "renewal" in text.lower(), "clauses"
    quotes = [q.text for q in panel.find_elements(By.CSS_SELECTOR, "blockquote.evidence-quote")]
    assert any("August" in q and "25" in q for q in quotes), "the sentence of the source that gives the signing date"
    link = panel.find_element(By.CSS_SELECTOR, "a.id-page").get_attribute("href")
    assert link == f"{live_server}/id/india-japan-digital-partnership-2-0-moc"
    browser.save_screenshot(str(tmp_path / "dashboard-detail.png"))
    _assert_clean(browser)


def test_a_click_on_a_bar_and_on_a_timeline_item_open_their_detail(browser: webdriver.Chrome, live_server: str) -> None:
    _open(browser, live_server)
    canvas = browser.find_element(By.ID, "areas-chart")
    index = browser.execute_script("return window.dashboard.areas.drawn.findIndex(a => a.label === 'semiconductors')")
    x, y = browser.execute_script(
        "const chart = window.dashboard.chart;"
        "const set = chart.data.datasets.findIndex(d => d.data[arguments[0]] > 0);"
        "const bar = chart.getDatasetMeta(set).data[arguments[0]].getCenterPoint(); return [bar.x, bar.y]", index)
    _click_at(browser, canvas, x, y)
    _wait_for_detail(browser, KG + "semiconductors")
    listed = {b.get_attribute("data-iri") for b in browser.find_elements(By.CSS_SELECTOR, "#detail-body li button")}
    assert {MOC, KG + "india-japan-semiconductor-supply-chain-moc"} <= listed
    assert FRANCE not in listed and MOU not in listed
    browser.find_element(By.ID, "detail-close").click()
    entry = browser.find_element(By.CSS_SELECTOR, f'#timeline .vis-item span[data-iri="{ROUNDTABLE}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", entry)
    entry.click()
    detail = _wait_for_detail(browser, ROUNDTABLE)
    assert detail["kind"] == "event" and any("February 10, 2025" in q for q in detail["quotes"])
    _assert_clean(browser)


def test_the_timeline_draws_the_in_force_period_and_dates_unknown(browser: webdriver.Chrome, live_server: str) -> None:
    _open(browser, live_server)
    entries = browser.execute_script("return window.dashboard.timeline.entries")
    moc = [e for e in entries if e["iri"] == MOC]
    assert [(e["kind"], e["start"], e["end"]) for e in moc] == [("in-force", "2025-08-25", "2030-08-25")]
    ranges = browser.find_elements(By.CSS_SELECTOR, f'#timeline .vis-item.vis-range.in-force span[data-iri="{MOC}"]')
    assert len(ranges) == 1
    drawn = ranges[0].find_element(By.XPATH, "ancestor::div[contains(@class, 'vis-range')]")
    assert drawn.size["width"] > 20, "the period is drawn as a bar of its length"
    assert not [e for e in entries if e["iri"] == MOU], "no date, so nothing on the axis"
    unknown = browser.find_element(By.CSS_SELECTOR, f'#timeline-unknown li[data-iri="{MOU}"]')
    assert "dates unknown" in unknown.text
    assert "approved for signing" in unknown.text
    planned = {e.get_attribute("data-iri") for e in browser.find_elements(By.CSS_SELECTOR, "#timeline-planned li[data-iri]")}
    assert {KG + "india-france-maritime-surveillance-pact", KG + "india-france-cyber-digital-agreement"} <= planned
    statuses = browser.execute_script(
        "return Object.fromEntries(window.dashboard.timeline.planned.map(p => [p.iri, p.type]))")
    assert set(statuses) == planned
    assert not planned & {e["iri"] for e in entries if e["group"] != "planned"}, "planned ones apart"
    year_only = [e for e in entries if e["iri"] == KG + "ai-action-summit-2025"]
    assert year_only and "only the year is known" in year_only[0]["title"]
    _assert_clean(browser)


def test_the_dashboard_works_from_the_keyboard(browser: webdriver.Chrome, live_server: str) -> None:
    _open(browser, live_server)
    chip = browser.find_element(By.CSS_SELECTOR, f'#partner-list button[data-iri="{JAPAN}"]')
    chip.send_keys(Keys.ENTER)
    _wait_for_detail(browser, JAPAN)
    assert browser.switch_to.active_element.get_attribute("id") == "detail", "the focus moves to the panel"
    item = browser.find_element(By.CSS_SELECTOR, f'#detail-body button[data-iri="{MOC}"]')
    item.send_keys(Keys.ENTER)
    _wait_for_detail(browser, MOC)
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.getElementById('detail').hidden"))
    assert browser.switch_to.active_element.get_attribute("data-iri") == JAPAN, "the focus goes back where it was"
    unknown = browser.find_element(By.CSS_SELECTOR, f'#timeline-unknown button[data-iri="{MOU}"]')
    unknown.send_keys(Keys.ENTER)
    detail = _wait_for_detail(browser, MOU)
    assert detail["quotes"], "the MoU's evidence is quoted"
    assert "Dates unknown" in browser.find_element(By.ID, "detail").text
    _assert_clean(browser)


def test_at_phone_width_nothing_scrolls_sideways(browser: webdriver.Chrome, live_server: str, tmp_path: Path) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    try:
        _open(browser, live_server)
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]")
        assert widths[2] == 375 and widths[0] <= widths[1], f"horizontal scroll at 375 px: {widths}"
        browser.save_screenshot(str(tmp_path / "dashboard-phone.png"))
        assert (tmp_path / "dashboard-phone.png").stat().st_size > 5_000
        network = browser.find_element(By.ID, "network")
        assert 0 < network.size["width"] <= 375
        _assert_clean(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
