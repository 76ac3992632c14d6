"""The query guard: what a SPARQL request is, and whether this read-only endpoint may run it.

The endpoint never reaches the network or the file system and never writes, so SERVICE, LOAD and
every SPARQL Update operation are refused with a message that says why and where. The guard reads
the query as the spec does (codepoint escapes decoded first) and as pyoxigraph does, including the
other readings its backtracking parser can take (graphsvc.guard.readings), and refuses when any
of them shows a forbidden operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphsvc.guard.lexer import PYOXIGRAPH, SPEC, Kind, Scanner, Token
from graphsvc.guard.readings import (
    Found, Reading, Reason, iri_value, keyword_inside, nesting_change, read_prologue,
)

MAX_NESTING = 256  # brackets open at once; pyoxigraph's parser crashes its process near 2,500
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_OPERATIONS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                               "COPY", "WITH"})
_OUTBOUND_REASON = "queries may not reach other services, the network or the file system"
OUTBOUND = {"SERVICE": f"SERVICE (federated query) is not allowed on this endpoint: {_OUTBOUND_REASON}",
            "LOAD": f"LOAD is not allowed on this endpoint: it is read-only, and {_OUTBOUND_REASON}"}
_WORD_AT = re.compile(r"[^\s{}()<>\"'#,;]{1,40}")
_AFTER_DOT_RUNS = re.compile(r"[^\s.]\.+[^\s.]+\.+$")  # `ex:a.b.` before the token


class RefusedQuery(ValueError):
    """A request that is well-formed enough to understand but not allowed here."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class QueryShape:
    """What the guard learnt of an allowed query."""

    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    keywords: frozenset[str] = frozenset()

    @property
    def returns_graph(self) -> bool:
        return self.form in {"CONSTRUCT", "DESCRIBE"}


def _refusal(message: str, token: Token, note: str = "") -> RefusedQuery:
    where = f"line {token.line}, column {token.column}"
    return RefusedQuery(f"{message} ({where}{'; ' + note if note else ''})", token.line, token.column)


def _how_read(text: str, found: Found) -> str:
    """How the token comes to be read when the plain longest-match reading does not show it."""
    step = found.via
    if step is None:
        written = text[found.token.offset:found.token.end]
        if written != found.token.text:
            return f"`{written}` is {found.token.text} once its \\u escapes are decoded, as SPARQL does"
        if _AFTER_DOT_RUNS.search(text, max(0, found.token.offset - 200), found.token.offset):
            return "pyoxigraph ends a local name at its second run of dots and reads on from there"
        return ""
    at = ("" if step.token.offset == found.token.offset
          else f" at line {step.token.line}, column {step.token.column}")
    word = _WORD_AT.match(text, step.token.offset)
    written = word.group() if word else step.token.text
    if step.reason is Reason.NAMESPACE_ONLY:
        return (f"`{written}`{at} does not make a valid IRI, so pyoxigraph can read "
                f"`{step.token.text}` alone and what follows as query text")
    return f"pyoxigraph reads the `<`{at} as less-than, not as the start of an IRI"


def _refuse_outbound(text: str, readings: list[Reading]) -> None:
    refused = OUTBOUND["SERVICE"]
    for reading in readings:
        for found in reading.found:
            if found.token.keyword == "SERVICE":
                raise _refusal(refused, found.token, _how_read(text, found))
            if keyword_inside(found.token, "SERVICE") is not None:
                how = _how_read(text, found)
                note = (f"pyoxigraph can read the start of `{found.token.text[:40]}` as the keyword SERVICE: "
                        "use another prefix name")
                raise _refusal(refused, found.token, f"{how}; {note}" if how else note)


def _refuse_updates(text: str, readings: list[Reading]) -> None:
    for reading in readings:
        for token in reading.principal_tokens():
            word = token.keyword
            if word in OUTBOUND:
                raise _refusal(OUTBOUND[word], token, _how_read(text, Found(token, None)))
            if word in UPDATE_OPERATIONS:
                raise _refusal(f"SPARQL Update ({word}) is not accepted by the query endpoint, "
                               "which is read-only", token, _how_read(text, Found(token, None)))
            prefix = (token.prefix or "").upper()
            if prefix in OUTBOUND or prefix in UPDATE_OPERATIONS:
                raise _refusal(f"the prefix `{token.prefix}:` is the keyword {prefix}, which a "
                               f"backtracking parser can read as the operation; use another prefix name",
                               token)


def _dataset(tokens: list[Token], reading: Reading) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The IRIs of the FROM and FROM NAMED clauses, expanded and resolved as the query says."""
    default: list[str] = []
    named: list[str] = []
    depth = 0
    for index, token in enumerate(tokens):
        depth += nesting_change(token)
        if depth or token.keyword != "FROM":
            continue
        target, rest = default, tokens[index + 1:index + 3]
        if rest and rest[0].keyword == "NAMED":
            target, rest = named, rest[1:]
        if not rest:
            continue
        if rest[0].kind is Kind.IRIREF:
            target.append(reading.prologue.absolute(iri_value(rest[0])))
        elif rest[0].kind in (Kind.PNAME_LN, Kind.PNAME_NS):
            target.append(reading.prologue.expand(rest[0]) or rest[0].text)
    return tuple(default), tuple(named)


def _form(tokens: list[Token]) -> str:
    start = read_prologue(tokens)[1]
    expected = "no query form found: expected SELECT, CONSTRUCT, DESCRIBE or ASK"
    if start >= len(tokens):
        raise RefusedQuery(expected)
    first = tokens[start]
    if first.keyword not in QUERY_FORMS:
        raise _refusal(f"{expected}, not `{first.text[:40]}`", first)
    return first.keyword or ""


def _readings(text: str) -> list[Reading]:
    """pyoxigraph's reading and, where it differs, the spec's."""
    engine = Reading(text, PYOXIGRAPH, MAX_NESTING)
    spec = Scanner(text, SPEC)
    differs = "\\u" in text or "\\U" in text or any(
        found.token.kind is Kind.PNAME_LN
        and spec.longest_match(spec.skip_trivia(found.token.offset)).token.end > found.token.end
        for found in engine.found)
    return [engine, Reading(text, SPEC, MAX_NESTING)] if differs else [engine]


def inspect_query(text: str) -> QueryShape:
    """The shape of a read query; raises RefusedQuery for outbound operations, updates, text
    that no reader can tokenize, brackets nested too deeply and text with no query form."""
    readings = _readings(text)
    _refuse_outbound(text, readings)
    _refuse_updates(text, readings)
    engine = readings[0]
    error = None if engine.readable else engine.first_error()
    if error is not None:
        raise RefusedQuery(f"syntax error at line {error.line}, column {error.column}: {error.reason}",
                           error.line, error.column)
    for reading in readings:
        if reading.too_deep is not None:
            raise _refusal(f"the query nests brackets too deeply: more than {MAX_NESTING} "
                           "`{`, `(` or `[` open at once", reading.too_deep)
    tokens = engine.principal_tokens()
    from_graphs, from_named_graphs = _dataset(tokens, engine)
    return QueryShape(form=_form(tokens), from_graphs=from_graphs, from_named_graphs=from_named_graphs,
                      keywords=frozenset(t.keyword for t in tokens if t.keyword))


def keywords(text: str) -> set[str]:
    """The keywords (upper-cased) that pyoxigraph's reading of the query uses; for text it
    cannot read, those before the first lexical error."""
    return {t.keyword for t in Reading(text, PYOXIGRAPH, MAX_NESTING).principal_tokens() if t.keyword}
