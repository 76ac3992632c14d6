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
