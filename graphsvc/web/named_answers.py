"""Named queries as the pages run them: the catalog's query, the values bound as RDF terms, the
request's time budget, and the links to the same answer on the JSON API.

A page shows what `GET /api/<name>?...` gives a program: the same query file, the same values
(read and checked by graphsvc.named_params), the same budget (GRAPHSVC_QUERY_TIMEOUT). A value
the query refuses, a query over budget or a failing engine makes the answer carry a message
instead of rows, so one panel that cannot be computed never takes the page down with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

from fastapi import Request

from graphsvc.answers import BudgetExceeded, QueryFailed
from graphsvc.budget import Budget
from graphsvc.catalog import NamedQuery, catalog
from graphsvc.named_params import ParameterError, bind_query, check_membership, read_params
from graphsvc.shaping import plain_objects

API_FORMATS = ("json", "csv")  # the formats a page links to (GET /api/<name>?format=...)


@dataclass(frozen=True)
class PageAnswer:
    """One named query's answer for a page: its rows as the JSON API gives them, or why not."""

    query: NamedQuery
    values: dict[str, str]
    items: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False  # rows beyond the page's limit exist
    problem: str | None = None  # why there are no rows to show (the query could not be answered)

    @property
    def complete(self) -> bool:
        return self.problem is None

    def api_url(self, format: str | None = None, root: str = "") -> str:
        """The same answer from the JSON API (with `format=json` or `csv`, or negotiated)."""
        pairs = list(self.values.items()) + ([("format", format)] if format else [])
        return f"{root}/api/{self.query.name}" + (f"?{urlencode(pairs)}" if pairs else "")

    def links(self, root: str = "") -> dict[str, str]:
        """The API's URL of this answer in each format the pages offer."""
        return {name: self.api_url(name, root) for name in API_FORMATS}


def answer(request: Request, name: str, values: Mapping[str, str], limit: int | None = None) -> PageAnswer:
    """Run the named query `name` with `values` (as a request's query string gives them)."""
    query = catalog()[name]
    shown = dict(values)
    if limit is not None and query.pagination:
        shown["limit"] = str(limit)
    given = {key: [value] for key, value in shown.items()}
    store = request.app.state.store
    settings = request.app.state.settings
    try:
        params = read_params(query, given)
        version = getattr(store, "data_version", None)
        check_membership(store, query, params, version() if callable(version) else None)
        max_rows = params.limit + 1 if params.limit is not None else (limit or settings.result_limit)
        result = store.execute(bind_query(query, params), query.form,
                               Budget(timeout_s=settings.query_timeout_s, max_rows=max_rows), trusted=True)
    except ParameterError as exc:
        return PageAnswer(query, shown, problem=f"parameter {exc.parameter!r}: {exc}")
    except (BudgetExceeded, QueryFailed) as exc:
        return PageAnswer(query, shown, problem=str(exc))
    more = params.limit is not None and len(result.rows) > params.limit
    if more:
        result.rows = result.rows[: params.limit]
    return PageAnswer(query, shown, plain_objects(result, query.lists), more=more or result.truncated)
