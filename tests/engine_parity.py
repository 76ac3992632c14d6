"""Whether two engines give the same answer: the embedded store and a SPARQL server (Virtuoso).

Answers are compared value by value (`typed` folds only the differences of representation between
the engines) and, for a query that orders its rows, in order. The parity tests
(tests/test_storage_remote.py) and the Virtuoso benchmark (bench/virtuoso_raw.py) both use it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from graphsvc.remote_store import RemoteStore
from graphsvc.store import OxigraphStore

XSD = "http://www.w3.org/2001/XMLSchema#"
VOID = "http://rdfs.org/ns/void#"

NUMBERS = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                              "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                              "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def typed(term: Any) -> Any:
    """A term as a typed value, so that answers compare value by value; only representation
    differences between the engines are folded here:

    - numbers by value: Virtuoso returns an xsd:decimal without fraction as xsd:integer, and
      divides to 15 digits where pyoxigraph keeps 18 (12 significant digits are compared);
    - booleans by truth: Virtuoso writes them 1 and 0;
    - language tags in lower case: pyoxigraph lower-cases them, Virtuoso keeps their case;
    - blank nodes only as blank nodes: their labels are local to each answer.
    Dates compare as dates, and every other literal keeps its datatype.
    """
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return ["bnode"]
    if isinstance(term, ox.NamedNode):
        return ["iri", term.value]
    if term.language:
        return ["text", term.value, term.language.lower()]
    datatype = term.datatype.value
    try:
        if datatype in NUMBERS:
            return ["number", float(f"{Decimal(term.value):.12g}")]
        if datatype == XSD + "date":
            return ["date", dt.date.fromisoformat(term.value).isoformat()]
    except ValueError:
        pass
    if datatype == XSD + "boolean" and term.value in ("true", "false", "1", "0"):
        return ["boolean", term.value in ("true", "1")]
    return ["literal", datatype, term.value]


def typed_rows(result: Any) -> Any:
    """An answer as typed values: a boolean, or a list of rows (triples) in the order given."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, (ox.QueryTriples, list)):
        return [json.dumps([typed(t.subject), typed(t.predicate), typed(t.object)], ensure_ascii=False)
                for t in result]
    names = [v.value for v in result.variables]
    return [json.dumps({n: typed(row[n]) for n in names}, sort_keys=True, ensure_ascii=False) for row in result]


def typed_answer(result: Any) -> Any:
    """An answer as typed values, rows counted regardless of order (a boolean stays one)."""
    found = typed_rows(result)
    return found if isinstance(found, bool) else Counter(found)


def assert_same(name: str, embedded: Any, remote: Any) -> None:
    if isinstance(embedded, bool):
        assert remote == embedded, f"{name}: embedded {embedded}, Virtuoso {remote}"
        return
    missing = embedded - remote
    extra = remote - embedded
    assert not missing and not extra, (
        f"{name}: answers differ\n  only embedded: {sorted(missing.elements())[:10]}\n"
        f"  only Virtuoso: {sorted(extra.elements())[:10]}")


def assert_named_query_same(name: str, query_name: str, text: str, embedded: OxigraphStore,
                             remote: RemoteStore) -> None:
    """The same rows, value by value, and in the same order (every named query orders its rows
    completely); void's count of distinct objects within the bounds Virtuoso's storage allows."""
    mine, theirs = typed_rows(embedded.query(text)), typed_rows(remote.query(text))
    if isinstance(mine, bool):
        assert theirs == mine, f"{name}: embedded {mine}, Virtuoso {theirs}"
        return
    if query_name == "void":
        low, high = distinct_object_bounds(embedded)
        counted = [json.loads(row)[2][1] for row in theirs if VOID + "distinctObjects" in row]
        assert len(counted) == 1 and low <= counted[0] <= high, (counted, low, high)
        mine = [row for row in mine if VOID + "distinctObjects" not in row]
        theirs = [row for row in theirs if VOID + "distinctObjects" not in row]
    assert_same(name, Counter(mine), Counter(theirs))
    if "ORDER BY" in text:
        assert theirs == mine, f"{name}: the same rows in another order"


def distinct_object_bounds(store: OxigraphStore) -> tuple[int, int]:
    """The range in which Virtuoso's void:distinctObjects must fall for what `store` holds.

    Virtuoso stores an xsd:decimal without fraction as xsd:integer when it is written through an
    INSERT template (the chunks with blank nodes) and as xsd:decimal through INSERT DATA, so such a
    value can be there in one form or both, and COUNT(DISTINCT ?o) counts them so: at least the
    objects with numbers counted by value, at most that plus the integral decimals.
    """
    rows = store.query("SELECT DISTINCT ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                       "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/iddkg/graph/\")) }")
    by_value: set[str] = set()
    integral_decimals: set[Decimal] = set()
    for row in rows:
        term = row["o"]
        if isinstance(term, ox.Literal) and term.datatype.value in NUMBERS:
            by_value.add(json.dumps(typed(term)))
            if term.datatype.value == XSD + "decimal" and Decimal(term.value) == Decimal(term.value).to_integral_value():
                integral_decimals.add(Decimal(term.value))
        else:
            by_value.add(str(term))
    return len(by_value), len(by_value) + len(integral_decimals)
