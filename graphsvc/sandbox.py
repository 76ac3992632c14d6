"""Limits a process puts on itself before it runs work that anyone on the internet can send.

Query workers, and the processes that parse uploads, call `confine()` before they take their first
request. From then on the kernel refuses them every way out to a network: a seccomp filter makes
`socket()` fail for every address family but AF_UNIX (so no TCP, UDP, raw or netlink socket can be
made, and no name can be resolved), and refuses io_uring (whose operations would not pass through
the filter) and the calls that reach into another process's memory or descriptors. Sockets the
process inherited from the service (the listening socket, client connections) are closed first.
The filter cannot be lifted once loaded, and every process forked afterwards inherits it.

`limit_memory()` caps the address space the process may grow by, so that a query or a parse that
asks for too much fails in its own process (which then ends) instead of exhausting the host.
"""

from __future__ import annotations

import errno
import os
import resource
import socket
import stat

import pyseccomp as seccomp

# Calls refused outright: io_uring would let socket and connect operations bypass the filter; the
# others reach into another process (the service), its memory or its descriptors.
_REFUSED_CALLS = ("io_uring_setup", "io_uring_enter", "io_uring_register", "ptrace",
                  "process_vm_readv", "process_vm_writev", "pidfd_getfd", "pidfd_open")


class SandboxUnavailable(RuntimeError):
    """The kernel or the system library would not install the filter: run no untrusted work."""


def close_inherited_sockets(keep: tuple[int, ...] = ()) -> int:
    """Close every socket descriptor of this process except `keep`; how many were closed."""
    closed = 0
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in keep:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
                closed += 1
        except OSError:
            pass  # the descriptor of the listing itself, already gone
    return closed


def forbid_network() -> None:
    """Load the seccomp filter described above into this process (and its future children)."""
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        for call in _REFUSED_CALLS:
            try:
                rules.add_rule(seccomp.ERRNO(errno.ENOSYS if call.startswith("io_uring") else errno.EPERM), call)
            except OSError as exc:
                if exc.errno != errno.EDOM and exc.errno != errno.EINVAL:  # not a call on this architecture
                    raise
        rules.load()
    except (OSError, RuntimeError, AttributeError) as exc:
        raise SandboxUnavailable(f"the network filter for query processes could not be installed: {exc}") from exc


def network_is_forbidden() -> bool:
    """Whether this process can no longer make an internet socket (True once confined)."""
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return True
    probe.close()
    return False


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(extra_bytes: int) -> None:
    """Let this process's address space grow by at most `extra_bytes` beyond what it maps now
    (what it shares with its parent is already mapped and does not count against the allowance).
    Only the soft limit is set, so a worker whose store grows with writes can be given its
    allowance again before each request."""
    if extra_bytes <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def lift_memory_limit() -> None:
    """Back to no soft limit (before applying a write the service made, which may be large)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def confine(keep_fds: tuple[int, ...]) -> None:
    """Close inherited sockets, then forbid the network (memory is capped per request)."""
    close_inherited_sockets(keep_fds)
    forbid_network()
