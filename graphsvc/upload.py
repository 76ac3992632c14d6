"""Reading RDF that users send: media types, size limit, and parse errors that say where.

pyoxigraph's parsers fetch nothing: a remote JSON-LD @context and XML entity declarations are
refused, so parsing an upload never reaches the network or the file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from graphsvc.rdf_files import SUFFIX_FORMATS

MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
SUFFIXES: dict[str, ox.RdfFormat] = {**SUFFIX_FORMATS, ".json": ox.RdfFormat.JSON_LD, ".xml": ox.RdfFormat.RDF_XML}
_POSITION = re.compile(r"line (\d+) column (\d+)")


class UploadError(ValueError):
    """RDF that cannot be taken: `status` is the HTTP status that fits (400, 413, 415)."""

    def __init__(self, status: int, message: str, line: int | None = None, column: int | None = None,
                 source: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.line = line
        self.column = column
        self.source = source

    def as_dict(self) -> dict[str, object]:
        where = {"line": self.line, "column": self.column, "file": self.source}
        return {"error": str(self), **{k: v for k, v in where.items() if v is not None}}


@dataclass(frozen=True)
class ParsedUpload:
    quads: list[ox.Quad]
    prefixes: dict[str, str]
    text: str | None  # the decoded text, to find lines for validation results
    source: str
    format: ox.RdfFormat


def format_for_media_type(media_type: str | None) -> ox.RdfFormat:
    bare = (media_type or "").split(";")[0].strip().lower()
    if bare not in MEDIA_TYPES:
        raise UploadError(415, f"unsupported media type {bare or '(none)'!r}: send one of "
                               f"{', '.join(sorted(MEDIA_TYPES))}")
    return MEDIA_TYPES[bare]


def format_for_file_name(name: str) -> ox.RdfFormat:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        raise UploadError(415, f"{name}: cannot tell the RDF format from the suffix {suffix or '(none)'!r}; "
                               f"use one of {', '.join(sorted(SUFFIXES))}", source=name)
    return SUFFIXES[suffix]


def parse_upload(data: bytes, fmt: ox.RdfFormat, source: str, max_bytes: int | None = None) -> ParsedUpload:
    """Parse all of `data` or nothing: a syntax error raises UploadError with its line and column."""
    if max_bytes is not None and len(data) > max_bytes:
        raise UploadError(413, f"{source}: {len(data)} bytes is more than the limit of {max_bytes} bytes",
                          source=source)
    try:
        parser = ox.parse(data, format=fmt)
        quads = list(parser)
        prefixes = dict(parser.prefixes) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
    except SyntaxError as exc:
        line = column = None
        position = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else None
        if position and position[1] is not None:
            line, column = position[1], position[2]
        else:
            match = _POSITION.search(str(exc))
            if match:
                line, column = int(match.group(1)), int(match.group(2))
        raise UploadError(400, f"{source}: not valid {fmt.name}: {exc.args[0] if exc.args else exc}",
                          line, column, source) from exc
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return ParsedUpload(quads, prefixes, text, source, fmt)


def line_of(upload: ParsedUpload, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> int | None:
    """The first line of the uploaded text that names `node` (full IRI or prefixed name)."""
    if upload.text is None or not isinstance(node, ox.NamedNode):
        return None
    candidates = [f"<{node.value}>", f'"{node.value}"']
    for prefix, namespace in upload.prefixes.items():
        if node.value.startswith(namespace) and len(node.value) > len(namespace):
            candidates.append(f"{prefix}:{node.value[len(namespace):]}")
    best: int | None = None
    for candidate in candidates:
        for match in re.finditer(re.escape(candidate) + r"(?![\w.-]*[\w-])", upload.text):
            offset = match.start()
            best = offset if best is None else min(best, offset)
            break
    return None if best is None else upload.text.count("\n", 0, best) + 1
