"""`graphsvc export` dumps everything with its named graphs; `graphsvc reset` empties the store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from graphsvc.store import OxigraphStore


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphsvc", *args], capture_output=True, timeout=120)


def test_help_lists_the_storage_commands() -> None:
    result = _cli("--help")
    assert result.returncode == 0
    for command in ("serve", "load", "query", "export", "reset"):
        assert command in result.stdout.decode()


def test_export_then_reset(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    trig = _cli("export", "--store", str(store_dir))  # the first open loads data/
    assert trig.returncode == 0, trig.stderr.decode()
    quads = list(ox.parse(trig.stdout, format=ox.RdfFormat.TRIG))
    nquads_file = tmp_path / "dump.nq"
    assert _cli("export", "--store", str(store_dir), "--format", "nquads", "-o", str(nquads_file)).returncode == 0
    from_file = list(ox.parse(path=str(nquads_file), format=ox.RdfFormat.N_QUADS))
    store = OxigraphStore(store_dir)
    assert len(quads) == len(from_file) == len(store) > 1000
    assert {q.graph_name for q in from_file} == set(store.named_graphs())
    del store

    refused = _cli("reset", "--store", str(store_dir))
    assert refused.returncode == 2 and b"--yes" in refused.stderr
    assert len(OxigraphStore(store_dir)) > 0
    assert _cli("reset", "--store", str(store_dir), "--yes").returncode == 0
    assert len(OxigraphStore(store_dir)) == 0
