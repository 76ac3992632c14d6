"""The coverage report, from the command line and over HTTP, agrees with the graph."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx

from graphsvc.stats import coverage_report
from graphsvc.store import OxigraphStore


def test_report_counts_classes_and_evidence(kg_store: OxigraphStore) -> None:
    report = coverage_report(kg_store)
    by_class = {row["class"]: row["count"] for row in report["classes"]}
    ministries = kg_store.query(
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a <https://w3id.org/iddkg/ontology#Ministry> }")
    assert by_class["https://w3id.org/iddkg/ontology#Ministry"] == int(next(iter(ministries))["n"].value)
    evidence = report["evidence"]
    assert evidence["statements"] > 0
    assert evidence["withEvidence"] == evidence["statements"]
    assert len(report["sources"]) == 5


def test_stats_over_http_matches_the_cli(live_server: str) -> None:
    over_http = httpx.get(live_server + "/api/stats", timeout=30).json()
    cli = subprocess.run([sys.executable, "-m", "graphsvc", "stats", "--json", "--store", "memory"],
                         capture_output=True, text=True, check=True)
    from_cli = json.loads(cli.stdout)
    assert over_http["evidence"] == from_cli["evidence"]
    assert over_http["classes"] == from_cli["classes"]
