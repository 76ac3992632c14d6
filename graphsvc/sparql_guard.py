"""Looks at a SPARQL request before it runs: what form it has, and whether it may run at all.

The public endpoint is read-only and never reaches the network or the file system, so
SERVICE, LOAD and every update operation are refused here with a message that says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Everything that is data rather than syntax: comments, strings and IRIs are blanked out
# (keeping offsets) so that keywords inside them are not mistaken for operations.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
    re.DOTALL,
)
_WORD = re.compile(r"(?<![\w:?$.-])([A-Za-z]+)(?![\w:-])")
_QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_UPDATE_OPS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_OUTBOUND = {"SERVICE": "SERVICE (federated query)", "LOAD": "LOAD"}


class RefusedQuery(ValueError):
    """A request that is well-formed enough to understand but not allowed here."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class QueryShape:
    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK

    @property
    def returns_graph(self) -> bool:
        return self.form in {"CONSTRUCT", "DESCRIBE"}


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _keywords(text: str) -> list[tuple[str, int]]:
    blanked = _OPAQUE.sub(lambda m: " " * len(m.group(0)), text)
    return [(m.group(1).upper(), m.start(1)) for m in _WORD.finditer(blanked)]


def inspect_query(text: str) -> QueryShape:
    """The form of a read query; raises RefusedQuery for updates and for outbound operations."""
    keywords = _keywords(text)
    for word, offset in keywords:
        if word in _OUTBOUND:
            line, column = _position(text, offset)
            raise RefusedQuery(
                f"{_OUTBOUND[word]} is not allowed on this endpoint: queries may not reach other "
                f"services, the network or the file system (line {line}, column {column})",
                line,
                column,
            )
    for word, offset in keywords:
        if word in _QUERY_FORMS:
            return QueryShape(word)
        if word in _UPDATE_OPS:
            line, column = _position(text, offset)
            raise RefusedQuery(
                f"SPARQL Update ({word}) is not accepted by the query endpoint, which is read-only "
                f"(line {line}, column {column})",
                line,
                column,
            )
    raise RefusedQuery("no query form found: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
