"""A query's answer as the service hands it on: materialised, with its truncation marked.

Both the embedded store and a remote SPARQL server produce `QueryAnswer`s, so the HTTP layer
serialises one type whatever backend answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import pyoxigraph as ox

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class BudgetExceeded(Exception):
    """A limit stopped the work or kept it from starting: the HTTP layer says 503 (with
    `Retry-After` when `retry_after_s` is set)."""

    retry_after_s: int | None = None


class QueryTimeout(BudgetExceeded):
    """The query used up its time budget and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query was stopped after its time budget of {seconds:g} s")
        self.seconds = seconds


class QueryOutOfMemory(BudgetExceeded):
    """The query asked for more memory than a query may use; its process was ended."""

    def __init__(self, megabytes: int) -> None:
        super().__init__(f"the query was stopped: it needed more than the {megabytes} MB a query may use")
        self.megabytes = megabytes


class ServiceBusy(BudgetExceeded):
    """Every query process was busy for as long as a request may wait for one."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"every query process is busy; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class BackendUnavailable(Exception):
    """The store's server could not be reached or refused to serve us (the HTTP layer says 502)."""


class BackendTimeout(QueryTimeout):
    """The store's server did not answer within the time budget (the HTTP layer says 504)."""

    def __init__(self, seconds: float) -> None:
        Exception.__init__(self, f"the SPARQL server did not answer within the time budget of {seconds:g} s")
        self.seconds = seconds


class QueryFailed(Exception):
    """The query could not run (syntax error, or the engine failed); `line`/`column` when known.
    `client` is true when the query itself is at fault (a syntax error, or something this engine
    does not offer, such as an unknown extension function): a 400, not a 500."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 syntax: bool = False, client: bool = False) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.syntax = syntax
        self.client = client or syntax


class QueryRefused(QueryFailed):
    """The engine tried what queries here cannot do (open a network connection): a client error."""

    def __init__(self) -> None:
        super().__init__("the query tried to open a network connection, which queries on this service "
                         "cannot do: SERVICE and LOAD are not available")


@dataclass
class QueryAnswer:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)  # unbound variables are absent
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    @property
    def size(self) -> int:
        return len(self.triples) if self.form in ("CONSTRUCT", "DESCRIBE") else len(self.rows)


def term_to_json(term: Term) -> dict[str, str]:
    """One RDF term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    encoded = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        encoded["datatype"] = term.datatype.value
    return encoded


def term_from_json(encoded: dict[str, str]) -> Term:
    kind = encoded["type"]
    if kind == "uri":
        return ox.NamedNode(encoded["value"])
    if kind == "bnode":
        return ox.BlankNode(encoded["value"])
    if "xml:lang" in encoded:
        return ox.Literal(encoded["value"], language=encoded["xml:lang"])
    datatype = encoded.get("datatype")
    return ox.Literal(encoded["value"], datatype=ox.NamedNode(datatype) if datatype else None)


def results_json(answer: QueryAnswer) -> dict[str, Any]:
    """The SELECT/ASK answer as SPARQL JSON; a truncated answer says so in `truncated`."""
    if answer.form == "ASK":
        return {"head": {}, "boolean": bool(answer.boolean)}
    body: dict[str, Any] = {
        "head": {"vars": answer.variables},
        "results": {"bindings": [{k: term_to_json(v) for k, v in row.items()} for row in answer.rows]},
    }
    if answer.truncated:
        body["truncated"] = True
    return body


def results_from_json(form: str, body: dict[str, Any], truncated: bool = False) -> QueryAnswer:
    """Read SPARQL JSON results (as a remote server sends them) into an answer."""
    if "boolean" in body:
        return QueryAnswer(form="ASK", boolean=bool(body["boolean"]))
    rows = [{k: term_from_json(v) for k, v in binding.items()} for binding in body["results"]["bindings"]]
    return QueryAnswer(form=form, variables=list(body["head"].get("vars", [])), rows=rows,
                       truncated=truncated or bool(body.get("truncated")))
