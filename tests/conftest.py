"""Shared fixtures: the project's graph loaded once into an in-memory store."""

from __future__ import annotations

import pytest

from graphsvc.bootstrap import load_project
from graphsvc.store import OxigraphStore


@pytest.fixture(scope="session")
def kg_store() -> OxigraphStore:
    """An in-memory store holding the ontology and all of data/, as the service loads them."""
    store = OxigraphStore()
    load_project(store)
    return store


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    """`graphsvc serve` in a child process on 127.0.0.1, with a fresh on-disk store; stopped after."""
    from tests.server import running_service

    store_dir = tmp_path_factory.mktemp("store")
    with running_service(store_dir) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):
    """A private Virtuoso on 127.0.0.1 (own database and virtuoso.ini), stopped and removed after."""
    from tests.virtuoso import running_virtuoso

    with running_virtuoso(tmp_path_factory.mktemp("virtuoso") / "db") as server:
        yield server


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Selenium, with a fresh profile; closed after the module."""
    import shutil
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

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
