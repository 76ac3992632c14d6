"""Running a query under a time and a size budget that really stop the work.

pyoxigraph's `Store.query` cannot be interrupted (an alarm does not stop an aggregate), so each
budgeted query runs in a forked child process, which inherits the open store. The parent waits
on a pipe until the deadline and then kills the child: the engine's work ends with it, and the
thread that waited is free at once. The child stops reading results after `max_rows + 1`, so a
huge answer is cut, and marked as cut, instead of filling memory.
"""

from __future__ import annotations

import os
import re
import select
import signal
import threading
import time
from dataclasses import dataclass
from typing import Callable

import pyoxigraph as ox

from graphsvc.answers import QueryAnswer, QueryFailed, QueryTimeout, dumps, loads

_POSITION = re.compile(r"error at (\d+):(\d+)")
_FAILED = b"E"
_OK = b"K"


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
        rows.append({name: solution[name] for name in names if solution[name] is not None})
    return QueryAnswer(form="SELECT", variables=names, rows=rows)


def syntax_failure(exc: SyntaxError) -> QueryFailed:
    match = _POSITION.search(str(exc))
    line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
    return QueryFailed(f"SPARQL syntax error: {exc}", line, column, syntax=True)


def _encode_failure(exc: BaseException) -> bytes:
    if isinstance(exc, SyntaxError):
        failure = syntax_failure(exc)
    else:
        failure = QueryFailed(f"the query failed: {exc}")
    return _FAILED + f"{failure.line or 0}:{failure.column or 0}:{int(failure.syntax)}:{failure}".encode()


def _decode_failure(data: bytes) -> QueryFailed:
    line, column, syntax, message = data.decode("utf-8", errors="replace").split(":", 3)
    return QueryFailed(message, int(line) or None, int(column) or None, syntax=bool(int(syntax)))


# A fork while another thread writes to the store could copy a held lock into the child.
# Writers and forks therefore take turns on this lock.
FORK_LOCK = threading.RLock()


def run_in_child(work: Callable[[], QueryAnswer], budget: Budget) -> QueryAnswer:
    """Run `work` in a forked child; its answer, or QueryTimeout once the budget is spent."""
    read_end, write_end = os.pipe()
    with FORK_LOCK:
        pid = os.fork()
    if pid == 0:  # the child: answer, write, and leave without running any parent clean-up
        os.close(read_end)
        try:
            try:
                payload = _OK + dumps(work())
            except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                payload = _encode_failure(exc)
            view = memoryview(payload)
            while view:
                written = os.write(write_end, view)
                view = view[written:]
        finally:
            os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + budget.timeout_s
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeout(budget.timeout_s)
            ready, _, _ = select.select([read_end], [], [], remaining)
            if ready:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_end)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    data = b"".join(chunks)
    if data.startswith(_OK):
        return loads(data[1:])
    if data.startswith(_FAILED):
        raise _decode_failure(data[1:])
    raise QueryFailed("the query process ended without an answer (out of memory?)")
