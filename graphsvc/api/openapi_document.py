"""What the OpenAPI document says of the routes beyond what FastAPI reads from their signatures:
every status each route answers (4xx and 503 included), its headers, the media types it
negotiates, its request bodies and the bearer token of writes. The named queries document
themselves from their headers (graphsvc.api.named_queries); this module completes the others.

`complete(schema)` merges these descriptions into the document FastAPI made. They are kept beside
each other here, rather than in each route's decorator, so the whole contract reads in one place;
tests/test_api_fuzz.py holds the running service to it (schemathesis).
"""

from __future__ import annotations

from typing import Any

from graphsvc import project
from graphsvc.api import answer_schemas as schemas
from graphsvc.sparql_formats import GRAPH_FORMAT_NAMES, GRAPH_FORMATS, RESULT_FORMAT_NAMES, RESULT_FORMATS
from graphsvc.upload import MEDIA_TYPES as UPLOAD_TYPES

JSON = "application/json"
HTML = "text/html"
BEARER = "bearerToken"


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"description": description, "content": {JSON: {"schema": schemas.ERROR}}}
    if headers:
        entry["headers"] = headers
    return entry


def _content(types: list[str] | tuple[str, ...], schema_of: dict[str, Any] | None = None) -> dict[str, Any]:
    """Each media type with its schema: JSON ones as given (or any JSON), the others as text."""
    content = {}
    for media_type in dict.fromkeys(types):
        if schema_of and media_type in schema_of:
            content[media_type] = {"schema": schema_of[media_type]}
        elif media_type in ("application/sparql-results+json",):
            content[media_type] = {"schema": schemas.SPARQL_RESULTS}
        elif media_type == "application/ld+json":
            content[media_type] = {"schema": schemas.JSON_LD}
        elif media_type == JSON:
            content[media_type] = {"schema": {}}
        else:
            content[media_type] = {"schema": schemas.TEXT}
    return content


BUSY = _error("A query went past its time or memory budget, or every query worker is busy (then "
              "Retry-After says when to try again).", {"Retry-After": schemas.RETRY_AFTER})
NOT_ACCEPTABLE = _error("None of the accepted media types can carry this answer; `error` lists those offered.")
TOO_LARGE = _error("The request body is over the limit (GRAPHSVC_MAX_REQUEST_BYTES, GRAPHSVC_MAX_UPLOAD_BYTES), "
                   "or the query is (GRAPHSVC_MAX_QUERY_BYTES).")
UNSUPPORTED = _error("The body's media type is not one this route reads; `error` lists those it does.")
BAD_GATEWAY = _error("The remote SPARQL server (GRAPHSVC_BACKEND=sparql) could not be reached.")
GATEWAY_TIMEOUT = _error("The remote SPARQL server did not answer in time.")
URL_TOO_LONG = _error("The URL is over GRAPHSVC_MAX_URL_BYTES (send a long SPARQL query by POST).")
UNAUTHORIZED = _error("The write needs `Authorization: Bearer <token>`, and the token sent is missing or wrong.",
                      {"WWW-Authenticate": schemas.WWW_AUTHENTICATE})
FORBIDDEN = _error("Writes are disabled: the operator configured no token (GRAPHSVC_WRITE_TOKENS).")

SPARQL_TYPES = [*RESULT_FORMATS, *GRAPH_FORMATS]
SPARQL_FORMATS = sorted({*RESULT_FORMAT_NAMES, *GRAPH_FORMAT_NAMES, *RESULT_FORMATS, *GRAPH_FORMATS})
ONTOLOGY_FORMATS = {"html": HTML, "ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
                    "rdfxml": "application/rdf+xml", "nt": "application/n-triples"}
THING_FORMATS = ["html", "json-ld", "jsonld", "nt", "rdfxml", "ttl", "turtle"]
THING_TYPES = [HTML, "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False,
           **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema,
            **extra}


def _sparql_parameters() -> list[dict[str, Any]]:
    iris = {"type": "array", "items": {"type": "string"}}
    return [
        _query("query", {"type": "string"}, "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it, "
               "GET answers the service description (Turtle), or the query editor for a browser.",
               example="SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"),
        _query("default-graph-uri", iris, "The default graph (SPARQL 1.1 Protocol); overrides the query's FROM.",
               style="form", explode=True),
        _query("named-graph-uri", iris, "A named graph (SPARQL 1.1 Protocol); overrides FROM NAMED.",
               style="form", explode=True),
        _query("format", {"type": "string", "enum": SPARQL_FORMATS},
               "The answer's format, by short name or media type; overrides the Accept header.",
               allowEmptyValue=True),
    ]


def _sparql(method: str) -> dict[str, Any]:
    responses = {
        "200": {"description": "The answer: SPARQL results for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE; "
                               "without a query, the service description (Turtle) or, for a browser, the editor.",
                "headers": {"Vary": schemas.VARY, "X-Result-Truncated": schemas.TRUNCATED},
                "content": _content([*SPARQL_TYPES, HTML])},
        "400": _error("The query is not valid SPARQL (`line`, `column`), is an update, or is refused by the "
                      "read-only endpoint (SERVICE, LOAD...); or a parameter is wrong."),
        "406": NOT_ACCEPTABLE,
        "413": TOO_LARGE,
        "502": BAD_GATEWAY,
        "503": BUSY,
        "504": GATEWAY_TIMEOUT,
    }
    operation: dict[str, Any] = {"responses": responses}
    if method == "get":
        operation["parameters"] = _sparql_parameters()
        responses["503"] = {**BUSY, "description": BUSY["description"] + " Or the editor's files are not "
                            "installed (an HTML page says how).", "content": _content([JSON, HTML], {
                                JSON: schemas.ERROR})}
    else:
        form_fields = {p["name"]: p["schema"] for p in _sparql_parameters()}
        operation["parameters"] = []
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["query"], "properties": form_fields}},
            "application/sparql-query": {"schema": {"type": "string"}},
        }}
        responses["415"] = UNSUPPORTED
    return operation


def _graph_parameter(required: bool) -> dict[str, Any]:
    return _query("graph", {"type": "string", "format": "iri"},
                  "The named graph: an absolute IRI outside the service's own graphs.", required=required,
                  example="https://example.org/graphs/mine")


def _rdf_body() -> dict[str, Any]:
    return {"required": True, "description": "RDF in one of the media types listed (UTF-8).",
            "content": {media_type: {"schema": {} if media_type.endswith("json") else {"type": "string"}}
                        for media_type in UPLOAD_TYPES}}


def _report(description: str) -> dict[str, Any]:
    return {"description": description, "content": _content([JSON, "text/turtle"], {JSON: {
        "type": "object", "required": ["conforms"], "additionalProperties": True,
        "properties": {"conforms": {"type": "boolean"}, "triples": {"type": "integer"},
                       "validated": {"type": "boolean"}, "written": {"type": "boolean"}}}})}


def _upload_errors() -> dict[str, Any]:
    return {"400": _error("The upload is not well-formed RDF (`line`, `column`), or a parameter is wrong."),
            "413": TOO_LARGE,
            "415": UNSUPPORTED,
            "422": _report("The data breaks the shapes: the validation report says which rule, where."),
            "503": _error("Parsing or validating the upload took longer than GRAPHSVC_UPLOAD_TIMEOUT.")}


def _write(method: str) -> dict[str, Any]:
    responses: dict[str, Any] = {"401": UNAUTHORIZED, "403": FORBIDDEN}
    parameters = [_graph_parameter(True)]
    if method == "delete":
        responses.update({"204": {"description": "The graph is removed."},
                          "400": _error("The `graph` parameter is missing or not an IRI the service writes."),
                          "404": _error("There is no such graph.")})
        return {"parameters": parameters, "responses": responses, "security": [{BEARER: []}], "drop": ["200"]}
    parameters.append(_query("dry-run", {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]},
                             "Validate only, write nothing.", allowEmptyValue=False))
    responses.update({"200": _report("Written into an existing graph (or, in a dry run, valid)."),
                      "201": _report("Written into a new graph."), **_upload_errors()})
    return {"parameters": parameters, "requestBody": _rdf_body(), "responses": responses,
            "security": [{BEARER: []}]}


def documented() -> dict[tuple[str, str], dict[str, Any]]:
    """Each route's description, by path and method."""
    return {
        ("/", "get"): {"responses": {"200": {
            "description": "What the service offers, as links (JSON); a browser gets the front page.",
            "headers": {"Vary": schemas.VARY},
            "content": _content([JSON, HTML], {JSON: {"type": "object", "additionalProperties": {"type": "string"}}})}}},
        ("/prefixes", "get"): {"responses": {"200": {"description": "Prefix to namespace.", "content": _content(
            [JSON], {JSON: {"type": "object", "additionalProperties": {"type": "string"}}})}}},
        ("/sparql", "get"): _sparql("get"),
        ("/sparql", "post"): _sparql("post"),
        ("/sparql/examples", "get"): {"responses": {"200": {"description": "The named queries as runnable examples.",
                                                            "content": _content([JSON], {JSON: schemas.EXAMPLES})}}},
        ("/ontology", "get"): {
            "parameters": [_query("format", {"type": "string", "enum": sorted({*ONTOLOGY_FORMATS, HTML, *GRAPH_FORMATS})},
                                  "The answer's format, by short name or media type; overrides the Accept header.",
                                  allowEmptyValue=True)],
            "responses": {"200": {"description": "pyLODE's documentation (HTML) or the ontology's triples.",
                                  "headers": {"Vary": schemas.VARY}, "content": _content([HTML, *GRAPH_FORMATS])},
                          "406": NOT_ACCEPTABLE}},
        ("/id/{name}", "get"): {
            "parameters": [
                {"name": "name", "in": "path", "required": True, "example": "japan",
                 "description": f"The local name of a thing of the graph ({project.THING_NS}<name>).",
                 "schema": {"type": "string", "pattern": project.THING_NAME.pattern}},
                _query("format", {"type": "string", "enum": THING_FORMATS},
                       "The answer's format; overrides the Accept header.", allowEmptyValue=True),
            ],
            "responses": {
                "200": {"description": "An HTML page for people, RDF for programs.",
                        "headers": {"ETag": schemas.ETAG, "Cache-Control": schemas.CACHE_CONTROL, "Vary": schemas.VARY},
                        "content": _content(THING_TYPES)},
                "304": {"description": "Not modified: the If-None-Match ETag is still current.",
                        "headers": {"ETag": schemas.ETAG, "Cache-Control": schemas.CACHE_CONTROL, "Vary": schemas.VARY}},
                "404": {**_error("The graph knows nothing by this name; a browser gets a page with suggestions."),
                        "content": _content([JSON, HTML], {JSON: schemas.ERROR})},
                "406": NOT_ACCEPTABLE,
                "422": _error("The `format` is not one the page is offered in."),
            }},
        ("/validate", "post"): {
            "parameters": [_graph_parameter(False),
                           _query("mode", {"type": "string", "enum": ["replace", "append"], "default": "replace"},
                                  "Validate as the graph's new content, or as an addition to it.")],
            "requestBody": _rdf_body(),
            "responses": {"200": _report("The data conforms to the shapes."), **_upload_errors()}},
        ("/graphs", "get"): {
            "parameters": [{**_graph_parameter(False), "description": "A graph to read; without it, the list of graphs."}],
            "responses": {"200": {"description": "The list of named graphs (JSON), or one graph's triples.",
                                  "content": _content([JSON, *GRAPH_FORMATS], {JSON: {
                                      "type": "object", "required": ["graphs"],
                                      "properties": {"graphs": {"type": "array", "items": {"type": "string"}}}}})},
                          "400": _error("`graph` is not an IRI."),
                          "404": _error("There is no such graph."),
                          "406": NOT_ACCEPTABLE}},
        ("/graphs", "put"): _write("put"),
        ("/graphs", "post"): _write("post"),
        ("/graphs", "delete"): _write("delete"),
        ("/api/stats", "get"): {"responses": {
            "200": {"description": "The coverage report.", "headers": {
                "ETag": schemas.ETAG, "X-Data-Version": schemas.DATA_VERSION, "X-Data-Stale": schemas.DATA_STALE,
                "Cache-Control": schemas.CACHE_CONTROL}, "content": _content([JSON], {JSON: schemas.coverage_report_schema()})},
            "304": {"description": "Not modified: the If-None-Match ETag is still current.", "headers": {
                "ETag": schemas.ETAG, "X-Data-Version": schemas.DATA_VERSION, "X-Data-Stale": schemas.DATA_STALE}},
            "503": _error("The report's first computation is not done yet.", {"Retry-After": schemas.RETRY_AFTER})}},
    }


def complete(schema: dict[str, Any]) -> None:
    """Merge the descriptions above into the document, and declare the bearer token of writes."""
    paths = schema.get("paths", {})
    for (path, method), described in documented().items():
        operation = paths.get(path, {}).get(method)
        if operation is None:
            continue
        for key in ("parameters", "requestBody", "security"):
            if key in described:
                operation[key] = described[key]
        if "parameters" in operation and not operation["parameters"]:
            del operation["parameters"]
        responses = operation.setdefault("responses", {})
        for status in described.get("drop", []):
            responses.pop(status, None)  # FastAPI's default answer, which the route never gives
        if "422" in responses and "422" not in described["responses"]:
            del responses["422"]  # FastAPI's own validation error, which these routes never give
        responses.update(described["responses"])
    for operations in paths.values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("414", URL_TOO_LONG)  # any URL can be too long
    schema.setdefault("components", {}).setdefault("securitySchemes", {})[BEARER] = {
        "type": "http", "scheme": "bearer",
        "description": "A token the operator configured (GRAPHSVC_WRITE_TOKENS); only in the Authorization header."}
