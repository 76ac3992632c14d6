"""`python -m bench.dashboard [--size 100k] [--seed N] [--reloads N]`: the dashboard's first render.

In headless Chromium (Debian's chromium and chromedriver, as the browser tests use), for the
project's own graph (data/ alone) and for a generated graph of the chosen size (data/ plus the
synthetic world of bench/generator.py): start the service on its store, wait until it reads from
its in-memory replica, open /dashboard and read `window.dashboard.timings.firstRenderMs`, the time
from the start of navigation until every view (network, timeline, areas chart) is drawn from the
API's answers. The first load is a fresh service with nothing cached; the reloads find the answers
cached for the data version (the browser revalidates them, the service answers 304). The slowest
API call of each load is recorded beside it.

Targets: first load under 1 s on the project's graph, under 3 s on the 100k graph. Results go to
<out>/dashboard.json and <out>/dashboard.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.__main__ import ROOT, Server, free_port, log, prepare_data, run_step

TARGETS_MS = {"project": 1000, "generated": 3000}
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000")


def service(store: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "graphsvc", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--store", str(store), "--log-level", "warning"]
    return Server(command, port, "/")


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.bench_profile = profile
    return driver


def one_load(driver: Any, url: str, reload: bool) -> dict[str, Any]:
    """Open (or reload) the dashboard and wait for its first render; its timings and slowest call."""
    if reload:
        driver.refresh()
    else:
        driver.get(url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = driver.execute_script(
            "return window.dashboard ? {ready: window.dashboard.ready, error: window.dashboard.error} : null")
        if state and state["error"]:
            raise RuntimeError(f"the dashboard failed: {state['error']}")
        if state and state["ready"]:
            break
        time.sleep(0.02)
    else:
        raise RuntimeError("the dashboard did not render within 120 s")
    timings = driver.execute_script("return window.dashboard.timings")
    calls = driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/'))"
        ".map(e => [e.name.replace(location.origin, ''), Math.round(e.duration)])")
    drawn = driver.execute_script(
        "const d = window.dashboard; return {partners: d.network.partners.length, items: d.network.items.length,"
        " entries: d.timeline.entries.length, areas: d.areas.areas.length}")
    slowest = max(calls, key=lambda c: c[1]) if calls else None
    return {"first_render_ms": timings["firstRenderMs"], "menus_ms": timings.get("menusMs"),
            "views_ms": {k: timings.get(k) for k in ("fetchMs", "networkMs", "timelineMs", "areasMs")},
            "slowest_call": slowest, "api_calls": len(calls), "drawn": drawn}


def measure(store: Path, reloads: int, starts: int) -> dict[str, Any]:
    """`starts` times a fresh service on `store`: the first load of the dashboard, then `reloads`
    reloads; the first load of the median run is the figure."""
    runs = [measure_once(store, reloads) for _ in range(starts)]
    firsts = [r["first_load"]["first_render_ms"] for r in runs]
    median = sorted(runs, key=lambda r: r["first_load"]["first_render_ms"])[len(runs) // 2]
    return {**median, "first_loads_ms": firsts,
            "reload_median_ms": statistics.median(x["first_render_ms"] for r in runs for x in r["reloads"])}


def measure_once(store: Path, reloads: int) -> dict[str, Any]:
    """A fresh service on `store`: the first load of the dashboard, then `reloads` reloads."""
    server = service(store)
    driver = None
    try:
        replica_s = server.wait_until_reads_from_memory()
        url = f"http://127.0.0.1:{server.port}/dashboard"
        driver = browser()
        first = one_load(driver, url, reload=False)
        again = [one_load(driver, url, reload=True) for _ in range(reloads)]
        return {"startup_s": round(server.startup_s, 3), "replica_ready_s": round(replica_s, 3),
                "first_load": first, "reloads": again}
    finally:
        if driver is not None:
            driver.quit()
            shutil.rmtree(driver.bench_profile, ignore_errors=True)
        server.stop()


def report(results: dict[str, Any]) -> str:
    lines = ["# Dashboard first render", "",
             f"Run {results['started']} on {results['machine']} (load average {results['load_average_before'][0]} "
             f"before, {results['load_average_after'][0]} after: other work on the machine slows every figure); "
             f"`python -m bench.dashboard --size "
             f"{results['size']} --seed {results['seed']}`. Headless Chromium opens /dashboard on a freshly "
             "started service (reading from its in-memory replica; a new service and browser for each start) and reads `window.dashboard.timings.firstRenderMs`: "
             "from the start of navigation until the network, the timeline and the areas chart are drawn. "
             "Reloads find the answers cached for the data version.", "",
             "| graph | triples | first load, median of fresh starts (ms) | every start (ms) | target | verdict | slowest API call of it (ms) | reloads, median (ms) | drawn |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, run in results["graphs"].items():
        first = run["first_load"]
        target = TARGETS_MS[name]
        verdict = "PASS" if first["first_render_ms"] < target else "FAIL"
        slowest = first["slowest_call"]
        drawn = first["drawn"]
        lines.append(f"| {run['label']} | {run['triples']:,} | {first['first_render_ms']:,} | "
                     f"{', '.join(f'{ms:,}' for ms in run['first_loads_ms'])} | < {target:,} | {verdict} | "
                     f"{slowest[1] if slowest else '-'} (`{slowest[0] if slowest else '-'}`) | {run['reload_median_ms']} | "
                     f"{drawn['partners']} partners, {drawn['items']} items, {drawn['entries']} timeline entries, "
                     f"{drawn['areas']} areas |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k", choices=["10k", "100k", "1m", "5m"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reloads", type=int, default=3)
    parser.add_argument("--starts", type=int, default=3, help="fresh services per graph (the median first load counts)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--data-dir", default=str(ROOT / "bench" / "data"))
    args = parser.parse_args(argv)
    folder = Path(args.data_dir) / f"{args.size}-seed{args.seed}"
    data = prepare_data(folder, args.size, args.seed)
    results: dict[str, Any] = {"size": args.size, "seed": args.seed,
                               "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
                               "load_average_before": [round(x, 2) for x in os.getloadavg()], "graphs": {}}
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as scratch:
        log("the project's graph: a fresh store that the service fills from data/")
        project = measure(Path(scratch) / "project", args.reloads, args.starts)
        results["graphs"]["project"] = {"label": "data/", "triples": _project_triples(), **project}
        log(f"the {args.size} graph: data/ and the synthetic world")
        store = Path(scratch) / "generated"
        run_step("load", {"store": str(store), "data": str(folder / "world.nt"), "triples": data["triples"]})
        generated = measure(store, args.reloads, args.starts)
        results["graphs"]["generated"] = {"label": f"{args.size} generated + data/", "triples": data["triples"], **generated}
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dashboard.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "dashboard.md").write_text(report(results))
    log(f"wrote {out / 'dashboard.json'} and {out / 'dashboard.md'}")
    print(report(results))
    return 0


def _project_triples() -> int:
    from graphsvc.bootstrap import load_project
    from graphsvc.store import OxigraphStore

    store = OxigraphStore()
    load_project(store)
    return len(store)


if __name__ == "__main__":
    raise SystemExit(main())
