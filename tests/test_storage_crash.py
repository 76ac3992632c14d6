"""A kill at any moment of a large write leaves the embedded store readable and consistent.

A child process loads a generated 50k-triple file into one named graph through the store's
write path (`OxigraphStore.replace_graph`) and is killed with SIGKILL at a random moment after it
began writing. The store, reopened, must hold either the graph as it was before or the complete
new one, never a part, and answer queries.

Then the writers a user runs, through the harness of bench/kills.py (which a bench run uses with
many more kills): `graphsvc serve` killed during PUTs to /graphs (7 moments: new graphs and a
replaced one; a reader polls /sparql meanwhile), `graphsvc ingest` killed during a file (6) and
`graphsvc load` killed while it replaces the project's graphs (4). After each restart: all of the
batch or none, nothing else touched, PROV and the data version in step, an acknowledged write kept,
old ETags never 304 for a changed answer, the coverage report for the current version, the stored
batch valid, and no reader saw half a batch. With the 3 above, 20 kill points.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

TRIPLES = 50_000
GRAPH = "https://w3id.org/iddkg/graph/test/crash"
SENTINEL = "https://w3id.org/iddkg/graph/test/sentinel"
ROOT = Path(__file__).resolve().parent.parent

# The writer: reads the file, says when it starts writing, writes, says when it is done.
WRITER = """
import sys, time
import pyoxigraph as ox
from pathlib import Path
from graphsvc.store import OxigraphStore
store_dir, source, graph = sys.argv[1], sys.argv[2], ox.NamedNode(sys.argv[3])
store = OxigraphStore(Path(store_dir))
quads = [ox.Quad(q.subject, q.predicate, q.object, graph)
         for q in ox.parse(path=source, format=ox.RdfFormat.N_TRIPLES)]
print("writing", time.monotonic(), flush=True)
store.replace_graph(graph, quads)
print("done", time.monotonic(), flush=True)
"""

# The checker: opens the store afresh and reports what the crash graph and the sentinel hold.
CHECKER = """
import json, sys
from pathlib import Path
from graphsvc.store import OxigraphStore
store = OxigraphStore(Path(sys.argv[1]))
rows = store.query('''SELECT ?run (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o }
                      BIND(STRBEFORE(STR(?o), " ") AS ?run) } GROUP BY ?run''' % sys.argv[2])
runs = {r["run"].value: int(r["n"].value) for r in rows}
sentinel = int(next(iter(store.query(
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }" % sys.argv[3])))["n"].value)
total = len(store)
print(json.dumps({"runs": runs, "sentinel": sentinel, "total": total}))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _generate(path: Path, run: str) -> None:
    """TRIPLES triples whose every object starts with the run's tag."""
    p = "<https://w3id.org/iddkg/ontology#note>"
    with path.open("w", encoding="utf-8") as out:
        for i in range(TRIPLES):
            out.write(f'<https://w3id.org/iddkg/id/crash-{i}> {p} "{run} statement number {i}" .\n')


def _check(store: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHECKER, str(store), GRAPH, SENTINEL],
                            capture_output=True, text=True, env=_env(), timeout=120, cwd=ROOT)
    assert result.returncode == 0, f"the store did not reopen after the kill:\n{result.stderr[-2000:]}"
    return json.loads(result.stdout)


def _write(store: Path, source: Path, kill_after: float | None) -> tuple[float, bool]:
    """Run the writer; kill it `kill_after` seconds after it began writing. (write time, finished?)"""
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(store), str(source), GRAPH],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                             cwd=ROOT, start_new_session=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("writing"), f"the writer failed before writing: {line} {child.stderr.read() if child.stderr else ''}"
        started = time.monotonic()
        if kill_after is None:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err[-2000:]
            return time.monotonic() - started, True
        try:
            child.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        return time.monotonic() - started, child.returncode == 0
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()


def test_a_killed_ingest_leaves_the_old_graph_or_the_complete_new_one(tmp_path: Path) -> None:
    from graphsvc.store import OxigraphStore

    store_dir = tmp_path / "store"
    store = OxigraphStore(store_dir)
    sentinel = [ox.Quad(ox.NamedNode(f"urn:sentinel:{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)),
                        ox.NamedNode(SENTINEL)) for i in range(500)]
    store.replace_graph(ox.NamedNode(SENTINEL), sentinel)
    store.flush()
    del store  # release the store's lock for the writer

    source = tmp_path / "ingest.nt"
    _generate(source, "run0")
    duration, finished = _write(store_dir, source, kill_after=None)
    assert finished
    state = _check(store_dir)
    assert state["runs"] == {"run0": TRIPLES} and state["sentinel"] == 500
    base_total = state["total"]

    rng = random.Random()
    outcomes = []
    expected_runs = {"run0": TRIPLES}
    for attempt, share in enumerate([0.05, rng.uniform(0.3, 0.7), rng.uniform(0.85, 1.0)], 1):
        run = f"run{attempt}"
        _generate(source, run)
        kill_after = share * duration
        elapsed, finished = _write(store_dir, source, kill_after=kill_after)
        state = _check(store_dir)
        assert state["sentinel"] == 500, f"kill at {kill_after:.2f} s damaged another graph: {state}"
        assert state["runs"] in ({run: TRIPLES}, expected_runs), (
            f"kill at {kill_after:.2f} s left a partial graph: {state['runs']} (before: {expected_runs})")
        assert state["total"] >= base_total - 1 and state["total"] <= base_total + 1
        if state["runs"] == {run: TRIPLES}:
            expected_runs = {run: TRIPLES}
            outcomes.append(f"{kill_after:.1f}s: new")
        else:
            outcomes.append(f"{kill_after:.1f}s: old")
    print("write time %.1f s; kills: %s" % (duration, ", ".join(outcomes)))


SERVICE_KILLS, INGEST_KILLS, LOAD_KILLS = 7, 6, 4
BATCH = 10_000  # labels per batch written through the service or `graphsvc ingest`


def _verdicts(found: list) -> str:
    return ", ".join(f"{k.kill_after_s:.2f}s {'replace' if k.replacing else 'new'}: {k.outcome}" for k in found)


def _problems(found: list) -> list[str]:
    return [f"{k.kind} killed at {k.kill_after_s:.2f} s ({k.share:.0%}): {k.problems}" for k in found if k.problems]


def test_kill_9_of_the_service_during_puts_keeps_all_or_none(tmp_path: Path) -> None:
    from bench import kills

    found, durations = kills.service_kills(tmp_path, SERVICE_KILLS, BATCH, random.Random())
    assert len(found) == SERVICE_KILLS and all(k.outcome in ("old", "new") for k in found)
    assert not _problems(found), _problems(found)
    print(f"uncut PUT {durations}; {sum(k.reader_samples for k in found)} reads during the writes; {_verdicts(found)}")


def test_kill_9_of_graphsvc_ingest_and_load_keeps_all_or_none(tmp_path: Path) -> None:
    from bench import kills

    rng = random.Random()
    found, durations = kills.ingest_kills(tmp_path, INGEST_KILLS, BATCH, rng)
    loads, load_duration = kills.load_kills(tmp_path, LOAD_KILLS, rng)
    assert len(found) == INGEST_KILLS and len(loads) == LOAD_KILLS
    assert not _problems(found + loads), _problems(found + loads)
    print(f"uncut ingest {durations}, load {load_duration}; ingest: {_verdicts(found)}; load: {_verdicts(loads)}")
