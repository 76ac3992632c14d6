"""Turning SELECT results into plain JSON-ready rows for dashboards and the command line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
                              "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong")}
_DECIMALS = {XSD + "decimal"}
_FLOATS = {XSD + "double", XSD + "float"}


def plain_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    """A JSON value for an RDF term: IRIs as strings, numbers and booleans typed, the rest as text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype in _DECIMALS:
                number = Decimal(term.value)
                return int(number) if number == number.to_integral_value() else float(number)
            if datatype in _FLOATS:
                return float(term.value)
        except (ValueError, ArithmeticError):
            return term.value
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def plain_rows(solutions: ox.QuerySolutions) -> list[dict[str, Any]]:
    """One dict per solution, keyed by variable name (unbound variables are None)."""
    names = [v.value for v in solutions.variables]
    return [{name: plain_value(row[name]) for name in names} for row in solutions]


def render_table(rows: Iterable[dict[str, Any]]) -> str:
    """A plain-text table for the terminal."""
    rows = list(rows)
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    cells = [[("" if r[c] is None else str(r[c])) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])
