"""SIGTERM to `graphsvc serve` with an ingest in flight: the write is made whole or not at all, the
client gets its answer (or, at worst, a closed connection, never a half-written graph), the query
workers and the upload parser end with the service, and its runtime file is removed.

The service gets SIGTERM (what `kill PID` and a service manager send) at two moments of a PUT of a
batch of labels: while the upload is still being parsed, and late, when it is being validated or
committed. It must exit by itself (no SIGKILL), leave no process of its session behind, and after a
restart hold the old content of the graph or all of the new batch, as the harness of
bench/kills.py judges a killed write; a write the client was told about (201) must be there.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bench import kills

BATCH = 10_000


def session_processes(session: int) -> list[int]:
    """The pids of the processes whose session is `session` (the service and what it started)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shutdown")


@pytest.mark.parametrize("share", [0.1, 0.8], ids=["while parsing", "late in the write"])
def test_sigterm_finishes_or_aborts_the_ingest_in_flight(workdir: Path, share: float) -> None:
    store, batch, log_file = workdir / "store", workdir / "batch.nt", workdir / "service.log"
    env = {"GRAPHSVC_WRITE_TOKENS": f"crash={kills.TOKEN}", "GRAPHSVC_MAX_UPLOAD_BYTES": str(64 << 20)}
    runtime = store.parent / (store.name + ".service.json")
    service = kills.Service(store, env, log_file)
    try:
        graph = kills.graph_iri(0)
        kills.write_batch(batch, 0, "before", BATCH)
        started = time.monotonic()
        assert kills.put(service.url, graph, batch.read_bytes()) in (200, 201)
        duration = time.monotonic() - started
        assert service.client.get("/sparql", params={"query": "ASK {}"}).status_code == 200  # workers in use
        before = kills.http_state(service.client)
        assert runtime.exists() and len(session_processes(service.process.pid)) > 1, "workers run beside the service"

        run = f"sigterm{int(share * 100)}"
        kills.write_batch(batch, 0, run, BATCH)
        writer = kills.Writer(service.url, graph, batch.read_bytes())
        writer.start()
        time.sleep(max(0.0, writer.started + share * duration - time.monotonic()))
        service.process.send_signal(signal.SIGTERM)
        exit_code = service.process.wait(timeout=120)  # by itself: no SIGKILL
        writer.join(timeout=120)
    finally:
        if service.process.poll() is None:
            service.kill()
        service.client.close()

    assert exit_code in (0, 128 + signal.SIGTERM), f"graphsvc serve exited with {exit_code}"
    assert not runtime.exists(), "the runtime file is removed at shutdown"
    deadline = time.monotonic() + 10
    while session_processes(service.process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session_processes(service.process.pid), "query workers or the upload parser outlived the service"
    log = log_file.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]

    again = kills.Service(store, env, log_file)
    try:
        after = kills.http_state(again.client)
    finally:
        again.stop()
    kill = kills.Kill("sigterm", graph, run, True, share * duration, share, acknowledged=writer.status in (200, 201))
    kills.judge(kill, before, after, BATCH)
    assert not kill.problems, kill.problems
    assert writer.status in (200, 201, None), f"the client got {writer.status}: an answer or a closed connection"
    print(f"SIGTERM at {share:.0%} of {duration:.1f} s: client got {writer.status}, store {kill.outcome}")
