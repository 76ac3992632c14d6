"""The embedded store fills itself from the project's files once, and the CLI drives it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from graphsvc import project
from graphsvc.bootstrap import ensure_loaded
from graphsvc.store import OxigraphStore


def test_first_open_loads_and_later_opens_do_not_reload(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    assert ensure_loaded(store) is True
    size = len(store)
    assert size > 0
    store.flush()
    del store
    reopened = OxigraphStore(tmp_path / "store")
    assert ensure_loaded(reopened) is False
    assert len(reopened) == size


def test_each_data_file_has_its_own_named_graph(kg_store: OxigraphStore) -> None:
    graphs = {g.value for g in kg_store.named_graphs()}
    assert project.ONTOLOGY_GRAPH in graphs
    for path in project.data_files():
        assert project.data_graph_iri(path) in graphs


def test_replace_graph_swaps_content(tmp_path: Path) -> None:
    store = OxigraphStore()
    graph = ox.NamedNode("https://w3id.org/iddkg/graph/test")
    a = ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal('say "hi"'))
    b = ox.Quad(ox.NamedNode("urn:b"), ox.NamedNode("urn:p"), ox.Literal("x", language="en"))
    store.replace_graph(graph, [a])
    store.replace_graph(graph, [b])
    # every graph but the meta graph, which holds the store's data version
    rows = list(store.query("SELECT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                            "FILTER(?g != <https://w3id.org/iddkg/graph/meta>) }"))
    assert [r["s"] for r in rows] == [ox.NamedNode("urn:b")]


def test_cli_help_lists_serve() -> None:
    result = subprocess.run([sys.executable, "-m", "graphsvc", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "serve" in result.stdout


def test_cli_query_refuses_updates() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "graphsvc", "query", "--store", "memory", "DELETE WHERE { ?s ?p ?o }"],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "read-only" in result.stderr
