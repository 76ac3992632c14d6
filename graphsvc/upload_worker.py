"""Parsing an upload in a child process that is confined, capped in memory and stopped at a deadline.

pyoxigraph's parsers cannot be interrupted, and some inputs make them slow or hungry (deep
RDF/XML, deep JSON-LD; graphsvc.upload_checks refuses the ones known). So an upload is checked
and parsed in a child process, which installs the network filter (graphsvc.sandbox.confine),
caps the memory it may grow by (limit_memory), arms a timer whose signal ends it at the deadline
whatever it is doing, runs the checks, parses, and streams the quads back as N-Quads. The service
re-reads those: a linear parse with nothing left to expand or resolve.

The children are forked by a helper process, started once with `python -c` (so it is
single-threaded, and has imported pyoxigraph and this module before its first fork). Forking the
service itself could copy a lock that another of its threads holds inside pyoxigraph, and the
child would wait for it forever. The service sends the helper each request over a Unix socket:
a small JSON header, the upload in a memory file and the write end of the pipe for the answer.

N-Quads repeat every IRI in full, so a small file can stand for a great many of them (one prefix
of a thousand characters and a list of objects `p:a, p:a, ...` make every four bytes of Turtle a
triple of three such IRIs). The N-Quads an upload may expand to are therefore bounded too.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graphsvc import sandbox
from graphsvc.upload_checks import UploadError, check_upload

if TYPE_CHECKING:
    from graphsvc.config import Settings

MAX_CONCURRENT_PARSES = 4  # children at once; each may grow by the memory allowance
EXPANSION_FACTOR = 8  # N-Quads bytes an upload may stand for, per byte of the upload limit
_CHUNK_BYTES = 1 << 20
_QUADS, _DONE, _FAILED = b"Q", b"D", b"E"
_POSITION = re.compile(r"line (\d+) column (\d+)")
_slots = threading.BoundedSemaphore(MAX_CONCURRENT_PARSES)


@dataclass(frozen=True)
class ParseLimits:
    """How long a parse may take, how much memory its process may add, how many N-Quads bytes it may yield."""

    timeout_s: float = 10.0
    memory_bytes: int = 1024 << 20
    max_expanded_bytes: int = EXPANSION_FACTOR * (16 << 20)

    @classmethod
    def from_settings(cls, settings: "Settings") -> "ParseLimits":
        return cls(settings.upload_timeout_s, settings.upload_memory_mb << 20,
                   EXPANSION_FACTOR * settings.max_upload_bytes)


# --- in the child --------------------------------------------------------------------------------


class _QuadSink:
    """A file-like object for the N-Quads serializer: sends what it writes to the service in chunks."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= _CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._connection.send_bytes(_QUADS + bytes(self._buffer))
            self._buffer.clear()


def _syntax_failure(exc: SyntaxError, fmt: ox.RdfFormat, source: str) -> dict[str, Any]:
    """A pyoxigraph syntax error as the fields of an UploadError (400, with line and column)."""
    position = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else None
    line, column = (position[1], position[2]) if position and position[1] is not None else (None, None)
    message = str(exc.args[0]) if exc.args else str(exc)
    if line is None and (match := _POSITION.search(message)):
        line, column = int(match.group(1)), int(match.group(2))
    return {"status": 400, "message": f"{source}: not valid {fmt.name}: {message}", "line": line, "column": column}


def _parse(connection: Connection, data: bytes, fmt: ox.RdfFormat, base_iri: str | None, source: str) -> None:
    """Check, parse, and send the N-Quads, then the prefixes."""
    check_upload(data, fmt, source)
    parser = ox.parse(data, format=fmt, base_iri=base_iri)
    sink = _QuadSink(connection)
    ox.serialize(parser, output=sink, format=ox.RdfFormat.N_QUADS)
    sink.flush()
    prefixes = dict(parser.prefixes) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
    connection.send_bytes(_DONE + json.dumps(prefixes).encode())


def _outcome(connection: Connection, data: bytes, request: dict[str, Any]) -> dict[str, Any] | None:
    """Parse the upload; None once the answer is sent, else the failure to send."""
    fmt = ox.RdfFormat.from_media_type(request["format"])
    source = request["source"]
    if fmt is None:
        return {"status": 415, "message": f"{source}: no parser for {request['format']}"}
    try:
        _parse(connection, data, fmt, request["base"], source)
        return None
    except UploadError as exc:
        return {"status": exc.status, "message": str(exc), "line": exc.line, "column": exc.column}
    except SyntaxError as exc:
        return _syntax_failure(exc, fmt, source)
    except MemoryError:
        return {"status": 413, "message": f"{source}: parsing it needs more memory than the "
                                          f"{request['memory'] >> 20} MB allowed (GRAPHSVC_UPLOAD_MEMORY_MB)"}
    except Exception as exc:  # noqa: BLE001 - an invalid base IRI, for one: the service says why
        return {"status": 400, "message": f"{source}: cannot be read as {fmt.name}: {exc}"}


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    parts, offset = [], 0
    while offset < size:
        part = os.pread(fd, size - offset, offset)
        if not part:
            break
        parts.append(part)
        offset += len(part)
    return b"".join(parts)


def _run_child(request: dict[str, Any], data_fd: int, answer_fd: int) -> None:
    """A forked child's work: arm the deadline, confine itself, parse, answer (its caller then ends it)."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the timer's signal ends the process, busy or not
    remaining = request["deadline"] - time.monotonic()
    if remaining <= 0:
        return
    signal.setitimer(signal.ITIMER_REAL, remaining)
    connection = Connection(answer_fd, readable=False)
    try:
        sandbox.confine((answer_fd,))
        sandbox.limit_memory(request["memory"])
    except (sandbox.SandboxUnavailable, OSError, ValueError) as exc:
        failure: dict[str, Any] | None = {"status": 503, "message": f"uploads cannot be parsed safely here: {exc}"}
    else:
        data = _read_all(data_fd)
        os.close(data_fd)
        failure = _outcome(connection, data, request)
    if failure is not None:
        connection.send_bytes(_FAILED + json.dumps(failure).encode())


# --- in the helper -------------------------------------------------------------------------------


def serve_forks(channel_fd: int) -> None:
    """The helper's loop: for each request the service sends, fork a child that parses it.
    Ends when the service closes its end of the channel (or ends)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the service, which then closes the channel
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children that end are reaped by the kernel
    channel = socket.socket(fileno=channel_fd)
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(channel, 1 << 16, 2)
        except OSError:
            return
        if not message or len(fds) != 2:
            return
        data_fd, answer_fd = fds
        try:
            pid = os.fork()
        except OSError as exc:
            failure = {"status": 503, "message": f"no process could be started to parse the upload: {exc}"}
            notice = Connection(os.dup(answer_fd), readable=False)
            try:
                notice.send_bytes(_FAILED + json.dumps(failure).encode())
            except OSError:
                pass  # the service stopped waiting
            notice.close()
            pid = -1
        if pid == 0:
            try:
                channel.close()
                _run_child(json.loads(message), data_fd, answer_fd)
            finally:
                os._exit(0)  # never back into the helper's loop
        os.close(data_fd)
        os.close(answer_fd)


# --- in the service ------------------------------------------------------------------------------


class _Helper:
    """The helper process and the service's end of its channel; started again if it ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: socket.socket | None = None

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        code = f"from graphsvc.upload_worker import serve_forks; serve_forks({theirs.fileno()})"
        self._process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(),),
                                         stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self._channel = ours

    def _stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def submit(self, request: dict[str, Any], data_fd: int, answer_fd: int) -> None:
        """Have a child forked for `request`; a helper that ended is replaced once."""
        message = json.dumps(request).encode()
        with self._lock:
            for attempt in (1, 2):
                if self._channel is None or (self._process is not None and self._process.poll() is not None):
                    self._stop()
                    self._start()
                assert self._channel is not None
                try:
                    socket.send_fds(self._channel, [message], [data_fd, answer_fd])
                    return
                except OSError as exc:
                    self._stop()
                    if attempt == 2:
                        raise UploadError(503, f"{request['source']}: the parser process could not be "
                                               f"started: {exc}", source=request["source"]) from exc

    def shutdown(self) -> None:
        with self._lock:
            self._stop()


_helper = _Helper()
atexit.register(_helper.shutdown)


def stop_helper() -> None:
    """End the helper process (the next upload starts another, in well under 100 ms)."""
    _helper.shutdown()


def _timed_out(limits: ParseLimits, source: str) -> UploadError:
    return UploadError(503, f"{source}: parsing the upload took longer than {limits.timeout_s:g} s "
                            f"(GRAPHSVC_UPLOAD_TIMEOUT); nothing was written", source=source)


def _receive(reader: Connection, deadline: float, limits: ParseLimits, source: str) -> tuple[bytes, dict[str, str]]:
    """The N-Quads and prefixes the child sends, within the deadline and the expansion bound."""
    chunks: list[bytes] = []
    received = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not reader.poll(remaining):
            raise _timed_out(limits, source)
        try:
            message = reader.recv_bytes()
        except (EOFError, OSError):
            if time.monotonic() >= deadline - 0.05:
                raise _timed_out(limits, source) from None  # the child's timer ended it
            raise UploadError(413, f"{source}: the parser process ended before it finished: most likely the "
                                   f"upload needs more memory to parse than the {limits.memory_bytes >> 20} MB "
                                   f"allowed (GRAPHSVC_UPLOAD_MEMORY_MB)", source=source) from None
        kind, body = message[:1], message[1:]
        if kind == _QUADS:
            received += len(body)
            if received > limits.max_expanded_bytes:
                raise UploadError(413, f"{source}: the upload stands for more than {limits.max_expanded_bytes} "
                                       f"bytes of N-Quads ({EXPANSION_FACTOR} times the upload limit); "
                                       f"send it in parts", source=source)
            chunks.append(body)
        elif kind == _DONE:
            return b"".join(chunks), json.loads(body)
        else:
            failure = json.loads(body)
            raise UploadError(failure["status"], failure["message"], failure.get("line"), failure.get("column"),
                              source)


def _submit(request: dict[str, Any], data: bytes, answer_fd: int) -> None:
    """Hand the request to the helper, with the upload in a memory file (no copy through the channel)."""
    data_fd = os.memfd_create("graphsvc-upload", os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(data_fd, view):]
        _helper.submit(request, data_fd, answer_fd)
    finally:
        os.close(data_fd)


def parse_confined(data: bytes, fmt: ox.RdfFormat, source: str, base_iri: str | None,
                   limits: ParseLimits) -> tuple[list[ox.Quad], dict[str, str]]:
    """Check and parse `data` in a confined child process: its quads and prefixes, or UploadError
    (400 for what the checks or the parser refuse, 413 past the memory or expansion bound,
    503 past the deadline, or when no parser process came free within the time budget)."""
    if not _slots.acquire(timeout=limits.timeout_s):
        raise UploadError(503, f"{source}: {MAX_CONCURRENT_PARSES} uploads are being parsed already and none "
                               f"finished within {limits.timeout_s:g} s; try again later", source=source)
    try:
        deadline = time.monotonic() + limits.timeout_s
        read_fd, answer_fd = os.pipe()
        reader = Connection(read_fd, writable=False)
        try:
            try:
                request = {"format": fmt.media_type, "base": base_iri, "memory": limits.memory_bytes,
                           "deadline": deadline, "source": source}
                _submit(request, data, answer_fd)
            finally:
                os.close(answer_fd)  # the child holds the write end now: its end is the answer's end
            nquads, prefixes = _receive(reader, deadline, limits, source)
        finally:
            reader.close()
    finally:
        _slots.release()
    try:  # the child's own serializer wrote this: the strict N-Quads parser reads it in linear time
        return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)), prefixes
    except SyntaxError as exc:
        raise UploadError(400, f"{source}: what the parser made of it cannot be read back: {exc}",
                          source=source) from exc
