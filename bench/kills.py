"""`python -m bench.kills [--service N] [--ingest N] [--load N] [--triples N] [--seed N]`: kill -9 at
many moments of large writes, and what the store holds after each restart.

Three writers are killed with SIGKILL (their whole process group) at moments spread over the time an
uncut write of the same kind takes: `graphsvc serve` while it takes a PUT of a batch through /graphs
(upload, parse, validation, commit; a new graph or one replaced), `graphsvc ingest` of a batch file
without a service, and `graphsvc load` of the project's files into a store holding an older version
of them. Each batch is `triples` labels whose text starts with the batch's run tag, so a count per
tag shows a batch cut short. After each kill the store is opened again (the service restarted, or
the store read directly) and checked:

- all or none: the graph written holds the batch it held before or the complete new one, and every
  other graph is as it was (the other crash graphs, the project's, the sources);
- the PROV records count exactly the writes that went in; a write that was acknowledged is there;
- the data version changed if the data did; over HTTP, an ETag taken before the write gets 304 only
  if the answer did not change, and the dashboard's coverage report is computed for the version the
  store holds;
- what went in passes validation (POST /validate, or graphsvc.ingest.check without a service);
- a reader polling the graph during the write through /sparql saw only the old or the new batch;
- a load leaves every project graph and the recorded digest of the files new, or all of them old.

tests/test_storage_crash.py runs this harness with a few kills of each kind within its time bound; a
run here with many more writes bench/results/kills.json and kills.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import httpx
import pyoxigraph as ox

from graphsvc import project
from graphsvc.store import newest_version

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "queries"
CRASH_GRAPHS = "https://example.org/graphs/crash-"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TOKEN = "kills-" + secrets.token_hex(12)
VERSION_PROBE = "/api/concepts?scheme=idd:InstrumentKinds"  # answered for the current version, never in the background
MARKER = (ox.NamedNode("urn:x-crash:marker"), ox.NamedNode("urn:x-crash:stale"), ox.Literal("an older load"))
META = ox.NamedNode(project.GRAPH_NS + "meta")
PROJECT_CONTENT = ox.NamedNode(project.GRAPH_NS + "project-content")
HAS_VERSION = ox.NamedNode("http://purl.org/dc/terms/hasVersion")
Rows = Callable[[str], list[dict[str, str]]]


def log(message: str) -> None:
    print(f"[kills {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def graph_iri(index: int) -> str:
    return f"{CRASH_GRAPHS}{index}"


def write_batch(path: Path, index: int, run: str, triples: int) -> None:
    """`triples` labels of things of graph `index`, each starting with the run tag."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(triples):
            out.write(f'<{project.THING_NS}crash-{index}-{i}> <{LABEL}> "{run} statement number {i}"@en .\n')


def shares(count: int, low: float, high: float, rng: random.Random) -> list[float]:
    """`count` moments spread evenly over [low, high] of a write's duration, each jittered in its slot."""
    return [low + (high - low) * (i + rng.random()) / count for i in range(count)]


def graphsvc(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphsvc", *args]


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(extra or {})}


# --- what the store holds -------------------------------------------------------------------------


@dataclass
class State:
    """What a check reads: each crash graph's labels per run, its PROV writes, the quads outside the
    crash graphs, and the data version."""

    runs: dict[str, dict[str, int]]
    provenance: dict[str, int]
    others: int
    version: str


def read_state(rows: Rows) -> State:
    runs: dict[str, dict[str, int]] = {}
    for row in rows("crash-runs"):
        runs.setdefault(row["graph"], {})[row["run"]] = int(row["n"])
    provenance = {row["graph"]: int(row["n"]) for row in rows("crash-provenance")}
    version = newest_version(row["version"] for row in rows("crash-version")) or ""
    return State(runs, provenance, int(rows("crash-others")[0]["n"]), version)


def local_rows(store: ox.Store) -> Rows:
    def rows(name: str) -> list[dict[str, str]]:
        result = store.query(query_text(name))
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        return [{n: s[n].value for n in names if s[n] is not None} for s in result]  # type: ignore[union-attr]
    return rows


def local_state(path: Path) -> State:
    """The state of the store at `path`, read directly (the store is closed again on return)."""
    store = ox.Store(str(path))
    try:
        return read_state(local_rows(store))
    finally:
        del store
        gc.collect()


def http_rows(client: httpx.Client) -> Rows:
    def rows(name: str) -> list[dict[str, str]]:
        response = client.post("/sparql", data={"query": query_text(name)},
                               headers={"Accept": "application/sparql-results+json"})
        response.raise_for_status()
        return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]
    return rows


def http_state(client: httpx.Client) -> State:
    state = read_state(http_rows(client))
    probe = client.get(VERSION_PROBE)
    probe.raise_for_status()
    if probe.headers["x-data-version"] != state.version:
        raise AssertionError(f"the service answers for version {probe.headers['x-data-version']}, "
                             f"the store holds {state.version}")
    return state


# --- one kill and its verdict ---------------------------------------------------------------------


@dataclass
class Kill:
    """One write killed `kill_after_s` seconds in (`share` of an uncut write's duration)."""

    kind: str
    graph: str
    run: str
    replacing: bool
    kill_after_s: float
    share: float
    outcome: str = ""  # "old", "new" or "broken"
    acknowledged: bool = False
    reader_samples: int = 0
    problems: list[str] = field(default_factory=list)


def judge(kill: Kill, before: State, after: State, triples: int) -> None:
    """All or none, nothing else touched, PROV and version in step, no acknowledged write lost."""
    old, new = before.runs.get(kill.graph, {}), {kill.run: triples}
    got = after.runs.get(kill.graph, {})
    kill.outcome = "new" if got == new else "old" if got == old else "broken"
    if kill.outcome == "broken":
        kill.problems.append(f"{kill.graph} holds {got}: neither the batch before ({old}) nor the new one")
    for graph in set(before.runs) | set(after.runs):
        if graph != kill.graph and before.runs.get(graph) != after.runs.get(graph):
            kill.problems.append(f"{graph}, not written, changed: {before.runs.get(graph)} -> {after.runs.get(graph)}")
    if after.others != before.others:
        kill.problems.append(f"the other graphs hold {after.others} quads, not {before.others}")
    expected = dict(before.provenance)
    if kill.outcome == "new":
        expected[kill.graph] = expected.get(kill.graph, 0) + 1
    if after.provenance != expected:
        kill.problems.append(f"PROV records {after.provenance}, expected {expected}")
    if kill.acknowledged and kill.outcome != "new":
        kill.problems.append("the write was acknowledged but is not in the store")
    if kill.outcome == "new" and after.version == before.version:
        kill.problems.append(f"the data changed but the data version ({after.version}) did not")


# --- the service ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """`graphsvc serve` on 127.0.0.1 in a session of its own, ready (replica built) when made."""

    def __init__(self, store: Path, env: dict[str, str], log_file: Path, timeout_s: float = 180) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log_file.open("ab") as out:
            self.process = subprocess.Popen(
                graphsvc("serve", "--host", "127.0.0.1", "--port", str(self.port), "--store", str(store),
                         "--log-level", "warning"),
                cwd=ROOT, env=environment(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"graphsvc serve exited with {self.process.returncode}; see {log_file}")
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"graphsvc serve was not ready within {timeout_s} s; see {log_file}")
            time.sleep(0.05)
        self.client = httpx.Client(base_url=self.url, timeout=120)

    def kill(self) -> None:
        """SIGKILL to the service and every process it started (query workers, the upload parser)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        if hasattr(self, "client"):
            self.client.close()

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
        if hasattr(self, "client"):
            self.client.close()


def put(url: str, graph: str, body: bytes) -> int:
    response = httpx.put(url + "/graphs", params={"graph": graph}, content=body, timeout=600,
                         headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"})
    return response.status_code


class Reader(threading.Thread):
    """Polls the crash graphs through /sparql until stopped; keeps what it saw of one graph."""

    def __init__(self, url: str, graph: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=url, timeout=30)
        self.graph = graph
        self.seen: list[dict[str, int]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        rows = http_rows(self.client)
        while not self.stopped.is_set():
            try:
                found: dict[str, int] = {}
                for row in rows("crash-runs"):
                    if row["graph"] == self.graph:
                        found[row["run"]] = int(row["n"])
                self.seen.append(found)
            except (httpx.HTTPError, KeyError, ValueError):
                self.stopped.wait(0.05)  # killed, or busy: what it answers is what counts
        self.client.close()


class Writer(threading.Thread):
    def __init__(self, url: str, graph: str, body: bytes) -> None:
        super().__init__(daemon=True)
        self.url, self.graph, self.body = url, graph, body
        self.status: int | None = None
        self.started = time.monotonic()

    def run(self) -> None:
        self.started = time.monotonic()
        try:
            self.status = put(self.url, self.graph, self.body)
        except httpx.HTTPError:
            self.status = None  # the service died under it


def search_etag(client: httpx.Client, run: str) -> tuple[str, int]:
    response = client.get("/api/search", params={"q": f"{run} statement number 1"})
    response.raise_for_status()
    return response.headers["etag"], len(response.json()["items"])


def check_answers(kill: Kill, client: httpx.Client, etag: str, timeout_s: float = 120) -> None:
    """An answer cached before the write is revalidated only if it is still the answer; the coverage
    report is for the version the store holds."""
    again = client.get("/api/search", params={"q": f"{kill.run} statement number 1"}, headers={"If-None-Match": etag})
    if again.status_code == 304 and kill.outcome == "new":
        kill.problems.append("a client holding the ETag from before got 304, but the batch is in the store")
    elif again.status_code == 200 and bool(again.json()["items"]) != (kill.outcome == "new"):
        kill.problems.append(f"the search answers {len(again.json()['items'])} items with the store {kill.outcome}")
    elif again.status_code not in (200, 304):
        kill.problems.append(f"the search answered {again.status_code}")
    version = client.get(VERSION_PROBE).headers["x-data-version"]
    deadline = time.monotonic() + timeout_s
    while True:
        stats = client.get("/api/stats")
        if stats.status_code == 200 and stats.json()["dataVersion"] == version:
            return
        if time.monotonic() > deadline:
            kill.problems.append(f"/api/stats answers {stats.status_code} for {stats.headers.get('x-data-version')}, "
                                 f"not for the store's version {version}")
            return
        time.sleep(0.1)


def check_valid_over_http(kill: Kill, client: httpx.Client) -> None:
    stored = client.get("/graphs", params={"graph": kill.graph}, headers={"Accept": "application/n-triples"})
    verdict = client.post("/validate", params={"graph": kill.graph}, content=stored.content,
                          headers={"Content-Type": "application/n-triples"})
    if verdict.status_code != 200 or not verdict.json()["conforms"]:
        kill.problems.append(f"what the store holds does not pass validation: {verdict.status_code} {verdict.text[:300]}")


def service_kills(workdir: Path, kills: int, triples: int, rng: random.Random) -> tuple[list[Kill], dict[str, float]]:
    """Kill `graphsvc serve` during PUTs of `triples`-label batches (new graphs and replaced ones alike)."""
    store, batch, service_log = workdir / "service-store", workdir / "service-batch.nt", workdir / "service.log"
    env = {"GRAPHSVC_WRITE_TOKENS": f"crash={TOKEN}", "GRAPHSVC_MAX_UPLOAD_BYTES": str(256 << 20),
           "GRAPHSVC_UPLOAD_TIMEOUT": "300"}
    service = Service(store, env, service_log)
    durations: dict[str, float] = {}
    try:
        for replacing, run in ((False, "k0new"), (True, "k0again")):  # uncut: how long each kind of write takes
            write_batch(batch, 0, run, triples)
            started = time.monotonic()
            status = put(service.url, graph_iri(0), batch.read_bytes())
            assert status in (200, 201), f"an uncut PUT answered {status}"
            durations["replace" if replacing else "new"] = time.monotonic() - started
        state = http_state(service.client)
        moments = {kind: shares(n, 0.02, 1.1, rng) for kind, n in (("new", (kills + 1) // 2), ("replace", kills // 2))}
        done: list[Kill] = []
        for k in range(1, kills + 1):
            replacing = k % 2 == 0 and bool(moments["replace"])
            share = moments["replace" if replacing else "new"].pop(0)
            index = 0 if replacing else k
            kill = Kill("service", graph_iri(index), f"k{k}", replacing,
                        share * durations["replace" if replacing else "new"], share)
            write_batch(batch, index, kill.run, triples)
            etag, items = search_etag(service.client, kill.run)
            assert items == 0
            reader, writer = Reader(service.url, kill.graph), Writer(service.url, kill.graph, batch.read_bytes())
            reader.start()
            writer.start()
            time.sleep(max(0.0, writer.started + kill.kill_after_s - time.monotonic()))
            service.kill()
            writer.join(timeout=60)
            reader.stopped.set()
            reader.join(timeout=60)
            kill.acknowledged = writer.status in (200, 201)
            service = Service(store, env, service_log)
            after = http_state(service.client)
            judge(kill, state, after, triples)
            kill.reader_samples = len(reader.seen)
            old, new = state.runs.get(kill.graph, {}), {kill.run: triples}
            half = [seen for seen in reader.seen if seen not in (old, new)]
            if half:
                kill.problems.append(f"a reader saw {half[0]} during the write ({len(half)} of {len(reader.seen)} reads)")
            check_answers(kill, service.client, etag)
            if kill.outcome == "new":
                check_valid_over_http(kill, service.client)
            log(f"service kill {k}/{kills} at {kill.kill_after_s:.2f} s ({share:.0%}, "
                f"{'replace' if replacing else 'new graph'}): {kill.outcome}, {kill.reader_samples} reads"
                + (f"; PROBLEMS {kill.problems}" if kill.problems else ""))
            done.append(kill)
            state = after
        return done, durations
    finally:
        service.stop()


# --- the command line -----------------------------------------------------------------------------


def run_killed(command: list[str], kill_after_s: float) -> tuple[bool, float]:
    """Run `command` in a session of its own and SIGKILL it `kill_after_s` seconds in, unless it has
    finished by then: (whether it finished with exit 0, seconds it ran)."""
    started = time.monotonic()
    child = subprocess.Popen(command, cwd=ROOT, env=environment(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        child.wait(timeout=kill_after_s)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        return False, time.monotonic() - started
    return child.returncode == 0, time.monotonic() - started


def check_valid_locally(kill: Kill, store_path: Path) -> None:
    """Validate what the graph holds with the context the store gives, as an ingest would."""
    from graphsvc.ingest import check, plan
    from graphsvc.store import OxigraphStore
    from graphsvc.upload import ParsedUpload

    store = OxigraphStore(store_path)
    try:
        graph = ox.NamedNode(kill.graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in store.graph_triples(graph)]
        stored = ParsedUpload(quads, {}, None, "stored", ox.RdfFormat.N_TRIPLES)
        verdict = check(store, plan([stored], graph, graph), timeout_s=300)
        if not verdict.conforms:
            kill.problems.append(f"what the store holds does not pass validation: {verdict.results[:2]}")
    finally:
        del store
        gc.collect()


def ingest_kills(workdir: Path, kills: int, triples: int, rng: random.Random) -> tuple[list[Kill], dict[str, float]]:
    """Kill `graphsvc ingest FILE --graph G` (no service), writing new graphs and replacing one."""
    store, batch = workdir / "ingest-store", workdir / "ingest-batch.nt"
    finished, _ = run_killed(graphsvc("load", "--store", str(store)), 600)
    assert finished, "graphsvc load failed"
    durations: dict[str, float] = {}
    for replacing, run in ((False, "k0new"), (True, "k0again")):
        write_batch(batch, 0, run, triples)
        finished, durations["replace" if replacing else "new"] = run_killed(
            graphsvc("ingest", str(batch), "--graph", graph_iri(0), "--store", str(store), "--agent", "crash"), 600)
        assert finished, "an uncut graphsvc ingest failed"
    state = local_state(store)
    moments = {kind: shares(n, 0.05, 1.1, rng) for kind, n in (("new", (kills + 1) // 2), ("replace", kills // 2))}
    done: list[Kill] = []
    for k in range(1, kills + 1):
        replacing = k % 2 == 0 and bool(moments["replace"])
        share = moments["replace" if replacing else "new"].pop(0)
        index = 0 if replacing else k
        kill = Kill("ingest", graph_iri(index), f"k{k}", replacing,
                    share * durations["replace" if replacing else "new"], share)
        write_batch(batch, index, kill.run, triples)
        kill.acknowledged, _ = run_killed(
            graphsvc("ingest", str(batch), "--graph", kill.graph, "--store", str(store), "--agent", "crash"),
            kill.kill_after_s)
        after = local_state(store)
        judge(kill, state, after, triples)
        if kill.outcome == "new":
            check_valid_locally(kill, store)
        log(f"ingest kill {k}/{kills} at {kill.kill_after_s:.2f} s ({share:.0%}, "
            f"{'replace' if replacing else 'new graph'}): {kill.outcome}"
            + (f"; PROBLEMS {kill.problems}" if kill.problems else ""))
        done.append(kill)
        state = after
    return done, durations


def project_graphs(store: ox.Store) -> list[ox.NamedNode]:
    return [g for g in store.named_graphs()  # type: ignore[union-attr]
            if g.value == project.ONTOLOGY_GRAPH or g.value.startswith(project.GRAPH_NS + "data/")]


def age(path: Path) -> None:
    """Make the store hold an older version of the project: a marker in each of its graphs, and a
    digest of the files that is not theirs, so that `graphsvc load` replaces all of them."""
    store = ox.Store(str(path))
    try:
        for graph in project_graphs(store):
            store.add(ox.Quad(*MARKER, graph))
        for quad in list(store.quads_for_pattern(PROJECT_CONTENT, HAS_VERSION, None, META)):
            store.remove(quad)
        store.add(ox.Quad(PROJECT_CONTENT, HAS_VERSION, ox.Literal("an older digest"), META))
        store.flush()
    finally:
        del store
        gc.collect()


def load_state(path: Path) -> tuple[set[str], set[str], int, str]:
    """The project graphs that hold the marker, all the project graphs, whether the digest is the
    old one (1) or not (0), and the data version."""
    store = ox.Store(str(path))
    try:
        rows = local_rows(store)
        found = rows("crash-markers")
        marked = {r["graph"] for r in found if "graph" in r}
        old_digest = sum(1 for r in found if r.get("digest") == "an older digest")
        version = newest_version(r["version"] for r in rows("crash-version")) or ""
        return marked, {g.value for g in project_graphs(store)}, old_digest, version
    finally:
        del store
        gc.collect()


def load_kills(workdir: Path, kills: int, rng: random.Random) -> tuple[list[Kill], dict[str, float]]:
    """Kill `graphsvc load` while it replaces the project's graphs of a store holding older ones."""
    store = workdir / "load-store"
    command = graphsvc("load", "--store", str(store))
    finished, _ = run_killed(command, 600)
    assert finished, "graphsvc load failed"
    age(store)
    finished, duration = run_killed(command, 600)
    assert finished, "an uncut graphsvc load failed"
    age(store)
    done: list[Kill] = []
    for k, share in enumerate(shares(kills, 0.2, 1.1, rng), 1):
        _, _, _, version_before = load_state(store)
        kill = Kill("load", "the project's graphs", f"load{k}", True, share * duration, share)
        kill.acknowledged, _ = run_killed(command, kill.kill_after_s)
        marked, graphs, old_digest, version = load_state(store)
        if marked == graphs and old_digest:
            kill.outcome = "old"
        elif not marked and not old_digest:
            kill.outcome = "new"
        else:
            kill.outcome = "broken"
            kill.problems.append(f"{len(marked)} of {len(graphs)} project graphs still old, the recorded digest "
                                 f"{'old' if old_digest else 'new'}")
        if kill.acknowledged and kill.outcome != "new":
            kill.problems.append("graphsvc load finished but the store holds the old project")
        if kill.outcome == "new" and version == version_before:
            kill.problems.append("the project was reloaded but the data version did not change")
        log(f"load kill {k}/{kills} at {kill.kill_after_s:.2f} s ({share:.0%}): {kill.outcome}"
            + (f"; PROBLEMS {kill.problems}" if kill.problems else ""))
        done.append(kill)
        if kill.outcome == "new":
            age(store)
    return done, {"load": duration}


# --- the bench run --------------------------------------------------------------------------------


def summarise(kills: list[Kill]) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for kill in kills:
        entry = kinds.setdefault(kill.kind, {"kills": 0, "old": 0, "new": 0, "broken": 0, "with_problems": 0,
                                             "reader_samples": 0})
        entry["kills"] += 1
        entry[kill.outcome] += 1
        entry["with_problems"] += bool(kill.problems)
        entry["reader_samples"] += kill.reader_samples
    return kinds


def report(results: dict[str, Any]) -> str:
    lines = ["# Kill -9 during large writes", "",
             f"Run {results['started']} on {results['machine']}; `python -m bench.kills --service "
             f"{results['args']['service']} --ingest {results['args']['ingest']} --load {results['args']['load']} "
             f"--triples {results['args']['triples']} --seed {results['args']['seed']}` "
             f"(load average {results['load_average'][0]} before). Each write is killed with SIGKILL at a moment "
             "spread over the duration of an uncut write of its kind; after a restart the store must hold the "
             "batch before or the complete new one, PROV and data version in step, ETags and the coverage report "
             "for what it holds, the new batch valid, and a reader during the write must have seen no half batch.",
             "", "| writer | uncut write (s) | kills | old after restart | new after restart | broken | "
             "with any problem | reads during the writes |", "|---|---|---|---|---|---|---|---|"]
    for kind, entry in results["summary"].items():
        uncut = ", ".join(f"{k} {v:.1f}" for k, v in results["durations"][kind].items())
        lines.append(f"| {kind} | {uncut} | {entry['kills']} | {entry['old']} | {entry['new']} | {entry['broken']} | "
                     f"{entry['with_problems']} | {entry['reader_samples'] or '-'} |")
    problems = [k for k in results["kills"] if k["problems"]]
    lines += ["", f"Problems: {len(problems)}."] + [f"- {k['kind']} at {k['kill_after_s']:.2f} s: {k['problems']}"
                                                   for k in problems]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import platform
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m bench.kills", description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", type=int, default=30, help="kills of graphsvc serve during a PUT")
    parser.add_argument("--ingest", type=int, default=20, help="kills of graphsvc ingest")
    parser.add_argument("--load", type=int, default=10, help="kills of graphsvc load")
    parser.add_argument("--triples", type=int, default=100_000, help="labels per batch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    results: dict[str, Any] = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
                               "load_average": [round(x, 2) for x in os.getloadavg()],
                               "args": {k: v for k, v in vars(args).items() if k != "out"},  # no machine paths
                               "durations": {}, "kills": []}
    kills: list[Kill] = []
    with tempfile.TemporaryDirectory(prefix="bench-kills-") as scratch:
        work = Path(scratch)
        for kind, run in (("service", lambda: service_kills(work, args.service, args.triples, rng)),
                          ("ingest", lambda: ingest_kills(work, args.ingest, args.triples, rng)),
                          ("load", lambda: load_kills(work, args.load, rng))):
            if getattr(args, kind):
                done, durations = run()
                kills += done
                results["durations"][kind] = durations
    results["kills"] = [asdict(k) for k in kills]
    results["summary"] = summarise(kills)
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "kills.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "kills.md").write_text(report(results))
    print(report(results))
    return 1 if any(k.problems for k in kills) else 0


if __name__ == "__main__":
    raise SystemExit(main())
