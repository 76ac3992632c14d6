"""Dashboard aggregates: computed once per data version in the background, served from memory.

An aggregate (the coverage report, VoID statistics, a named query marked `#+ refresh: background`)
scans much of the graph. Computing it inside a request makes every write cost each dashboard a
full scan, past the request's time budget when the graph is large. Instead, each aggregate is
kept with the data version it was computed for. A request for a newer version starts one
background computation (never two for the same aggregate) under a larger budget, waits a moment
for it, and otherwise gets the value it already has, marked with that value's own version: a
dashboard is answered within its budget under any write load once one value exists. Only the
very first computation of an aggregate can make a request wait for its whole budget, and fail.

The version a value is marked with is the version of the state its queries read (see
`read_consistently`), so an ETag derived from it always names the data the answer came from.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Generic, Hashable, Iterable, TypeVar

from graphsvc.answers import BudgetExceeded
from graphsvc.budget import Budget
from graphsvc.query_workers import work_in_background
from graphsvc.store import GraphStore, Snapshot

if TYPE_CHECKING:
    from graphsvc.config import Settings

T = TypeVar("T")
# Computes an aggregate: its value, and the data version of the state it read (None: unsure).
Compute = Callable[[], "tuple[Any, str | None]"]
_LOG = logging.getLogger(__name__)
_ATTEMPTS = 3  # computations in a row while a write lands in each one (then the version is unsure)
_RUNNING = threading.BoundedSemaphore(2)  # aggregates computed at once, over all stores
_PAUSE_AFTER_FAILURE_S = 10.0  # a failed refresh is not tried again sooner while a value is served


class FirstComputation(BudgetExceeded):
    """The aggregate has never been computed and its first computation outlasted the wait (503)."""

    def __init__(self, waited_s: float) -> None:
        super().__init__(f"this aggregate is being computed for the first time and was not ready within the "
                         f"time budget of {waited_s:g} s; it goes on in the background: try again shortly")
        self.retry_after_s = max(1, round(waited_s))


@dataclass(frozen=True)
class Computed(Generic[T]):
    """A value, the data version of the state it was computed from, and how long that took."""

    value: T
    version: str
    seconds: float = 0.0


@dataclass(frozen=True)
class Served(Generic[T]):
    """What a request gets: the computed value, and whether the store has moved on since."""

    computed: Computed[T]
    stale: bool

    @property
    def value(self) -> T:
        return self.computed.value

    @property
    def version(self) -> str:
        return self.computed.version


class _Job:
    """The background computation of one aggregate."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.running = True


class Aggregates:
    """The aggregates of one store: the last value of each, and at most one computation of each."""

    def __init__(self, current_version: Callable[[], str | None], max_keys: int = 256,
                 slots: int | None = None, max_jobs: int | None = None) -> None:
        self._current_version = current_version
        self._max_keys = max_keys
        # Computations of these values that may run at once (default: share the aggregates' two).
        self._slots = threading.BoundedSemaphore(slots) if slots else _RUNNING
        self._max_jobs = max_jobs  # computations started and not finished, at most (then: the last value)
        self._values: OrderedDict[Hashable, Computed[Any]] = OrderedDict()
        self._jobs: dict[Hashable, _Job] = {}
        self._failed_at: dict[Hashable, float] = {}
        self._changed = threading.Condition()
        self.computations = 0  # how many computations ran (tests and figures)

    def peek(self, key: Hashable) -> Computed[Any] | None:
        with self._changed:
            return self._values.get(key)

    def get(self, key: Hashable, compute: Compute, current: str, wait_s: float, first_wait_s: float) -> Served[Any]:
        """The value of `key` for the data version `current` when it is there or comes within
        `wait_s` (no wait when its last computation took longer); otherwise the last value there
        is (stale). With no value yet, wait up to `first_wait_s` for the first: QueryTimeout past
        it, or the computation's own error."""
        with self._changed:
            known = self._values.get(key)
            if known is not None and known.version == current:
                self._values.move_to_end(key)
                return Served(known, stale=False)
            job = self._jobs.get(key)
            if job is None and known is not None and \
                    time.monotonic() < self._failed_at.get(key, -_PAUSE_AFTER_FAILURE_S) + _PAUSE_AFTER_FAILURE_S:
                return Served(known, stale=True)  # its last refresh failed a moment ago
            if job is None and known is not None and self._max_jobs is not None and len(self._jobs) >= self._max_jobs:
                return Served(known, stale=True)  # enough refreshes are waiting their turn already
            if job is None:
                job = self._jobs[key] = _Job()
                threading.Thread(target=self._run, args=(key, compute, job), name="aggregate", daemon=True).start()
            if known is not None and known.seconds >= wait_s:
                wait_s = 0.0  # it took longer than the wait last time: the last value at once
            deadline = time.monotonic() + (wait_s if known is not None else first_wait_s)
            while job.running:
                found = self._values.get(key)
                remaining = deadline - time.monotonic()
                if (found is not None and found.version == current) or remaining <= 0:
                    break
                self._changed.wait(remaining)
            found = self._values.get(key)
            error = None if job.running else job.error
        if found is None:
            raise error if error is not None else FirstComputation(first_wait_s)
        return Served(found, stale=found.version != self._current_version())

    def _run(self, key: Hashable, compute: Compute, job: _Job) -> None:
        """Compute `key` once and keep the value (again, a few times at most, while the version of
        what was read cannot be told). The next request after a write starts the next one."""
        work_in_background()
        try:
            for _ in range(_ATTEMPTS):
                with self._slots:
                    self.computations += 1
                    started = time.monotonic()
                    value, version = compute()
                if version is not None:
                    self.keep(key, Computed(value, version, time.monotonic() - started))
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting request; the last value stays
            job.error = exc
            with self._changed:
                self._failed_at[key] = time.monotonic()
            if self.peek(key) is not None:
                _LOG.warning("an aggregate could not be refreshed (the last value is served): %s", exc)
        finally:
            with self._changed:
                job.running = False
                self._jobs.pop(key, None)
                self._changed.notify_all()

    def failed_recently(self, key: Hashable) -> bool:
        """Whether the last computation of `key` failed, in the last few seconds."""
        with self._changed:
            failed = self._failed_at.get(key)
        return failed is not None and time.monotonic() < failed + _PAUSE_AFTER_FAILURE_S

    def forget(self, key: Hashable) -> None:
        with self._changed:
            self._values.pop(key, None)
            self._failed_at.pop(key, None)

    def keep(self, key: Hashable, computed: Computed[Any]) -> None:
        """Keep a value (computed here, or elsewhere: in a request) as the latest of `key`."""
        with self._changed:
            self._values[key] = computed
            self._values.move_to_end(key)
            self._failed_at.pop(key, None)
            while len(self._values) > self._max_keys:
                self._values.popitem(last=False)
            self._changed.notify_all()


_REGISTRY: "weakref.WeakKeyDictionary[Any, Aggregates]" = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def aggregates_of(store: GraphStore) -> Aggregates:
    """The aggregates kept for `store` (one set per store object, gone with it)."""
    with _REGISTRY_LOCK:
        found = _REGISTRY.get(store)
        if found is None:
            found = _REGISTRY[store] = Aggregates(_version_reader(store))
        return found


def _version_reader(store: GraphStore) -> Callable[[], str | None]:
    reference = weakref.ref(store)

    def current() -> str | None:
        target = reference()
        version = getattr(target, "data_version", None)
        return version() if callable(version) else None

    return current


def read_consistently(store: GraphStore, queries: Iterable[tuple[str, str]], budget: Budget,
                      count_quads: bool = False) -> Snapshot:
    """Answers to (query, form) pairs from one state of the store, with that state's version.

    The embedded store answers them together in one worker (OxigraphStore.read_snapshot). Other
    stores are asked in turn, and the version is the one read before and after, when they agree
    (None otherwise: the value is then not kept); they count their quads (a query per graph on a
    server) only when `count_quads` asks for it."""
    reader = getattr(store, "read_snapshot", None)
    if callable(reader):
        return reader(list(queries), budget)
    before = store.data_version()
    answers = [store.execute(text, form, budget, trusted=True) for text, form in queries]
    quads = len(store) if count_quads else None
    after = store.data_version()
    return Snapshot(before if before == after else None, answers, quads)


def background_budget(settings: "Settings") -> Budget:
    """The budget of one background computation (longer than a request's)."""
    return Budget(timeout_s=settings.aggregate_timeout_s, max_rows=settings.result_limit)


def latest(store: GraphStore, settings: "Settings", key: Hashable, compute: Compute,
           current: str | None = None) -> Served[Any]:
    """The value of the aggregate `key` of `store` as a request gets it (see Aggregates.get), for
    the data version `current` (default: the store's now): the first value may take up to the
    request's query budget, later ones wait at most GRAPHSVC_AGGREGATE_WAIT seconds for a refresh."""
    return aggregates_of(store).get(key, compute, current or store.data_version(), settings.aggregate_wait_s,
                                    settings.query_timeout_s)


def version_headers(served: Served[Any]) -> dict[str, str]:
    """Headers saying which data version an answer was computed for, and whether it is behind."""
    headers = {"X-Data-Version": served.version}
    if served.stale:
        headers["X-Data-Stale"] = "true"
    return headers


def etag_of(name: str, version: str) -> str:
    """The ETag of the aggregate `name` computed for the data version `version`."""
    return '"' + hashlib.sha256(f"{name}\0{version}".encode()).hexdigest()[:40] + '"'
