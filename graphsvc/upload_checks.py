"""What an upload may not contain, checked on its bytes before any RDF parser reads them.

RDF/XML is read with the standard library's expat parser first. Entity declarations (internal
or external, general or parameter), references to entities other than the five XML predefines,
and external DTDs are refused: pyoxigraph would expand internal entities, so a 1 KB document
could grow to gigabytes. The document must be well-formed and complete (pyoxigraph takes a
document whose last elements are never closed, and would store it cut short), in UTF-8 (the only
encoding pyoxigraph reads, and so the one both parsers see alike), and no deeper than
MAX_XML_DEPTH elements (pyoxigraph's time grows faster than the depth).

JSON-LD must be valid UTF-8 JSON no deeper than MAX_JSON_DEPTH objects and arrays (pyoxigraph's
memory grows faster than the depth), and may not name a remote context (a string or an @import
where a context goes): remote contexts are never fetched.

No upload may hold a NUL byte (graphsvc.upload refuses the escaped NUL of a parsed literal too).
Turtle, TriG, N-Triples and N-Quads need no other check here: their parsers take linear time and
memory. (Prefixed names and `,`/`;` lists can still make a small file stand for a great many
long IRIs: the amount of N-Quads an upload may expand to is bounded where it is parsed.)

Every refusal is an UploadError with status 400 and one line that says what, with the line and
column where it is. The checks run in the confined child process that parses the upload
(graphsvc.upload_worker); UploadError, an upload refused for any reason, is defined here so that
that module and graphsvc.upload share it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox

MAX_XML_DEPTH = 64
MAX_JSON_DEPTH = 64
_UTF8_LABELS = {"utf-8", "utf8"}
_BOM = "\ufeff"
# The tokens that matter for finding a place in JSON text: strings, and the punctuation that nests.
_JSON_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


class UploadError(ValueError):
    """RDF that cannot be taken: `status` is the HTTP status that fits (400, 413, 415, 503)."""

    def __init__(self, status: int, message: str, line: int | None = None, column: int | None = None,
                 source: str | None = None, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.line = line
        self.column = column
        self.source = source
        self.parameter = parameter  # the request parameter at fault (graph, mode, dry-run), if one is

    def as_dict(self) -> dict[str, object]:
        where = {"line": self.line, "column": self.column, "file": self.source, "parameter": self.parameter}
        return {"error": str(self), **{k: v for k, v in where.items() if v is not None}}


def _shown(value: object) -> str:
    """A value from the upload, quoted, on one line and not too long for a message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:76] + "...'"


def _refuse(source: str, what: str, line: int | None, column: int | None) -> UploadError:
    where = f" at line {line}, column {column}" if line is not None else ""
    return UploadError(400, f"{source}{where}: {what}", line, column, source)


def check_upload(data: bytes, fmt: ox.RdfFormat, source: str = "upload") -> None:
    """Raise UploadError (400) if `data` holds something the checks above refuse."""
    check_no_nul(data, source)
    if fmt == ox.RdfFormat.RDF_XML:
        check_rdf_xml(data, source)
    elif fmt == ox.RdfFormat.JSON_LD:
        check_json_ld(data, source)


def check_no_nul(data: bytes, source: str = "upload") -> None:
    """A NUL byte has no place in RDF text (a UTF-16 file has one in every other byte), and XML
    (RDF/XML, SPARQL XML results, the HTML pages) cannot carry the character it would make."""
    at = data.find(b"\0")
    if at < 0:
        return
    line = data.count(b"\n", 0, at) + 1
    column = at - (data.rfind(b"\n", 0, at) + 1) + 1
    utf16 = " (is it UTF-16? save it as UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") or at <= 1 else ""
    raise _refuse(source, f"a NUL byte (U+0000): uploads are UTF-8 text without NUL{utf16}", line, column)


# --- RDF/XML -------------------------------------------------------------------------------------


class _XmlRefusal(Exception):
    """Raised inside an expat handler to stop the parse; carries the message and the position."""

    def __init__(self, what: str, line: int, column: int) -> None:
        super().__init__(what)
        self.line = line
        self.column = column


class _XmlInspector:
    """The expat handlers that refuse what RDF/XML uploads may not hold."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        # The bytes are read as UTF-8 whatever the document declares, as pyoxigraph reads them.
        self.parser = expat.ParserCreate(encoding="UTF-8")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.depth = 0
        p = self.parser
        p.XmlDeclHandler = self._xml_declaration
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity_declaration
        p.UnparsedEntityDeclHandler = self._unparsed_entity
        p.ExternalEntityRefHandler = self._external_reference
        p.SkippedEntityHandler = self._skipped_entity
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end

    def _stop(self, what: str, opening: bytes | None = None) -> _XmlRefusal:
        """The refusal, placed where expat is, or back at the `opening` of the declaration it is in."""
        index = self.parser.CurrentByteIndex
        start = self.data.rfind(opening, 0, index + 1) if opening and index >= 0 else -1
        if start < 0:
            return _XmlRefusal(what, self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1)
        return _XmlRefusal(what, self.data.count(b"\n", 0, start) + 1, start - self.data.rfind(b"\n", 0, start))

    def _xml_declaration(self, _version: str, encoding: str | None, _standalone: int) -> None:
        if encoding and encoding.lower() not in _UTF8_LABELS:
            raise self._stop(f"the document declares the encoding {_shown(encoding)}; RDF/XML is read as UTF-8 only")

    def _doctype(self, name: str, system_id: str | None, public_id: str | None, _internal: bool) -> None:
        if system_id or public_id:
            raise self._stop(f"the DOCTYPE of {_shown(name)} names an external DTD ({_shown(system_id or public_id)}); "
                             f"DTDs are not read")

    def _entity_declaration(self, name: str, is_parameter: bool, *_rest: Any) -> None:
        kind = "parameter entity" if is_parameter else "entity"
        raise self._stop(f"the DOCTYPE declares the {kind} {_shown(name)}; XML entities are not accepted "
                         f"(write the text out instead)", b"<!ENTITY")

    def _unparsed_entity(self, name: str, *_rest: Any) -> None:
        raise self._stop(f"the DOCTYPE declares the unparsed entity {_shown(name)}; XML entities are not "
                         f"accepted", b"<!ENTITY")

    def _external_reference(self, _context: str, _base: str | None, system_id: str | None,
                            _public_id: str | None) -> int:
        raise self._stop(f"the document refers to the external entity {_shown(system_id)}; it is not read")

    def _skipped_entity(self, name: str, is_parameter: bool) -> None:
        sign = "%" if is_parameter else "&"
        raise self._stop(f"the reference {sign}{_shown(name)[1:-1]}; names an entity; only &lt; &gt; &amp; "
                         f"&apos; &quot; and character references are accepted")

    def _start(self, _name: str, _attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise self._stop(f"elements are nested more than {MAX_XML_DEPTH} deep")

    def _end(self, _name: str) -> None:
        self.depth -= 1


_INCOMPLETE = {expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
               expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
               expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION]}


def check_rdf_xml(data: bytes, source: str = "upload") -> None:
    """Refuse RDF/XML that is not well-formed, incomplete, too deep, or declares or uses entities."""
    inspector = _XmlInspector(data)
    try:
        inspector.parser.Parse(data, True)
    except _XmlRefusal as exc:
        raise _refuse(source, str(exc), exc.line, exc.column) from None
    except expat.ExpatError as exc:
        reason = expat.errors.messages[exc.code]
        if exc.code in _INCOMPLETE:
            reason += " (the document ends before its elements are closed: is it cut short?)"
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]:
            reason += " (only &lt; &gt; &amp; &apos; &quot; and character references are accepted)"
        raise _refuse(source, f"not well-formed RDF/XML: {reason}", exc.lineno, exc.offset + 1) from None


# --- JSON-LD -------------------------------------------------------------------------------------


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset_of_depth(text: str, limit: int) -> int | None:
    """Where the first object or array that is nested deeper than `limit` opens."""
    depth = 0
    for match in _JSON_STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _offset_of_member(text: str, path: tuple[str | int, ...]) -> int | None:
    """Where the key of the object member at `path` (keys and array indexes) is written."""
    frames: list[list[Any]] = []  # per open container: [is_object, key or index, expecting a key]
    for match in _JSON_STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            frames.append([token == "{", 0 if token == "[" else None, token == "{"])
        elif token in "]}":
            frames.pop()
        elif token == ",":
            if frames[-1][0]:
                frames[-1][2] = True
            else:
                frames[-1][1] += 1
        elif frames and frames[-1][0] and frames[-1][2]:
            frames[-1][1], frames[-1][2] = json.loads(token), False
            if tuple(frame[1] for frame in frames) == path:
                return match.start()
    return None


def _pointer(path: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _remote_context(value: Any) -> str | None:
    """The remote context a `@context` value names, if any (a string, or a string in an array)."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            return item
    return None


def _first_problem(document: Any) -> tuple[str, tuple[str | int, ...], bool] | None:
    """The first thing refused in a parsed JSON document: (what, path, is a depth problem)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        depth = len(path) + 1
        if depth > MAX_JSON_DEPTH:
            return f"objects and arrays are nested more than {MAX_JSON_DEPTH} deep", path, True
        members = value.items() if isinstance(value, dict) else enumerate(value)
        children = []
        for key, child in members:
            if key == "@context" and (iri := _remote_context(child)) is not None:
                return (f"the @context at {_pointer((*path, key))} names the remote context {_shown(iri)}; remote "
                        f"contexts are not fetched (put the context in the document)"), (*path, key), False
            if key == "@import":
                return (f"the @import at {_pointer((*path, key))} names the remote context {_shown(child)}; remote "
                        f"contexts are not fetched (put the context in the document)"), (*path, key), False
            if isinstance(child, (dict, list)):
                children.append((child, (*path, key)))
        stack.extend(reversed(children))  # depth first, in the order of the text
    return None


def check_json_ld(data: bytes, source: str = "upload") -> None:
    """Refuse JSON-LD that is not UTF-8 JSON, is nested too deep, or names a remote context."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode("utf-8")
        line, column = _line_and_column(before, len(before))
        raise _refuse(source, "not UTF-8 (JSON-LD is read as UTF-8)", line, column) from None
    try:
        document = json.loads(text[1:] if text.startswith(_BOM) else text)
    except json.JSONDecodeError as exc:
        raise _refuse(source, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        document = None  # nested deeper than Python's json module goes: far deeper than allowed
        problem: tuple[str, tuple[str | int, ...], bool] | None = (
            f"objects and arrays are nested more than {MAX_JSON_DEPTH} deep", (), True)
    else:
        problem = _first_problem(document) if isinstance(document, (dict, list)) else None
    if problem is None:
        return
    what, path, too_deep = problem  # located in the text as sent (a byte-order mark is no token)
    offset = _offset_of_depth(text, MAX_JSON_DEPTH) if too_deep else _offset_of_member(text, path)
    line, column = _line_and_column(text, offset) if offset is not None else (None, None)
    raise _refuse(source, what, line, column)
