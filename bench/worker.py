"""The steps of a benchmark run, each in its own process so that its memory high-water mark and
its store lock are its own: `python -m bench.worker <step> <json arguments>`; prints one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from bench.cases import Case, cases

SYNTHETIC_GRAPH = "https://w3id.org/iddkg/graph/data/bench-synthetic"
SKOLEM = "urn:x-bench-bnode:"


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    """Peak resident set size (VmHWM) of a process in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def summary(times_s: list[float]) -> dict[str, Any]:
    if not times_s:
        return {"median_ms": None, "p95_ms": None, "runs": 0}
    ms = sorted(t * 1000 for t in times_s)
    p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
    return {"median_ms": round(statistics.median(ms), 3), "p95_ms": round(p95, 3), "runs": len(ms)}


def repeat(fn: Callable[[], object], budget_s: float = 12.0, min_runs: int = 3, max_runs: int = 20) -> dict[str, Any]:
    """One warm-up run, then runs until `max_runs` or the time budget (at least `min_runs`)."""
    t0 = time.perf_counter()
    fn()
    warmup = time.perf_counter() - t0
    if warmup > 3:  # slow queries at the biggest sizes: two timed runs after the warm-up
        min_runs = min(min_runs, 2)
    times: list[float] = []
    spent = 0.0
    while len(times) < max_runs and (len(times) < min_runs or spent + warmup < budget_s):
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        times.append(elapsed)
        spent += elapsed
    return {**summary(times), "warmup_ms": round(warmup * 1000, 3)}


def consume(result: Any) -> int:
    """Every row (or triple) of a pyoxigraph answer, read into Python terms; the count."""
    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    if isinstance(result, ox.QuerySolutions):
        return sum(1 for row in result for _ in [tuple(row)])
    return sum(1 for _ in result)


def raw_latencies(store: Any, selected: list[Case], budget_s: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for case in selected:
        text = case.text()
        rows = consume(store.query(text))
        stats = repeat(lambda: consume(store.query(text)), budget_s=budget_s)
        out[case.name] = {**stats, "rows": rows}
    return out


# --- steps ---------------------------------------------------------------------------------------

def step_load(args: dict[str, Any]) -> dict[str, Any]:
    """Fill a fresh store (on disk or in memory) with the project's files and the synthetic world."""
    from graphsvc.bootstrap import load_project
    from graphsvc.store import OxigraphStore

    store = OxigraphStore(None if args["store"] == "memory" else Path(args["store"]))
    t0 = time.perf_counter()
    load_project(store)
    project_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.bulk_load(Path(args["data"]), ox.RdfFormat.N_TRIPLES, ox.NamedNode(SYNTHETIC_GRAPH))
    synthetic_s = time.perf_counter() - t0
    triples = len(store)
    result: dict[str, Any] = {"project_load_s": round(project_s, 3), "load_s": round(synthetic_s, 3),
                              "synthetic_triples": args["triples"], "store_quads": triples,
                              "triples_per_s": round(args["triples"] / synthetic_s)}
    if args.get("queries"):
        result["queries"] = raw_latencies(store, cases(), args.get("budget_s", 12.0))
    result["peak_rss_mb"] = vm_hwm_mb()
    return result


def step_raw(args: dict[str, Any]) -> dict[str, Any]:
    """Each case's latency on the on-disk store, straight through pyoxigraph's Store.query."""
    from graphsvc.store import OxigraphStore

    t0 = time.perf_counter()
    store = OxigraphStore(Path(args["store"]))
    open_s = time.perf_counter() - t0
    queries = raw_latencies(store, cases(), args.get("budget_s", 12.0))
    return {"open_s": round(open_s, 3), "queries": queries, "peak_rss_mb": vm_hwm_mb()}


def _verdict(results: list[Any]) -> set[tuple[str, str | None, str, str | None]]:
    def node(term: Any) -> str:
        return term.value if isinstance(term, ox.NamedNode) else "_:blank"

    return {(r.severity.rsplit("#", 1)[-1], r.shape, node(r.focus),
             r.path if r.path and not r.path.startswith(("^", "(")) else None) for r in results}


def _pyshacl_verdict(batch: list[ox.Triple], context: list[ox.Triple], focus: set[Any]) -> tuple[set, float, float]:
    """pyshacl over the batch and the same context; results on the batch's own subjects only."""
    from rdflib import Graph

    from tests import shacl_util

    # Blank nodes become IRIs (no shape asks for a blank node) so that results map back to the batch.
    def skolem(term: Any) -> Any:
        return ox.NamedNode(SKOLEM + term.value) if isinstance(term, ox.BlankNode) else term

    t0 = time.perf_counter()
    triples = [ox.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in [*context, *batch]]
    graph = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    build_s = time.perf_counter() - t0
    focus_text = {skolem(f).value for f in focus}
    t0 = time.perf_counter()
    with shacl_util.cached_sparql_parsing():  # as the parity tests run it: each SPARQL text parsed once
        results = shacl_util.validate(graph)
    validate_s = time.perf_counter() - t0
    verdict = set()
    for r in results:
        if r.focus in focus_text:
            verdict.add((r.severity, r.shape, "_:blank" if r.focus.startswith(SKOLEM) else r.focus, r.path))
    return verdict, build_s, validate_s


def step_ingest(args: dict[str, Any]) -> dict[str, Any]:
    """Validated ingest of each batch into the loaded store; pyshacl's verdict on the same batches."""
    from graphsvc import ingest
    from graphsvc.store import OxigraphStore
    from graphsvc.upload import parse_upload
    from graphsvc.validation.validator import validate

    store = OxigraphStore(Path(args["store"]))
    validate([], set())  # the one-off set-up (compiled shapes, ontology workspace) a running service has done
    out: dict[str, Any] = {}
    for batch in args["batches"]:
        tag, path = batch["tag"], batch["path"]
        data = Path(path).read_bytes()
        graph = ox.NamedNode(f"https://example.org/bench/ingest/{tag}")
        t0 = time.perf_counter()
        upload = parse_upload(data, ox.RdfFormat.N_TRIPLES, Path(path).name)
        planned = ingest.plan([upload], graph, graph)
        parse_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ingest.check(store, planned)
        validate_s = time.perf_counter() - t0
        # Validation again, split into gathering the context and running the constraints.
        batch_triples = [t for triples in planned.targets.values() for t in triples]
        nodes = [n for n in ingest._focus(batch_triples) if isinstance(n, ox.NamedNode)]
        t0 = time.perf_counter()
        from graphsvc import project
        excluded = [ox.NamedNode(project.ONTOLOGY_GRAPH), ox.NamedNode(project.GRAPH_NS + "meta"), graph]
        focus = {t.subject for t in batch_triples}
        inward = [n for n in focus if isinstance(n, ox.NamedNode)]  # as graphsvc.ingest.check asks for it
        context = store.neighbourhood(nodes, exclude_graphs=excluded, depth=ingest._CONTEXT_OUT_DEPTH,
                                      inward=inward)
        context_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = validate(batch_triples, focus, context)
        constraints_s = time.perf_counter() - t0
        entry: dict[str, Any] = {
            "triples": len(batch_triples), "parse_ms": round(parse_s * 1000, 1),
            "validate_ms": round(validate_s * 1000, 1), "context_ms": round(context_s * 1000, 1),
            "constraints_ms": round(constraints_s * 1000, 1), "context_triples": len(context),
            "conforms": planned.conforms,
            "violations": sum(1 for r in planned.results if r.blocking),
        }
        if planned.conforms:
            t0 = time.perf_counter()
            ingest.commit(store, planned, "bench")
            entry["commit_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            entry["total_ms"] = round(entry["parse_ms"] + entry["validate_ms"] + entry["commit_ms"], 1)
        if batch.get("reference"):
            reference, build_s, shacl_s = _pyshacl_verdict(batch_triples, context, focus)
            entry["pyshacl_build_ms"] = round(build_s * 1000, 1)
            entry["pyshacl_ms"] = round(shacl_s * 1000, 1)
            entry["pyshacl_conforms"] = not any(v[0] == "Violation" for v in reference)
            mine = _verdict(planned.results)
            entry["same_verdict_as_pyshacl"] = mine == reference
            if mine != reference:
                entry["verdict_difference"] = {"only_ours": sorted(map(str, mine - reference))[:10],
                                               "only_pyshacl": sorted(map(str, reference - mine))[:10]}
        out[tag] = entry
    return {"batches": out, "peak_rss_mb": vm_hwm_mb()}


def step_rdflib(args: dict[str, Any]) -> dict[str, Any]:
    """rdflib's in-memory Graph and its own SPARQL engine on the same triples and query texts."""
    import signal

    from rdflib import Dataset, URIRef

    from graphsvc import project

    cap = float(args["cap_s"])
    # The same named graphs as the store, the default graph their union (as the service queries it).
    graph = Dataset(default_union=True)
    t0 = time.perf_counter()
    graph.graph(URIRef(SYNTHETIC_GRAPH)).parse(args["data"], format="nt")
    synthetic_s = time.perf_counter() - t0
    for path in project.ontology_files():
        graph.graph(URIRef(project.ONTOLOGY_GRAPH)).parse(path, format="turtle")
    for path in project.data_files():
        graph.graph(URIRef(project.data_graph_iri(path))).parse(path, format="turtle")
    load_s = time.perf_counter() - t0
    list(graph.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))  # the SPARQL parser's one-off set-up
    queries: dict[str, Any] = {}
    for case in cases():
        text = case.text()
        times: list[float] = []
        rows = None
        timed_out = False
        for _ in range(3):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # child: run once, report seconds and rows
                os.close(read)
                try:
                    t = time.perf_counter()
                    n = sum(1 for _ in graph.query(text))
                    payload = json.dumps({"s": time.perf_counter() - t, "rows": n})
                except Exception as exc:  # noqa: BLE001
                    payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]})
                os.write(write, payload.encode())
                os._exit(0)
            os.close(write)
            deadline = time.monotonic() + cap
            while time.monotonic() < deadline:
                done, _status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.01)
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                timed_out = True
            answer = os.read(read, 65536).decode() if not timed_out else ""
            os.close(read)
            if timed_out:
                break
            got = json.loads(answer)
            if "error" in got:
                queries[case.name] = {"error": got["error"]}
                break
            times.append(got["s"])
            rows = got["rows"]
            if sum(times) > 10:
                break
        if case.name in queries:
            continue
        if timed_out:
            queries[case.name] = {"timeout": True, "cap_s": cap, "median_ms": None}
        else:
            queries[case.name] = {**summary(times), "rows": rows}
    return {"load_s": round(load_s, 3), "synthetic_load_s": round(synthetic_s, 3),
            "triples": len(graph), "triples_per_s": round(args["triples"] / synthetic_s),
            "queries": queries, "peak_rss_mb": vm_hwm_mb()}


def step_virtuoso(args: dict[str, Any]) -> dict[str, Any]:
    """Raw Virtuoso latencies (bench.virtuoso_raw), then each case's answer on Virtuoso against the
    embedded store's, filled as step_load fills it."""
    from bench.virtuoso_raw import RawEndpoint, raw_latencies, same_answers
    from graphsvc.bootstrap import load_project
    from graphsvc.remote_store import RemoteStore
    from graphsvc.store import OxigraphStore

    limits = {k: args[k] for k in ("result_limit", "query_timeout_s", "aggregate_timeout_s")}
    queries = raw_latencies(RawEndpoint(args["query_url"]), cases(), args.get("budget_s", 12.0), **limits)
    embedded = OxigraphStore(None)
    load_project(embedded)
    embedded.bulk_load(Path(args["data"]), ox.RdfFormat.N_TRIPLES, ox.NamedNode(SYNTHETIC_GRAPH))
    t0 = time.perf_counter()
    parity = same_answers(embedded, RemoteStore(args["query_url"]), cases(), args["result_limit"])
    return {"queries": queries, "answers": parity, "compare_s": round(time.perf_counter() - t0, 1),
            "peak_rss_mb": vm_hwm_mb()}


STEPS = {"load": step_load, "raw": step_raw, "ingest": step_ingest, "rdflib": step_rdflib,
         "virtuoso": step_virtuoso}


def main() -> None:
    step, raw = sys.argv[1], sys.argv[2]
    result = STEPS[step](json.loads(raw))
    sys.stdout.write("\n@@RESULT@@" + json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip tearing down big structures (rdflib at 1M triples takes a while to free)


if __name__ == "__main__":
    main()
