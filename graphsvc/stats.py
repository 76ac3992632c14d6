"""The coverage report: counts per class, per source, and the share of statements with evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphsvc import aggregates
from graphsvc.answers import QueryAnswer
from graphsvc.budget import Budget
from graphsvc.catalog import catalog
from graphsvc.results import plain_rows, plain_value
from graphsvc.store import GraphStore

if TYPE_CHECKING:
    from graphsvc.config import Settings

SECTIONS = {"classes": "stats-classes", "sources": "stats-sources", "evidence": "stats-evidence"}


def _assemble(sections: dict[str, list[dict[str, Any]]], quads: int) -> dict[str, Any]:
    report: dict[str, Any] = dict(sections)
    report["evidence"] = report["evidence"][0]
    report["quads"] = quads
    return report


def coverage_report(store: GraphStore) -> dict[str, Any]:
    """Every section of the report, each the rows of its named query, computed here and now."""
    queries = catalog()
    sections = {section: plain_rows(store.query(queries[name].text))  # type: ignore[arg-type]
                for section, name in SECTIONS.items()}
    return _assemble(sections, len(store))


def _rows(answer: QueryAnswer) -> list[dict[str, Any]]:
    return [{name: plain_value(row.get(name)) for name in answer.variables} for row in answer.rows]


def coverage_snapshot(store: GraphStore, budget: Budget) -> tuple[dict[str, Any], str | None]:
    """The same report, every section read from one state of the store (in a query worker for the
    embedded store, under `budget`), and the data version of that state."""
    queries = catalog()
    snapshot = aggregates.read_consistently(store, [(queries[name].text, "SELECT") for name in SECTIONS.values()], budget,
                                            count_quads=True)
    sections = {section: _rows(answer) for section, answer in zip(SECTIONS, snapshot.answers)}
    return _assemble(sections, snapshot.quads), snapshot.version


def latest_report(store: GraphStore, settings: "Settings") -> "aggregates.Served[dict[str, Any]]":
    """The report as /api/stats and the front page serve it: computed once per data version in
    the background (graphsvc.aggregates), the last value while a newer one computes."""
    return aggregates.latest(store, settings, "coverage-report",
                             lambda: coverage_snapshot(store, aggregates.background_budget(settings)))
