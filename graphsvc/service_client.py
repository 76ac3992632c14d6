"""The command line's side of a running service on this machine: HTTP requests to it.

Requests go straight to the address in the runtime file (graphsvc.service_runtime), never through
a proxy, since writes carry the service's local token.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from graphsvc.service_runtime import AGENT_HEADER, ServiceInfo

if TYPE_CHECKING:
    import pyoxigraph as ox


class ServiceUnavailable(Exception):
    """The service does not answer (still starting, stopped, or gone)."""


class ServiceFailed(Exception):
    """The service answered with a status the command did not expect."""

    def __init__(self, reply: "Reply") -> None:
        super().__init__(f"the service answered {reply.status}: {reply.error_message()}")
        self.reply = reply


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def error_message(self) -> str:
        """The service's `error`, with the line and column it gives, else the start of the body."""
        try:
            data = self.json()
            message = str(data["error"])
        except (ValueError, KeyError, TypeError):
            return self.body[:200].decode("utf-8", errors="replace").strip() or "(no message)"
        if data.get("line") is not None and f"line {data['line']}" not in message:
            column = f", column {data['column']}" if data.get("column") is not None else ""
            message += f" at line {data['line']}{column}"
        return message


class ServiceClient:
    """Requests to one running service; `timeout_s` bounds each wait for bytes from it."""

    def __init__(self, info: ServiceInfo, timeout_s: float = 300.0) -> None:
        self.info = info
        self.timeout_s = timeout_s
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def url(self) -> str:
        return self.info.url

    def request(self, method: str, path: str, params: Mapping[str, str] | None = None, body: bytes | None = None,
                headers: Mapping[str, str] | None = None, write: bool = False,
                timeout_s: float | None = None) -> Reply:
        """One request; any HTTP status is a Reply, no answer at all is ServiceUnavailable."""
        query = "?" + urllib.parse.urlencode(params) if params else ""
        sent = dict(headers or {})
        if write:
            sent["Authorization"] = f"Bearer {self.info.token}"
        request = urllib.request.Request(self.url + path + query, data=body, headers=sent, method=method)
        try:
            with self._opener.open(request, timeout=timeout_s or self.timeout_s) as response:
                return Reply(response.status, _lower(response.headers.items()), response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Reply(exc.code, _lower(exc.headers.items()), exc.read())
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, cut short
            reason = getattr(exc, "reason", exc)
            raise ServiceUnavailable(f"the service at {self.url} (pid {self.info.pid}) does not answer: "
                                     f"{reason}") from None

    def wait_until_answering(self, timeout_s: float, on_wait: Callable[[], None]) -> None:
        """Return once the service answers HTTP (it holds the store while it starts); `on_wait`
        is called once if it does not answer at first. ServiceUnavailable past `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        waited = False
        while True:
            try:
                self.request("GET", "/", timeout_s=5.0)
                return
            except ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise
                if not waited:
                    on_wait()
                    waited = True
                time.sleep(0.2)

    # --- what the commands ask of it ------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        return dict(self._expect(self.request("GET", "/api/stats"), 200).json())

    def query(self, text: str, media_type: str) -> Reply:
        """A SPARQL query by POST, its answer in `media_type` (any status: the caller judges)."""
        return self.request("POST", "/sparql", params={"format": media_type}, body=text.encode("utf-8"),
                            headers={"Content-Type": "application/sparql-query"})

    def dataset(self) -> Iterator["ox.Quad"]:
        """Every quad of every named graph, graph by graph (blank node labels are kept across them)."""
        import pyoxigraph as ox

        names = self._expect(self.request("GET", "/graphs"), 200).json()["graphs"]
        for name in names:
            reply = self.request("GET", "/graphs", params={"graph": name}, headers={"Accept": "application/n-triples"})
            if reply.status == 404:
                continue  # removed since the list was read
            graph = ox.NamedNode(name)
            for triple in ox.parse(self._expect(reply, 200).body, format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def validate(self, body: bytes, media_type: str, graph: str) -> Reply:
        return self.request("POST", "/validate", params={"graph": graph}, body=body,
                            headers={"Content-Type": media_type, "Accept": "application/json"})

    def write(self, body: bytes, media_type: str, graph: str, append: bool, dry_run: bool, agent: str) -> Reply:
        """Replace (or with `append` add to) `graph`, validated, as the local command line."""
        params = {"graph": graph, **({"dry-run": "true"} if dry_run else {})}
        headers = {"Content-Type": media_type, "Accept": "application/json",
                   AGENT_HEADER: urllib.parse.quote(agent, safe="")}
        return self.request("POST" if append else "PUT", "/graphs", params=params, body=body, headers=headers,
                            write=True)

    def add_source(self, body: bytes, media_type: str, metadata: Mapping[str, str]) -> Reply:
        """Register a document (graphsvc.api.sources) as the local command line."""
        return self.request("POST", "/sources", params=dict(metadata), body=body,
                            headers={"Content-Type": media_type, "Accept": "application/json"}, write=True)

    def sources(self) -> list[dict[str, Any]]:
        reply = self._expect(self.request("GET", "/sources", headers={"Accept": "application/json"}), 200)
        return list(reply.json()["sources"])

    @staticmethod
    def _expect(reply: Reply, *statuses: int) -> Reply:
        if reply.status not in statuses:
            raise ServiceFailed(reply)
        return reply


def merged_ntriples(files: Sequence[Sequence["ox.Quad"]]) -> bytes:
    """The triples of several parsed files as one N-Triples upload; each file's blank nodes become
    fresh ones, so that two files never share a blank node by label."""
    import pyoxigraph as ox

    triples = []
    for quads in files:
        fresh: dict[str, ox.BlankNode] = {}

        def own(term: Any, fresh: dict[str, ox.BlankNode] = fresh) -> Any:
            return fresh.setdefault(term.value, ox.BlankNode()) if isinstance(term, ox.BlankNode) else term

        triples += [ox.Triple(own(q.subject), q.predicate, own(q.object)) for q in quads]
    return bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))


def _lower(items: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}
