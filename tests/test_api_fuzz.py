"""The HTTP API fuzzed from its own OpenAPI description (schemathesis), against the real service.

`graphsvc serve` runs on 127.0.0.1 with a fresh store and a write token schemathesis is not
given. schemathesis reads /openapi.json and, for every operation, sends the documented examples,
the boundary values of each schema (coverage phase), random valid and invalid requests (fuzzing)
and sequences of calls (stateful), and checks every answer: no 5xx, a documented status, content
type and headers, a body that keeps to its schema, the `Allow` header of a 405, schema-valid
requests accepted and schema-breaking ones refused (tests/fuzz/schemathesis.toml says which
checks apply where). The run is bounded by its size, not by a clock: at most 10 cases per
operation in each phase and a fixed seed, about 2,900 requests in all (under a minute here).
(`--max-time` would make schemathesis repeat fuzzing until the time is spent.)
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.server import running_service

CONFIG = Path(__file__).parent / "fuzz" / "schemathesis.toml"
RUN_TIMEOUT_S = 600  # only so that a hung run ends the test


def _run_schemathesis(base_url: str, report_dir: Path) -> tuple[dict, str]:
    # One worker: hypothesis parses lambdas' source with `ast`, which CPython 3.11 can get wrong when
    # two threads do it at once ("AST constructor recursion depth mismatch").
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run",
               base_url + "/openapi.json", "--max-examples", "10", "--seed", "1", "--workers", "1",
               "--generation-database", "none", "--no-color",
               "--report", "json", "--report-dir", str(report_dir)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
    reports = sorted(report_dir.glob("*.json"))
    assert reports, f"schemathesis wrote no report:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return json.loads(reports[-1].read_text(encoding="utf-8")), done.stdout


def test_the_api_keeps_to_its_openapi_description(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(24)  # writes are on, but schemathesis does not know the token
    with running_service(tmp_path / "store", extra_env={"GRAPHSVC_WRITE_TOKENS": f"operator={token}"}) as base_url:
        report, output = _run_schemathesis(base_url, tmp_path / "report")
    summary = output[output.find("SUMMARY"):][-3000:] if "SUMMARY" in output else output[-6000:]
    print(f"schemathesis: {report['test_cases']['generated']} cases, {report['operations']['tested']} operations, "
          f"{report['running_time']:.0f} s, {report['stop_reason']}")
    assert report["failures"] == [] and report["errors"] == [], output[-12000:]
    assert report["exit_code"] == 0, summary
    assert report["operations"]["tested"] == report["operations"]["selected"] >= 40, report["operations"]
    assert report["test_cases"]["generated"] >= 500, report["test_cases"]
    assert token not in output
