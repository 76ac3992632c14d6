"""The catalog of named queries: every queries/*.rq file, with the header it carries.

A header is the leading block of `#+ key: value` comment lines. Besides `title` and
`description` (which may repeat; the lines are joined), a header can declare:

    #+ param: partner iri class=idd:Country example=kg:japan -- the partner country
    #+ pagination: default=50 max=500
    #+ derive: until = on + days
    #+ shape: network
    #+ list: partners
    #+ refresh: background
    #+ field: partner iri -- the partner country
    #+ field: firstSigned date optional -- its first signing date, where known

queries/README.md documents every key. The query's body marks with a line `# @parameters`
where the service puts the VALUES block that binds the parameters; being a comment, the
marker leaves the file a standard SPARQL 1.1 query that runs as it is with nothing bound.
Lines between `# @if-bound name` and `# @end` are kept only when the parameter `name` has a
value (a pattern that starts from the value); they are comments too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from graphsvc import project
from graphsvc.guard import inspect_query

_HEADER_LINE = re.compile(r"^#\+\s*([A-Za-z_][\w-]*)\s*:\s*(.*)$")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PARAM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
MARKER = re.compile(r"^[ \t]*# @parameters[ \t]*$", re.MULTILINE)
# `# @if-bound name` ... `# @end`: lines kept only when the parameter has a value (not nested).
CONDITIONAL = re.compile(r"^[ \t]*# @if-bound[ \t]+(\S+)[ \t]*\n(.*?)^[ \t]*# @end[ \t]*(?:\n|\Z)",
                         re.MULTILINE | re.DOTALL)
_DIRECTIVE = re.compile(r"^[ \t]*# @(if-bound|end)\b", re.MULTILINE)
PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "boolean", "language")
# What a field of the plain JSON answer holds (graphsvc.api.answer_schemas turns each into a JSON Schema).
FIELD_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date", "partial-date", "term", "object")
RESERVED = {"format", "limit", "offset"}
SHAPES = ("rows", "network", "facets", "resources")
REFRESHES = ("request", "background")  # computed per request, or once per data version (graphsvc.aggregates)
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$")
_DERIVE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)\s*=\s*([A-Za-z][A-Za-z0-9]*)\s*\+\s*([A-Za-z][A-Za-z0-9]*)$")


class CatalogError(ValueError):
    """A named query whose header or body the service cannot use."""


@dataclass(frozen=True)
class Param:
    """One declared parameter: its name, RDF type and constraints."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    example: str | None = None
    values: tuple[str, ...] = ()  # allowed values (IRIs as CURIEs or names)
    rdf_class: str | None = None  # an IRI value must be an instance of this class
    scheme: str | None = None  # an IRI value must be a concept in this scheme
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Field:
    """One field of the answer's rows (a projected variable), or of a resource (`resources` shape):
    its name, what it holds, whether it may be missing (null) and whether it is a list."""

    name: str
    type: str
    optional: bool = False
    list: bool = False
    description: str = ""

    @property
    def parent(self) -> str | None:
        """`classPartition` for `classPartition.entities`: the object field this one belongs to."""
        return self.name.split(".", 1)[0] if "." in self.name else None


@dataclass(frozen=True)
class Pagination:
    default: int = 50
    maximum: int = 500


@dataclass(frozen=True)
class Derived:
    """A date parameter computed in Python: `name = date_param + days_param` (days)."""

    name: str
    date_param: str
    days_param: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    header: dict[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()
    pagination: Pagination | None = None
    derived: tuple[Derived, ...] = ()
    shape: str = "rows"
    lists: tuple[str, ...] = ()
    form: str = "SELECT"
    fields: tuple[Field, ...] = ()
    # `facets` shape: per facet, the name its plain JSON gives a generic column (`#+ facet:` lines)
    facet_names: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def names_in_facet(self, facet: str) -> dict[str, str]:
        """Column -> the name the facet's plain JSON rows give it (columns not named keep theirs)."""
        return dict(dict(self.facet_names).get(facet, ()))

    @property
    def title(self) -> str:
        return self.header.get("title", self.name)

    @property
    def description(self) -> str:
        return self.header.get("description", "")

    @property
    def refresh(self) -> str:
        return self.header.get("refresh", "request")

    @property
    def has_marker(self) -> bool:
        return MARKER.search(self.text) is not None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise CatalogError(f"{where}: {text!r} is not a number") from exc


def parse_param(spec: str, where: str) -> Param:
    """`name type [required] [key=value ...] [-- description]` as a Param."""
    spec, _, description = spec.partition(" -- ")
    tokens = spec.split()
    if len(tokens) < 2:
        raise CatalogError(f"{where}: a param needs a name and a type: {spec!r}")
    name, kind = tokens[0], tokens[1].lower()
    if not PARAM_NAME.match(name) or name in RESERVED:
        raise CatalogError(f"{where}: {name!r} cannot be a parameter name")
    if kind not in PARAM_TYPES:
        raise CatalogError(f"{where}: type {kind!r} is not one of {', '.join(PARAM_TYPES)}")
    options: dict[str, object] = {}
    required = False
    for token in tokens[2:]:
        if token == "required":
            required = True
            continue
        key, eq, value = token.partition("=")
        if not eq:
            raise CatalogError(f"{where}: cannot read {token!r} (expected key=value)")
        if key == "default":
            options["default"] = value
        elif key == "example":
            options["example"] = value
        elif key == "values":
            options["values"] = tuple(v for v in value.split("|") if v)
        elif key == "class":
            options["rdf_class"] = value
        elif key == "scheme":
            options["scheme"] = value
        elif key == "min":
            options["minimum"] = _number(value, where)
        elif key == "max":
            options["maximum"] = _number(value, where)
        else:
            raise CatalogError(f"{where}: unknown param option {key!r}")
    return Param(name=name, type=kind, required=required, description=description.strip(),
                 **options)  # type: ignore[arg-type]


def parse_field(spec: str, where: str) -> Field:
    """`name type [optional] [list] [-- description]` as a Field."""
    spec, _, description = spec.partition(" -- ")
    tokens = spec.split()
    if len(tokens) < 2:
        raise CatalogError(f"{where}: a field needs a name and a type: {spec!r}")
    name, kind = tokens[0], tokens[1].lower()
    if not _FIELD_NAME.match(name):
        raise CatalogError(f"{where}: {name!r} cannot be a field name")
    if kind not in FIELD_TYPES:
        raise CatalogError(f"{where}: field type {kind!r} is not one of {', '.join(FIELD_TYPES)}")
    flags = set(tokens[2:])
    if flags - {"optional", "list"}:
        raise CatalogError(f"{where}: cannot read {' '.join(sorted(flags - {'optional', 'list'}))!r} "
                           "(a field takes 'optional' and 'list')")
    return Field(name=name, type=kind, optional="optional" in flags, list="list" in flags,
                 description=description.strip())


def projected_variables(text: str) -> list[str]:
    """The variables a SELECT query projects, in order (read by running it on an empty store)."""
    import pyoxigraph as ox

    solutions = ox.Store().query(text)
    return [v.value for v in solutions.variables]  # type: ignore[union-attr]


def _check_fields(query: NamedQuery, where: str) -> None:
    """A SELECT query's fields are its projected variables (a `<var>Label` beside `<var>` is the
    IRI's label, not a field of its own); a `resources` query's nested fields have a parent."""
    if not query.fields:
        raise CatalogError(f"{where}: the header declares no '#+ field:' lines (queries/README.md, Header)")
    names = [f.name for f in query.fields]
    if len(set(names)) != len(names):
        raise CatalogError(f"{where}: a field is declared twice")
    if query.form != "SELECT":
        for item in query.fields:
            if item.parent is not None and item.parent not in names:
                raise CatalogError(f"{where}: field {item.name!r} belongs to no declared field {item.parent!r}")
        return
    variables = projected_variables(query.text)
    shown = [v for v in variables if not (v.endswith("Label") and v[:-5] in variables)]
    if names != shown:
        raise CatalogError(f"{where}: the fields {names} are not the projected variables {shown} "
                           "(in the same order; a <var>Label beside <var> is its label)")


def _pagination(value: str, where: str) -> Pagination:
    options = dict(token.partition("=")[::2] for token in value.split())
    try:
        return Pagination(default=int(options.get("default", 50)), maximum=int(options.get("max", 500)))
    except ValueError as exc:
        raise CatalogError(f"{where}: pagination takes default=N max=N") from exc


def parse_named_query(path: Path) -> NamedQuery:
    """Read one .rq file: its header, declared parameters and query form."""
    text = path.read_text(encoding="utf-8")
    where = path.name
    header: dict[str, str] = {}
    params: list[Param] = []
    derived: list[Derived] = []
    lists: list[str] = []
    fields: list[Field] = []
    facet_names: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    pagination: Pagination | None = None
    for line in text.splitlines():
        match = _HEADER_LINE.match(line.strip())
        if not match:
            break
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "param":
            params.append(parse_param(value, where))
        elif key == "pagination":
            pagination = _pagination(value, where)
        elif key == "derive":
            found = _DERIVE.match(value)
            if not found:
                raise CatalogError(f"{where}: derive takes 'name = dateParam + daysParam'")
            derived.append(Derived(*found.groups()))
        elif key == "list":
            lists.extend(value.split())
        elif key == "field":
            fields.append(parse_field(value, where))
        elif key == "facet":
            facet_names.append(_facet_names(value, where))
        elif key == "description" and key in header:
            header[key] += " " + value
        else:
            header[key] = value
    form = inspect_query(text).form
    shape = header.get("shape", "resources" if form in ("CONSTRUCT", "DESCRIBE") else "rows")
    if (shape == "resources") != (form in ("CONSTRUCT", "DESCRIBE")):
        raise CatalogError(f"{where}: shape 'resources' is for CONSTRUCT and DESCRIBE queries, and only for them")
    if shape not in SHAPES:
        raise CatalogError(f"{where}: shape {shape!r} is not one of {', '.join(SHAPES)}")
    if header.get("refresh", "request") not in REFRESHES:
        raise CatalogError(f"{where}: refresh {header['refresh']!r} is not one of {', '.join(REFRESHES)}")
    names = [p.name for p in params] + [d.name for d in derived]
    if len(set(names)) != len(names):
        raise CatalogError(f"{where}: a parameter is declared twice")
    lists += [f.name for f in fields if f.list and f.name not in lists]
    query = NamedQuery(name=path.stem, text=text, header=header, params=tuple(params),
                       pagination=pagination, derived=tuple(derived), shape=shape,
                       lists=tuple(lists), form=form, fields=tuple(fields), facet_names=tuple(facet_names))
    if facet_names and shape != "facets":
        raise CatalogError(f"{where}: '#+ facet:' lines are for the 'facets' shape")
    declared = {f.name for f in fields}
    for facet, pairs in facet_names:
        unknown = [column for column, _ in pairs if column not in declared]
        if unknown:
            raise CatalogError(f"{where}: '#+ facet: {facet}' names columns that are not fields: {', '.join(unknown)}")
    if (params or derived) and not query.has_marker:
        raise CatalogError(f"{where}: a query with parameters needs a '# @parameters' line")
    _check_conditionals(text, set(names), where)
    _check_fields(query, where)
    return query


def _facet_names(value: str, where: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`signature value=signatory detail=post extra=signedFor`: a facet, and its columns' names."""
    facet, *pairs = value.split()
    named = []
    for pair in pairs:
        column, sep, name = pair.partition("=")
        if not sep or not column or not name.isidentifier():
            raise CatalogError(f"{where}: '#+ facet: {value}' takes 'facet column=name ...'")
        named.append((column, name))
    return facet, tuple(named)


def _check_conditionals(text: str, names: set[str], where: str) -> None:
    """Each `# @if-bound name` names a parameter and has its `# @end`; blocks do not nest."""
    blocks = list(CONDITIONAL.finditer(text))
    for block in blocks:
        if block.group(1) not in names:
            raise CatalogError(f"{where}: '# @if-bound {block.group(1)}' names no parameter of the query")
        if _DIRECTIVE.search(block.group(2)):
            raise CatalogError(f"{where}: '# @if-bound' blocks cannot be nested")
    if len(_DIRECTIVE.findall(text)) != 2 * len(blocks):
        raise CatalogError(f"{where}: every '# @if-bound name' line needs a '# @end' line after it")


@lru_cache(maxsize=1)
def catalog(folder: Path = project.QUERIES_DIR) -> dict[str, NamedQuery]:
    """All named queries by name (the file name without .rq)."""
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        if not NAME_PATTERN.match(path.stem):
            raise ValueError(f"{path.name}: a named query's file name must be lower-case kebab-case")
        queries[path.stem] = parse_named_query(path)
    return queries
