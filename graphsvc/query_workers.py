"""A pool of forked worker processes that run budgeted queries, so that a query can be stopped.

pyoxigraph's `Store.query` cannot be interrupted, so a query with a time budget runs in a child
process that is killed when the budget is spent. Forking a child per query costs milliseconds
(more as the store grows: page tables, and pages copied on first write), which dominates fast
queries. So children are forked ahead of time and kept: each one answers queries, one at a time,
against the store as it was when it was forked. Every write retires the idle children (they hold
the old data) and new ones are forked in the background; a child that runs out of time is killed.
"""

from __future__ import annotations

import gc
import inspect
import os
import pickle
import select
import signal
import struct
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable

from graphsvc.answers import QueryAnswer, QueryFailed, QueryTimeout
from graphsvc.budget import FORK_LOCK, Budget, decode_failure, encode_failure

_HEADER = struct.Struct("!I")
_OK = b"K"
_FAILED = b"E"

Serve = Callable[[Any, int], QueryAnswer]
_WARM_UP_BUDGET = Budget(timeout_s=30.0, max_rows=10)


def _write_message(fd: int, payload: bytes) -> None:
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    """`size` bytes from `fd`; b"" when the other end closed first; QueryTimeout past `deadline`."""
    chunks: list[bytes] = []
    missing = size
    while missing:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return b""
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _read_message(fd: int, deadline: float | None) -> bytes:
    header = _read_exactly(fd, _HEADER.size, deadline)
    if len(header) < _HEADER.size:
        return b""
    (size,) = _HEADER.unpack(header)
    return _read_exactly(fd, size, deadline)


@dataclass
class _Worker:
    pid: int
    requests: int  # the parent writes requests here
    answers: int  # and reads answers here
    generation: int

    def stop(self) -> None:
        for fd in (self.requests, self.answers):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _child_loop(serve: Serve, requests: int, answers: int) -> None:
    """What a worker does until its parent closes the pipe: read a request, answer it."""
    # The garbage collector would walk (and so write to, and copy) every object inherited from the
    # service; frozen, they stay shared with it. Only the worker's own objects are collected.
    gc.freeze()
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:
        pass
    while True:
        message = _read_message(requests, None)
        if not message:
            return
        request, max_rows = pickle.loads(message)
        try:
            payload = _OK + pickle.dumps(serve(request, max_rows), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            payload = _FAILED + encode_failure(exc)
        _write_message(answers, payload)


class WorkerPool:
    """Forked workers for budgeted queries; `retire()` after every write to the store."""

    def __init__(self, serve: Serve, idle_target: int = 2, warm_up: Any = None) -> None:
        # A weak reference: the store owns the pool, and the pool must not keep the store alive.
        self._serve = weakref.WeakMethod(serve) if inspect.ismethod(serve) else lambda: serve
        self._idle_target = idle_target
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._generation = 0
        self._in_use = False  # workers are forked ahead of time only once queries have come
        # A cheap request each worker forked ahead of time runs once: the first query in a new
        # process is slower (code paths and pages touched for the first time).
        self._warm_up = warm_up

    def __del__(self) -> None:
        try:
            self.shutdown()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def _fork(self) -> _Worker:
        parent_reads, child_writes = os.pipe()
        child_reads, parent_writes = os.pipe()
        with FORK_LOCK:
            generation = self._generation
            pid = os.fork()
        if pid == 0:
            try:
                os.close(parent_reads)
                os.close(parent_writes)
                serve = self._serve()
                if serve is not None:
                    _child_loop(serve, child_reads, child_writes)
            finally:
                os._exit(0)
        os.close(child_reads)
        os.close(child_writes)
        return _Worker(pid, parent_writes, parent_reads, generation)

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.generation == self._generation:
                    return worker
                worker.stop()
        return self._fork()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker.generation == self._generation and len(self._idle) < self._idle_target:
                self._idle.append(worker)
                return
        worker.stop()

    def _exchange(self, worker: _Worker, request: Any, budget: Budget, deadline: float) -> QueryAnswer:
        """Send `request` to `worker` and read its answer; the worker is stopped on any failure."""
        try:
            _write_message(worker.requests, pickle.dumps((request, budget.max_rows)))
            data = _read_message(worker.answers, deadline)
        except TimeoutError:
            worker.stop()
            raise QueryTimeout(budget.timeout_s) from None
        except OSError:
            worker.stop()
            raise QueryFailed("the query process ended without an answer") from None
        if not data:
            worker.stop()
            raise QueryFailed("the query process ended without an answer (out of memory?)")
        self._give_back(worker)
        if data.startswith(_OK):
            return pickle.loads(data[1:])  # noqa: S301 - from a child of this process
        raise decode_failure(data[1:])

    def run(self, request: Any, budget: Budget) -> QueryAnswer:
        """The answer to `request` from a worker, or QueryTimeout once the budget is spent."""
        deadline = time.monotonic() + budget.timeout_s
        self._in_use = True
        return self._exchange(self._take(), request, budget, deadline)

    def retire(self) -> None:
        """The store changed: idle workers hold the old data; busy ones leave when they finish."""
        with self._lock:
            self._generation += 1
            stale, self._idle = self._idle, []
        for worker in stale:
            worker.stop()

    def warm(self) -> None:
        """Fork workers up to the idle target, if queries have come (from a background thread)."""
        for _ in range(self._idle_target):
            with self._lock:
                if not self._in_use or len(self._idle) >= self._idle_target:
                    return
            worker = self._fork()
            if self._warm_up is None:
                self._give_back(worker)
                continue
            try:
                self._exchange(worker, self._warm_up, _WARM_UP_BUDGET, time.monotonic() + _WARM_UP_BUDGET.timeout_s)
            except (QueryFailed, QueryTimeout):
                return

    def warm_in_background(self) -> None:
        if self._in_use:
            threading.Thread(target=self.warm, name="query-workers", daemon=True).start()

    def shutdown(self) -> None:
        """Stop the idle workers; the pool forks again when the next query comes."""
        with self._lock:
            self._in_use = False
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
