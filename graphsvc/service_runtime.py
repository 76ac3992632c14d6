"""The runtime file of a running service, so that the command line can find it.

`graphsvc serve` on an on-disk store writes `<store>.service.json` beside the store directory
(mode 0600): pid, host, port and a random token that lets the local command line write through
the service. The service holds a POSIX lock on the file for as long as it runs; the kernel drops
that lock when the process ends, however it ends, and forked children never inherit it. So a
file whose lock nobody holds is stale (the service was killed) and is ignored, then replaced at
the next start. The file is removed at a clean shutdown.

A POSIX lock belongs to a process and closing any descriptor of the file drops it: the process
that published the file must therefore never call `find_service` on it.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import unicodedata
from urllib.parse import unquote
from dataclasses import asdict, dataclass
from pathlib import Path

SUFFIX = ".service.json"
LOCAL_AGENT = "local-cli"  # who writes with the local token, unless the command line names someone
AGENT_HEADER = "X-Graphsvc-Agent"  # the name the command line gives, honoured with the local token only


@dataclass(frozen=True)
class ServiceInfo:
    """What the runtime file says about the service that serves a store."""

    pid: int
    host: str
    port: int
    token: str
    store: str

    @property
    def url(self) -> str:
        """Where this machine reaches the service: loopback when it listens on every interface."""
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


class ServiceRunning(Exception):
    """Another service already serves the store."""

    def __init__(self, info: ServiceInfo) -> None:
        super().__init__(f"the store is already served by the service at {info.url} (pid {info.pid})")
        self.info = info


def runtime_path(store: Path) -> Path:
    """`<parent>/<store-name>.service.json` for the store directory `store`."""
    resolved = store.resolve()
    return resolved.parent / (resolved.name + SUFFIX)


def _is_locked(fd: int) -> bool:
    """Whether another process holds the lock on the open file `fd` (taking and dropping it if not)."""
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return True
        raise
    fcntl.lockf(fd, fcntl.LOCK_UN)
    return False


def find_service(store: Path) -> ServiceInfo | None:
    """The live service serving `store`, or None (no file, a stale one, or one this user cannot read)."""
    try:
        fd = os.open(runtime_path(store), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not _is_locked(fd):
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = json.loads(handle.read() or b"{}")
        return ServiceInfo(int(data["pid"]), str(data["host"]), int(data["port"]), str(data["token"]),
                           str(data["store"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    finally:
        os.close(fd)


class Publication:
    """The runtime file of this process's service, locked until `release()`."""

    def __init__(self, path: Path, fd: int, info: ServiceInfo) -> None:
        self.path = path
        self.info = info
        self._fd: int | None = fd

    @property
    def token(self) -> str:
        return self.info.token

    def release(self) -> None:
        """Remove the file (if it is still this service's) and drop the lock; nothing in a forked child."""
        if self._fd is None or os.getpid() != self.info.pid:
            return
        try:
            mine, there = os.fstat(self._fd), os.stat(self.path)
            if (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino):
                self.path.unlink()
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None


def publish(store: Path, host: str, port: int) -> Publication:
    """Write and lock the runtime file for a service about to open `store`; ServiceRunning if a
    live service serves it already. The file appears whole (written aside, then renamed)."""
    path = runtime_path(store)
    running = find_service(store)
    if running is not None:
        raise ServiceRunning(running)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = ServiceInfo(os.getpid(), host, port, secrets.token_urlsafe(32), str(store.resolve()))
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    aside.unlink(missing_ok=True)
    fd = os.open(aside, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, json.dumps(asdict(info), indent=1).encode() + b"\n")
        os.replace(aside, path)
    except BaseException:
        os.close(fd)
        aside.unlink(missing_ok=True)
        raise
    return Publication(path, fd, info)


def local_agent(name: str | None) -> str:
    """The agent for a write with the local token: the name the command line sent (percent-encoded,
    as header values are ASCII), made printable and short, else LOCAL_AGENT."""
    cleaned = "".join(c for c in unquote(name or "") if unicodedata.category(c)[0] != "C").strip()[:100]
    return cleaned or LOCAL_AGENT
