"""Raw Virtuoso: each case's query text exactly as the service sends it, POSTed to the server's
/sparql endpoint over plain HTTP and every row read; and whether both engines give the same answer.

What the service sends for a named query (graphsvc.remote_store.RemoteStore.execute): the bound
text (bench.cases.Case.text) with `LIMIT result limit + 1` appended where that is valid, the time
budget as Virtuoso's `timeout` parameter (the request's budget, or the background budget for a
`refresh: background` query), one connection per request (as urllib opens them; keep-alive to
Virtuoso 7.2.5 stalled in an earlier probe). The membership checks and data-version reads the
service adds are what the service's figures show beside these.

The comparison is the parity tests' own (tests/engine_parity.py): the same text on the
embedded store and on Virtuoso, rows compared value by value and in order.
"""

from __future__ import annotations

import http.client
import io
import time
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

from bench.cases import Case
from bench.worker import consume, repeat, summary
from graphsvc.catalog import catalog
from graphsvc.remote_store import _GRAPH_ACCEPT, _GRAPH_MEDIA, _RESULTS_JSON, readable_results, with_row_cap

_DIFFERENCE_CHARS = 800


def sent_text(case: Case, result_limit: int) -> str:
    """The query text the service sends to the SPARQL server for this case."""
    text = case.text()
    return with_row_cap(text, result_limit + 1) if case.form == "SELECT" else text


def sent_timeout_ms(case: Case, query_timeout_s: float, aggregate_timeout_s: float) -> int:
    """The `timeout` (ms) the service sends with this case's query."""
    background = catalog()[case.query].refresh == "background"
    return max(1, round((aggregate_timeout_s if background else query_timeout_s) * 1000))


class RawEndpoint:
    """POST a query to a SPARQL endpoint as a form, read the whole answer, parse every row."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path

    def ask(self, text: str, form: str, timeout_ms: int) -> int:
        """The number of rows (or triples, or the boolean as 0/1) of the answer."""
        graph = form in ("CONSTRUCT", "DESCRIBE")
        body = urlencode({"query": text, "timeout": str(timeout_ms)}).encode()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=900)
        try:
            conn.request("POST", self.path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Connection": "close",
                "Accept": _GRAPH_ACCEPT if graph else _RESULTS_JSON})
            response = conn.getresponse()
            answer = response.read()
            media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"Virtuoso answered {response.status}: {answer[:500]!r}")
        if graph:
            return sum(1 for _ in ox.parse(io.BytesIO(answer), format=_GRAPH_MEDIA.get(media, ox.RdfFormat.TURTLE)))
        return consume(ox.parse_query_results(readable_results(answer), format=ox.QueryResultsFormat.JSON))


def raw_latencies(endpoint: RawEndpoint, selected: list[Case], budget_s: float, result_limit: int,
                  query_timeout_s: float, aggregate_timeout_s: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for case in selected:
        text = sent_text(case, result_limit)
        timeout_ms = sent_timeout_ms(case, query_timeout_s, aggregate_timeout_s)
        rows = endpoint.ask(text, case.form, timeout_ms)
        stats = repeat(lambda: endpoint.ask(text, case.form, timeout_ms), budget_s=budget_s)
        out[case.name] = {**stats, "rows": rows}
    return out


def raw_first_calls(endpoint: RawEndpoint, selected: list[Case], rounds: int, renew: Callable[[], None],
                    result_limit: int, query_timeout_s: float, aggregate_timeout_s: float) -> dict[str, Any]:
    """Each case's text sent raw in the conditions of the service's first calls: per round, the data
    version renewed and the same wait (`renew`), then one call of each case, in the same order.

    A server that has been idle for a second answers the next query 2-3 ms slower than one in a
    tight loop (measured on this machine, with or without a write before), so a raw median from
    repeated runs is no baseline for a call that comes after such a pause."""
    times: dict[str, list[float]] = {case.name: [] for case in selected}
    for _ in range(rounds):
        renew()
        for case in selected:
            text = sent_text(case, result_limit)
            timeout_ms = sent_timeout_ms(case, query_timeout_s, aggregate_timeout_s)
            started = time.perf_counter()
            endpoint.ask(text, case.form, timeout_ms)
            times[case.name].append(time.perf_counter() - started)
    return {name: {**summary(found), "runs_ms": [round(t * 1000, 2) for t in found]} for name, found in times.items()}


def same_answers(embedded: Any, remote: Any, selected: list[Case], result_limit: int) -> dict[str, Any]:
    """Per case: whether both stores answer the text the service sends alike (the parity test's check)."""
    from tests.engine_parity import assert_named_query_same

    out: dict[str, Any] = {}
    for case in selected:
        try:
            assert_named_query_same(case.name, case.query, sent_text(case, result_limit), embedded, remote)
            out[case.name] = {"same": True}
        except AssertionError as exc:
            out[case.name] = {"same": False, "difference": str(exc)[:_DIFFERENCE_CHARS]}
        except Exception as exc:  # noqa: BLE001 - a failure on either engine is a finding, not a crash
            out[case.name] = {"same": False, "difference": f"{type(exc).__name__}: {exc}"[:_DIFFERENCE_CHARS]}
    return out
