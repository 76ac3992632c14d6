"""Budgets for queries: how long one may run and how many rows it may return.

pyoxigraph's `Store.query` cannot be interrupted (an alarm does not stop an aggregate), so a
budgeted query runs in a forked worker process (graphsvc.query_workers) that is killed at the
deadline: the engine's work ends with it. `materialise` stops reading results after `max_rows`,
so a huge answer is cut, and marked as cut, instead of filling memory.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pyoxigraph as ox

from graphsvc.answers import QueryAnswer, QueryFailed

_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class Budget:
    timeout_s: float
    max_rows: int


def materialise(result: object, form: str, max_rows: int) -> QueryAnswer:
    """Read at most `max_rows` rows or triples of a pyoxigraph result into an answer."""
    if isinstance(result, ox.QueryBoolean) or form == "ASK":
        return QueryAnswer(form="ASK", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        triples: list[ox.Triple] = []
        for triple in result:
            if len(triples) == max_rows:
                return QueryAnswer(form=form, triples=triples, truncated=True)
            triples.append(triple)
        return QueryAnswer(form=form, triples=triples)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        if len(rows) == max_rows:
            return QueryAnswer(form="SELECT", variables=names, rows=rows, truncated=True)
        rows.append({name: term for name, term in zip(names, solution) if term is not None})
    return QueryAnswer(form="SELECT", variables=names, rows=rows)


def syntax_failure(exc: SyntaxError) -> QueryFailed:
    match = _POSITION.search(str(exc))
    line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
    return QueryFailed(f"SPARQL syntax error: {exc}", line, column, syntax=True)


# The engine's words for a query that asks for what it does not offer (an extension function it
# does not know): the query's fault, so a 400 that names it.
_UNSUPPORTED = re.compile(r"^The custom function <[^>]*> is not supported")


def query_failure(exc: BaseException) -> QueryFailed:
    """What an exception raised while running a query means for the client."""
    if isinstance(exc, SyntaxError):
        return syntax_failure(exc)
    if _UNSUPPORTED.match(str(exc)):
        return QueryFailed(f"{exc} by this endpoint: only the functions of SPARQL 1.1 (and XPath "
                           "casts) can be called", client=True)
    return QueryFailed(f"the query failed: {exc}")


def encode_failure(exc: BaseException) -> bytes:
    """An exception raised by a query, as bytes a worker process can send back."""
    failure = query_failure(exc)
    kind = 1 if failure.syntax else 2 if failure.client else 0
    return f"{failure.line or 0}:{failure.column or 0}:{kind}:{failure}".encode()


def decode_failure(data: bytes) -> QueryFailed:
    line, column, kind, message = data.decode("utf-8", errors="replace").split(":", 3)
    return QueryFailed(message, int(line) or None, int(column) or None, syntax=kind == "1", client=kind == "2")


# A fork while another thread writes to the store could copy a held lock into the child.
# Writers and forks therefore take turns on this lock.
FORK_LOCK = threading.RLock()
