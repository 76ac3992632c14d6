"""`python -m bench --size 10k|100k|1m|5m [--seed N] [--out bench/results]`: one run, every figure.

For the chosen size it generates the synthetic world (bench/data/, git-ignored), then measures,
each step in its own process: loading (on disk and in memory), every named query in process
(raw pyoxigraph, same text and parameters), the service over HTTP (start-up on the existing
store, first calls with an empty cache, repeated calls that hit it, throughput with wrk, peak
memory), a no-op FastAPI route under the same uvicorn (the floor), validated ingest of 1k and 10k
batches with pyshacl's verdict beside it, and rdflib's Graph on the same triples and queries.
Results go to <out>/<size>.json and <out>/<size>.md; <out>/summary.md and README.md's Benchmarks
section are rebuilt from every <size>.json in <out>.

`--backend virtuoso` runs the named queries side by side instead: raw pyoxigraph and the service on
the embedded store as above, then a private Virtuoso on 127.0.0.1 (tests/virtuoso.py) holding the
same graphs, raw (the texts the service sends, over HTTP) and through the service pointed at it,
the no-op route, and each case's answer on both engines; into <out>/<size>-virtuoso.json and .md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from bench import generator
from bench.cases import DASHBOARD, cases
from bench.report import write_reports
from bench.worker import SYNTHETIC_GRAPH, summary, vm_hwm_mb

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_step(step: str, args: dict[str, Any], timeout: float = 7200) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench.worker", step, json.dumps(args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    marker = proc.stdout.rfind("@@RESULT@@")
    if proc.returncode != 0 or marker < 0:
        raise RuntimeError(f"step {step} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    log(f"step {step} done in {time.perf_counter() - started:.1f} s")
    return json.loads(proc.stdout[marker + len("@@RESULT@@"):])


# --- data ------------------------------------------------------------------------------------------

def prepare_data(folder: Path, size: str, seed: int) -> dict[str, Any]:
    target = generator.size_of(size)
    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("target") == target and meta.get("seed") == seed and (folder / "world.nt").exists():
            log(f"reusing {folder.name}/world.nt ({meta['triples']} triples)")
            return meta
    t0 = time.perf_counter()
    triples = generator.to_file(folder / "world.nt", target, seed)
    generate_s = time.perf_counter() - t0
    world = generator.World(seed, target)
    batches = {}
    for tag, n, faults in [("b1k-0", 1_000, False), ("b1k-1", 1_000, False), ("b1k-2", 1_000, False),
                           ("b10k", 10_000, False), ("b1k-faulty", 1_000, True)]:
        with (folder / f"{tag}.nt").open("w", encoding="utf-8") as out:
            batches[tag] = generator.write_batch(out, world, tag, n, faults=faults)
    meta = {"target": target, "seed": seed, "triples": triples, "generate_s": round(generate_s, 2),
            "batches": batches, "bytes": (folder / "world.nt").stat().st_size}
    meta_path.write_text(json.dumps(meta, indent=1))
    log(f"generated {triples} triples in {generate_s:.1f} s")
    return meta


# --- HTTP ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server process on 127.0.0.1 and the time it took to answer 200 on `probe`."""

    def __init__(self, command: list[str], port: int, probe: str, env: dict[str, str] | None = None) -> None:
        self.port = port
        t0 = self.started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 600
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command} exited: {self.process.stderr.read().decode()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", probe)
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{command} did not answer in time")
            time.sleep(0.01)
        self.startup_s = time.perf_counter() - t0

    def peak_rss_mb(self) -> float | None:
        return vm_hwm_mb(self.process.pid)

    def workers_peak_rss_mb(self) -> float:
        """The sum of the peak RSS of the server's child processes (its query workers): an upper
        bound, since they share their pages with the server until they write to them."""
        listing = subprocess.run(["ps", "--ppid", str(self.process.pid), "-o", "pid="], capture_output=True, text=True)
        return sum(vm_hwm_mb(pid) or 0.0 for pid in listing.stdout.split())

    def wait_until_reads_from_memory(self, timeout_s: float = 1800) -> float:
        """Seconds from start until the service answers reads from its in-memory replica."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("GET", "/", headers={"Accept": "application/json"})
            reads = json.loads(conn.getresponse().read()).get("reads")
            conn.close()
            if reads in ("memory replica", "in memory"):
                return time.perf_counter() - self.started
            if reads not in ("disk (replica loading)",):
                raise RuntimeError(f"the service reads from {reads!r}")
            time.sleep(0.05)
        raise RuntimeError("the replica was not ready in time")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)


WRITE_TOKEN = "bench-" + os.urandom(8).hex()


QUERY_TIMEOUT_S = 600


def service(store: Path, env: dict[str, str] | None = None) -> Server:
    """`graphsvc serve` on `store`, or on the backend `env` names (then `store` is not opened).

    A dashboard aggregate (`refresh: background`) is answered from its last value unless the
    current one comes within GRAPHSVC_AGGREGATE_WAIT; here the wait is the query budget, so that a
    first call after a write measures the computation, as `Cache-Control: no-cache` does for the
    other queries (time_cases)."""
    port = free_port()
    command = [sys.executable, "-m", "graphsvc", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--store", str(store), "--log-level", "warning", "--query-timeout", str(QUERY_TIMEOUT_S)]
    return Server(command, port, "/", env={**(env or {}), "GRAPHSVC_WRITE_TOKENS": f"bench={WRITE_TOKEN}",
                                           "GRAPHSVC_AGGREGATE_WAIT": str(QUERY_TIMEOUT_S)})


def write_marker(port: int, round_: int) -> int:
    """A one-triple validated write through the service (PUT /graphs); its HTTP status."""
    body = (f'<https://example.org/bench/marker> <http://www.w3.org/2000/01/rdf-schema#comment> "round {round_}" .\n')
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("PUT", "/graphs?graph=https%3A%2F%2Fexample.org%2Fbench%2Fmarker", body=body.encode(),
                 headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {WRITE_TOKEN}"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def bump_data_version(port: int, round_: int) -> None:
    """A tiny validated write through the service: a new data version, so every cached answer is stale."""
    status = write_marker(port, round_)
    if status not in (200, 201):
        raise RuntimeError(f"PUT /graphs: HTTP {status}")


def noop_server() -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.noop_app:app", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]
    return Server(command, port, "/noop")


def get(conn: http.client.HTTPConnection, path: str, fresh: bool = False) -> tuple[int, int, float, bool]:
    """Status, body size as sent, seconds to its last byte, and whether the answer was one for an
    earlier data version; `fresh`: ask for the current version's answer (Cache-Control: no-cache),
    not an earlier one. Like browsers and the common HTTP libraries, it accepts gzip."""
    t0 = time.perf_counter()
    headers = {"Accept": "application/json", "Accept-Encoding": "gzip",
               **({"Cache-Control": "no-cache"} if fresh else {})}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body), time.perf_counter() - t0, response.getheader("X-Data-Stale") == "true"


def repeated(port: int, path: str, runs: int = 300, budget_s: float = 15.0) -> dict[str, Any]:
    """Calls of `path` with unchanged data (answered from the cache); an answer other than 200
    stops them and is kept as `error`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    for _ in range(10):
        if get(conn, path)[0] == 200:
            break
    times = []
    started = time.perf_counter()
    while len(times) < runs and time.perf_counter() - started < budget_s:
        status, _size, elapsed, _stale = get(conn, path)
        if status != 200:
            log(f"repeated calls: {path}: HTTP {status}")
            conn.close()
            return {**summary(times), "error": f"HTTP {status}"}
        times.append(elapsed)
    conn.close()
    return summary(times)


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk with apt-get")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk")


def throughput(port: int, path: str, seconds: int = 10, connections: int = 16) -> dict[str, Any]:
    """Requests per second under a bounded concurrent load from another process (wrk, or Python)."""
    url = f"http://127.0.0.1:{port}{path}"
    wrk = ensure_wrk()
    if wrk:
        proc = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                               "-H", "Accept: application/json", url], capture_output=True, text=True,
                              timeout=seconds + 60)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", proc.stdout)
        p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", proc.stdout)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", proc.stdout)
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
        return {"tool": f"wrk -t2 -c{connections} -d{seconds}s",
                "requests_per_s": float(rps.group(1)) if rps else None,
                "p50_ms": round(float(p50.group(1)) * scale[p50.group(2)], 3) if p50 else None,
                "non_2xx": int(errors.group(1)) if errors else 0}
    proc = subprocess.run([sys.executable, "-m", "bench.loadgen", url, str(seconds), str(connections)],
                          cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120)
    return json.loads(proc.stdout)


def time_cases(port: int, selected: list, into: dict[str, list[float]], errors: list[str], when: str,
               stale: list[str] | None = None) -> None:
    """One call of each case, in order, on one connection, each asking for the current data
    version's answer; the seconds of each go into `into` (and into `stale`, the calls answered for
    an earlier data version all the same)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    for case in selected:
        status, _size, elapsed, was_stale = get(conn, case.path, fresh=True)
        if status != 200:
            errors.append(f"{when}: {case.path}: HTTP {status}")
            log(errors[-1])
            continue
        into[case.name].append(elapsed)
        if was_stale and stale is not None:
            stale.append(f"{when}: {case.name}")
    conn.close()


NewVersion = Callable[[int, int], None]  # (service port, round): make every cached answer stale


def http_measurements(start: Callable[[], Server], selected: list, starts: int = 3, cold_rounds: int = 3,
                      warm_rounds: int = 3, replica: bool = True,
                      new_version: tuple[str, NewVersion] = ("PUT /graphs through the service", bump_data_version),
                      write_probe: bool = False) -> dict[str, Any]:
    """Start-up on the existing store, first calls (empty cache), repeated calls, throughput, memory.
    `start` starts the service; `replica`: it reads from an in-memory replica, to be waited for;
    `new_version`: how a round of first calls makes the cached answers stale (and what it is);
    `write_probe`: at the end, time one write through the service (kept with its status)."""
    startups: list[float] = []
    replica_ready: list[float] = []
    first: dict[str, list[float]] = {c.name: [] for c in selected}
    result: dict[str, Any] = {}
    errors: list[str] = []
    stale: list[str] = []
    result["errors"] = errors
    result["stale_first_calls"] = stale
    for attempt in range(starts):
        server = start()
        startups.append(server.startup_s)
        try:
            if replica:
                replica_ready.append(server.wait_until_reads_from_memory())
            if attempt < cold_rounds:
                time_cases(server.port, selected, first, errors, f"after start {attempt}", stale)
            if attempt == starts - 1:
                log("service: first calls after a write (warm process, empty cache)")
                warm: dict[str, list[float]] = {c.name: [] for c in selected}
                writes: list[float] = []
                how, make_new_version = new_version
                for round_ in range(warm_rounds):
                    t0 = time.perf_counter()
                    make_new_version(server.port, round_)
                    writes.append(time.perf_counter() - t0)
                    time_cases(server.port, selected, warm, errors, f"after write {round_}", stale)
                result["new_version"] = {"by": how, **summary(writes), "runs_ms": [round(t * 1000, 1) for t in writes]}
                result["first_call_warm"] = {name: {**summary(times), "runs_ms": [round(t * 1000, 2) for t in times]}
                                             for name, times in warm.items()}
                log("service: repeated calls")
                result["repeated"] = {c.name: repeated(server.port, c.path) for c in selected}
                result["prefixes_repeated"] = repeated(server.port, "/prefixes")
                log("service: throughput")
                dashboard = next(c for c in selected if c.name == DASHBOARD)
                result["throughput_dashboard"] = throughput(server.port, dashboard.path)
                result["throughput_prefixes"] = throughput(server.port, "/prefixes")
                if write_probe:
                    log("service: one write through PUT /graphs")
                    t0 = time.perf_counter()
                    status = write_marker(server.port, warm_rounds)
                    result["write_through_service"] = {"status": status,
                                                       "ms": round((time.perf_counter() - t0) * 1000, 1)}
                result["peak_rss_mb"] = server.peak_rss_mb()
                result["workers_peak_rss_mb"] = round(server.workers_peak_rss_mb(), 1)
        finally:
            server.stop()
    result["startup_s"] = {"median": round(statistics.median(startups), 3), "max": round(max(startups), 3),
                           "runs": [round(s, 3) for s in startups]}
    if replica_ready:
        result["replica_ready_s"] = {"median": round(statistics.median(replica_ready), 3),
                                     "runs": [round(s, 3) for s in replica_ready]}
    result["first_call"] = {name: {**summary(times), "runs_ms": [round(t * 1000, 2) for t in times]}
                            for name, times in first.items()}
    return result


def noop_measurements() -> dict[str, Any]:
    server = noop_server()
    try:
        return {"startup_s": round(server.startup_s, 3), "repeated": repeated(server.port, "/noop"),
                "throughput": throughput(server.port, "/noop"), "peak_rss_mb": server.peak_rss_mb()}
    finally:
        server.stop()


# --- the run ---------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    import pyoxigraph
    import pyshacl
    import rdflib
    import uvicorn
    import fastapi

    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), "0")
    return {"cpus": os.cpu_count(), "memory_gb": round(int(mem) / 1024 / 1024, 1), "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__, "pyshacl": pyshacl.__version__,
            "fastapi": fastapi.__version__, "uvicorn": uvicorn.__version__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", required=True, choices=list(generator.SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--data-dir", default=str(ROOT / "bench" / "data"))
    parser.add_argument("--rdflib-cap", type=float, default=60.0, help="seconds per rdflib query before giving up")
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument("--cases", help="comma-separated case names to run (default: all); e.g. partners")
    parser.add_argument("--query-budget", type=float, default=12.0, help="seconds of repeated runs per query")
    parser.add_argument("--backend", choices=["oxigraph", "virtuoso"], default="oxigraph",
                        help="virtuoso: the named queries on a private Virtuoso (raw and through the service) "
                             "beside the embedded store, in one run, into <size>-virtuoso.json/.md")
    args = parser.parse_args(argv)

    size = args.size
    folder = Path(args.data_dir) / f"{size}-seed{args.seed}"
    data = prepare_data(folder, size, args.seed)
    world = str(folder / "world.nt")
    store = folder / ("store" if args.backend == "oxigraph" else "store-beside-virtuoso")
    shutil.rmtree(store, ignore_errors=True)
    if args.cases:
        os.environ["BENCH_CASES"] = args.cases  # the worker steps read it too
    selected = cases()
    big = generator.size_of(size) >= 1_000_000  # fewer repeats of slow work
    results: dict[str, Any] = {"size": size, "seed": args.seed, "machine": machine(), "data": data,
                               "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "dashboard_query": DASHBOARD,
                               "cases": {c.name: c.path for c in selected},
                               "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    if args.backend == "virtuoso":
        return side_by_side(args, results, folder, store, selected)

    log("load on disk")
    results["load_disk"] = run_step("load", {"store": str(store), "data": world, "triples": data["triples"]})
    log("load in memory, and every query on it (what the service's replica answers with)")
    results["load_memory"] = run_step("load", {"store": "memory", "data": world, "triples": data["triples"],
                                               "queries": True, "budget_s": args.query_budget})
    log("raw pyoxigraph on the on-disk store")
    results["raw_disk"] = run_step("raw", {"store": str(store), "budget_s": args.query_budget})
    log("service over HTTP")
    results["http"] = (http_measurements(lambda: service(store), selected, cold_rounds=1, warm_rounds=5) if big
                       else http_measurements(lambda: service(store), selected))
    log("no-op route")
    results["noop"] = noop_measurements()
    log("validated ingest")
    batches = [{"tag": tag, "path": str(folder / f"{tag}.nt"), "reference": tag in ("b1k-0", "b1k-faulty")}
               for tag in data["batches"]]
    results["ingest"] = run_step("ingest", {"store": str(store), "batches": batches})
    if not args.skip_rdflib:
        log("rdflib")
        results["rdflib"] = run_step("rdflib", {"data": world, "triples": data["triples"],
                                                "cap_s": args.rdflib_cap})
    shutil.rmtree(store, ignore_errors=True)
    return finish(args, results, size)


def finish(args: argparse.Namespace, results: dict[str, Any], name: str) -> int:
    """Write <out>/<name>.json and rebuild the reports (and README.md's table for bench/results)."""
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    # README.md shows the project's own results only, not those of a run written elsewhere.
    default_out = (ROOT / "bench" / "results").resolve()
    write_reports(out, ROOT / "README.md" if out.resolve() == default_out else None)
    log(f"wrote {out / (name + '.json')} and {out / (name + '.md')}")
    return 0


def side_by_side(args: argparse.Namespace, results: dict[str, Any], folder: Path, store: Path,
                 selected: list) -> int:
    """The named queries on the embedded store and on a private Virtuoso holding the same graphs,
    in one run: raw pyoxigraph and raw Virtuoso (the texts the service sends), the service on each,
    the no-op route, and whether both engines give the same answers."""
    from bench.virtuoso_load import loaded_virtuoso, remote_store
    from graphsvc.config import Settings

    world = folder / "world.nt"
    triples = results["data"]["triples"]
    rounds = {"starts": 1, "cold_rounds": 1, "warm_rounds": 5}
    results["backend"] = "virtuoso"
    try:
        log("embedded: load on disk (the service's store)")
        results["load_disk"] = run_step("load", {"store": str(store), "data": str(world), "triples": triples})
        log("embedded: load in memory, and every query on it (raw pyoxigraph)")
        results["load_memory"] = run_step("load", {"store": "memory", "data": str(world), "triples": triples,
                                                   "queries": True, "budget_s": args.query_budget})
        log("embedded: the service over HTTP")
        results["http"] = http_measurements(lambda: service(store), selected, **rounds)
    finally:
        shutil.rmtree(store, ignore_errors=True)
    log("no-op route")
    results["noop"] = noop_measurements()
    log("Virtuoso: start a private server and load the world and the project")
    defaults = Settings()
    with loaded_virtuoso(folder / "virtuoso-db", world, SYNTHETIC_GRAPH) as (server, loading):
        virtuoso: dict[str, Any] = {"version": virtuoso_version(), "load": loading}
        log(f"Virtuoso: loaded in {loading['bulk_load_s']} s (+ {loading['project_load_s']} s for the project)")
        log("Virtuoso: raw, the texts the service sends; then the answers against the embedded store's")
        virtuoso["raw"] = run_step("virtuoso", {
            "query_url": server.query_url, "data": str(world), "budget_s": args.query_budget,
            "result_limit": defaults.result_limit, "query_timeout_s": QUERY_TIMEOUT_S,
            "aggregate_timeout_s": defaults.aggregate_timeout_s})
        log("Virtuoso: the service over HTTP")
        outside = remote_store(server)
        wait_s = defaults.sparql_version_ttl_s + 0.2

        def new_version(_port: int, _round: int) -> None:
            # Writes through the service fail on a large Virtuoso (see write_through_service), so the
            # data version is renewed as a writer beside the service renews it; the service sees it
            # once the version it holds is older than GRAPHSVC_SPARQL_VERSION_TTL.
            outside.write_graphs(replace={}, add={})
            time.sleep(wait_s)

        log("Virtuoso: raw, in the conditions of the service's first calls")
        from bench.virtuoso_raw import RawEndpoint, raw_first_calls

        def renew() -> None:
            new_version(0, 0)

        virtuoso["raw_first"] = raw_first_calls(
            RawEndpoint(server.query_url), selected, rounds["warm_rounds"], renew, defaults.result_limit,
            QUERY_TIMEOUT_S, defaults.aggregate_timeout_s)
        virtuoso["http"] = http_measurements(
            lambda: service(folder / "unused-store", server.env()), selected, replica=False, write_probe=True,
            new_version=(f"a new data version written beside the service, then {wait_s:.1f} s "
                         "(its GRAPHSVC_SPARQL_VERSION_TTL and a margin)", new_version), **rounds)
        results["virtuoso"] = virtuoso
    return finish(args, results, f"{results['size']}-virtuoso")


def virtuoso_version() -> str:
    shown = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=30)
    found = re.search(r"Version (\S+)", shown.stdout + shown.stderr)
    return found.group(1) if found else "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
