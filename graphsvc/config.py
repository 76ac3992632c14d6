"""Service settings: defaults, overridden by GRAPHSVC_* environment variables, then by CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from graphsvc import project

MEMORY = "memory"
EMBEDDED = "oxigraph"
SPARQL = "sparql"
BACKENDS = (EMBEDDED, SPARQL)


def _env(name: str, default: str) -> str:
    return os.environ.get(f"GRAPHSVC_{name}", default)


def _flag(text: str, name: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"GRAPHSVC_{name} must be 1 or 0 (or true/false, yes/no, on/off), not {text!r}")


def parse_write_tokens(text: str) -> tuple[tuple[str, str], ...]:
    """`agent=token,agent2=token2` (a bare `token` belongs to the agent "operator")."""
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        agent, sep, token = item.partition("=")
        pairs.append((agent.strip(), token.strip()) if sep else ("operator", agent.strip()))
    return tuple((agent, token) for agent, token in pairs if token)


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told; see README.md for the environment variables."""

    store: str = str(project.ROOT / "var" / "store")  # a directory, or "memory"
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout_s: float = 5.0
    result_limit: int = 10_000
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # The backend: the embedded pyoxigraph store, or a remote SPARQL 1.1 server (see README, Deployment).
    backend: str = EMBEDDED
    sparql_query_url: str = ""
    sparql_update_url: str = ""  # defaults to the query URL
    sparql_user: str = field(default="", repr=False)
    sparql_password: str = field(default="", repr=False)  # never shown: not in repr, not in errors
    sparql_auth: str = "digest"  # or "basic"
    sparql_timeout_param: str = "timeout:ms"  # name:unit of the server's per-query timeout, or "" for none
    # Seconds the remote store trusts the data version it last read (its own writes set it at once).
    sparql_version_ttl_s: float = 1.0
    # Writes: (agent, bearer token) pairs the operator allows; none means writes are off.
    write_tokens: tuple[tuple[str, str], ...] = field(default_factory=tuple, repr=False)
    max_upload_bytes: int = 16 * 1024 * 1024
    # Uploads: seconds to parse (and, separately, to validate) one; MB its parser process may grow by.
    upload_timeout_s: float = 10.0
    upload_memory_mb: int = 1024
    # IRI prefixes of graphs written without the shapes applying (data outside the project's vocabulary).
    unvalidated_graphs: tuple[str, ...] = field(default_factory=tuple)
    # One request: the body of a non-upload request, all header lines together, the URL (see http_limits).
    max_request_bytes: int = 1024 * 1024
    max_header_bytes: int = 16_384
    max_url_bytes: int = 16_384
    # Serve reads of the on-disk store from a copy in memory, built in the background at start.
    memory_replica: bool = True
    # Worker processes kept ready to run budgeted queries (each holds a copy-on-write view of the store).
    query_workers: int = 2
    # Public queries: how many run at once (each in a worker), how many more may wait for one, and
    # how much memory (MB) a query's worker may take beyond the store it shares with the service.
    max_queries: int = 4
    query_queue: int = 16
    query_memory_mb: int = 1024
    # The longest query text /sparql reads (the guard tokenizes it twice before it runs).
    max_query_bytes: int = 128 * 1024
    # What relative IRIs in queries resolve against (default: the /sparql endpoint's own URL).
    base_iri: str = ""
    # Dashboard aggregates (graphsvc.aggregates): the budget of a background computation, and how
    # long a request waits for a fresh value before it is given the last one.
    aggregate_timeout_s: float = 60.0
    aggregate_wait_s: float = 0.5
    # The service's public address (scheme, host, optional path), for absolute links in answers.
    public_url: str = ""

    @classmethod
    def from_env(cls) -> "Settings":
        base = cls()
        origins = tuple(o.strip() for o in _env("CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            store=_env("STORE", base.store),
            host=_env("HOST", base.host),
            port=int(_env("PORT", str(base.port))),
            query_timeout_s=float(_env("QUERY_TIMEOUT", str(base.query_timeout_s))),
            result_limit=int(_env("RESULT_LIMIT", str(base.result_limit))),
            cors_origins=origins,
            backend=_env("BACKEND", base.backend).strip().lower(),
            sparql_query_url=_env("SPARQL_QUERY_URL", ""),
            sparql_update_url=_env("SPARQL_UPDATE_URL", ""),
            sparql_user=_env("SPARQL_USER", ""),
            sparql_password=_env("SPARQL_PASSWORD", ""),
            sparql_auth=_env("SPARQL_AUTH", base.sparql_auth).strip().lower(),
            sparql_timeout_param=_env("SPARQL_TIMEOUT_PARAM", base.sparql_timeout_param).strip(),
            sparql_version_ttl_s=float(_env("SPARQL_VERSION_TTL", str(base.sparql_version_ttl_s))),
            write_tokens=parse_write_tokens(_env("WRITE_TOKENS", "")),
            max_upload_bytes=int(_env("MAX_UPLOAD_BYTES", str(base.max_upload_bytes))),
            upload_timeout_s=float(_env("UPLOAD_TIMEOUT", str(base.upload_timeout_s))),
            upload_memory_mb=int(_env("UPLOAD_MEMORY_MB", str(base.upload_memory_mb))),
            unvalidated_graphs=tuple(p.strip() for p in _env("UNVALIDATED_GRAPHS", "").split(",") if p.strip()),
            max_request_bytes=int(_env("MAX_REQUEST_BYTES", str(base.max_request_bytes))),
            max_header_bytes=int(_env("MAX_HEADER_BYTES", str(base.max_header_bytes))),
            max_url_bytes=int(_env("MAX_URL_BYTES", str(base.max_url_bytes))),
            query_workers=int(_env("QUERY_WORKERS", str(base.query_workers))),
            max_queries=int(_env("MAX_QUERIES", str(base.max_queries))),
            query_queue=int(_env("QUERY_QUEUE", str(base.query_queue))),
            query_memory_mb=int(_env("QUERY_MEMORY_MB", str(base.query_memory_mb))),
            base_iri=_env("BASE_IRI", ""),
            max_query_bytes=int(_env("MAX_QUERY_BYTES", str(base.max_query_bytes))),
            aggregate_timeout_s=float(_env("AGGREGATE_TIMEOUT", str(base.aggregate_timeout_s))),
            aggregate_wait_s=float(_env("AGGREGATE_WAIT", str(base.aggregate_wait_s))),
            public_url=_env("PUBLIC_URL", "").strip().rstrip("/"),
            memory_replica=_flag(_env("MEMORY_REPLICA", "1" if base.memory_replica else "0"), "MEMORY_REPLICA"),
        )

    def with_overrides(self, **changes: object) -> "Settings":
        """A copy with the given non-None values replaced (CLI flags left unset change nothing)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def public_base(self) -> str:
        """The service's absolute base URL, for links that must be absolute: GRAPHSVC_PUBLIC_URL, or
        the address it listens on (never a request's Host header, which the client chooses)."""
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else "::1" if self.host == "::" else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def in_memory(self) -> bool:
        return self.store == MEMORY

    @property
    def store_path(self) -> Path | None:
        return None if self.in_memory else Path(self.store)
