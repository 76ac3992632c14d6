"""Ratios, targets and markdown tables from the JSON a benchmark run writes.

`write_reports(out, readme)` rewrites <out>/<size>.md for every <size>.json in <out> (and
<size>-virtuoso.md for every <size>-virtuoso.json, the runs beside Virtuoso), the cross-size
<out>/summary.md, and the tables between the bench markers of README.md.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

ORDER = ["10k", "100k", "1m", "5m"]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _x(value: float | None, prefix: str = "") -> str:
    if value is None:
        return "-"
    return f"{prefix}{value:,.0f}x" if value >= 100 else f"{prefix}{value:.2f}x"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def raw_reference(r: dict[str, Any]) -> dict[str, Any]:
    """Raw pyoxigraph latencies on the store the service answers from: the in-memory one, since the
    service reads from an in-memory replica of its on-disk store (older runs: the on-disk store)."""
    return r["load_memory"].get("queries") or r["raw_disk"]["queries"]


def rdflib_ratios(r: dict[str, Any]) -> dict[str, tuple[float | None, bool]]:
    """Per case: rdflib median / raw pyoxigraph median; True when rdflib hit the cap (a lower bound)."""
    out: dict[str, tuple[float | None, bool]] = {}
    rd = r.get("rdflib", {}).get("queries", {})
    for name, raw in raw_reference(r).items():
        entry = rd.get(name)
        if not entry or raw["median_ms"] <= 0 or "error" in entry:
            out[name] = (None, False)
        elif entry.get("timeout"):
            out[name] = (entry["cap_s"] * 1000 / raw["median_ms"], True)
        else:
            out[name] = (entry["median_ms"] / raw["median_ms"], False)
    return out


def derived(r: dict[str, Any]) -> dict[str, Any]:
    """The ratios the targets are stated in."""
    dash = r["dashboard_query"]
    http = r["http"]
    noop = r["noop"]["repeated"]["median_ms"]
    raw = raw_reference(r)
    first = http.get("first_call_warm", http["first_call"])
    first_ratio = {n: first[n]["median_ms"] / raw[n]["median_ms"] for n in raw
                   if raw[n]["median_ms"] > 0 and first.get(n, {}).get("median_ms") is not None}
    rd = rdflib_ratios(r)
    rd_values = [v for v, _capped in rd.values() if v is not None]
    ingest = r["ingest"]["batches"]
    ones = [b for tag, b in ingest.items() if tag.startswith("b1k-") and "total_ms" in b]
    tp = r["http"]["throughput_dashboard"]["requests_per_s"]
    tp_noop = r["noop"]["throughput"]["requests_per_s"]
    return {
        "dashboard_repeated_over_noop": http["repeated"][dash]["median_ms"] / noop,
        "first_over_raw": first_ratio,
        "first_over_raw_dashboard": first_ratio.get(dash),
        "first_over_raw_median": statistics.median(first_ratio.values()) if first_ratio else None,
        "first_within_1_2": sum(1 for v in first_ratio.values() if v <= 1.2),
        "rdflib_over_pyoxigraph": rd,
        "rdflib_over_pyoxigraph_median": statistics.median(rd_values) if rd_values else None,
        "ingest_1k_total_ms": statistics.median(b["total_ms"] for b in ones) if ones else None,
        "ingest_1k_validate_ms": statistics.median(b["validate_ms"] for b in ones) if ones else None,
        "ingest_1k_commit_ms": statistics.median(b["commit_ms"] for b in ones) if ones else None,
        "ingest_same_verdicts": all(b.get("same_verdict_as_pyshacl", True) for b in ingest.values()),
        "throughput_over_noop": tp / tp_noop if tp and tp_noop else None,
        "service_mb": (r["http"].get("peak_rss_mb") or 0) + (r["http"].get("workers_peak_rss_mb") or 0),
        "peak_mb": max(x for x in ((r["http"].get("peak_rss_mb") or 0) + (r["http"].get("workers_peak_rss_mb") or 0),
                                   r["load_disk"].get("peak_rss_mb")) if x),
    }


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    d = derived(r)
    dash = r["dashboard_query"]
    faulty = r["ingest"]["batches"].get("b1k-faulty", {})
    rows = [
        ("Dashboard query (`/api/%s`) repeated, unchanged data / no-op route" % dash, "1m",
         _x(d["dashboard_repeated_over_noop"]), "<= 1.5x", d["dashboard_repeated_over_noop"] <= 1.5),
        ("Dashboard query first call (empty cache, after a write) / raw pyoxigraph in memory", "1m",
         _x(d["first_over_raw_dashboard"]), "<= 1.2x",
         None if d["first_over_raw_dashboard"] is None else d["first_over_raw_dashboard"] <= 1.2),
        ("Every named query: first call / raw pyoxigraph in memory (cases within 1.2x)", "1m",
         f"{d['first_within_1_2']} of {len(d['first_over_raw'])} (median {_x(d['first_over_raw_median'])})",
         "all <= 1.2x", d["first_within_1_2"] == len(d["first_over_raw"])),
        ("rdflib / pyoxigraph, median over the named queries", "100k",
         _x(d["rdflib_over_pyoxigraph_median"], ">= " if any(c for _v, c in d["rdflib_over_pyoxigraph"].values()) else ""),
         ">= 100x", None if d["rdflib_over_pyoxigraph_median"] is None else d["rdflib_over_pyoxigraph_median"] >= 100),
        ("Ingest with validation of a 1k batch (validate + commit, median of 3)", "1m",
         f"{_ms(d['ingest_1k_total_ms'])} ms", "< 200 ms",
         None if d["ingest_1k_total_ms"] is None else d["ingest_1k_total_ms"] < 200),
        ("Same verdicts as pyshacl (valid 1k batch; 1k batch with 3 planted faults)", "1m",
         "same" if d["ingest_same_verdicts"] else "different", "same",
         d["ingest_same_verdicts"] and faulty.get("conforms") is False),
        ("Start-up on the existing store (to first 200, reads from disk until the replica is ready; median of 3)", "1m",
         f"{r['http']['startup_s']['median']:.2f} s (max {r['http']['startup_s']['max']:.2f} s)", "< 2 s",
         r["http"]["startup_s"]["median"] < 2),
        ("Peak memory (service + its query workers, or the loader; VmHWM)", "1m", f"{d['peak_mb']:,.0f} MB", "< 1,536 MB",
         d["peak_mb"] < 1536),
        ("Throughput, repeated dashboard query / no-op route", "1m",
         _x(d["throughput_over_noop"]), ">= 0.5x",
         None if d["throughput_over_noop"] is None else d["throughput_over_noop"] >= 0.5),
    ]
    return [{"target": t, "stated_at": at, "measured": m, "threshold": th, "pass": ok,
             "applies": at == r["size"]} for t, at, m, th, ok in rows]


def size_markdown(r: dict[str, Any]) -> str:
    d = derived(r)
    m = r["machine"]
    dash = r["dashboard_query"]
    lines = [
        f"# Benchmark at {r['size']} ({r['data']['triples']:,} synthetic triples, seed {r['seed']})",
        "",
        f"Run {r['started']} to {r['finished']} on {m['cpus']} cores, {m['memory_gb']} GB; Python {m['python']}, "
        f"pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}, pyshacl {m['pyshacl']}, FastAPI {m['fastapi']}, "
        f"uvicorn {m['uvicorn']}. Generated by `python -m bench --size {r['size']} --seed {r['seed']}`; "
        "the store also holds the ontology and data/.",
        "",
        "## Targets",
        "",
        "| target | stated at | measured here | threshold | verdict |",
        "|---|---|---|---|---|",
    ]
    for t in targets(r):
        verdict = _verdict(t["pass"]) if t["applies"] else f"({_verdict(t['pass'])})"
        lines.append(f"| {t['target']} | {t['stated_at']} | {t['measured']} | {t['threshold']} | {verdict} |")
    lines += ["", "A verdict in brackets is for a target stated at another size.", "",
              "## Loading", "", "| store | seconds | triples/s | peak RSS (MB) |", "|---|---|---|---|"]
    ld, lm = r["load_disk"], r["load_memory"]
    lines.append(f"| pyoxigraph on disk (bulk_load) | {ld['load_s']:.2f} | {ld['triples_per_s']:,} | {ld['peak_rss_mb']:,.0f} |")
    lines.append(f"| pyoxigraph in memory (bulk_load) | {lm['load_s']:.2f} | {lm['triples_per_s']:,} | {lm['peak_rss_mb']:,.0f} |")
    if "rdflib" in r:
        rl = r["rdflib"]
        lines.append(f"| rdflib Graph (N-Triples parse) | {rl['synthetic_load_s']:.2f} | {rl['triples_per_s']:,} | "
                     f"{rl['peak_rss_mb']:,.0f} |")
    lines += ["", f"Opening the on-disk store took {r['raw_disk']['open_s']:.2f} s; generating the data "
              f"{r['data']['generate_s']} s.", "",
              "## Named queries (ms)", "",
              "Raw: pyoxigraph `Store.query` in process, same text and bound parameters, every row read; median "
              "and p95 after a warm-up; on disk, and in memory (what the service's replica answers with; first / raw "
              "and rdflib / pyoxigraph use it). HTTP first: a call whose answer is not cached, in a warm service after a "
              "tiny write through PUT /graphs (a new data version), median of the rounds; first / raw uses it. "
              "HTTP first after start: the first call in a freshly started service. HTTP repeated: unchanged data, "
              "answered from the cache. rdflib: a Dataset with the same named graphs (default graph = their "
              "union) and rdflib's own SPARQL engine; each query in a forked child killed at the cap.",
              "",
              "| query | rows | raw disk median | raw disk p95 | raw memory median | HTTP first | first / raw "
              "| HTTP first after start | HTTP repeated median | p95 | rdflib median | rdflib / pyoxigraph |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    rd = d["rdflib_over_pyoxigraph"]
    for name, raw in r["raw_disk"]["queries"].items():
        mem = raw_reference(r).get(name, {"median_ms": None})
        first = r["http"].get("first_call_warm", r["http"]["first_call"])[name]["median_ms"]
        cold = r["http"]["first_call"][name]["median_ms"]
        rep = r["http"]["repeated"][name]
        rdl = r.get("rdflib", {}).get("queries", {}).get(name, {})
        if rdl.get("timeout"):
            rd_text = f"> {rdl['cap_s']:.0f} s"
        elif "error" in rdl:
            rd_text = "error"
        else:
            rd_text = _ms(rdl.get("median_ms"))
        ratio, capped = rd.get(name, (None, False))
        rows = raw["rows"] if rdl.get("rows") in (None, raw["rows"]) else f"{raw['rows']} (rdflib {rdl['rows']})"
        lines.append(f"| `{name}` | {rows} | {_ms(raw['median_ms'])} | {_ms(raw['p95_ms'])} | {_ms(mem['median_ms'])} "
                     f"| {_ms(first)} | {_x(d['first_over_raw'].get(name))} | {_ms(cold)} | {_ms(rep['median_ms'])} | "
                     f"{_ms(rep['p95_ms'])} | {rd_text} | {_x(ratio, '>= ' if capped else '')} |")
    noop = r["noop"]
    lines += ["", "Cases: " + "; ".join(f"`{n}` = `{p}`" for n, p in r["cases"].items()), "",
              "## HTTP floor and throughput", "",
              "| route | median ms | p95 ms | requests/s under load | p50 under load (ms) |", "|---|---|---|---|---|"]
    tp_d, tp_p, tp_n = r["http"]["throughput_dashboard"], r["http"]["throughput_prefixes"], noop["throughput"]
    lines.append(f"| no-op FastAPI route (bench/noop_app.py) | {_ms(noop['repeated']['median_ms'])} | "
                 f"{_ms(noop['repeated']['p95_ms'])} | {tp_n['requests_per_s']:,.0f} | {_ms(tp_n['p50_ms'])} |")
    lines.append(f"| service `/prefixes` | {_ms(r['http']['prefixes_repeated']['median_ms'])} | "
                 f"{_ms(r['http']['prefixes_repeated']['p95_ms'])} | {tp_p['requests_per_s']:,.0f} | {_ms(tp_p['p50_ms'])} |")
    rep = r["http"]["repeated"][dash]
    lines.append(f"| service `/api/{dash}` repeated | {_ms(rep['median_ms'])} | {_ms(rep['p95_ms'])} | "
                 f"{tp_d['requests_per_s']:,.0f} | {_ms(tp_d['p50_ms'])} |")
    lines += ["", f"Load: `{tp_d['tool']}` from a second process on 127.0.0.1; non-2xx answers: dashboard "
              f"{tp_d['non_2xx']}, no-op {tp_n['non_2xx']}.", "",
              f"Service: start-up {r['http']['startup_s']['runs']} s (starts on the existing store, to the "
              f"first 200 on `/`); reads from the in-memory replica after "
              f"{r['http'].get('replica_ready_s', {}).get('runs', '-')} s; peak RSS {r['http']['peak_rss_mb']:,.0f} MB "
              f"after all the calls and the load, and {r['http'].get('workers_peak_rss_mb', 0):,.0f} MB summed over its "
              "query workers (an upper bound: they share pages with the service until they write to them).",
              "", "## Validated ingest", "",
              "Each batch is new instruments (with signings, provisions, areas and evidence) naming the world's "
              "countries, ministries, concepts, forums and source documents, written into a new graph with "
              "graphsvc.ingest plan/check/commit. pyshacl runs on the same batch and context (the ontology mixed "
              "in, SPARQL constraints on); its results on the batch's own nodes are compared with ours.", "",
              "| batch | triples | context triples | validate ms (context + constraints) | commit ms | total ms "
              "| validation share | commit share | verdict | pyshacl ms | same verdict as pyshacl |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for tag, b in r["ingest"]["batches"].items():
        total = b.get("total_ms")
        vshare = f"{b['validate_ms'] / total:.0%}" if total else "-"
        cshare = f"{b['commit_ms'] / total:.0%}" if total else "-"
        verdict = "conforms" if b["conforms"] else f"rejected ({b['violations']} violations)"
        same = {True: "yes", False: "NO"}.get(b.get("same_verdict_as_pyshacl"), "-")
        lines.append(f"| {tag} | {b['triples']:,} | {b['context_triples']:,} | {_ms(b['validate_ms'])} "
                     f"({_ms(b['context_ms'])} + {_ms(b['constraints_ms'])}) | {_ms(b.get('commit_ms'))} | "
                     f"{_ms(total)} | {vshare} | {cshare} | {verdict} | {_ms(b.get('pyshacl_ms'))} | {same} |")
    lines += ["", "Total = parse + validate + commit. The three 1k batches are distinct; the faulty one carries a "
              "signing date as a plain string, an evidence span past the end of its document and a party that "
              "is a concept (all three are visible only with the store's context).", ""]
    return "\n".join(lines)


def _cell(fn: Any, run: dict[str, Any]) -> str:
    """One run's value in a summary table, or "-" where that run did not measure it."""
    try:
        return fn(run)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return "-"


def summary_markdown(runs: list[dict[str, Any]]) -> str:
    head = "| | " + " | ".join(r["size"] for r in runs) + " |"
    rule = "|---|" + "---|" * len(runs)
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, fn) -> None:
        rows.append((label, [_cell(fn, r) for r in runs]))

    dash = runs[0]["dashboard_query"]
    row("synthetic triples", lambda r: f"{r['data']['triples']:,}")
    row("load on disk: s (triples/s)", lambda r: f"{r['load_disk']['load_s']:.1f} ({r['load_disk']['triples_per_s']:,})")
    row("load in memory: s (triples/s)", lambda r: f"{r['load_memory']['load_s']:.1f} ({r['load_memory']['triples_per_s']:,})")
    row("rdflib load: s (triples/s)", lambda r: f"{r['rdflib']['synthetic_load_s']:.1f} ({r['rdflib']['triples_per_s']:,})")
    row(f"`{dash}`: raw pyoxigraph median ms, disk / memory", lambda r: f'{_ms(r["raw_disk"]["queries"][dash]["median_ms"])} / '
        f'{_ms(raw_reference(r)[dash]["median_ms"])}')
    row(f"`{dash}`: HTTP first call ms (/ raw)", lambda r: f"{_ms(r['http'].get('first_call_warm', r['http']['first_call'])[dash]['median_ms'])} "
        f"({_x(derived(r)['first_over_raw_dashboard'])})")
    row(f"`{dash}`: HTTP repeated ms / no-op ms", lambda r: f"{_ms(r['http']['repeated'][dash]['median_ms'])} / "
        f"{_ms(r['noop']['repeated']['median_ms'])} ({_x(derived(r)['dashboard_repeated_over_noop'])})")
    row(f"`{dash}` repeated / no-op: requests/s", lambda r: f"{r['http']['throughput_dashboard']['requests_per_s']:,.0f} / "
        f"{r['noop']['throughput']['requests_per_s']:,.0f} ({_x(derived(r)['throughput_over_noop'])})")
    row("first call / raw: median over queries (within 1.2x)", lambda r: f"{_x(derived(r)['first_over_raw_median'])} "
        f"({derived(r)['first_within_1_2']} of {len(derived(r)['first_over_raw'])})")
    row("slowest named query, raw in memory", lambda r: max(((q["median_ms"], n) for n, q in raw_reference(r).items()))[1]
        + f" {_ms(max(q['median_ms'] for q in raw_reference(r).values()))}" + (
            "" if max(q['median_ms'] for q in raw_reference(r).values()) >= 10_000 else " ms"))
    row("rdflib / pyoxigraph, median over queries",
        lambda r: _x(derived(r)["rdflib_over_pyoxigraph_median"],
                     ">= " if any(c for _v, c in derived(r)["rdflib_over_pyoxigraph"].values()) else ""))
    row("ingest 1k: validate + commit ms", lambda r: f"{_ms(derived(r)['ingest_1k_validate_ms'])} + "
        f"{_ms(derived(r)['ingest_1k_commit_ms'])}")
    row("ingest 10k: validate + commit ms", lambda r: f"{_ms(r['ingest']['batches']['b10k']['validate_ms'])} + "
        f"{_ms(r['ingest']['batches']['b10k']['commit_ms'])}")
    row("pyshacl on the 1k batch ms (same verdicts)", lambda r: f"{_ms(r['ingest']['batches']['b1k-0']['pyshacl_ms'])} "
        f"({'yes' if derived(r)['ingest_same_verdicts'] else 'NO'})")
    row("start-up on the existing store s (replica ready s)", lambda r: f"{r['http']['startup_s']['median']:.2f}"
        f" ({r['http']['replica_ready_s']['median']:.1f})")
    row("peak RSS MB: service + workers / disk loader / rdflib", lambda r: f"{r['http']['peak_rss_mb']:,.0f} + "
        f"{r['http'].get('workers_peak_rss_mb', 0):,.0f} / "
        f"{r['load_disk']['peak_rss_mb']:,.0f} / " + (f"{r['rdflib']['peak_rss_mb']:,.0f}" if "rdflib" in r else "-"))

    def verdicts(r: dict[str, Any]) -> str:
        applied = [t for t in targets(r) if t["applies"]]
        if not applied:
            return "-"
        return ", ".join(f"{_verdict(t['pass'])}" for t in applied)

    row("targets stated at this size", verdicts)
    lines = [head, rule] + [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    lines.append("")
    lines.append("Targets at 1m, in order: dashboard repeated within 1.5x of no-op; dashboard first call within "
                 "1.2x of raw; every query first call within 1.2x of raw; 1k ingest under 200 ms; same verdicts as "
                 "pyshacl; start-up under 2 s; peak memory under 1.5 GB; throughput at least half the no-op's. "
                 "At 100k: rdflib at least 100x slower. Per-size details: bench/results/<size>.md.")
    return "\n".join(lines) + "\n"


# --- Virtuoso beside the embedded store (python -m bench --backend virtuoso) ------------------------

VIRTUOSO_SUFFIX = "-virtuoso"


def _shortened(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit] + " ... (more in the JSON)"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _within(values: list[float | None], limit: float) -> tuple[int, int, float | None, float | None]:
    """How many of the ratios are at most `limit`, of how many; their median and worst."""
    known = [v for v in values if v is not None]
    return (sum(1 for v in known if v <= limit), len(values), statistics.median(known) if known else None,
            max(known) if known else None)


def virtuoso_cases(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per case, on each engine: raw median, first call through the service (after a write, warm
    process) and its ratio to raw, cached call and its ratio to the no-op route; same answers."""
    noop = r["noop"]["repeated"]["median_ms"]
    v = r["virtuoso"]
    out: dict[str, dict[str, Any]] = {}
    for name in r["cases"]:
        row: dict[str, Any] = {}
        for engine, raw, http in (("oxigraph", r["load_memory"]["queries"], r["http"]),
                                  ("virtuoso", v["raw"]["queries"], v["http"])):
            first = http.get("first_call_warm", {}).get(name, {}).get("median_ms")
            cached = http.get("repeated", {}).get(name, {}).get("median_ms")
            raw_ms = raw.get(name, {}).get("median_ms")
            row[engine] = {"rows": raw.get(name, {}).get("rows"), "raw_ms": raw_ms, "first_ms": first,
                           "first_over_raw": _ratio(first, raw_ms), "cached_ms": cached,
                           "cached_over_noop": _ratio(cached, noop),
                           "error": http.get("repeated", {}).get(name, {}).get("error")}
        # Raw Virtuoso in the conditions of the first calls (after the same renewal and pause), where measured.
        raw_first = v.get("raw_first", {}).get(name, {}).get("median_ms")
        row["virtuoso"]["raw_first_ms"] = raw_first
        row["virtuoso"]["first_over_raw_first"] = _ratio(row["virtuoso"]["first_ms"], raw_first)
        answer = v["raw"].get("answers", {}).get(name, {})
        row["same"] = answer.get("same")
        row["difference"] = answer.get("difference")
        out[name] = row
    return out


def virtuoso_targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    per_case = virtuoso_cases(r).values()

    def counted(engine: str, key: str, limit: float) -> tuple[str, bool]:
        within, total, median, worst = _within([c[engine][key] for c in per_case], limit)
        return f"{within} of {total} (median {_x(median)}, worst {_x(worst)})", within == total

    same = [c["same"] for c in per_case]
    paused = any(c["virtuoso"].get("raw_first_ms") is not None for c in per_case)
    rows = [("Virtuoso: first call through the service / raw Virtuoso, same text"
             + (", both after the same renewal and pause" if paused else ""), "<= 1.2x each",
             *counted("virtuoso", "first_over_raw_first" if paused else "first_over_raw", 1.2))]
    if paused:
        rows.append(("(for reference) Virtuoso: first call through the service / raw Virtuoso repeated without pause",
                     "<= 1.2x each", *counted("virtuoso", "first_over_raw", 1.2)))
    rows += [
            ("Embedded: cached call / no-op route", "<= 1.5x each", *counted("oxigraph", "cached_over_noop", 1.5)),
            ("Virtuoso: cached call / no-op route", "<= 1.5x each", *counted("virtuoso", "cached_over_noop", 1.5)),
            ("Same answers on both engines, value by value (the parity test's comparison)", "every case",
             f"{sum(1 for x in same if x)} of {len(same)}", all(x is True for x in same)),
            ("(for reference) Embedded: first call through the service / raw pyoxigraph in memory", "<= 1.2x each",
             *counted("oxigraph", "first_over_raw", 1.2))]
    return [{"target": t, "threshold": th, "measured": m, "pass": ok, "applies": r["size"] == "1m"}
            for t, th, m, ok in rows]


def virtuoso_markdown(r: dict[str, Any]) -> str:
    m, v = r["machine"], r["virtuoso"]
    load = v["load"]
    per_case = virtuoso_cases(r)
    lines = [
        f"# Virtuoso beside the embedded store at {r['size']} ({r['data']['triples']:,} synthetic triples, "
        f"seed {r['seed']})", "",
        f"Run {r['started']} to {r['finished']} on {m['cpus']} cores, {m['memory_gb']} GB; Python {m['python']}, "
        f"pyoxigraph {m['pyoxigraph']}, Virtuoso {v['version']}, FastAPI {m['fastapi']}, uvicorn {m['uvicorn']}. "
        f"Load average (1, 5, 15 min) before {r.get('load_average_before', '-')}, after "
        f"{r.get('load_average_after', '-')}" + (
            " (a shared machine: other work was running when this run began, so the figures are noisier than on "
            "a quiet one)" if r.get("load_average_before", [0])[0] > m["cpus"] / 2 else "") + f". Generated by `python -m bench --size {r['size']} --backend virtuoso`.", "",
        "Targets are stated at 1m; a verdict in brackets is for another size.", "",
        "| target | measured here | threshold | verdict |", "|---|---|---|---|"]
    for t in virtuoso_targets(r):
        verdict = _verdict(t["pass"]) if t["applies"] else f"({_verdict(t['pass'])})"
        lines.append(f"| {t['target']} | {t['measured']} | {t['threshold']} | {verdict} |")
    lines += ["", "## Named queries (ms)", "",
              "Raw pyoxigraph: `Store.query` in process on the in-memory store (what the service's replica answers "
              "with). Raw Virtuoso: the text the service sends (bound parameters, `LIMIT` result limit + 1, the "
              "`timeout` parameter), POSTed to the server's /sparql on a new connection each time, every row "
              "parsed. Both: median after a warm-up. First: a call whose answer is not cached, in a warm service "
              "after the data version was renewed (so every cached answer is stale), median of the rounds; it "
              "includes the service's own round trips (membership checks, and on Virtuoso the data version "
              "after its time to live). How the data version was renewed before each round: embedded, "
              f"{r['http']['new_version']['by']}; Virtuoso, {v['http']['new_version']['by']}. "
              "Cached: unchanged data, the answer from the cache; calls accept gzip, as browsers and HTTP libraries "
              "do, and are timed to the last byte (an answer of 16 KB or more comes compressed); the no-op route "
              f"answers in {_ms(r['noop']['repeated']['median_ms'])} ms. Same: the text sent, run on both engines, "
              "rows compared value by value and in order (tests/engine_parity.py).", "",
              "Virtuoso raw after a pause: the same text, timed as the first calls are (after the same renewal and "
              "wait, the cases in the same order, median of the rounds); the first call's ratio is to it.", "",
              "| case | rows | pyoxigraph raw | service first | / raw | cached | / no-op | Virtuoso raw "
              "| raw after a pause | service first | / raw after a pause | cached | / no-op | same answers |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in per_case.items():
        o, w = c["oxigraph"], c["virtuoso"]
        rows = o["rows"] if w["rows"] in (None, o["rows"]) else f"{o['rows']} (Virtuoso {w['rows']})"
        same = {True: "yes", False: "NO"}.get(c["same"], "-")
        o_first, w_first = (_ms(e["first_ms"]) if e["first_ms"] is not None else e["error"] or "-" for e in (o, w))
        lines.append(f"| `{name}` | {rows} | {_ms(o['raw_ms'])} | {o_first} | {_x(o['first_over_raw'])} "
                     f"| {_ms(o['cached_ms'])} | {_x(o['cached_over_noop'])} | {_ms(w['raw_ms'])} "
                     f"| {_ms(w.get('raw_first_ms'))} | {w_first} "
                     f"| {_x(w.get('first_over_raw_first') or w['first_over_raw'])} | {_ms(w['cached_ms'])} "
                     f"| {_x(w['cached_over_noop'])} | {same} |")
    differing = {n: c["difference"] for n, c in per_case.items() if c["same"] is False}
    if differing:
        lines += ["", "## Answers that differ", ""]
        lines += [f"- `{n}`: {_shortened(' '.join(str(d).split()))}" for n, d in differing.items()]
    lines += ["", "Cases: " + "; ".join(f"`{n}` = `{p}`" for n, p in r["cases"].items()), "",
              "## HTTP floor and throughput", "",
              "| route | median ms | p95 ms | requests/s under load | p50 under load (ms) |", "|---|---|---|---|---|"]
    noop = r["noop"]
    tp = noop["throughput"]
    lines.append(f"| no-op FastAPI route (bench/noop_app.py) | {_ms(noop['repeated']['median_ms'])} | "
                 f"{_ms(noop['repeated']['p95_ms'])} | {tp['requests_per_s']:,.0f} | {_ms(tp['p50_ms'])} |")
    dash = r["dashboard_query"]
    for label, http in (("embedded", r["http"]), ("Virtuoso", v["http"])):
        for route, repeated, loaded in ((f"/api/{dash}", http["repeated"][dash], http["throughput_dashboard"]),
                                        ("/prefixes", http["prefixes_repeated"], http["throughput_prefixes"])):
            lines.append(f"| service on {label}, `{route}` repeated | {_ms(repeated['median_ms'])} | "
                         f"{_ms(repeated['p95_ms'])} | {loaded['requests_per_s'] or 0:,.0f} | "
                         f"{_ms(loaded['p50_ms'])} |")
    lines += ["", f"Load: `{tp['tool']}` from a second process on 127.0.0.1.", "",
              "## Loading and set-up", "",
              f"- Virtuoso's bulk loader (`ld_dir`, `rdf_loader_run`, checkpoint): {load['bulk_load_s']:.1f} s "
              f"({r['data']['triples'] / max(load['bulk_load_s'], 1e-9):,.0f} triples/s); the project through "
              f"RemoteStore (ontology, data/, data version): {load['project_load_s']:.1f} s; {load['buffers']:,} "
              f"buffers of 8 KB; limits as README.md asks (tests/virtuoso.py RECOMMENDED).",
              f"- Quads: Virtuoso {load['store_quads']:,}, embedded store {r['load_memory']['store_quads']:,} "
              f"(the embedded one counts its meta graph's triples the same way; a difference of a few is the "
              f"meta graph's bookkeeping).",
              f"- pyoxigraph bulk_load: {r['load_disk']['load_s']:.1f} s on disk, {r['load_memory']['load_s']:.1f} s "
              "in memory.",
              f"- Service start-up to the first 200: embedded {r['http']['startup_s']['runs']} s (replica ready "
              f"after {r['http'].get('replica_ready_s', {}).get('runs', '-')} s), Virtuoso "
              f"{v['http']['startup_s']['runs']} s; peak RSS of the service: embedded "
              f"{r['http']['peak_rss_mb'] or 0:,.0f} MB, on Virtuoso {v['http']['peak_rss_mb'] or 0:,.0f} MB.",
              f"- Comparing the answers took {v['raw'].get('compare_s', '-')} s."]
    write = v["http"].get("write_through_service")
    if write:
        own = r["http"]["new_version"]
        lines.append(f"- A one-triple write through PUT /graphs: embedded {_ms(own['median_ms'])} ms "
                     f"(median of {own['runs']}); on Virtuoso HTTP {write['status']} after "
                     f"{write['ms'] / 1000:.1f} s.")
    problems = [*r["http"].get("errors", []), *v["http"].get("errors", [])]
    stale = [*r["http"].get("stale_first_calls", []), *v["http"].get("stale_first_calls", [])]
    lines.append(f"- HTTP errors: {'; '.join(problems) if problems else 'none'}; first calls answered for an "
                 f"earlier data version (X-Data-Stale): {'; '.join(stale) if stale else 'none'}.")
    return "\n".join(lines) + "\n"


def virtuoso_summary_markdown(runs: list[dict[str, Any]]) -> str:
    """The README's table for the runs beside Virtuoso, one column per size."""
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, fn) -> None:
        rows.append((label, [_cell(fn, r) for r in runs]))

    def counted(r: dict[str, Any], engine: str, key: str, limit: float) -> str:
        within, total, median, _worst = _within([c[engine][key] for c in virtuoso_cases(r).values()], limit)
        return f"{_x(median)} ({within} of {total})"

    dash = runs[0]["dashboard_query"]
    row("synthetic triples", lambda r: f"{r['data']['triples']:,}")
    row("Virtuoso bulk load: s (triples/s)", lambda r: f"{r['virtuoso']['load']['bulk_load_s']:.1f} "
        f"({r['data']['triples'] / r['virtuoso']['load']['bulk_load_s']:,.0f})")
    row("first call on Virtuoso / raw Virtuoso after the same pause: median (within 1.2x)",
        lambda r: counted(r, "virtuoso", "first_over_raw_first", 1.2)
        if r["virtuoso"].get("raw_first") else "-")
    row("first call on Virtuoso / raw Virtuoso repeated: median (within 1.2x)",
        lambda r: counted(r, "virtuoso", "first_over_raw", 1.2))
    row("first call embedded / raw pyoxigraph: median (within 1.2x)",
        lambda r: counted(r, "oxigraph", "first_over_raw", 1.2))
    row("cached / no-op, embedded: median (within 1.5x)", lambda r: counted(r, "oxigraph", "cached_over_noop", 1.5))
    row("cached / no-op, Virtuoso: median (within 1.5x)", lambda r: counted(r, "virtuoso", "cached_over_noop", 1.5))
    row("same answers on both engines", lambda r: f"{sum(1 for c in virtuoso_cases(r).values() if c['same'])} of "
        f"{len(r['cases'])}")
    row(f"`{dash}` ms, raw / first call: embedded; Virtuoso", lambda r: (
        lambda c: f"{_ms(c['oxigraph']['raw_ms'])} / {_ms(c['oxigraph']['first_ms'])}; "
                  f"{_ms(c['virtuoso']['raw_ms'])} / {_ms(c['virtuoso']['first_ms'])}")(virtuoso_cases(r)[dash]))
    row(f"`{dash}` cached, requests/s: embedded / Virtuoso / no-op", lambda r: (
        f"{r['http']['throughput_dashboard']['requests_per_s']:,.0f} / "
        f"{r['virtuoso']['http']['throughput_dashboard']['requests_per_s']:,.0f} / "
        f"{r['noop']['throughput']['requests_per_s']:,.0f}"))
    row("load average before / after (2 cores)", lambda r: f"{r['load_average_before'][0]:.1f} / "
        f"{r['load_average_after'][0]:.1f}")
    head = "| beside Virtuoso | " + " | ".join(r["size"] for r in runs) + " |"
    lines = [head, "|---|" + "---|" * len(runs)] + [f"| {label} | " + " | ".join(values) + " |"
                                                     for label, values in rows]
    lines += ["", "Targets at 1m: each case's first call on Virtuoso within 1.2x of raw Virtuoso (the same text "
              "over HTTP); cached calls within 1.5x of the no-op route on both backends; the same answers on both "
              "engines for every case. Per-size details: bench/results/<size>-virtuoso.md."]
    return "\n".join(lines) + "\n"


def _render_runs(out: Path, suffix: str, page: Any) -> list[dict[str, Any]]:
    """Every <size><suffix>.json in `out`, in size order, each rendered to its .md by `page`."""
    runs = []
    for size in ORDER:
        path = out / f"{size}{suffix}.json"
        if path.exists():
            r = json.loads(path.read_text())
            runs.append(r)
            (out / f"{size}{suffix}.md").write_text(page(r))
    return runs


def write_reports(out: Path, readme: Path | None = None) -> None:
    runs = _render_runs(out, "", size_markdown)
    beside = _render_runs(out, VIRTUOSO_SUFFIX, virtuoso_markdown)
    if not runs and not beside:
        return
    table = summary_markdown(runs) if runs else ""
    if beside:
        table += ("\n" if table else "") + virtuoso_summary_markdown(beside)
    (out / "summary.md").write_text("# Benchmarks: summary\n\n" + table)
    if readme is not None and readme.exists():
        text = readme.read_text()
        if START in text and END in text:
            before, rest = text.split(START, 1)
            _, after = rest.split(END, 1)
            readme.write_text(before + START + "\n" + table + END + after)


if __name__ == "__main__":
    import sys

    root = Path(__file__).resolve().parent.parent
    write_reports(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "bench" / "results", root / "README.md")
