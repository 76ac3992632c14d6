"""The coverage report: counts per class, per source, and the share of statements with evidence."""

from __future__ import annotations

from typing import Any

from graphsvc.catalog import catalog
from graphsvc.results import plain_rows
from graphsvc.store import GraphStore

SECTIONS = {"classes": "stats-classes", "sources": "stats-sources", "evidence": "stats-evidence"}


def coverage_report(store: GraphStore) -> dict[str, Any]:
    """Every section of the report, each the rows of its named query."""
    queries = catalog()
    report: dict[str, Any] = {}
    for section, name in SECTIONS.items():
        report[section] = plain_rows(store.query(queries[name].text))  # type: ignore[arg-type]
    report["evidence"] = report["evidence"][0]
    report["quads"] = len(store)
    return report
