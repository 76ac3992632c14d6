"""/docs works on a closed network: Swagger UI comes with the installed project, not from a CDN."""

from __future__ import annotations

import re

import httpx


def test_docs_page_uses_only_local_assets_and_they_are_served(live_server: str) -> None:
    page = httpx.get(live_server + "/docs", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert sources, "the page names its assets"
    for source in sources:
        assert source.startswith("/"), f"{source} is not served by the service itself"
        asset = httpx.get(live_server + source, timeout=30)
        assert asset.status_code == 200, source
    assert httpx.get(live_server + "/openapi.json", timeout=30).json()["info"]["title"]


def test_docs_render_in_a_browser_without_console_errors(browser, live_server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server + "/docs")
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".opblock")) > 10
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
