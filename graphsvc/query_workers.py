"""A pool of forked worker processes that run budgeted queries, so that a query can be stopped.

pyoxigraph's `Store.query` cannot be interrupted, so a query with a time budget runs in a child
process that is killed when the budget is spent. Forking a child per query costs milliseconds
(more as the store grows: page tables, and pages copied on first write), which dominates fast
queries. So children are forked ahead of time and kept: each one answers queries, one at a time.

A child holds the store as it was when it was forked. When the store reads from memory, each
write the service makes is also sent to every child, which applies it to its own copy before it
reads the next request: children stay warm across writes (the pages a query touches are copied
into a child once, not after every write). When the store reads from disk, a write retires the
children instead and new ones are forked in the background. A child that runs out of time is killed.

Forking a process in which another thread is inside the engine can copy a lock that thread holds,
and the child then waits for it forever. So workers that read from memory are not forked from the
service but from a "zygote": a single-threaded process forked once, at a moment when no other
thread can be using the in-memory store (when the replica is complete and not yet published, or
when the app is created), which then follows every change like a worker and forks the workers.

Workers and the zygote confine themselves before their first request (graphsvc.sandbox): the
kernel refuses them every internet socket, so no query can make the service connect anywhere,
whatever reached the engine. Each query runs with the worker's memory capped to an allowance
(a query past it ends its process and is answered as such, not retried), and at most `max_busy`
queries run at once, with `max_waiting` more queued for at most their time budget (ServiceBusy).
"""

from __future__ import annotations

import faulthandler
import gc
import inspect
import logging
import math
import os
import pickle
import select
import signal
import socket
import struct
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

from graphsvc import sandbox
from graphsvc.answers import QueryAnswer, QueryFailed, QueryOutOfMemory, QueryRefused, QueryTimeout, ServiceBusy
from graphsvc.budget import FORK_LOCK, Budget, decode_failure, encode_failure

_HEADER = struct.Struct("!I")
_OK = b"K"
_FAILED = b"E"
_NO_MEMORY = b"M"
_NO_NETWORK = b"N"  # the engine tried to make a socket and the sandbox refused it
_SOCKET_REFUSED = "(os error 13)"  # how the engine reports EACCES from socket()
_STARTED = b"S"  # a worker has read a query and starts on it: if it ends now, the query ended it

Serve = Callable[[Any, int], QueryAnswer]
Apply = Callable[[Any], None]
_QUERY = "q"
_CHANGE = "c"
_FORK = "f"
_NICE = "n"  # from now on, run queries at background priority

# Background work (aggregates, refreshes of answers after a write) runs at this much lower CPU
# priority, in workers of its own, so that requests someone waits for come first on a busy machine.
BACKGROUND_NICENESS = 10
_THREAD = threading.local()


def work_in_background() -> None:
    """Mark the calling thread as doing background work: the queries it runs go to low-priority
    workers (outside the `max_busy` places requests share), and the thread itself yields the CPU
    (on Linux, niceness belongs to a thread)."""
    _THREAD.background = True
    _lower_priority()


def in_background() -> bool:
    return getattr(_THREAD, "background", False)


def _lower_priority() -> None:
    """Nice the calling thread by BACKGROUND_NICENESS (where the system lets it)."""
    try:
        os.nice(BACKGROUND_NICENESS)
    except OSError:
        pass


_WARM_UP_BUDGET = Budget(timeout_s=30.0, max_rows=10)

# How long a worker may take to start a query it was sent (forked on a loaded machine, applying
# the changes it had not had yet) before that time counts against the query's own budget.
START_ALLOWANCE_S = 10.0
_LOG = logging.getLogger(__name__)


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


@dataclass(eq=False)
class _Worker:
    pid: int
    requests: int  # the parent writes requests here
    answers: int  # and reads answers here
    generation: int
    pending: list[bytes] = field(default_factory=list)  # changes (pickled) the worker has not had yet
    background: bool = False  # it runs background work, at low priority

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


# Why this process may not run queries (the network filter could not be installed), if so.
_SANDBOX_FAILURE: str | None = None


def _become_child(keep_fds: tuple[int, ...]) -> None:
    """Settle in as a child of the service: no network from here on (graphsvc.sandbox), and the
    inherited objects frozen for the garbage collector, which would otherwise walk (and so write
    to, and copy) every one of them; frozen, they stay shared with the service."""
    global _SANDBOX_FAILURE
    try:
        sandbox.confine(keep_fds)
    except sandbox.SandboxUnavailable as exc:
        _SANDBOX_FAILURE = str(exc)
        _LOG.error("%s; this process will refuse every query", exc)
    gc.freeze()
    faulthandler.disable()  # a query that ends its process is reported by the service, not dumped
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the service's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:
        pass


def _next_request(fd: int, apply: Apply) -> list[Any] | None:
    """Apply the changes that come first; then the next request's content, or None at the end.
    A change that fails to apply ends the process: the service then forks a new worker."""
    while message := _read_message(fd, None):
        kind, *content = pickle.loads(message)
        if kind == _NICE:
            _lower_priority()  # this thread, the one that answers queries
            continue
        if kind != _CHANGE:
            return content
        apply(content[0])
    return None


def _answer_one(serve: Serve, request: Any, max_rows: int, memory_bytes: int) -> bytes:
    """The reply to one query, computed with the process's memory capped to the allowance."""
    if _SANDBOX_FAILURE is not None:
        return _FAILED + encode_failure(RuntimeError(_SANDBOX_FAILURE))
    sandbox.limit_memory(memory_bytes)
    # No cyclic collection while an answer is built: its terms (the engine's objects are tracked by
    # the collector) would make full collections walk them all, again and again, for nothing (an
    # answer has no cycles; it is freed by reference counting once sent).
    gc.disable()
    try:
        return _OK + pickle.dumps(serve(request, max_rows), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return _NO_MEMORY
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        if _SOCKET_REFUSED in str(exc) and sandbox.network_is_forbidden():
            return _NO_NETWORK
        return _FAILED + encode_failure(exc)
    finally:
        gc.enable()
        sandbox.lift_memory_limit()  # the service's own writes are applied without the cap


# The engine's parser and planner recurse once per element of a query (a triple pattern, an
# operand of `+` or `||`, a UNION branch), about 1 KB of stack each: on the main thread's 8 MB a
# group of 12,000 triple patterns or a chain of 8,000 `+` ends the process. Queries therefore run
# on a thread with this much stack (address space reserved, touched only as deep as a query goes),
# enough for the longest query /sparql reads (GRAPHSVC_MAX_QUERY_BYTES, 128 KB by default).
QUERY_STACK_BYTES = 512 << 20


def _child_loop(serve: Serve, apply: Apply, requests: int, answers: int, memory_bytes: int) -> None:
    """What a worker does until its parent closes the pipe: apply changes, answer queries (on a
    thread with a deep stack, started after the process is confined, so it inherits the filter)."""
    _become_child((requests, answers))

    def serve_requests() -> None:
        while (content := _next_request(requests, apply)) is not None:
            request, max_rows = content
            _write_message(answers, _STARTED)
            _write_message(answers, _answer_one(serve, request, max_rows, memory_bytes))

    try:
        threading.stack_size(QUERY_STACK_BYTES)
        thread = threading.Thread(target=serve_requests, name="queries")
        thread.start()
    except (RuntimeError, MemoryError):  # no room for the stack (a tight RLIMIT_AS): the main thread's
        _LOG.warning("no room for a %d MB query stack; queries run on the main thread", QUERY_STACK_BYTES >> 20)
        serve_requests()
        return
    thread.join()


def _weak(method: Callable[..., Any]) -> Callable[[], Callable[..., Any] | None]:
    # The store owns the pool, and the pool must not keep the store alive.
    return weakref.WeakMethod(method) if inspect.ismethod(method) else (lambda: method)


def _zygote_loop(channel: socket.socket, serve: Serve, apply: Apply, memory_bytes: int) -> None:
    """What the zygote does until the service closes the channel: apply each change, and fork a
    worker when asked, sending the service its ends of the worker's pipes."""
    _become_child((channel.fileno(),))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers that end are reaped by the kernel
    while _next_request(channel.fileno(), apply) is not None:
        parent_reads, child_writes = os.pipe()
        child_reads, parent_writes = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                channel.close()
                os.close(parent_reads)
                os.close(parent_writes)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _child_loop(serve, apply, child_reads, child_writes, memory_bytes)
            finally:
                os._exit(0)
        socket.send_fds(channel, [_HEADER.pack(pid)], [parent_writes, parent_reads])
        for end in (parent_reads, child_writes, child_reads, parent_writes):
            os.close(end)


@dataclass(eq=False)
class _Zygote:
    pid: int
    channel: socket.socket

    def stop(self) -> None:
        self.channel.close()  # it leaves when it reads the end of the channel
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


class WorkerPool:
    """Forked workers for budgeted queries. After each write to the store, `publish(change)` (the
    workers apply it to their copy) or `retire()` (the workers are replaced)."""

    def __init__(self, serve: Serve, apply: Apply, idle_target: int = 2, warm_up: Any = None,
                 max_busy: int = 4, max_waiting: int = 16, memory_mb: int = 1024) -> None:
        self._serve = _weak(serve)
        self._apply = _weak(apply)
        self._idle_target = idle_target
        # At most `max_busy` queries run at once, each in a process whose memory may grow by
        # `memory_mb`; up to `max_waiting` more wait for a free process, then ServiceBusy.
        self._slots = threading.BoundedSemaphore(max(1, max_busy))
        self._max_waiting = max_waiting
        self._waiting = 0
        self._memory_mb = memory_mb
        self._idle: list[_Worker] = []
        self._idle_background: list[_Worker] = []  # at most one
        self._live: set[_Worker] = set()  # idle and busy
        self._lock = threading.Lock()
        self._generation = 0
        self._in_use = False  # workers are forked ahead of time only once queries have come
        # A cheap request each worker forked ahead of time runs once: the first query in a new
        # process is slower (code paths and pages touched for the first time).
        self._warm_up = warm_up
        self._zygote: _Zygote | None = None

    def __del__(self) -> None:
        try:
            self.shutdown()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def start_zygote(self, prepare: Callable[[], None] = lambda: None) -> None:
        """Fork the zygote, which will fork the workers from now on. Call it only when no other
        thread can be inside the store the workers read; `prepare` runs first in the zygote."""
        if self._zygote is not None:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with FORK_LOCK:
            pid = os.fork()
            if pid == 0:
                try:
                    ours.close()
                    prepare()
                    serve, apply = self._serve(), self._apply()
                    if serve is not None and apply is not None:
                        _zygote_loop(theirs, serve, apply, self._memory_mb << 20)
                finally:
                    os._exit(0)
            theirs.close()
            self._zygote = _Zygote(pid, ours)

    def _fork_from_zygote(self, zygote: _Zygote) -> _Worker:
        """A worker forked by the zygote (call under FORK_LOCK, so no change overtakes the request)."""
        _write_message(zygote.channel.fileno(), pickle.dumps((_FORK,)))
        data, fds, _flags, _address = socket.recv_fds(zygote.channel, _HEADER.size, 2)
        if len(data) < _HEADER.size or len(fds) != 2:
            raise OSError("the zygote did not fork a worker")
        (pid,) = _HEADER.unpack(data)
        return _Worker(pid, fds[0], fds[1], self._generation)

    def _fork(self) -> _Worker:
        with FORK_LOCK:
            zygote = self._zygote
            if zygote is not None:
                try:
                    worker = self._fork_from_zygote(zygote)
                except OSError:
                    _LOG.exception("the zygote is gone; workers are forked from the service")
                    self._zygote = None
                else:
                    with self._lock:
                        self._live.add(worker)
                    return worker
        parent_reads, child_writes = os.pipe()
        child_reads, parent_writes = os.pipe()
        with FORK_LOCK:  # writes wait: the worker is registered before the next change is published
            pid = os.fork()
            if pid == 0:
                try:
                    os.close(parent_reads)
                    os.close(parent_writes)
                    serve, apply = self._serve(), self._apply()
                    if serve is not None and apply is not None:
                        _child_loop(serve, apply, child_reads, child_writes, self._memory_mb << 20)
                finally:
                    os._exit(0)
            worker = _Worker(pid, parent_writes, parent_reads, self._generation)
            with self._lock:
                self._live.add(worker)
        os.close(child_reads)
        os.close(child_writes)
        return worker

    def _stop(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.stop()

    def _send_changes(self, worker: _Worker) -> None:
        """Send the worker the changes it has not had yet (they come before its next request)."""
        with self._lock:
            changes, worker.pending = worker.pending, []
        for change in changes:
            _write_message(worker.requests, change)

    def _take(self, background: bool = False, fresh: bool = False) -> _Worker:
        """An idle worker of the kind asked for, or a newly forked one (always, when `fresh`)."""
        with self._lock:
            idle = [] if fresh else self._idle_background if background else self._idle
            while idle:
                worker = idle.pop()
                if worker.generation == self._generation:
                    return worker
                self._live.discard(worker)
                worker.stop()
        worker = self._fork()
        if background:
            worker.background = True
            try:
                _write_message(worker.requests, pickle.dumps((_NICE,)))
            except OSError:
                pass  # the exchange that follows finds it gone
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            idle, target = (self._idle_background, 1) if worker.background else (self._idle, self._idle_target)
            if worker.generation == self._generation and len(idle) < target:
                idle.append(worker)
                return
        self._stop(worker)

    def _exchange(self, worker: _Worker, request: Any, budget: Budget) -> QueryAnswer:
        """Send `request` to `worker` and read its answer; the worker is stopped on any failure.

        The time budget counts from the moment the worker starts the query: a worker just forked
        on a busy machine, or catching up with changes, has START_ALLOWANCE_S more to get there."""
        try:
            self._send_changes(worker)
            _write_message(worker.requests, pickle.dumps((_QUERY, request, budget.max_rows)))
            started = _read_message(worker.answers, time.monotonic() + budget.timeout_s + START_ALLOWANCE_S)
            data = _read_message(worker.answers, time.monotonic() + budget.timeout_s) if started else b""
        except TimeoutError:
            self._stop(worker)
            raise QueryTimeout(budget.timeout_s) from None
        except OSError:
            self._stop(worker)
            raise QueryFailed("the query process ended without an answer") from None
        if not data:
            self._stop(worker)
            if started:  # it ended while running the query: an allocation failed, or the engine did
                raise QueryOutOfMemory(self._memory_mb)
            raise QueryFailed("the query process ended without an answer")
        if data == _NO_MEMORY:
            self._stop(worker)  # what it allocated is not worth keeping
            raise QueryOutOfMemory(self._memory_mb)
        self._give_back(worker)
        if data == _NO_NETWORK:
            raise QueryRefused()
        if data.startswith(_OK):
            return pickle.loads(data[1:])  # noqa: S301 - from a child of this process
        raise decode_failure(data[1:])

    def run(self, request: Any, budget: Budget) -> QueryAnswer:
        """The answer to `request` from a worker, or QueryTimeout once the budget is spent.

        A worker that ended without an answer (it could not apply a change, or was killed from
        outside) is replaced once by a newly forked one, which holds every change already."""
        background = in_background()
        if not background and not self._in_use:  # queries have started to come: keep workers ready
            self._in_use = True
            self.warm_in_background()
        if not background:  # background work is bounded by its callers (graphsvc.aggregates)
            self._wait_for_slot(budget)
        try:
            try:
                return self._exchange(self._take(background), request, budget)
            except QueryFailed as failure:
                if failure.syntax or not str(failure).startswith("the query process ended"):
                    raise
                return self._exchange(self._take(background, fresh=True), request, budget)
        finally:
            if not background:
                self._slots.release()

    def _wait_for_slot(self, budget: Budget) -> None:
        """Take one of the `max_busy` places, waiting at most the query's own time budget, in a
        queue of at most `max_waiting`; ServiceBusy (retry later) when there is none."""
        retry_after = max(1, math.ceil(budget.timeout_s))
        if self._slots.acquire(blocking=False):
            return
        with self._lock:
            if self._waiting >= self._max_waiting:
                raise ServiceBusy(retry_after)
            self._waiting += 1
        try:
            taken = self._slots.acquire(timeout=budget.timeout_s)
        finally:
            with self._lock:
                self._waiting -= 1
        if not taken:
            raise ServiceBusy(retry_after)

    def publish(self, change: Any) -> None:
        """A write the store has just made: every worker applies it before its next request.
        Call it under FORK_LOCK, in the order of the writes."""
        message = pickle.dumps((_CHANGE, change), protocol=pickle.HIGHEST_PROTOCOL)  # once for all of them
        if self._zygote is not None:
            try:
                _write_message(self._zygote.channel.fileno(), message)
            except OSError:
                _LOG.exception("the zygote is gone; workers are forked from the service")
                self._zygote = None
        with self._lock:
            for worker in self._live:
                worker.pending.append(message)
            idle = self._idle + self._idle_background
            self._idle, self._idle_background = [], []
        for worker in idle:  # idle workers apply it now, while nobody is waiting for them
            try:
                self._send_changes(worker)
            except OSError:
                self._stop(worker)
                continue
            self._give_back(worker)

    def retire(self) -> None:
        """The store changed in a way the workers cannot follow: replace them. Idle workers stop
        now; busy ones when they finish."""
        with self._lock:
            self._generation += 1
        self._stop_idle_and_zygote()

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
                self._exchange(worker, self._warm_up, _WARM_UP_BUDGET)
            except (QueryFailed, QueryTimeout):
                return

    def warm_in_background(self) -> None:
        """Fork workers ahead of time; only through the zygote (a fork from the service while its
        other threads use the store is what the zygote is there to avoid)."""
        if self._in_use and self._zygote is not None:
            threading.Thread(target=self.warm, name="query-workers", daemon=True).start()

    def shutdown(self) -> None:
        """Stop the idle workers and the zygote; workers are forked again when queries come."""
        self._in_use = False
        self._stop_idle_and_zygote()

    def _stop_idle_and_zygote(self) -> None:
        with self._lock:
            idle = self._idle + self._idle_background
            self._idle, self._idle_background = [], []
            self._live.difference_update(idle)
            zygote, self._zygote = self._zygote, None
        for worker in idle:
            worker.stop()
        if zygote is not None:
            zygote.stop()
