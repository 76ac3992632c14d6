"""A GraphStore on a remote SPARQL 1.1 server (Virtuoso, Fuseki, GraphDB, ...).

Queries go out through SPARQLWrapper over the SPARQL 1.1 Protocol; writes are SPARQL 1.1 Update
requests. Answers come back as pyoxigraph objects (SPARQL JSON results read by
`pyoxigraph.parse_query_results`, graphs as N-Triples or Turtle read by `pyoxigraph.parse`), so the
code above the store (bootstrap, stats, the HTTP layer) does not know which backend answered.

What the server must offer:
- its default graph, when a query names none, is the union of the named graphs (Virtuoso and
  GraphDB do this; Fuseki with `tdb2:unionDefaultGraph true`);
- SPARQL 1.1 Update with `INSERT DATA`, `DROP` and `MOVE` on the update URL.

Writes: `replace_graph` first loads the new content into a staging graph of its own
(`urn:graphsvc:staging:...`), in chunks that keep every blank node with all its triples, and
then swaps it in with one `MOVE` operation. The old graph is untouched until the complete new
content is on the server, and a failed load removes the staging graph and leaves the old graph as
it was. The swap is one operation; whether readers can see a half-done MOVE is the server's
isolation. Limit: while a large graph is being staged, queries over the union default graph
(not `GRAPH ?g` patterns, from which staging graphs are filtered by `named_graphs()` only) can
see the staged triples. Virtuoso does not roll back the earlier operations of a multi-operation
update request when a later one fails, so one `DROP ...; INSERT DATA ...` request would not be
atomic there either.

Credentials come from the settings (GRAPHSVC_SPARQL_USER / GRAPHSVC_SPARQL_PASSWORD) and are never
put into a repr, a log line or an error message.
"""

from __future__ import annotations

import ast
import functools
import json
import logging
import re
import socket
import threading
import time
import urllib.error
import uuid
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Union
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound, QueryBadFormed,
                                            SPARQLWrapperException, Unauthorized, URITooLong)

from graphsvc import project
from graphsvc.answers import BackendTimeout, BackendUnavailable, BudgetExceeded, QueryAnswer, QueryFailed
from graphsvc.budget import Budget, materialise
from graphsvc.guard import inspect_query, keywords

if TYPE_CHECKING:
    from graphsvc.config import Settings

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]

_LOG = logging.getLogger(__name__)

STAGING_PREFIX = "urn:graphsvc:staging:"
# Graphs a fresh Virtuoso holds for itself; they are not part of the store's content.
SERVER_GRAPHS = frozenset({
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
})
_SERVER_GRAPH_PREFIXES = ("http://www.openlinksw.com/",)

# The data version, as the embedded store keeps it: one triple in the meta graph, renewed by every write.
_META_GRAPH = project.GRAPH_NS + "meta"
_STORE_NODE = project.GRAPH_NS + "store"
_HAS_VERSION = "http://purl.org/dc/terms/hasVersion"


def _version_update(token: str) -> str:
    """The update that makes `token` the data version."""
    return (f"DELETE WHERE {{ GRAPH <{_META_GRAPH}> {{ <{_STORE_NODE}> <{_HAS_VERSION}> ?version }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{_META_GRAPH}> {{ <{_STORE_NODE}> <{_HAS_VERSION}> {ox.Literal(token)} }} }}")


class ServerLimit(BudgetExceeded):
    """The SPARQL server refused the query under one of its own limits; `setting` names the
    server's setting (the HTTP layer says 503, with the message)."""

    def __init__(self, message: str, setting: str, allowed: int | None = None) -> None:
        super().__init__(message)
        self.setting = setting
        self.allowed = allowed


# Virtuoso's refusals under its settings (virtuoso.ini), as its messages state them.
_SORT_LIMIT = re.compile(r"\bSR353\b.*?more th[ae]n (\d+) rows to sort\. Only (\d+) are allowed", re.DOTALL)
_COST_LIMIT = re.compile(r"estimated execution time (\d+) \(sec\) exceeds the limit of (\d+) \(sec\)")


def server_limit(message: str) -> ServerLimit | None:
    """The limit a server's error message reports (Virtuoso's sort and cost limits), if it is one."""
    found = _SORT_LIMIT.search(message)
    if found:
        wanted, allowed = int(found.group(1)), int(found.group(2))
        return ServerLimit(f"the SPARQL server sorts at most {allowed} rows and this query needs {wanted} "
                           f"(Virtuoso's [Parameters] MaxSortedTopRows, SR353): ask for fewer rows or an "
                           f"earlier page, or raise the setting (README, Deployment)",
                           "MaxSortedTopRows", allowed)
    found = _COST_LIMIT.search(message)
    if found:
        return ServerLimit(f"the SPARQL server refused the query on its estimate of the time it needs "
                           f"({found.group(1)} s against a limit of {found.group(2)} s: Virtuoso's [SPARQL] "
                           f"MaxQueryCostEstimationTime); the service's own time budget bounds every query, so "
                           f"the server can go without that check (README, Deployment)",
                           "MaxQueryCostEstimationTime", int(found.group(2)))
    return None


# Virtuoso sends this header when [SPARQL] ResultSetMaxRows cut the answer.
_MAX_ROWS_HEADER = "X-SPARQL-MaxRows"


_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
_GRAPH_MEDIA = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "text/rdf+n3": ox.RdfFormat.TURTLE,
}
# An empty store parses a query (and finds its syntax errors, with positions) in microseconds.
# Only the service's own queries are checked here, in process; a public query is checked in a
# query worker (no network, time and memory budgets), since the check evaluates it.
_SYNTAX_CHECKER = ox.Store()
# A graph no server holds: how an empty default graph or set of named graphs is asked for.
_NO_GRAPH = "urn:graphsvc:no-graph"
_MESSAGE_LIMIT = 600


def _without_userinfo(url: str) -> str:
    """The URL as it may appear in messages: no user or password in it."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _server_message(exc: SPARQLWrapperException) -> str:
    """What the server said about a failed request, short, without SPARQLWrapper's boilerplate."""
    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        text = text.split(marker, 1)[1]
        try:
            raw = ast.literal_eval(text)  # SPARQLWrapper puts the body's repr into its message
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        except (ValueError, SyntaxError):
            pass
    text = text.split("\n\nSPARQL query:", 1)[0]  # Virtuoso echoes the query after its message
    text = " ".join(text.split())
    return text[:_MESSAGE_LIMIT] + ("..." if len(text) > _MESSAGE_LIMIT else "")


_BNODE_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def readable_results(body: bytes) -> bytes:
    """SPARQL JSON results pyoxigraph can read: blank node labels made valid where needed.

    Virtuoso labels blank nodes `nodeID://b1234`, which is no valid label; each label is mapped
    to a valid one, the same label to the same one, so the nodes stay as distinct as they were.
    """
    if b'"bnode"' not in body:
        return body
    document = json.loads(body)
    for binding in document.get("results", {}).get("bindings", []):
        for term in binding.values():
            if term.get("type") == "bnode":
                term["value"] = "b" + _BNODE_UNSAFE.sub("_", term["value"])
    return json.dumps(document).encode("utf-8")


# The guard's tokenizer reads a named query's text in milliseconds; the service sends the same
# texts again and again (a named query with the same values after each write), so what it finds is
# kept per text. Texts longer than this are read each time, so the cache stays small.
_CACHED_TEXT = 32_768


@functools.lru_cache(maxsize=512)
def _cached_keywords(text: str) -> frozenset[str]:
    return frozenset(keywords(text))


@functools.lru_cache(maxsize=512)
def _cached_form(text: str) -> str:
    return inspect_query(text).form


def query_keywords(text: str) -> frozenset[str]:
    """The query's keywords (graphsvc.guard.keywords), remembered for the texts sent most."""
    return _cached_keywords(text) if len(text) <= _CACHED_TEXT else frozenset(keywords(text))


def query_form(text: str) -> str:
    """The query's form (SELECT, ASK, CONSTRUCT, DESCRIBE), remembered for the texts sent most."""
    return _cached_form(text) if len(text) <= _CACHED_TEXT else inspect_query(text).form


def with_row_cap(sparql: str, rows: int) -> str:
    """The query with `LIMIT rows` appended when that is certainly valid and changes nothing else.

    Only when the query has no LIMIT, OFFSET or VALUES anywhere (a trailing VALUES block or an
    existing LIMIT would make an appended LIMIT a syntax error); otherwise the reader's own cap
    (at most rows read from the answer) still holds.
    """
    words = query_keywords(sparql)
    if words & {"LIMIT", "OFFSET", "VALUES"}:
        return sparql
    return f"{sparql}\nLIMIT {rows}"


def _values_clause(bindings: Mapping[str, Term]) -> str:
    for name, term in bindings.items():
        if isinstance(term, ox.BlankNode):
            raise ValueError(f"a blank node cannot be sent to a remote server as the value of ?{name}")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({values}) }}"


def blank_node_groups(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """The triples in groups that keep each blank node with every triple that mentions it.

    A blank node label in INSERT DATA names a fresh node per request, so a node whose triples
    were split over two requests would become two nodes.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    for triple in triples:
        s, o = triple.subject, triple.object
        if isinstance(s, ox.BlankNode):
            find(s.value)
            if isinstance(o, ox.BlankNode):
                union(s.value, o.value)
        elif isinstance(o, ox.BlankNode):
            find(o.value)
    groups: dict[str, list[ox.Triple]] = {}
    plain: list[list[ox.Triple]] = []
    for triple in triples:
        node = triple.subject if isinstance(triple.subject, ox.BlankNode) else triple.object
        if isinstance(node, ox.BlankNode):
            groups.setdefault(find(node.value), []).append(triple)
        else:
            plain.append([triple])
    return [*groups.values(), *plain]


def _chunks(triples: list[ox.Triple], plain_size: int, blank_size: int) -> Iterator[tuple[bool, list[ox.Triple]]]:
    """(has blank nodes, triples) in request-sized chunks; a blank node's group is never split."""
    plain: list[ox.Triple] = []
    blank: list[ox.Triple] = []
    for group in blank_node_groups(triples):
        first = group[0]
        if len(group) == 1 and not isinstance(first.subject, ox.BlankNode) \
                and not isinstance(first.object, ox.BlankNode):
            plain.append(first)
            if len(plain) >= plain_size:
                yield False, plain
                plain = []
            continue
        if blank and len(blank) + len(group) > blank_size:
            yield True, blank
            blank = []
        blank.extend(group)
    if plain:
        yield False, plain
    if blank:
        yield True, blank


class RemoteStore:
    """The GraphStore protocol over SPARQL 1.1 Protocol and Update."""

    remote = True  # every query is a round trip to the server

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: str = "digest",
        timeout_param: str = "timeout:ms",
        request_timeout_s: float = 120.0,
        chunk_triples: int = 2000,
        blank_chunk_triples: int = 250,
        version_ttl_s: float = 1.0,
        version_idle_s: float = 60.0,
    ) -> None:
        if not query_url:
            raise ValueError("the sparql backend needs GRAPHSVC_SPARQL_QUERY_URL")
        if auth not in ("digest", "basic"):
            raise ValueError(f"GRAPHSVC_SPARQL_AUTH must be digest or basic, not {auth!r}")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self._user = user or None
        self._password = password or None
        self._auth = DIGEST if auth == "digest" else BASIC
        name, _, unit = timeout_param.partition(":")
        self._timeout_name = name.strip() or None
        self._timeout_unit = (unit.strip() or "ms").lower()
        if self._timeout_unit not in ("ms", "s"):
            raise ValueError(f"GRAPHSVC_SPARQL_TIMEOUT_PARAM: unit must be ms or s, not {unit!r}")
        self.request_timeout_s = request_timeout_s
        self.chunk_triples = chunk_triples
        # Virtuoso compiles an INSERT template to SQL of bounded length: smaller chunks there.
        self.blank_chunk_triples = blank_chunk_triples
        self._checker: Any = None  # an empty embedded store whose workers check public queries
        # The data version as last read or written, and when (monotonic): trusted for
        # `version_ttl_s`, so that a request does not ask the server for it each time.
        self.version_ttl_s = version_ttl_s
        self._version: tuple[str, float] | None = None
        self._writes = 0  # counts this store's writes: a version read across one is not kept
        self._version_lock = threading.Lock()
        # While the version is asked for, a thread of this store reads it again every half TTL, so
        # that requests find it known; it ends after `version_idle_s` without a request.
        self.version_idle_s = version_idle_s
        self._asked = 0.0
        self._poller: threading.Thread | None = None
        self._poller_lock = threading.Lock()
        self._stopped = threading.Event()
        self._sorted_rows: int | None = None  # the server's sort limit, once it has reported one

    def _public_query_checker(self) -> Any:
        """An empty in-memory store with sandboxed query workers (forked on first use)."""
        if self._checker is None:
            from graphsvc.store import OxigraphStore

            checker = OxigraphStore(query_workers=1)
            checker.prepare_workers()
            self._checker = checker
        return self._checker

    def stop_workers(self) -> None:
        """Stop the checker's worker processes and the version's reader (the service calls this
        when it ends)."""
        self._stopped.set()
        if self._checker is not None:
            self._checker.stop_workers()

    @classmethod
    def from_settings(cls, settings: "Settings") -> "RemoteStore":
        return cls(
            settings.sparql_query_url,
            settings.sparql_update_url or None,
            user=settings.sparql_user,
            password=settings.sparql_password,
            auth=settings.sparql_auth,
            timeout_param=settings.sparql_timeout_param,
            version_ttl_s=settings.sparql_version_ttl_s,
        )

    def __repr__(self) -> str:
        authenticated = ", authenticated" if self._user else ""
        return (f"RemoteStore(query_url={_without_userinfo(self.query_url)!r}, "
                f"update_url={_without_userinfo(self.update_url)!r}{authenticated})")

    # -- HTTP ------------------------------------------------------------------------------

    def _wrapper(self, url: str, text: str, timeout_s: float, form: str | None = None) -> SPARQLWrapper:
        """A client for one request. With the query's `form` known (the service has read it with
        the grammar's tokenizer), SPARQLWrapper's own guess at it by regular expressions, which costs
        0.3 ms on a 2 KB query, is not needed."""
        wrapper = SPARQLWrapper(url)
        if form is None:
            wrapper.setQuery(text)
        else:
            wrapper.queryString, wrapper.queryType = text, form
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: Virtuoso would answer 406
        wrapper.timeout = timeout_s  # type: ignore[assignment]  # setTimeout() would round to int
        if self._user is not None:
            wrapper.setHTTPAuth(self._auth)
            wrapper.setCredentials(self._user, self._password or "")
        return wrapper

    def _send(self, wrapper: SPARQLWrapper, url: str, timeout_s: float) -> Any:
        """Send one request; the urllib response, or an exception the HTTP layer can map."""
        where = _without_userinfo(url)
        try:
            return wrapper.query().response
        except QueryBadFormed as exc:
            message = _server_message(exc)
            limit = server_limit(message)
            if limit is not None:
                raise limit from None
            raise QueryFailed(f"the SPARQL server refused the query: {message}", syntax=True) from None
        except Unauthorized:
            raise BackendUnavailable(f"the SPARQL server at {where} refused the configured credentials") from None
        except EndPointNotFound:
            raise BackendUnavailable(f"there is no SPARQL endpoint at {where} (404)") from None
        except URITooLong:
            raise QueryFailed("the query is too long for the SPARQL server") from None
        except EndPointInternalError as exc:
            message = _server_message(exc)
            limit = server_limit(message)
            if limit is not None:
                raise limit from None
            raise QueryFailed(f"the SPARQL server failed: {message}") from None
        except urllib.error.HTTPError as exc:
            if exc.code == 504:
                raise BackendTimeout(timeout_s) from None
            raise BackendUnavailable(f"the SPARQL server at {where} answered {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise BackendTimeout(timeout_s) from None
            raise BackendUnavailable(f"the SPARQL server at {where} cannot be reached: {exc.reason}") from None
        except (socket.timeout, TimeoutError):
            raise BackendTimeout(timeout_s) from None
        except OSError as exc:
            raise BackendUnavailable(f"the SPARQL server at {where} cannot be reached: {exc}") from None

    def _query_request(
        self,
        sparql: str,
        form: str,
        timeout_s: float,
        default_graph: list[ox.NamedNode] | None,
        named_graphs: list[ox.NamedNode] | None,
    ) -> Any:
        wrapper = self._wrapper(self.query_url, sparql, timeout_s, form)
        # An empty list asks for an empty default graph (or no named graphs); None for the server's own.
        for graph in (default_graph or [ox.NamedNode(_NO_GRAPH)]) if default_graph is not None else []:
            wrapper.addParameter("default-graph-uri", graph.value)
        for graph in (named_graphs or [ox.NamedNode(_NO_GRAPH)]) if named_graphs is not None else []:
            wrapper.addParameter("named-graph-uri", graph.value)
        if self._timeout_name:
            amount = timeout_s * 1000 if self._timeout_unit == "ms" else timeout_s
            wrapper.addParameter(self._timeout_name, f"{max(1, round(amount)):d}")
        accept = _GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else _RESULTS_JSON
        wrapper.addCustomHttpHeader("Accept", accept)
        response = self._send(wrapper, self.query_url, timeout_s)
        # Virtuoso's "anytime" answers: cut at the server's timeout, yet sent as 200.
        if response.headers.get("X-SQL-State", "").upper() == "S1TAT":
            response.close()
            raise BackendTimeout(timeout_s)
        return response

    def _read(self, response: Any, timeout_s: float) -> bytes:
        try:
            return response.read()
        except (socket.timeout, TimeoutError):
            raise BackendTimeout(timeout_s) from None
        except OSError as exc:
            raise BackendUnavailable(f"the SPARQL server broke off its answer: {exc}") from None
        finally:
            response.close()

    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request to the update URL."""
        wrapper = self._wrapper(self.update_url, sparql, self.request_timeout_s)
        wrapper.setRequestMethod(POSTDIRECTLY)
        response = self._send(wrapper, self.update_url, self.request_timeout_s)
        self._read(response, self.request_timeout_s)

    # -- GraphStore ------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> Any:
        """A trusted query; pyoxigraph's QuerySolutions / QueryBoolean, or a list of Triples.

        `bindings` are sent as a VALUES block after the query (the query must not end in one).
        """
        text = sparql + _values_clause(bindings) if bindings else sparql
        _SYNTAX_CHECKER.query(text)  # raises SyntaxError as the embedded store would
        form = query_form(sparql)  # a VALUES block after the query does not change its form
        response = self._query_request(text, form, self.request_timeout_s, default_graph, named_graphs)
        if response.headers.get(_MAX_ROWS_HEADER):
            response.close()
            raise ServerLimit(f"the SPARQL server cut an answer the service needs whole at "
                              f"{response.headers[_MAX_ROWS_HEADER]} rows (Virtuoso's [SPARQL] "
                              f"ResultSetMaxRows): raise the setting (README, Deployment)", "ResultSetMaxRows")
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body = self._read(response, self.request_timeout_s)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return [ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(body, format=_GRAPH_MEDIA.get(media, ox.RdfFormat.TURTLE))]
        return ox.parse_query_results(readable_results(body), format=ox.QueryResultsFormat.JSON)

    def execute(
        self,
        sparql: str,
        form: str,
        budget: Budget,
        *,
        base_iri: str | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        trusted: bool = False,
    ) -> QueryAnswer:
        """A query under `budget`: the server gets the time budget, at most max_rows + 1 are read.

        An untrusted one is first run on an empty embedded store in a sandboxed worker, which finds
        syntax errors with their positions as the embedded store would; a `trusted` one (the
        service's own text, with values bound as RDF terms) goes to the server at once. Relative
        IRIs resolve against `base_iri` (sent as a BASE on the query's first line, so that line
        numbers stay as they are)."""
        if not trusted:
            check = Budget(timeout_s=min(budget.timeout_s, 2.0), max_rows=0)
            self._public_query_checker().execute(sparql, form, check, base_iri=base_iri)
        if base_iri:
            sparql = f"BASE <{ox.NamedNode(base_iri).value}> {sparql}"
        deadline = time.monotonic() + budget.timeout_s
        wanted = budget.max_rows + 1
        ordered = self._sorted_rows is not None and "ORDER" in query_keywords(sparql)
        sent = min(wanted, self._sorted_rows) if ordered and self._sorted_rows is not None else wanted
        text = with_row_cap(sparql, sent) if form == "SELECT" else sparql
        try:
            response = self._query_request(text, form, budget.timeout_s, default_graph, named_graphs)
        except ServerLimit as limit:
            # An ORDER BY query may sort at most MaxSortedTopRows rows on Virtuoso. When the LIMIT
            # appended here asked for more, ask for as many as the server sorts (and keep that for
            # the next queries); a LIMIT or OFFSET of the query's own is the client's to change.
            if limit.setting != "MaxSortedTopRows" or text == sparql or not limit.allowed or limit.allowed >= sent:
                raise
            self._sorted_rows = sent = limit.allowed
            _LOG.warning("the SPARQL server sorts at most %d rows ([Parameters] MaxSortedTopRows), fewer than "
                         "GRAPHSVC_RESULT_LIMIT + 1: ordered answers are cut there", sent)
            text = with_row_cap(sparql, sent)
            response = self._query_request(text, form, budget.timeout_s, default_graph, named_graphs)
        cut_by_server = bool(response.headers.get(_MAX_ROWS_HEADER))
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                parsed: Any = ox.parse(response, format=_GRAPH_MEDIA.get(media, ox.RdfFormat.TURTLE))
                triples: list[ox.Triple] = []
                for quad in parsed:
                    if len(triples) == budget.max_rows:
                        return QueryAnswer(form=form, triples=triples, truncated=True)
                    if time.monotonic() > deadline:
                        raise BackendTimeout(budget.timeout_s)
                    triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
                return QueryAnswer(form=form, triples=triples, truncated=cut_by_server)
            # Read whole (SELECT answers are cut to max_rows + 1 by the LIMIT added above, where
            # one could be added) to make Virtuoso's blank node labels readable.
            body = self._read(response, budget.timeout_s)
            # No name holds pyoxigraph's solutions: a traceback that keeps this frame must not keep
            # them, since they may be freed only on the thread that read them.
            answer = materialise(ox.parse_query_results(readable_results(body), format=ox.QueryResultsFormat.JSON),
                                 form, budget.max_rows)
            if time.monotonic() > deadline + 1.0:
                raise BackendTimeout(budget.timeout_s)
            # Cut by the server (ResultSetMaxRows), or as long as the smaller LIMIT sent: there may be more.
            if cut_by_server or (sent < wanted and text != sparql and len(answer.rows) >= sent):
                answer.truncated = True
            return answer
        except SyntaxError as exc:
            raise QueryFailed(f"the SPARQL server sent an answer that cannot be read: {exc}") from None
        except (socket.timeout, TimeoutError):
            raise BackendTimeout(budget.timeout_s) from None
        except OSError as exc:
            raise BackendUnavailable(f"the SPARQL server broke off its answer: {exc}") from None
        finally:
            response.close()

    def _stage(self, triples: list[ox.Triple]) -> str:
        """Load `triples` into a fresh staging graph, in chunks; returns its IRI."""
        staging = f"{STAGING_PREFIX}{uuid.uuid4()}"
        try:
            for has_blank_nodes, chunk in _chunks(triples, self.chunk_triples, self.blank_chunk_triples):
                body = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
                if has_blank_nodes:
                    # Virtuoso refuses blank nodes in INSERT DATA; a template instantiated once
                    # makes one fresh node per label, as INSERT DATA would.
                    self.update(f"INSERT {{ GRAPH <{staging}> {{\n{body}}} }} WHERE {{}}")
                else:
                    self.update(f"INSERT DATA {{ GRAPH <{staging}> {{\n{body}}} }}")
        except BaseException:
            self._drop_quietly(staging)
            raise
        return staging

    def _drop_quietly(self, graph: str) -> None:
        try:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        except Exception:  # noqa: BLE001 - the first failure is the one to report
            pass

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Put `quads` into `graph` in place of what it held: staged in full, then swapped in by MOVE."""
        self.write_graphs(replace={graph: [ox.Triple(q.subject, q.predicate, q.object) for q in quads]}, add={})

    def write_graphs(self, replace: Mapping[ox.NamedNode, list[ox.Triple]],
                     add: Mapping[ox.NamedNode, list[ox.Triple]]) -> None:
        """Stage every graph's new triples, then swap them in with one update request.

        Each graph changes all at once (MOVE replaces, ADD appends); whether the final request
        is one transaction across graphs depends on the server (Virtuoso applies it operation
        by operation), so a write that spans graphs is atomic per graph there.
        """
        staged: list[tuple[str, ox.NamedNode, bool]] = []
        token = uuid.uuid4().hex
        try:
            for graph, triples in replace.items():
                staged.append((self._stage(triples) if triples else "", graph, True))
            for graph, triples in add.items():
                if triples:
                    staged.append((self._stage(triples), graph, False))
            operations = []
            for staging, graph, replacing in staged:
                if replacing and not staging:
                    operations.append(f"DROP SILENT GRAPH <{graph.value}>")
                elif replacing:
                    operations.append(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph.value}>")
                else:
                    operations += [f"ADD SILENT GRAPH <{staging}> TO GRAPH <{graph.value}>",
                                   f"DROP SILENT GRAPH <{staging}>"]
            self.update(" ;\n".join([*operations, _version_update(token)]))
        except BaseException:
            self._forget_version()  # the final request may have been applied in part
            for staging, _, _ in staged:
                if staging:
                    self._drop_quietly(staging)
            raise
        self._wrote(token)

    def neighbourhood(self, nodes: Iterable[ox.NamedNode], exclude_graphs: Iterable[ox.NamedNode] = (),
                      depth: int = 2, inward: Iterable[ox.NamedNode] | None = None) -> list[ox.Triple]:
        """What the server says about `nodes`: their triples `depth` steps out, and one step in
        (for the `inward` nodes only, when given; see OxigraphStore.neighbourhood)."""
        excluded = {g.value for g in exclude_graphs}
        found: set[ox.Triple] = set()

        def about(batch: list[ox.NamedNode], position: str) -> list[ox.Triple]:
            values = " ".join(str(node) for node in batch)  # IRIs as pyoxigraph writes them
            rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?{position} {{ {values} }} "
                              f"GRAPH ?g {{ ?s ?p ?o }} }}")
            return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows
                    if r["g"].value not in excluded and self._is_content_graph(r["g"].value)]

        frontier = {n for n in nodes if isinstance(n, ox.NamedNode)}
        ordered = sorted(frontier if inward is None else {n for n in inward if isinstance(n, ox.NamedNode)},
                         key=lambda n: n.value)
        for start in range(0, len(ordered), 200):
            found.update(about(ordered[start:start + 200], "o"))
        seen: set[ox.NamedNode] = set()
        for _ in range(depth):
            todo = sorted(frontier - seen, key=lambda n: n.value)
            seen |= set(todo)
            following: set[ox.NamedNode] = set()
            for start in range(0, len(todo), 200):
                for triple in about(todo[start:start + 200], "s"):
                    found.add(triple)
                    if isinstance(triple.object, ox.NamedNode):
                        following.add(triple.object)
            frontier = following
        return list(found)

    def graph_triples(self, graph: ox.NamedNode) -> list[ox.Triple]:
        rows = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]

    def data_version(self) -> str:
        """A token that changes with every write through this class (kept in the meta graph).

        This store's own writes set it as they make it; what it read from the server is trusted
        for `version_ttl_s` seconds (GRAPHSVC_SPARQL_VERSION_TTL), which bounds how long a write
        made by another process goes unseen. While requests keep asking, a background thread
        reads it again every half TTL, so a request finds it known and makes no round trip for
        it. 0 asks the server every time.
        """
        cached = self._version
        started = time.monotonic()
        self._asked = started
        if cached is not None and started - cached[1] < self.version_ttl_s:
            version = cached[0]
        else:
            version = self._read_version()
        if self.version_ttl_s > 0:
            self._keep_version_fresh()
        return version

    def known_data_version(self) -> str | None:
        """The data version if it is known without asking the server (within its TTL), else None."""
        cached = self._version
        now = time.monotonic()
        if cached is None or now - cached[1] >= self.version_ttl_s:
            return None
        self._asked = now
        return cached[0]

    def _read_version(self) -> str:
        """The data version as the server holds it (one is written when it holds none)."""
        started = time.monotonic()
        writes = self._writes
        rows = list(self.query(f"SELECT ?v WHERE {{ GRAPH <{_META_GRAPH}> {{ <{_STORE_NODE}> <{_HAS_VERSION}> ?v }} }}"))
        if not rows:
            token = uuid.uuid4().hex
            self.update(_version_update(token))
            self._wrote(token)
            return token
        version = str(rows[0]["v"].value)
        with self._version_lock:
            if writes == self._writes:  # no write of ours finished meanwhile: what was read is current
                self._version = (version, started)
        return version

    def _keep_version_fresh(self) -> None:
        """Start the thread that reads the version again every half TTL, unless it runs."""
        if self._stopped.is_set() or (self._poller is not None and self._poller.is_alive()):
            return
        with self._poller_lock:
            if self._poller is None or not self._poller.is_alive():
                self._poller = threading.Thread(target=self._poll_version, name="graphsvc-data-version",
                                                daemon=True)
                self._poller.start()

    def _poll_version(self) -> None:
        while not self._stopped.wait(self.version_ttl_s / 2):
            if time.monotonic() - self._asked > self.version_idle_s:
                return
            try:
                self._read_version()
            except Exception as exc:  # noqa: BLE001 - a request that finds the version expired reports it
                _LOG.debug("reading the data version in the background failed: %s", exc)

    def _wrote(self, token: str) -> None:
        """This store made `token` the data version."""
        with self._version_lock:
            self._writes += 1
            self._version = (token, time.monotonic())

    def _forget_version(self) -> None:
        """Ask the server next time (after a write whose outcome is not known)."""
        with self._version_lock:
            self._writes += 1
            self._version = None

    def _graph_sizes(self) -> dict[str, int]:
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows
                if isinstance(row["g"], ox.NamedNode) and self._is_content_graph(row["g"].value)}

    @staticmethod
    def _is_content_graph(iri: str) -> bool:
        return (iri not in SERVER_GRAPHS and not iri.startswith(STAGING_PREFIX)
                and not iri.startswith(_SERVER_GRAPH_PREFIXES))

    def named_graphs(self) -> list[ox.NamedNode]:
        """The graphs that hold content: not the server's own, not staging graphs of a running load."""
        # GROUP BY, not DISTINCT: Virtuoso answers this in 19 ms at 1M triples, and DISTINCT not
        # within its 60 s MaxQueryExecutionTime (every write through /graphs then failed with 504).
        rows = self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        iris = {row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)}
        return [ox.NamedNode(iri) for iri in sorted(iris) if self._is_content_graph(iri)]

    def is_empty(self) -> bool:
        return not self.named_graphs()

    def __len__(self) -> int:
        return sum(self._graph_sizes().values())

    def flush(self) -> None:
        """Nothing to do: the server makes each update durable itself."""

    def drop_all(self) -> None:
        """Drop every content graph (the server's own graphs stay)."""
        for graph in self.named_graphs():
            self.update(f"DROP SILENT GRAPH <{graph.value}>")
