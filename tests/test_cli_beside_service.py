"""The command line beside a running `graphsvc serve` on the same on-disk store: read commands and
`ingest` go through the service, `load` and `reset` refuse in one line, nothing ends in a traceback."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pyoxigraph as ox
import pytest

from graphsvc.service_runtime import SUFFIX
from tests.server import free_port, running_service

DATA = Path(__file__).parent / "data"
VALID = DATA / "valid" / "signed_memorandum.ttl"
ALSO_VALID = DATA / "valid" / "evidence_in_blank_nodes.ttl"
INVALID = DATA / "invalid" / "event_edition_string.ttl"
GRAPH = "https://example.org/graphs/beside-the-service"
PROV_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def cli(*args: str, stdout: int | None = subprocess.PIPE, timeout: float = 60) -> subprocess.CompletedProcess:
    """`graphsvc ARGS` in a child process; fails the test on any traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    result = subprocess.run([sys.executable, "-m", "graphsvc", *args], stdout=stdout, stderr=subprocess.PIPE,
                            timeout=timeout, env=env)
    out = result.stdout or b""
    assert b"Traceback" not in out + result.stderr, result.stderr.decode()
    return result


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A store directory and the URL of the service that holds it."""
    store = tmp_path_factory.mktemp("beside") / "store"
    with running_service(store) as base_url:
        yield store, base_url


@pytest.fixture(scope="module")
def own_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory no service holds, filled from data/ by a first command."""
    store = tmp_path_factory.mktemp("alone") / "store"
    assert cli("stats", "--store", str(store)).returncode == 0
    return store


def test_the_service_publishes_where_it_listens(served: tuple[Path, str]) -> None:
    store, base_url = served
    runtime = store.parent / (store.name + SUFFIX)
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o600
    info = json.loads(runtime.read_text())
    assert f"http://127.0.0.1:{info['port']}" == base_url
    assert len(info["token"]) >= 32 and info["store"] == str(store.resolve())


def test_read_commands_go_through_the_service(served: tuple[Path, str], tmp_path: Path) -> None:
    store, base_url = served
    said = f"reading through the service at {base_url}".encode()
    stats = cli("stats", "--json", "--store", str(store))
    assert stats.returncode == 0 and said in stats.stderr
    report = json.loads(stats.stdout)
    assert report["classes"] == httpx.get(base_url + "/api/stats", timeout=30).json()["classes"]
    table = cli("stats", "--store", str(store))
    assert table.returncode == 0 and b"statements have evidence" in table.stdout

    trig = cli("export", "--store", str(store))
    assert trig.returncode == 0 and said in trig.stderr
    quads = list(ox.parse(trig.stdout, format=ox.RdfFormat.TRIG))
    assert len(quads) == report["quads"]
    dump = tmp_path / "dump.nq"
    assert cli("export", "--store", str(store), "--format", "nquads", "-o", str(dump)).returncode == 0
    assert set(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS)) == set(quads)


def test_validate_goes_through_the_service(served: tuple[Path, str]) -> None:
    store, base_url = served
    bad = cli("validate", "--store", str(store), str(INVALID))
    assert bad.returncode == 1 and f"validating through the service at {base_url}".encode() in bad.stderr
    assert b"EventShape-edition" in bad.stdout and b"(line " in bad.stdout
    good = cli("validate", "--store", str(store), "--graph", GRAPH, str(VALID))
    assert good.returncode == 0 and b"0 violation(s)" in good.stdout
    missing = cli("validate", "--store", str(store), str(DATA / "no-such-file.ttl"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr.decode().splitlines()[-1]
    reserved = cli("validate", "--store", str(store), "--graph", "https://w3id.org/iddkg/graph/meta", str(VALID))
    assert reserved.returncode == 2 and b"managed by the service" in reserved.stderr


def test_ingest_writes_through_the_service(served: tuple[Path, str]) -> None:
    store, base_url = served
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    dry = cli("ingest", "--store", str(store), "--graph", GRAPH, "--dry-run", str(VALID))
    assert dry.returncode == 0 and b"dry run" in dry.stdout
    assert cli("query", "--store", str(store), count).stdout.split()[1] == b"0"

    ok = cli("ingest", "--store", str(store), "--graph", GRAPH, "--agent", "curator one", str(VALID))
    assert ok.returncode == 0 and f"writing through the service at {base_url}".encode() in ok.stderr
    ask = httpx.get(base_url + "/sparql", params={"query": f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"},
                    headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert ask.json()["boolean"] is True  # the query workers see the write
    alone = int(cli("query", "--store", str(store), count).stdout.split()[1])
    assert alone > 50
    agent = cli("query", "--store", str(store), f'ASK {{ ?a <{PROV_LABEL}> "curator one" }}')
    assert agent.stdout == b"true\n"  # the provenance record names who sent it

    rejected = cli("ingest", "--store", str(store), "--graph", GRAPH, str(INVALID))
    assert rejected.returncode == 1 and b"nothing was written" in rejected.stderr
    both = cli("ingest", "--store", str(store), "--graph", GRAPH, str(VALID), str(ALSO_VALID))
    assert both.returncode == 0, both.stderr.decode()
    written = int(both.stdout.split()[0])  # "N triples written to ..."
    merged = int(cli("query", "--store", str(store), count).stdout.split()[1])
    assert alone < merged <= written  # some triples are in both files
    again = cli("ingest", "--store", str(store), "--graph", GRAPH, "--append", str(VALID))
    assert again.returncode == 0 and int(cli("query", "--store", str(store), count).stdout.split()[1]) == merged


def test_the_local_token_opens_no_door_for_others(served: tuple[Path, str]) -> None:
    _, base_url = served
    response = httpx.put(base_url + "/graphs", params={"graph": GRAPH}, content=VALID.read_bytes(),
                         headers={"Content-Type": "text/turtle", "Authorization": "Bearer guessed"}, timeout=30)
    assert response.status_code == 403  # no operator token is configured: writes stay off for everyone else


@pytest.mark.parametrize("args", [["load"], ["reset", "--yes"]])
def test_store_writers_refuse_in_one_line(served: tuple[Path, str], args: list[str]) -> None:
    store, base_url = served
    result = cli(*args, "--store", str(store))
    line = one_line(result)
    assert result.returncode == 3 and base_url in line and "stop it first" in line
    assert cli("query", "--store", str(store), "ASK { ?s ?p ?o }").stdout == b"true\n"


def test_a_second_service_refuses(served: tuple[Path, str]) -> None:
    store, base_url = served
    result = cli("serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(free_port()), timeout=30)
    assert result.returncode == 3 and "already served" in one_line(result) and base_url in one_line(result)


SELECT = "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g LIMIT 3"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/iddkg/graph/ontology> { ?s ?p ?o } } LIMIT 4"
RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
           "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "text": ox.QueryResultsFormat.TSV}
GRAPHS = {"text": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
          "jsonld": ox.RdfFormat.JSON_LD, "json": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
          "xml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def check_answer(query: str, fmt: str, output: bytes) -> None:
    """The answer parses in the format asked for and holds what the query asks."""
    if query == SELECT and fmt == "csv":  # lossy, so pyoxigraph does not read it
        assert output.split(b"\r\n")[0] == b"g" and output.count(b"\r\n") == 4
    elif query == SELECT:
        rows = list(ox.parse_query_results(output, format=RESULTS[fmt]))
        assert len(rows) == 3
    elif query == ASK:
        if fmt == "text":
            assert output == b"true\n"
        else:
            answer = ox.parse_query_results(output, format=RESULTS[fmt])
            assert bool(answer) is True
    else:
        assert len(list(ox.parse(output, format=GRAPHS[fmt]))) == 4


ANSWERS = ([(SELECT, f) for f in RESULTS] + [(ASK, f) for f in ("text", "json", "xml")]
           + [(CONSTRUCT, f) for f in GRAPHS])


@pytest.mark.parametrize(("query", "fmt"), ANSWERS, ids=[f"{q.split()[0]}-{f}" for q, f in ANSWERS])
def test_query_formats_through_the_service(served: tuple[Path, str], query: str, fmt: str) -> None:
    store, _ = served
    result = cli("query", "--store", str(store), "--format", fmt, query)
    assert result.returncode == 0, result.stderr.decode()
    check_answer(query, fmt, result.stdout)


@pytest.mark.parametrize(("query", "fmt"), [(ASK, "csv"), (ASK, "turtle"), (SELECT, "nquads"), (CONSTRUCT, "tsv")])
def test_query_formats_that_do_not_fit_the_form(served: tuple[Path, str], query: str, fmt: str) -> None:
    store, _ = served
    result = cli("query", "--store", str(store), "--format", fmt, query)
    assert result.returncode == 2 and "does not fit" in one_line(result)


def test_query_errors_through_the_service(served: tuple[Path, str]) -> None:
    store, _ = served
    broken = cli("query", "--store", str(store), "SELECT * WHERE { ?s ?p ")
    assert broken.returncode == 2 and "line 1" in broken.stderr.decode().splitlines()[-1]
    update = cli("query", "--store", str(store), "DELETE WHERE { ?s ?p ?o }")
    assert update.returncode == 2 and "read-only" in one_line(update)


def closed_pipe_run(*args: str) -> subprocess.CompletedProcess:
    """`graphsvc ARGS | head -0`, deterministic: the reading end is closed before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return cli(*args, stdout=write_end)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("beside", [True, False], ids=["through-the-service", "own-store"])
@pytest.mark.parametrize("command", [["stats"], ["export"], ["query", SELECT]])
def test_a_closed_pipe_ends_quietly(request: pytest.FixtureRequest, beside: bool, command: list[str]) -> None:
    store = request.getfixturevalue("served")[0] if beside else request.getfixturevalue("own_store")
    result = closed_pipe_run(*command, "--store", str(store))
    assert result.returncode == 141
    assert b"Error" not in result.stderr


def test_graphsvc_stats_into_head(served: tuple[Path, str]) -> None:
    store, _ = served
    shell = (f"set -o pipefail; {sys.executable} -m graphsvc stats --store '{store}' | head -1; "
             f"{sys.executable} -m graphsvc export --store '{store}' | head -1")
    result = subprocess.run(["bash", "-c", shell], capture_output=True, timeout=60)
    assert b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr
    assert result.stdout.count(b"\n") == 2


@pytest.mark.parametrize(("query", "fmt"), ANSWERS, ids=[f"{q.split()[0]}-{f}" for q, f in ANSWERS])
def test_query_formats_without_a_service(own_store: Path, query: str, fmt: str) -> None:
    result = cli("query", "--store", str(own_store), "--format", fmt, query)
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    check_answer(query, fmt, result.stdout)


def test_a_command_while_the_service_starts(tmp_path: Path) -> None:
    """The runtime file is there before the store is open: a command waits for the service."""
    store = tmp_path / "store"
    runtime = store.parent / (store.name + SUFFIX)
    process = subprocess.Popen([sys.executable, "-m", "graphsvc", "serve", "--store", str(store), "--host",
                                "127.0.0.1", "--port", str(free_port()), "--log-level", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not runtime.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        result = cli("stats", "--json", "--store", str(store))
        assert result.returncode == 0 and b"through the service" in result.stderr
        assert json.loads(result.stdout)["quads"] > 1000
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    assert process.returncode == 128 + signal.SIGTERM and not runtime.exists()


def test_without_a_service_and_beside_a_stale_file(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = cli("query", "--store", str(store), "--format", "json", ASK)  # opens the store itself, loads data/
    assert first.returncode == 0 and b"through the service" not in first.stderr
    runtime = store.parent / (store.name + SUFFIX)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    runtime.write_text(json.dumps({"pid": gone.pid, "host": "127.0.0.1", "port": free_port(), "token": "old",
                                   "store": str(store.resolve())}))
    for fmt in ("text", "xml"):
        result = cli("query", "--store", str(store), "--format", fmt, ASK)
        assert result.returncode == 0 and result.stderr == b""
        check_answer(ASK, fmt, result.stdout)
    assert cli("stats", "--store", str(store)).returncode == 0

    with running_service(store) as base_url:  # the stale file is replaced ...
        info = json.loads(runtime.read_text())
        assert base_url.endswith(f":{info['port']}") and info["token"] != "old"
        assert f"through the service at {base_url}".encode() in cli("stats", "--store", str(store)).stderr
    assert not runtime.exists()  # ... and removed at shutdown


def test_a_store_held_by_another_process(tmp_path: Path) -> None:
    store = tmp_path / "store"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(store)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"open\n"
        for args in (["stats"], ["query", ASK], ["load"], ["ingest", "--graph", GRAPH, str(VALID)]):
            result = cli(*args, "--store", str(store))
            assert result.returncode == 3 and "in use by another process" in one_line(result), args
        started = time.monotonic()
        serve = cli("serve", "--store", str(store), "--port", str(free_port()), timeout=30)
        assert serve.returncode == 3 and "in use by another process" in one_line(serve)
        assert time.monotonic() - started < 30
        assert not (store.parent / (store.name + SUFFIX)).exists()
    finally:
        holder.communicate(timeout=10)
