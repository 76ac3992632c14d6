"""Start and stop the real service for tests: a child process on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Run by the interpreter that then becomes the service: set the address-space limit, then exec.
_CAPPED = ("import os, resource, sys; limit = int(sys.argv[1]); "
           "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); os.execv(sys.argv[2], sys.argv[2:])")


@contextlib.contextmanager
def running_service(store: Path | str, extra_env: dict[str, str] | None = None,
                    startup_timeout: float = 60.0, memory_limit_bytes: int | None = None) -> Iterator[str]:
    """Run `graphsvc serve` until the block ends; yields its base URL. With `memory_limit_bytes`,
    the service (and every process it starts) may map at most that much address space."""
    port = free_port()
    env = {**os.environ, **(extra_env or {})}
    command = [sys.executable, "-m", "graphsvc", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--store", str(store), "--log-level", "warning"]
    if memory_limit_bytes is not None:
        command = [sys.executable, "-c", _CAPPED, str(memory_limit_bytes), *command]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise RuntimeError(f"graphsvc serve exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(base_url + "/", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"graphsvc serve did not answer within {startup_timeout} s")
            time.sleep(0.1)
        yield base_url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
