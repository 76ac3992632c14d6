"""Parameters of named queries: read and check request values, and bind them as RDF terms.

A value never becomes query text by itself. It is parsed into a pyoxigraph term
(`NamedNode`, `Literal`), and pyoxigraph's own serialisation of that term (canonical,
escaped N-Triples) goes into a `VALUES` block at the query's `# @parameters` markers. A quote,
an angle bracket or a SPARQL keyword in a value stays inside its literal. Whether a parameter
has a value decides only which of the query's own `# @if-bound` blocks are kept.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Mapping

import pyoxigraph as ox

from graphsvc import project
from graphsvc.catalog import CONDITIONAL, MARKER, NamedQuery, Param
from graphsvc.store import GraphStore
from graphsvc.vocabulary import prefixes

XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls and DEL, but tab and line feed
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
MAX_VALUE_LENGTH = 2000
MAX_OFFSET = 10_000_000
# What an IRI value may be, as the OpenAPI document says too (graphsvc.api.named_queries): an
# http(s) IRI in ASCII (percent-encode the rest), a CURIE with a prefix of the vocabulary, or a
# name under kg:. Each form, expanded, is an IRI the engine takes.
_PCHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
_HTTP_IRI = (r"https?://[A-Za-z0-9._~!$&'()*+,;=-]*(?::[0-9]*)?(?:/" + _PCHAR + r"*)*(?:\?(?:" + _PCHAR
             + r"|[/?])*)?(?:#(?:" + _PCHAR + r"|[/?])*)?")
_BARE_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"


def iri_value_pattern() -> str:
    """The regular expression (ECMA-262 and Python alike) an IRI parameter's value must match."""
    names = "|".join(re.escape(prefix) for prefix in sorted(prefixes()))
    return f"^(?:{_HTTP_IRI}|(?:{names}):(?:{_PCHAR}|/)*|{_BARE_NAME})$"


class ParameterError(ValueError):
    """A request value the query cannot take; `parameter` names which one."""

    def __init__(self, parameter: str, message: str, value: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


class NotInGraph(ParameterError):
    """A well-formed IRI value that names nothing of the kind the parameter asks for (404)."""


@dataclass(frozen=True)
class BoundParams:
    """A request's parameters, checked: RDF terms by name, and their canonical text for keys."""

    terms: dict[str, ox.NamedNode | ox.Literal | None]
    canonical: dict[str, str]
    limit: int | None = None
    offset: int = 0


def expand_iri(text: str) -> str:
    """A full IRI from an IRI, a CURIE with a known prefix, or a bare name under kg:."""
    if text.startswith(("http://", "https://")):
        return text
    prefix, colon, local = text.partition(":")
    known = prefixes()
    if colon and prefix in known:
        return known[prefix] + local
    if not colon and _LOCAL_NAME.match(text):
        return project.THING_NS + text
    raise ValueError("not an http(s) IRI, a CURIE with a known prefix, or a name under kg:")


def _literal(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _check_range(param: Param, number: float, what: str) -> None:
    if param.minimum is not None and number < param.minimum:
        raise ParameterError(param.name, f"{what} must be at least {param.minimum:g}")
    if param.maximum is not None and number > param.maximum:
        raise ParameterError(param.name, f"{what} must be at most {param.maximum:g}")


def parse_value(param: Param, raw: str, today: dt.date) -> ox.NamedNode | ox.Literal:
    """One request value as the RDF term its declared type says, or ParameterError."""
    name = param.name
    if len(raw) > MAX_VALUE_LENGTH:
        raise ParameterError(name, f"the value is longer than {MAX_VALUE_LENGTH} characters")
    try:
        if param.type == "iri":
            if re.fullmatch(iri_value_pattern(), raw) is None:
                raise ValueError("expected an http(s) IRI in ASCII, a CURIE with a known prefix "
                                 "(kg:japan, idd:Signed) or a name under kg: (japan)")
            node = ox.NamedNode(expand_iri(raw))
            allowed = [expand_iri(v) for v in param.values]
            if allowed and node.value not in allowed:
                raise ParameterError(name, f"must be one of {', '.join(param.values)}", raw)
            return node
        if param.type == "date":
            text = today.isoformat() if raw == "today" else raw
            if not _DATE.match(text):
                raise ValueError("expected a date as YYYY-MM-DD (or 'today')")
            dt.date.fromisoformat(text)
            return _literal(text, "date")
        if param.type == "integer":
            if not _INTEGER.match(raw.strip()):
                raise ValueError("expected a whole number" + (" of at most 18 digits"
                                                              if raw.strip().lstrip("+-").isdigit() else ""))
            number = int(raw)
            _check_range(param, number, "the number")
            return _literal(str(number), "integer")
        if param.type == "decimal":
            decimal = Decimal(raw.strip())
            if not decimal.is_finite():
                raise ValueError("expected a finite number")
            _check_range(param, float(decimal), "the number")
            return _literal(str(decimal), "decimal")
        if param.type == "boolean":
            lowered = raw.strip().lower()
            if lowered not in _TRUE | _FALSE:
                raise ValueError("expected true or false")
            return _literal("true" if lowered in _TRUE else "false", "boolean")
        if param.type == "language":
            if not _LANGUAGE.match(raw):
                raise ValueError("expected a language tag such as en, fr, ja or hi")
            return ox.Literal(raw.lower())
        # string: any text but control characters (no label holds them); min/max bound its length
        if (control := _CONTROL.search(raw)) is not None:
            raise ParameterError(name, f"holds the control character U+{ord(control.group()):04X} at "
                                       f"character {control.start() + 1}", raw)
        _check_range(param, len(raw), "the text's length")
        if param.values and raw not in param.values:
            raise ParameterError(name, f"must be one of {', '.join(param.values)}", raw)
        return ox.Literal(raw)
    except ParameterError as exc:
        exc.value = raw
        raise
    except (ValueError, InvalidOperation) as exc:
        raise ParameterError(name, f"not a valid {param.type}: {exc}", raw) from exc


def _int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not _INTEGER.match(raw.strip()):
        raise ParameterError(name, "expected a whole number", raw)
    value = int(raw)
    if not low <= value <= high:
        raise ParameterError(name, f"must be between {low} and {high}", raw)
    return value


def read_params(query: NamedQuery, given: Mapping[str, list[str]], today: dt.date | None = None) -> BoundParams:
    """Check the request's values against the query's header; defaults and derived values filled in."""
    today = today or dt.date.today()
    known = {p.name for p in query.params} | ({"limit", "offset"} if query.pagination else set()) | {"format"}
    for name, values in given.items():
        if name not in known:
            raise ParameterError(name, f"unknown parameter; this query takes {', '.join(sorted(known))}")
        if len(values) > 1:
            raise ParameterError(name, "given more than once", values[0])
    terms: dict[str, ox.NamedNode | ox.Literal | None] = {}
    for param in query.params:
        raw = given[param.name][0] if param.name in given else None
        if raw == "" and not param.required:  # an empty value is no value (a form's empty field)
            raw = None
        if raw is None:
            raw = param.default
        if raw is None:
            if param.required:
                raise ParameterError(param.name, "this parameter is required")
            terms[param.name] = None
            continue
        terms[param.name] = parse_value(param, raw, today)
    for derived in query.derived:
        start, days = terms.get(derived.date_param), terms.get(derived.days_param)
        if start is None or days is None:
            terms[derived.name] = None
            continue
        try:
            end = dt.date.fromisoformat(start.value) + dt.timedelta(days=int(days.value))
        except OverflowError:
            end = dt.date.max  # a window past year 9999 ends with it: no date of the graph is later
        terms[derived.name] = _literal(end.isoformat(), "date")
    limit, offset = None, 0
    if query.pagination:
        first = lambda n: given[n][0] if n in given else None  # noqa: E731
        limit = _int("limit", first("limit"), query.pagination.default, 1, query.pagination.maximum)
        offset = _int("offset", first("offset"), 0, 0, MAX_OFFSET)
    canonical = {k: str(v) for k, v in sorted(terms.items()) if v is not None}
    return BoundParams(terms=terms, canonical=canonical, limit=limit, offset=offset)


def values_block(terms: Mapping[str, ox.NamedNode | ox.Literal | None]) -> str:
    """`VALUES (?a ?b) { (<iri> UNDEF) }`, each term as pyoxigraph serialises it."""
    if not terms:
        return ""
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join("UNDEF" if term is None else str(term) for term in terms.values())
    return f"VALUES ({names}) {{ ({row}) }}"


def keep_bound_blocks(text: str, terms: Mapping[str, ox.NamedNode | ox.Literal | None]) -> str:
    """`text` without the `# @if-bound name` ... `# @end` blocks whose parameter has no value."""
    return CONDITIONAL.sub(lambda m: m.group(2) if terms.get(m.group(1)) is not None else "", text)


def bind_values(text: str, terms: Mapping[str, ox.NamedNode | ox.Literal | None]) -> str:
    """`text` with its `# @if-bound` blocks kept or dropped, and the VALUES block of `terms` at
    each `# @parameters` marker."""
    text = keep_bound_blocks(text, terms)
    block = values_block(terms)
    return MARKER.sub(lambda _: "  " + block, text) if block else text


def bind_query(query: NamedQuery, params: BoundParams, extra_row: bool = True) -> str:
    """The query text with the VALUES block at its markers and, when paginated, LIMIT and OFFSET."""
    text = bind_values(query.text, params.terms)
    if params.limit is not None:
        text = f"{text.rstrip()}\nLIMIT {params.limit + (1 if extra_row else 0)}\nOFFSET {params.offset}\n"
    return text


_RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
# Whether a value was found to be an instance (or concept) of what a parameter asks, per data
# version: a value is looked up once per version.
_MEMBERSHIP: OrderedDict[tuple[str, str], bool] = OrderedDict()
_MEMBERSHIP_LIMIT = 4096
_MEMBERSHIP_LOCK = threading.Lock()


def _membership_pattern(param: Param, term: ox.NamedNode, n: int) -> tuple[str, str]:
    """The graph pattern that holds when `term` may be the value of `param`, and what it means."""
    if param.rdf_class:
        target = ox.NamedNode(expand_iri(param.rdf_class))
        # The direct type apart, then `+`: with `?type rdfs:subClassOf* C`, Virtuoso 7.2.5 at 1M
        # triples answered false for every skos:ConceptScheme (the benchmark's /api/concepts was 404).
        return (f"{{ {term} a {target} }} UNION {{ {term} a ?type{n} . ?type{n} <{_RDFS_SUBCLASS}>+ {target} }}",
                f"an instance of {param.rdf_class}")
    target = ox.NamedNode(expand_iri(param.scheme or ""))
    return f"{term} <{_SKOS}inScheme>|<{_SKOS}topConceptOf> {target} .", f"a concept of {param.scheme}"


def _remembered(key: tuple[str, str] | None) -> bool | None:
    if key is None:
        return None
    with _MEMBERSHIP_LOCK:
        return _MEMBERSHIP.get(key)


def _remember(key: tuple[str, str], found: bool) -> None:
    with _MEMBERSHIP_LOCK:
        _MEMBERSHIP[key] = found
        while len(_MEMBERSHIP) > _MEMBERSHIP_LIMIT:
            _MEMBERSHIP.popitem(last=False)


def clear_membership_cache() -> None:
    """Forget every remembered outcome (tests, or after writes made behind the data version)."""
    with _MEMBERSHIP_LOCK:
        _MEMBERSHIP.clear()


def _membership_checks(query: NamedQuery, params: BoundParams, version: str | None
                       ) -> list[tuple[Param, ox.NamedNode, str, str, tuple[str, str] | None]]:
    checks: list[tuple[Param, ox.NamedNode, str, str, tuple[str, str] | None]] = []
    for param in query.params:
        term = params.terms.get(param.name)
        if not isinstance(term, ox.NamedNode) or not (param.rdf_class or param.scheme):
            continue
        pattern, what = _membership_pattern(param, term, len(checks))
        checks.append((param, term, pattern, what, (version, f"{term} {what}") if version is not None else None))
    return checks


def membership_unknown(query: NamedQuery, params: BoundParams, version: str | None = None) -> bool:
    """Whether check_membership would ask the store (some value is not remembered for `version`)."""
    return any(_remembered(key) is None for *_, key in _membership_checks(query, params, version))


def check_membership(store: GraphStore, query: NamedQuery, params: BoundParams, version: str | None = None) -> None:
    """IRI values of parameters with `class=` or `scheme=` must name such a thing in the graph.

    A request's checks go to the store together, as one query (one round trip to a remote
    server however many parameters are checked). With `version`, the store's data version, each
    outcome is kept for that version, so later requests with the same value ask nothing.
    They do not go with the named query itself: a SPARQL request carries one query, and putting
    the test into the query's own pattern would turn the 422 into an empty or different answer.
    """
    checks = _membership_checks(query, params, version)
    outcome = {i: _remembered(key) for i, (_, _, _, _, key) in enumerate(checks)}
    unknown = [i for i, found in outcome.items() if found is None]
    if len(unknown) == 1:
        outcome[unknown[0]] = bool(store.query(f"ASK {{ {checks[unknown[0]][2]} }}"))  # type: ignore[arg-type]
    elif unknown:
        branches = "\n  UNION ".join(f"{{ {checks[i][2]} BIND({i} AS ?check) }}" for i in unknown)
        # No name holds the answer: a refusal raised below keeps this frame in its traceback, and
        # pyoxigraph's solutions may be freed only on the thread that read them (checks run in a pool).
        found = {int(row["check"].value)  # type: ignore[union-attr]
                 for row in store.query(f"SELECT DISTINCT ?check WHERE {{\n  {branches}\n}}")}
        outcome.update({i: i in found for i in unknown})
    for i in unknown:
        key = checks[i][4]
        if key is not None:
            _remember(key, bool(outcome[i]))
    for i, (param, term, _pattern, what, _key) in enumerate(checks):
        if not outcome[i]:
            refusal = NotInGraph if param.rdf_class else ParameterError  # a scheme's concepts are listed in the API's schema
            raise refusal(param.name, f"{term.value} is not {what} in the graph", term.value)
