"""A small load generator for when wrk is not installed: `python -m bench.loadgen URL SECONDS CONNECTIONS`.

Each connection is a thread with its own keep-alive HTTP connection, sending GETs until the time
is up; prints requests per second and the median latency as JSON.
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def main() -> None:
    url, seconds, connections = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine = []
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Accept": "application/json"})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    print(json.dumps({"tool": f"python loadgen c{connections} {seconds:g}s",
                      "requests_per_s": round(len(latencies) / elapsed, 1),
                      "p50_ms": round(statistics.median(latencies) * 1000, 3) if latencies else None,
                      "non_2xx": errors[0]}))


if __name__ == "__main__":
    main()
