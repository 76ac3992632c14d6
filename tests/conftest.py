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
