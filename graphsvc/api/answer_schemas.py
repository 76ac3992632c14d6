"""JSON Schemas of the answers, for the OpenAPI document: what each named query's plain JSON holds
(from the `#+ field:` lines of its header), SPARQL results, errors, and the response headers.

A field's type says what a row holds (queries/README.md, Header): an `iri` is an object
`{"iri", "label"}` (the label from a sibling `<var>Label`, null when the graph has none in
English), literals are typed JSON values, an `optional` field may be null, a `list` field is an
array. The plain answer wraps the rows as `items` (shape `rows`), groups them as `facets`, turns
them into `{nodes, edges}` (`network`), or gives the resources of a CONSTRUCT (`resources`).
"""

from __future__ import annotations

from typing import Any

from graphsvc.catalog import Field, NamedQuery, catalog, projected_variables

JSON = "application/json"
NULLABLE_STRING = {"type": ["string", "null"]}
# Literals of a `term` field: a string (dates too), a number or a boolean.
_LITERAL = [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string", "description": "What went wrong, in words a person can act on."},
                   "parameter": {"type": "string", "description": "The parameter at fault, where one is."},
                   "reason": {"type": "string"}, "value": {"type": "string"}},
    "additionalProperties": True,
    "description": "What went wrong (`error`) and where: the parameter, line and column, or path.",
}

SPARQL_RESULTS = {
    "type": "object",
    "description": "SPARQL 1.1 Query Results JSON Format.",
    "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {"type": "object", "required": ["bindings"], "properties": {"bindings": {
            "type": "array", "items": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["type", "value"],
                "properties": {"type": {"enum": ["uri", "literal", "bnode", "typed-literal", "triple"]},
                               "value": {}, "datatype": {"type": "string"},
                               "xml:lang": {"type": "string"}}}}}}},
        "boolean": {"type": "boolean"},
    },
}

JSON_LD = {"description": "JSON-LD 1.0 (expanded form).", "type": ["object", "array"]}
TEXT = {"type": "string"}


def _header(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "schema": schema or {"type": "string"}}


ETAG = _header("The answer's entity tag (data version, query, parameters, media type); "
               "send it back as If-None-Match to get 304 while it is current.")
DATA_VERSION = _header("The data version the answer was computed from.")
DATA_STALE = _header("`true` when the answer is of an older data version than the store's (an aggregate "
                     "whose newer value is being computed).", {"type": "string", "enum": ["true"]})
TRUNCATED = _header("`true` when the answer was cut at the service's row limit (GRAPHSVC_RESULT_LIMIT).",
                    {"type": "string", "enum": ["true"]})
LINK = _header('The next page as an absolute URL, RFC 8288: `<https://.../api/instruments?limit=50&offset=50>; '
               'rel="next"` (the same URL as `next` in the JSON answer).')
CACHE_CONTROL = _header("`public, no-cache`: clients may keep answers but revalidate them.")
VARY = _header("`Accept, Accept-Encoding`: the answer depends on content negotiation; a body of 16 KB or more is gzip-encoded for a client that accepts it (its ETag then ends in `-gzip`).")
RETRY_AFTER = _header("Seconds after which to try again.", {"type": "string", "pattern": "^[0-9]+$"})
ALLOW = _header("The methods the resource answers.")
WWW_AUTHENTICATE = _header("`Bearer`: the write needs a bearer token.")


def answer_headers(query: NamedQuery) -> dict[str, Any]:
    """The headers of a 200 answer of `query`."""
    headers = {"ETag": ETAG, "X-Data-Version": DATA_VERSION, "Cache-Control": CACHE_CONTROL, "Vary": VARY,
               "X-Result-Truncated": TRUNCATED}
    if query.refresh == "background":
        headers["X-Data-Stale"] = DATA_STALE
    if query.pagination:
        headers["Link"] = LINK
    return headers


def not_modified_headers(query: NamedQuery) -> dict[str, Any]:
    headers = {"ETag": ETAG, "X-Data-Version": DATA_VERSION, "Cache-Control": CACHE_CONTROL, "Vary": VARY}
    if query.refresh == "background":
        headers["X-Data-Stale"] = DATA_STALE
    return headers


def _iri(labelled: bool, description: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"iri": {"type": "string", "description": "The IRI."}}
    required = ["iri"]
    if labelled:
        properties["label"] = {**NULLABLE_STRING, "description": "Its English label (null: it has none)."}
        required.append("label")
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False,
            "description": description}


def field_schema(item: Field, labelled: bool, nested: list[Field] | None = None) -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    description = item.description
    if item.type == "iri":
        schema = _iri(labelled, description)
    elif item.type == "term":
        schema = {"anyOf": [_iri(labelled, "An IRI."), *_LITERAL], "description": description}
    elif item.type == "integer":
        schema = {"type": "integer", "description": description}
    elif item.type == "decimal":
        schema = {"type": "number", "description": description}
    elif item.type == "boolean":
        schema = {"type": "boolean", "description": description}
    elif item.type == "date":
        schema = {"type": "string", "format": "date", "description": description}
    elif item.type == "object":
        schema = _object(nested or [], {}, description)
    else:  # string, partial-date
        schema = {"type": "string", "description": description}
    if item.list:
        schema = {"type": "array", "items": schema, "description": description}
    if item.optional:
        schema = {"anyOf": [schema, {"type": "null"}], "description": description}
    return schema


def _object(fields: list[Field], labelled: dict[str, bool], description: str = "",
            drop_missing: bool = False) -> dict[str, Any]:
    """An object with `fields` (the nested ones under their parent); `drop_missing`: a field without
    a value is left out (facets) rather than null."""
    top = [f for f in fields if f.parent is None]
    properties = {}
    for item in top:
        children = [Field(f.name.split(".", 1)[1], f.type, f.optional, f.list, f.description)
                    for f in fields if f.parent == item.name]
        shown = Field(item.name, item.type, item.optional and not drop_missing, item.list, item.description)
        properties[item.name] = field_schema(shown, labelled.get(item.name, False), children)
    required = [f.name for f in top if not (drop_missing and f.optional)]
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False,
            **({"description": description} if description else {})}


def labelled_fields(query: NamedQuery, variables: list[str]) -> dict[str, bool]:
    """Which IRI fields come with a label: those with a sibling `<name>Label` variable."""
    return {f.name: f.name + "Label" in variables for f in query.fields}


def plain_answer_schema(query: NamedQuery, variables: list[str]) -> dict[str, Any]:
    """The JSON Schema of `GET /api/<name>`'s plain JSON answer."""
    labelled = labelled_fields(query, variables)
    properties: dict[str, Any] = {
        "query": {"type": "string", "const": query.name},
        "title": {"type": "string"},
        "params": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "The parameters the answer was computed with (defaults and derived values "
                                  "included), as given or as IRIs."},
        "truncated": {"type": "boolean", "description": "Whether the answer was cut at the service's row limit."},
        "dataVersion": {**NULLABLE_STRING, "description": "The data version the answer was computed from."},
    }
    required = list(properties)
    if query.shape == "network":
        properties["nodes"] = {"type": "array", "items": {
            "type": "object", "required": ["id", "label", "types"], "additionalProperties": False,
            "properties": {"id": {"type": "string", "description": "The node's IRI."},
                           "label": NULLABLE_STRING,
                           "types": {"type": "array", "items": {"type": "string"},
                                     "description": "Local names of its classes."}}}}
        properties["edges"] = {"type": "array", "items": {
            "type": "object", "required": ["source", "target", "relation", "relationIri"],
            "additionalProperties": False,
            "properties": {"source": {"type": "string"}, "target": {"type": "string"},
                           "relation": {"type": "string", "description": "The property's local name."},
                           "relationIri": {"type": "string"}}}}
        required += ["nodes", "edges"]
    elif query.shape == "facets":
        columns = [f for f in query.fields if f.name != "facet"]
        row = _object(columns, labelled, drop_missing=True)
        by_name = {f.name: f for f in columns}
        for _facet, pairs in query.facet_names:  # a column some facet names after what it holds there
            for column, name in pairs:
                named = Field(name, by_name[column].type, False, by_name[column].list,
                              f"{by_name[column].description} (the `{column}` column, named for its facet)")
                row["properties"][name] = field_schema(named, labelled.get(column, False), [])
        properties["facets"] = {"type": "object", "additionalProperties": {"type": "array", "items": row},
                                "description": "The rows grouped by `facet`; a field without a value is left out."}
        required.append("facets")
    else:
        properties["items"] = {"type": "array", "items": _object(list(query.fields), labelled)}
        properties["count"] = {"type": "integer", "minimum": 0}
        required += ["items", "count"]
    if query.pagination:
        properties["limit"] = {"type": "integer"}
        properties["offset"] = {"type": "integer"}
        properties["next"] = {**NULLABLE_STRING, "format": "uri",
                              "description": "The absolute URL of the next page (GRAPHSVC_PUBLIC_URL), or null."}
        required += ["limit", "offset", "next"]
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


API_INDEX = {
    "type": "object", "required": ["queries", "reports"], "additionalProperties": False,
    "properties": {name: {"type": "array", "items": {
        "type": "object", "required": ["name", "title", "description", "path", "example", "params"],
        "additionalProperties": False,
        "properties": {"name": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                       "path": {"type": "string"}, "example": {"type": "string"},
                       "params": {"type": "array", "items": {"type": "string"}}}}}
        for name in ("queries", "reports")},
}

EXAMPLES = {"type": "array", "items": {
    "type": "object", "required": ["name", "title", "description", "query", "parameters", "template"],
    "properties": {"name": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                   "query": {"type": "string", "description": "The query with its parameters bound: it runs as it reads."},
                   "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
                   "template": {"type": "string", "description": "The file as written."}}}}


def _raw_row(query: NamedQuery) -> dict[str, Any]:
    """A row as the coverage report gives it: values as plain JSON (IRIs as strings), labels beside."""
    variables = projected_variables(query.text)
    properties: dict[str, Any] = {}
    for item in query.fields:
        kind = {"integer": "integer", "decimal": "number", "boolean": "boolean"}.get(item.type, "string")
        properties[item.name] = {"type": [kind, "null"] if item.optional else kind, "description": item.description}
        if item.name + "Label" in variables:
            properties[item.name + "Label"] = {**NULLABLE_STRING, "description": "Its English label."}
    return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}


def coverage_report_schema() -> dict[str, Any]:
    """/api/stats: the rows of stats-classes and stats-sources, the one row of stats-evidence."""
    queries = catalog()
    return {"type": "object", "required": ["classes", "sources", "evidence", "quads", "dataVersion"],
            "additionalProperties": False,
            "properties": {"classes": {"type": "array", "items": _raw_row(queries["stats-classes"])},
                           "sources": {"type": "array", "items": _raw_row(queries["stats-sources"])},
                           "evidence": _raw_row(queries["stats-evidence"]),
                           "quads": {"type": "integer", "description": "How many quads the store holds."},
                           "dataVersion": NULLABLE_STRING}}
