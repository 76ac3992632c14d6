"""The report of a run beside Virtuoso (bench/report.py) from a small hand-made result: ratios,
target counts and the tables, without running anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.report import END, START, virtuoso_cases, virtuoso_markdown, virtuoso_targets, write_reports


def _timed(median_ms: float) -> dict[str, Any]:
    return {"median_ms": median_ms, "p95_ms": median_ms, "runs": 5}


def _http(first: dict[str, float], cached: dict[str, float], error: str | None = None) -> dict[str, Any]:
    load = {"tool": "wrk -t2 -c16 -d10s", "requests_per_s": 1000.0, "p50_ms": 8.0, "non_2xx": 0}
    repeated = {n: _timed(ms) for n, ms in cached.items()}
    if error:
        repeated["slow"] = {**_timed(0), "median_ms": None, "error": error}
    return {"first_call_warm": {n: _timed(ms) for n, ms in first.items()}, "repeated": repeated,
            "prefixes_repeated": _timed(0.5), "throughput_dashboard": load, "throughput_prefixes": load,
            "startup_s": {"median": 1.0, "max": 1.0, "runs": [1.0]}, "peak_rss_mb": 100.0, "errors": [],
            "stale_first_calls": [], "new_version": {"by": "a write", **_timed(30.0)},
            "write_through_service": {"status": 504, "ms": 60000.0}}


def _run() -> dict[str, Any]:
    raw = {"fast": {**_timed(10.0), "rows": 3}, "slow": {**_timed(100.0), "rows": 7}}
    return {
        "size": "1m", "seed": 1, "dashboard_query": "fast", "cases": {"fast": "/api/fast", "slow": "/api/slow"},
        "machine": {"cpus": 2, "memory_gb": 4.0, "python": "3", "pyoxigraph": "0", "fastapi": "0", "uvicorn": "0"},
        "data": {"triples": 1000}, "started": "s", "finished": "f",
        "load_average_before": [0.5, 0.5, 0.5], "load_average_after": [0.6, 0.5, 0.5],
        "noop": {"repeated": _timed(1.0), "throughput": {"tool": "wrk", "requests_per_s": 2000.0, "p50_ms": 4.0}},
        "load_disk": {"load_s": 1.0}, "load_memory": {"load_s": 0.5, "store_quads": 1010, "queries": raw},
        "http": _http({"fast": 11.0, "slow": 110.0}, {"fast": 1.2, "slow": 1.4}),
        "virtuoso": {
            "version": "7", "load": {"bulk_load_s": 2.0, "project_load_s": 1.0, "store_quads": 1010, "buffers": 10},
            "raw": {"queries": {"fast": {**_timed(20.0), "rows": 3}, "slow": {**_timed(200.0), "rows": 7}},
                    "answers": {"fast": {"same": True}, "slow": {"same": False, "difference": "only embedded: x"}},
                    "compare_s": 1.0},
            "http": _http({"fast": 30.0}, {"fast": 1.6}, error="HTTP 404")},
    }


def test_the_ratios_and_the_counts() -> None:
    run = _run()
    fast = virtuoso_cases(run)["fast"]
    assert fast["virtuoso"]["first_over_raw"] == 1.5 and fast["oxigraph"]["first_over_raw"] == 1.1
    assert fast["virtuoso"]["cached_over_noop"] == 1.6
    measured = {t["target"].split(":")[0]: t for t in virtuoso_targets(run)}
    assert measured["Virtuoso"]["measured"].startswith("0 of 2") and measured["Virtuoso"]["pass"] is False
    assert measured["Embedded"]["measured"].startswith("2 of 2") and measured["Embedded"]["pass"] is True
    same = next(t for t in virtuoso_targets(run) if t["target"].startswith("Same answers"))
    assert same["measured"] == "1 of 2" and same["pass"] is False


def test_the_page_and_the_readme_table(tmp_path: Path) -> None:
    run = _run()
    page = virtuoso_markdown(run)
    assert "| `slow` | 7 | 100 | 110 | 1.10x |" in page and "HTTP 404" in page
    assert "- `slow`: only embedded: x" in page and "HTTP 504 after 60.0 s" in page
    (tmp_path / "1m-virtuoso.json").write_text(json.dumps(run))
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{START}\nold\n{END}\nafter\n")
    write_reports(tmp_path, readme)
    text = readme.read_text()
    assert "old" not in text and "| beside Virtuoso | 1m |" in text and text.endswith(f"{END}\nafter\n")
    assert "| same answers on both engines | 1 of 2 |" in text
    assert (tmp_path / "1m-virtuoso.md").read_text() == page
