"""`python -m bench.soak [--size 1m] [--seconds 60] [--seed N]`: a bounded soak of the service.

On a store of the project's graph and the synthetic world of the chosen size (bench/generator.py;
at least 1M triples for the figures in README.md), `graphsvc serve` on 127.0.0.1 with its default
budgets takes, for a warm-up (at least `--warmup` seconds, and until every light path has answered
200 once: the first computation of a dashboard aggregate is the one a request may wait for in full)
and then for `--seconds` more, at once:

- `--readers` threads of light requests, one after another with no pause: every named query of the
  dashboard API (bench/cases.py, half of them revalidating with the ETag they last got, as browsers
  do), Linked Data pages, a small SPARQL query, /api/stats, the front page, /prefixes, /healthz;
- a writer: a validated ingest of a new 1k-triple batch of instruments (generator.write_batch) with
  the write token every `--write-every` seconds, each a new data version that makes every cached
  answer stale;
- a troublemaker: one of bench/queries/soak-*.rq that no budget lets finish (a cross product, a
  closure over every predicate, a sort of the whole store, a regex tried on every literal) every
  `--heavy-every` seconds.

Expected answers: 200 or 304 for light requests (a 503 for a dashboard query is an error), 200/201
for writes, and 200 (cut at the row limit) or 503 (its budget) for the troublemaker; anything else,
or a connection error, is an unexpected error. Reported: requests and unexpected errors by kind,
p50/p99 of light requests overall and per path (target p99 < 1 s), write latencies, and the RSS and
PSS of the service and all its workers at the end of the warm-up and at the end (memory should stay
flat). Results go to <out>/soak.json and <out>/soak.md.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import random
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import generator
from bench.__main__ import ROOT, Server, free_port, log, prepare_data, run_step
from bench.cases import cases

QUERIES = ROOT / "bench" / "queries"
TOKEN = "soak-" + os.urandom(12).hex()
HEAVY = ("soak-cross-product", "soak-closure", "soak-sort-everything", "soak-regex-scan")
TARGET_P99_MS = 1000
JSON_RESULTS = "application/sparql-results+json"


@dataclass
class Sample:
    kind: str  # light, write, heavy
    path: str
    status: int | None  # None: the connection failed
    seconds: float
    at: float  # seconds since the measured part began (negative during the warm-up)
    note: str = ""


def light_requests(world: generator.World) -> list[tuple[str, dict[str, str]]]:
    """(path, headers) of the light requests the readers choose from."""
    light = [(case.path, {"Accept": "application/json"}) for case in cases()]
    # Every fifth is an event (generator.generate); a world has an instrument or event per ~150 triples.
    count = min(2000, world.target // 200)
    light += [(f"/id/bench-instrument-{n}", {"Accept": "text/turtle"})
              for n in (1, count // 3 + 1, 2 * count // 3 + 2, count - 2) if n % 5 != 4]
    light += [(f"/id/{name}", {"Accept": "text/turtle"}) for name in ("india", "government-of-india")]
    query = (QUERIES / "soak-light.rq").read_text(encoding="utf-8")
    light += [("/sparql?" + urlencode({"query": query}), {"Accept": JSON_RESULTS}),
              ("/api/stats", {"Accept": "application/json"}), ("/", {"Accept": "application/json"}),
              ("/prefixes", {}), ("/healthz", {})]
    return light


class Recorder:
    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.measuring_from = float("inf")

    def add(self, kind: str, path: str, status: int | None, started: float, note: str = "") -> None:
        sample = Sample(kind, path, status, time.monotonic() - started, started - self.measuring_from, note)
        with self.lock:
            self.samples.append(sample)


def exchange(conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str],
             body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


class Load:
    """The threads of one soak, stopped together."""

    def __init__(self, port: int, recorder: Recorder, world: generator.World, args: argparse.Namespace) -> None:
        self.port, self.recorder, self.world, self.args = port, recorder, world, args
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def call(self, conn: http.client.HTTPConnection, kind: str, method: str, path: str, headers: dict[str, str],
             body: bytes | None = None, label: str | None = None
             ) -> tuple[http.client.HTTPConnection, int | None, dict[str, str], bytes]:
        started = time.monotonic()
        try:
            status, got, data = exchange(conn, method, path, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.add(kind, label or path, None, started, f"{type(exc).__name__}: {exc}")
            conn.close()
            return self.connection(), None, {}, b""
        note = data[:600].decode("utf-8", "replace") if status >= 400 else ""
        self.recorder.add(kind, label or path, status, started, note)
        return conn, status, got, data

    def reader(self, seed: int) -> None:
        rng = random.Random(seed)
        requests = light_requests(self.world)
        etags: dict[str, str] = {}
        conn = self.connection()
        while not self.stop.is_set():
            path, headers = requests[rng.randrange(len(requests))]
            sent = dict(headers)
            if path in etags and rng.random() < 0.5:
                sent["If-None-Match"] = etags[path]
            conn, status, got, _ = self.call(conn, "light", "GET", path, sent)
            if status == 200 and "etag" in got:
                etags[path] = got["etag"]

    def batch(self, n: int) -> bytes:
        """A new batch of about 1k triples: instruments of the world (generator.write_batch), or labels."""
        tag = f"soak{os.getpid()}x{n}"
        if self.args.batch == "labels":
            return "".join(f'<https://w3id.org/iddkg/id/{tag}-{i}> <http://www.w3.org/2000/01/rdf-schema#label> '
                           f'"{tag} thing {i}"@en .\n' for i in range(1_000)).encode()
        buffer = io.StringIO()
        generator.write_batch(buffer, self.world, tag, 1_000)
        return buffer.getvalue().encode()

    def writer(self) -> None:
        n = 0
        while not self.stop.wait(self.args.write_every):  # a new connection each time: these idle past keep-alive
            graph = f"https://example.org/bench/soak/{n}"
            headers = {"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"}
            conn, *_ = self.call(self.connection(), "write", "PUT", "/graphs?" + urlencode({"graph": graph}),
                                 headers, self.batch(n))
            conn.close()
            n += 1

    def troublemaker(self) -> None:
        n = 0
        while not self.stop.wait(self.args.heavy_every):
            name = HEAVY[n % len(HEAVY)]
            body = urlencode({"query": (QUERIES / f"{name}.rq").read_text(encoding="utf-8")}).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON_RESULTS}
            conn, *_ = self.call(self.connection(), "heavy", "POST", "/sparql", headers, body,
                                 label=f"/sparql {name}")
            conn.close()
            n += 1

    def start(self) -> None:
        targets = [lambda i=i: self.reader(self.args.seed * 100 + i) for i in range(self.args.readers)]
        targets += [self.writer, self.troublemaker]
        self.threads = [threading.Thread(target=t, daemon=True) for t in targets]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=180)


# --- memory ----------------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (query workers, their zygote, the upload parser)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def memory_mb(pid: int) -> dict[str, Any]:
    """RSS and PSS of the service alone and with all its descendants, in MB (from smaps_rollup)."""
    def rollup(p: int) -> dict[str, float]:
        values = {}
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss"):
                    values[name.lower()] = int(rest.split()[0]) / 1024
        except OSError:
            pass
        return values

    processes = descendants(pid)
    each = [rollup(p) for p in processes]
    return {"processes": len(processes),
            "service_rss_mb": round(each[0].get("rss", 0.0), 1), "service_pss_mb": round(each[0].get("pss", 0.0), 1),
            "total_rss_mb": round(sum(e.get("rss", 0.0) for e in each), 1),
            "total_pss_mb": round(sum(e.get("pss", 0.0) for e in each), 1)}


# --- figures ---------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


def expected(sample: Sample) -> bool:
    if sample.status is None:
        return False
    if sample.kind == "light":
        return sample.status in (200, 304)
    if sample.kind == "write":
        return sample.status in (200, 201)
    return sample.status in (200, 503)  # heavy: cut at the row limit, or stopped by its budget


def figures(samples: list[Sample], seconds: float) -> dict[str, Any]:
    measured = [s for s in samples if 0 <= s.at < seconds]
    light = [s for s in measured if s.kind == "light"]
    by_path: dict[str, list[float]] = {}
    for s in light:
        by_path.setdefault(s.path.split("?")[0] if s.path.startswith("/sparql") else s.path, []).append(s.seconds)
    slowest = sorted(((percentile(v, 0.99) or 0.0, p, len(v)) for p, v in by_path.items()), reverse=True)[:8]
    unexpected = [s for s in measured if not expected(s)]
    counts: dict[str, dict[str, int]] = {}
    for s in measured:
        entry = counts.setdefault(s.kind, {})
        entry[str(s.status)] = entry.get(str(s.status), 0) + 1
    writes = [s.seconds for s in measured if s.kind == "write" and expected(s)]
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {
        "requests": len(measured), "by_kind_and_status": counts,
        "unexpected_errors": len(unexpected),
        "unexpected": [{"kind": s.kind, "path": s.path[:120], "status": s.status, "note": s.note[:600]}
                       for kind in ("light", "write", "heavy") for s in [u for u in unexpected if u.kind == kind][:5]],
        "dashboard_503": sum(1 for s in light if s.status == 503 and s.path.startswith("/api/")),
        "light": {"count": len(light), "p50_ms": ms(percentile([s.seconds for s in light], 0.5)),
                  "p99_ms": ms(percentile([s.seconds for s in light], 0.99)),
                  "max_ms": ms(max((s.seconds for s in light), default=None)),
                  "slowest_p99": [{"path": p[:80], "p99_ms": ms(v), "count": n} for v, p, n in slowest]},
        "writes": {"count": len(writes), "p50_ms": ms(percentile(writes, 0.5)), "max_ms": ms(max(writes, default=None))},
    }


def report(results: dict[str, Any]) -> str:
    f, m = results["figures"], results["memory"]
    light = f["light"]
    verdict = "PASS" if f["unexpected_errors"] == 0 and (light["p99_ms"] or 0) < TARGET_P99_MS else "FAIL"
    lines = [
        "# Soak", "",
        f"Run {results['started']} on {results['machine']} (load average {results['load_average_before'][0]} before, "
        f"{results['load_average_after'][0]} after); `python -m bench.soak --size {results['size']} --seconds "
        f"{results['seconds']:g} --seed {results['seed']} --batch {results['batch']}`: "
        f"{results['quads']:,} quads in the store, "
        f"{results['readers']} readers of light requests without pause, a validated ingest of 1k triples "
        f"({results['batch']}) every "
        f"{results['write_every']} s, a pathological query every {results['heavy_every']} s, after "
        f"{results['warmup_s']} s of the same as warm-up (until every light path had answered once).", "",
        "| figure | value |", "|---|---|",
        f"| requests in {results['seconds']} s | {f['requests']:,} ({json.dumps(f['by_kind_and_status'])}) |",
        f"| unexpected errors | {f['unexpected_errors']} (dashboard queries answered 503: {f['dashboard_503']}) |",
        f"| light requests: p50 / p99 / max ms | {light['p50_ms']} / {light['p99_ms']} / {light['max_ms']} "
        f"(target p99 < {TARGET_P99_MS}) |",
        f"| ingests: count, p50 / max ms | {f['writes']['count']}, {f['writes']['p50_ms']} / {f['writes']['max_ms']} |",
        f"| service RSS / PSS MB, after warm-up -> end | {m['start']['service_rss_mb']} / {m['start']['service_pss_mb']}"
        f" -> {m['end']['service_rss_mb']} / {m['end']['service_pss_mb']} |",
        f"| service + workers RSS / PSS MB ({m['start']['processes']} -> {m['end']['processes']} processes) | "
        f"{m['start']['total_rss_mb']} / {m['start']['total_pss_mb']} -> {m['end']['total_rss_mb']} / "
        f"{m['end']['total_pss_mb']} |",
        f"| verdict | {verdict} |", "",
        "Slowest light paths (p99 ms, count): " + "; ".join(f"`{s['path']}` {s['p99_ms']} ({s['count']})"
                                                            for s in light["slowest_p99"]) + ".",
    ]
    if f["unexpected"]:
        lines += ["", "Unexpected answers:"] + [f"- {u['kind']} `{u['path']}`: {u['status']} {u['note']}"
                                                for u in f["unexpected"]]
    return "\n".join(lines) + "\n"


def warm_up(recorder: Recorder, requests: list[tuple[str, dict[str, str]]], at_least_s: float,
            at_most_s: float = 600.0) -> float:
    """Seconds of load until every light path has answered 200 once (the first computation of each
    dashboard aggregate is the one a request may wait for in full), and at least `at_least_s`."""
    started = time.monotonic()
    wanted = {path for path, _ in requests}
    while time.monotonic() - started < at_most_s:
        with recorder.lock:
            answered = {s.path for s in recorder.samples if s.kind == "light" and s.status == 200}
        if time.monotonic() - started >= at_least_s and wanted <= answered:
            break
        time.sleep(1.0)
    return round(time.monotonic() - started, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1m", choices=list(generator.SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--write-every", type=float, default=5.0)
    parser.add_argument("--heavy-every", type=float, default=6.0)
    parser.add_argument("--batch", choices=["instruments", "labels"], default="instruments",
                        help="what each ingest sends: instruments of the world, or labels of new things")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--data-dir", default=str(ROOT / "bench" / "data"))
    args = parser.parse_args(argv)

    folder = Path(args.data_dir) / f"{args.size}-seed{args.seed}"
    data = prepare_data(folder, args.size, args.seed)
    store = folder / "soak-store"
    shutil.rmtree(store, ignore_errors=True)
    log("loading the store")
    loaded = run_step("load", {"store": str(store), "data": str(folder / "world.nt"), "triples": data["triples"]})
    port = free_port()
    command = [sys.executable, "-m", "graphsvc", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--store", str(store), "--log-level", "warning"]
    results: dict[str, Any] = {"size": args.size, "seed": args.seed, "seconds": args.seconds, "warmup": args.warmup,
                               "readers": args.readers, "write_every": args.write_every,
                               "heavy_every": args.heavy_every, "batch": args.batch,
                               "quads": loaded["store_quads"],
                               "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
                               "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    server = Server(command, port, "/", env={"GRAPHSVC_WRITE_TOKENS": f"soak={TOKEN}"})
    try:
        results["replica_ready_s"] = round(server.wait_until_reads_from_memory(), 2)
        recorder = Recorder()
        load = Load(port, recorder, generator.World(args.seed, generator.size_of(args.size)), args)
        log(f"warm-up: at least {args.warmup:g} s, until every light path has answered 200 once")
        load.start()
        results["warmup_s"] = warm_up(recorder, light_requests(load.world), args.warmup)
        results["memory"] = {"start": memory_mb(server.process.pid)}
        recorder.measuring_from = time.monotonic()
        log(f"soak, {args.seconds:g} s")
        series = []
        while time.monotonic() - recorder.measuring_from < args.seconds:
            time.sleep(min(5.0, max(0.0, args.seconds - (time.monotonic() - recorder.measuring_from))))
            series.append({"at_s": round(time.monotonic() - recorder.measuring_from, 1), **memory_mb(server.process.pid)})
        results["memory"]["end"] = memory_mb(server.process.pid)
        results["memory"]["series"] = series
        load.finish()
        results["figures"] = figures(recorder.samples, args.seconds)
    finally:
        server.stop()
        shutil.rmtree(store, ignore_errors=True)
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "soak.md").write_text(report(results))
    print(report(results))
    return 0 if results["figures"]["unexpected_errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
