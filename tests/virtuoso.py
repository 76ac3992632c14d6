"""A private OpenLink Virtuoso for tests: own database directory and virtuoso.ini, 127.0.0.1 only.

Not the system service: `virtuoso-t` (Debian package virtuoso-opensource, installed by
`scripts/install --test`) runs in the foreground on two free local ports with a fresh database,
gets a random DBA password (kept for `Virtuoso.isql`, which the benchmark's bulk loader uses) and a
user `graphsvc` (random password, role SPARQL_UPDATE) for the digest-authenticated endpoint
/sparql-auth, and is stopped and its files removed afterwards.

Its limits are the ones README.md (Deployment) asks of a Virtuoso for the service (`RECOMMENDED`);
`STOCK` are those the Debian package ships, for the tests that show what the service does when a
server keeps them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

import httpx

from tests.server import free_port

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
USER = "graphsvc"

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
CheckpointInterval = 60
CaseMode = 2
; only its own folder: no LOAD <file:...> from anywhere else
DirsAllowed = {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
MaxQueryMem = 500M
ThreadsPerQuery = 2
{parameters}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
{sparql}"""

# Limits by section. The service appends LIMIT result_limit + 1 to a SELECT (pages: offset + limit
# + 1 rows), which an ORDER BY query may sort only within MaxSortedTopRows; answers are cut at
# ResultSetMaxRows; and the time budget goes with each query, so no estimate of the cost is
# needed to refuse a query beforehand (MaxQueryCostEstimationTime absent: no such check).
RECOMMENDED: dict[str, dict[str, str]] = {
    "Parameters": {"MaxSortedTopRows": "100000"},
    "SPARQL": {"ResultSetMaxRows": "1000000", "MaxQueryExecutionTime": "60"},
}
# As the Debian package's virtuoso.ini ships them (MaxSortedTopRows not set: 10000).
STOCK: dict[str, dict[str, str]] = {
    "Parameters": {},
    "SPARQL": {"ResultSetMaxRows": "10000", "MaxQueryCostEstimationTime": "400", "MaxQueryExecutionTime": "60"},
}


@dataclass
class Virtuoso:
    directory: Path
    http_port: int
    sql_port: int
    password: str = field(repr=False)
    user: str = USER
    dba_password: str = field(default="", repr=False)

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    def env(self) -> dict[str, str]:
        """The settings that point the service at this server."""
        return {
            "GRAPHSVC_BACKEND": "sparql",
            "GRAPHSVC_SPARQL_QUERY_URL": self.query_url,
            "GRAPHSVC_SPARQL_UPDATE_URL": self.update_url,
            "GRAPHSVC_SPARQL_USER": self.user,
            "GRAPHSVC_SPARQL_PASSWORD": self.password,
        }

    def isql(self, sql: str, timeout_s: float = 60.0) -> str:
        """Run SQL statements as the DBA (e.g. the bulk loader); what isql printed."""
        return _isql(self.sql_port, "dba", self.dba_password, sql, timeout_s)


def _isql(port: int, user: str, password: str, sql: str, timeout_s: float = 60.0) -> str:
    result = subprocess.run([ISQL, f"127.0.0.1:{port}", user, password, f"exec={sql}"],
                            capture_output=True, text=True, timeout=timeout_s)
    if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
        raise RuntimeError(f"isql failed ({result.returncode}): {result.stdout[-500:]} {result.stderr[-500:]}")
    return result.stdout


def _lines(settings: Mapping[str, str]) -> str:
    return "".join(f"{key} = {value}\n" for key, value in settings.items())


@contextlib.contextmanager
def running_virtuoso(directory: Path, startup_timeout: float = 90.0,
                     limits: Mapping[str, Mapping[str, str]] = RECOMMENDED,
                     buffers: int = 10_000) -> Iterator[Virtuoso]:
    """Start a Virtuoso with a fresh database in `directory` and the given limits (by ini section);
    stop it and remove the files after. `buffers`: its page cache, in 8 KB pages (the benchmark's
    larger graphs want more than the tests' 80 MB)."""
    if shutil.which(VIRTUOSO) is None or shutil.which(ISQL) is None:
        raise RuntimeError("virtuoso-t / isql-vt not found: run scripts/install --test "
                           "(it installs the Debian package virtuoso-opensource)")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vsp").mkdir(exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    while sql_port == http_port:
        sql_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(dir=directory, sql_port=sql_port, http_port=http_port,
                               buffers=buffers, dirty_buffers=buffers * 3 // 5,
                               parameters=_lines(limits.get("Parameters", {})),
                               sparql=_lines(limits.get("SPARQL", {}))))
    server = Virtuoso(directory, http_port, sql_port, password="pw" + secrets.token_hex(16))
    log = (directory / "stdout.log").open("wb")
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=directory,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {process.returncode}:\n"
                                   + (directory / "stdout.log").read_text(errors="replace")[-2000:])
            try:
                probe = httpx.get(server.query_url, params={"query": "ASK {}"}, timeout=2.0)
                if probe.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Virtuoso did not answer within {startup_timeout} s")
            time.sleep(0.2)
        dba_password = "dba" + secrets.token_hex(16)  # an SQL identifier: starts with a letter
        _isql(sql_port, "dba", "dba", f"SET PASSWORD dba {dba_password};")
        _isql(sql_port, "dba", dba_password,
              f"DB.DBA.USER_CREATE('{USER}', '{server.password}'); GRANT SPARQL_UPDATE TO \"{USER}\";")
        server.dba_password = dba_password
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)
