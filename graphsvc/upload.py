"""Reading RDF that users send: media types, size limit, and parse errors that say where.

Nothing an upload holds is fetched, expanded or allowed to run long: graphsvc.upload_checks
refuses XML entities and DTDs, deep nesting, and remote JSON-LD contexts; graphsvc.upload_worker
parses in a confined child process with a time budget and a memory cap. Relative IRIs resolve
against the base IRI the caller gives (the graph the upload is for).
"""

from __future__ import annotations

import bisect
import re
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, Union
from urllib.parse import urljoin
from xml.parsers import expat

import pyoxigraph as ox

from graphsvc.rdf_files import SUFFIX_FORMATS
from graphsvc.upload_checks import UploadError
from graphsvc.upload_worker import ParseLimits, parse_confined

MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
SUFFIXES: dict[str, ox.RdfFormat] = {**SUFFIX_FORMATS, ".json": ox.RdfFormat.JSON_LD, ".xml": ox.RdfFormat.RDF_XML}


@dataclass(frozen=True)
class ParsedUpload:
    quads: list[ox.Quad]
    prefixes: dict[str, str]
    text: str | None  # the decoded text, to find lines for validation results
    source: str
    format: ox.RdfFormat


UTF_8_NAMES = frozenset({"utf-8", "utf8", "us-ascii"})  # ASCII is UTF-8


def format_for_media_type(media_type: str | None) -> ox.RdfFormat:
    """The RDF format of a Content-Type; 415 for one no parser takes, or a charset other than UTF-8
    (the parsers read UTF-8 only: a Latin-1 upload would be read wrongly, not refused)."""
    bare, *params = (media_type or "").split(";")
    bare = bare.strip().lower()
    if bare not in MEDIA_TYPES:
        raise UploadError(415, f"unsupported media type {bare or '(none)'!r}: send one of "
                               f"{', '.join(sorted(MEDIA_TYPES))}", parameter="Content-Type")
    for param in params:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in UTF_8_NAMES:
            raise UploadError(415, f"the charset {charset!r} is not read here: send RDF as UTF-8 "
                                   f"(charset=utf-8, or no charset)", parameter="Content-Type")
    return MEDIA_TYPES[bare]


def format_for_file_name(name: str) -> ox.RdfFormat:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        raise UploadError(415, f"{name}: cannot tell the RDF format from the suffix {suffix or '(none)'!r}; "
                               f"use one of {', '.join(sorted(SUFFIXES))}", source=name)
    return SUFFIXES[suffix]


def parse_upload(data: bytes, fmt: ox.RdfFormat, source: str, max_bytes: int | None = None,
                 base_iri: str | None = None, limits: ParseLimits | None = None) -> ParsedUpload:
    """Parse all of `data` or nothing, relative IRIs against `base_iri`: UploadError otherwise
    (400 with line and column for what is malformed or refused, 413 when too large, 503 when slow)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise UploadError(413, f"{source}: {len(data)} bytes is more than the limit of {max_bytes} bytes",
                          source=source)
    quads, prefixes = parse_confined(data, fmt, source, base_iri, limits or ParseLimits())
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    upload = ParsedUpload(quads, prefixes, text, source, fmt)
    _refuse_escaped_nul(upload)
    return upload


def _refuse_escaped_nul(upload: ParsedUpload) -> None:
    """400 for a literal holding U+0000 written as an escape (`\\u0000`; a raw NUL byte is refused
    before parsing): XML (RDF/XML, SPARQL XML results, the HTML pages) cannot carry it."""
    for quad in upload.quads:
        if isinstance(quad.object, ox.Literal) and "\0" in quad.object.value:
            line = line_of(upload, quad.subject)
            where = f" (line {line})" if line is not None else ""
            raise UploadError(400, f"{upload.source}{where}: the value of {quad.subject} {quad.predicate} holds "
                                   f"the character U+0000 (NUL), which XML cannot carry; remove it",
                              line, None, upload.source)


class Finding(Protocol):
    """What `line_of` needs of a validation result (graphsvc.validation.validator.ValidationResult)."""

    focus: Term
    path: str | None
    value: Term | None


def line_of(upload: ParsedUpload, where: Finding | Term) -> int | None:
    """The line of the upload where the triple a validation result is about is written: the one
    with the result's focus node as subject, its path's predicate and, when the result names a
    value, that value (for an inverse path `^p`, the focus as object). Failing that (JSON-LD, a
    node written only as an object, a blank node), the first line that names the focus node.
    Given a node instead of a result, the first line that names it."""
    if isinstance(where, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return _first_mention(upload, where)
    statements = _statements(upload)
    found = _statement_line(statements, where) if statements else None
    return found if found is not None else _first_mention(upload, where.focus)


def _first_mention(upload: ParsedUpload, node: Term) -> int | None:
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


# --- where each triple is written ---------------------------------------------------------------
#
# A term as read from the text, for comparison with the parsed ones: ("iri", absolute IRI),
# ("rel", a relative reference whose base is not known here), ("lit", lexical form), or ("anon",)
# for a blank node or anything else that cannot be matched.
Key = tuple[str, ...]
_ANON: Key = ("anon",)
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML = "http://www.w3.org/XML/1998/namespace"
_RDF_TYPE: Key = ("iri", _RDF + "type")


@dataclass(frozen=True)
class _Statement:
    subject: Key
    predicate: Key
    object: Key
    line: int  # where the predicate is written
    object_line: int  # where the object is
    subject_line: int  # where the subject is


def _statements(upload: ParsedUpload) -> list[_Statement] | None:
    """The triples as written in the upload's text, with their lines (read once per upload, and
    kept as long as the upload is)."""
    locate = _LOCATORS.get(upload.format)
    if upload.text is None or locate is None:
        return None
    found = _READ.get(id(upload))
    if found is None:
        found = _READ[id(upload)] = locate(upload.text)
        weakref.finalize(upload, _READ.pop, id(upload), None)
    return found


def _matches(key: Key, term: Term | None) -> bool:
    if term is None or isinstance(term, ox.BlankNode) or key == _ANON:
        return False
    if isinstance(term, ox.Literal):
        return key == ("lit", term.value)
    kind, text = key
    return text == term.value if kind == "iri" else kind == "rel" and bool(text) and term.value.endswith(text)


def _statement_line(statements: list[_Statement], finding: Finding) -> int | None:
    """The line of the triple `finding` is about; None when the text does not show it."""
    path = finding.path or ""
    inverse = path.startswith("^<") and path.endswith(">") and path.count("<") == 1
    predicate = path[2:-1] if inverse else path
    candidates: list[_Statement] = []
    if predicate and not predicate.startswith(("(", "^", "<")):  # one step, not a path of several
        node = ox.NamedNode(predicate)
        candidates = [s for s in statements if _matches(s.predicate, node)
                      and _matches(s.object if inverse else s.subject, finding.focus)]
    if finding.value is not None:
        exact = [s for s in candidates if _matches(s.subject if inverse else s.object, finding.value)]
        if exact:
            return exact[0].object_line
    if candidates:
        return candidates[0].line
    # No such triple (a value is missing, or the path has several steps): where the focus is described.
    described = [s.subject_line for s in statements if _matches(s.subject, finding.focus)]
    return described[0] if described else None


class _Lines:
    """Line numbers of offsets in a text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


# Turtle, TriG, N-Triples and N-Quads, as tokens (strings before comments: a '#' may be inside one).
_TURTLE_TOKEN = re.compile(r'''
    (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<punct><<|>>|\{\||\|\}|\^\^|[;,\[\](){}])
  | (?P<word>[^\s;,()\[\]{}<>"'\#^]+)
  | (?P<space>\s+)
''', re.VERBOSE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
_NUMBER = re.compile(r"^[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+)$")  # Turtle's numbers
_DIRECTIVES = ("@prefix", "@base", "prefix", "base")


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, code)  # `\"`, `\\`, and a local name's `\.` stand for themselves
    return _ESCAPE.sub(one, text)


def _turtle_tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of each token; the dots that end a word end the statement."""
    for match in _TURTLE_TOKEN.finditer(text):
        kind = match.lastgroup or "space"
        if kind in ("space", "comment"):
            continue
        token, offset = match.group(), match.start()
        if kind == "word" and token.endswith(".") and not _NUMBER.match(token):
            body = token.rstrip(".")
            if body:
                yield kind, body, offset
            for i in range(len(body), len(token)):
                yield "punct", ".", offset + i
            continue
        yield kind, token, offset


class _TurtleReader:
    """Follows subjects, predicates and objects through the statements of a Turtle-family text.

    Nested blank nodes `[ ... ]` are followed (their triples have an unmatchable subject);
    collections and quoted triples count as one object each, their insides are not recorded."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_of = _Lines(text)
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self.found: list[_Statement] = []
        # One frame per open subject: [subject, predicate, predicate's line, what comes next, subject's line].
        self.frames: list[list[Any]] = [[None, None, 0, "subject", 0]]
        self.directive: list[str] | None = None
        self.nested = 0  # depth inside ( ... ) and << ... >>
        self.datatype_next = False

    def key(self, kind: str, token: str) -> Key:
        if kind == "iri":
            reference = _unescape(token[1:-1])
            if _SCHEME.match(reference):
                return ("iri", reference)
            return ("iri", urljoin(self.base, reference)) if self.base else ("rel", reference)
        if kind == "string":
            quote = 3 if token[:3] in ('"""', "'''") else 1
            return ("lit", _unescape(token[quote:-quote]))
        if token == "a":
            return _RDF_TYPE
        if token in ("true", "false") or _NUMBER.match(token):
            return ("lit", token)
        prefix, colon, local = token.partition(":")
        if colon and prefix in self.prefixes and not token.startswith("_:"):
            return ("iri", self.prefixes[prefix] + _unescape(local))
        return _ANON

    def directive_token(self, kind: str, token: str) -> None:
        assert self.directive is not None
        self.directive.append(token)
        sparql_style = not self.directive[0].startswith("@")
        if kind == "iri":
            iri = self.key("iri", token)
            keyword = self.directive[0].lstrip("@").lower()
            if keyword == "prefix" and len(self.directive) == 3:
                self.prefixes[self.directive[1].rstrip(":")] = iri[-1]
            elif keyword == "base" and iri[0] == "iri":
                self.base = iri[1]
            if sparql_style:
                self.directive = None  # PREFIX and BASE end with their IRI
        elif token == "." and not sparql_style:
            self.directive = None

    def term(self, key: Key, offset: int) -> None:
        """A subject, predicate or object, whichever the current frame expects."""
        if self.nested:
            return
        frame = self.frames[-1]
        line = self.line_of(offset)
        if frame[3] == "subject":
            frame[0], frame[3], frame[4] = key, "predicate", line
        elif frame[3] == "predicate":
            frame[1], frame[2], frame[3] = key, line, "object"
        elif frame[3] == "object":
            self.found.append(_Statement(frame[0], frame[1], key, frame[2], line, frame[4]))
            frame[3] = "after"
        # after an object, a term is an N-Quads graph label: nothing to record

    def punct(self, token: str, offset: int) -> None:
        if token in ("(", "<<"):
            self.term(_ANON, offset)
            self.nested += 1
        elif token in (")", ">>"):
            self.nested = max(0, self.nested - 1)
        elif self.nested:
            return
        elif token == "[":
            self.term(_ANON, offset)
            self.frames.append([_ANON, None, 0, "predicate", self.line_of(offset)])
        elif token == "{|":  # an annotation of the triple just read
            self.frames.append([_ANON, None, 0, "predicate", self.line_of(offset)])
        elif token in ("]", "|}"):
            if len(self.frames) > 1:
                self.frames.pop()
        elif token == ",":
            self.frames[-1][3] = "object"
        elif token == ";":
            self.frames[-1][3] = "predicate"
        elif token in (".", "{", "}"):  # a statement ends, or a graph's block opens or closes
            self.frames = [[None, None, 0, "subject", 0]]

    def read(self) -> list[_Statement]:
        for kind, token, offset in _turtle_tokens(self.text):
            at_start = len(self.frames) == 1 and self.frames[0][3] == "subject" and not self.nested
            if self.directive is not None:
                self.directive_token(kind, token)
            elif kind == "word" and at_start and token.lower() in _DIRECTIVES:
                self.directive = [token]
            elif kind == "word" and at_start and token.upper() == "GRAPH":
                continue
            elif kind == "word" and token.startswith("@"):
                continue  # a language tag
            elif token == "^^":
                self.datatype_next = True
            elif kind == "punct":
                self.punct(token, offset)
            elif self.datatype_next:
                self.datatype_next = False  # the datatype of the literal just read
            else:
                self.term(self.key(kind, token), offset)
        return self.found


def _turtle_statements(text: str) -> list[_Statement]:
    return _TurtleReader(text).read()


class _XmlReader:
    """Follows node and property elements through RDF/XML's striped syntax, with expat.

    The text has passed graphsvc.upload_checks (no DTD, no entities, bounded depth) before it
    was parsed; a DOCTYPE here still stops the reading."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._refuse
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.found: list[_Statement] = []
        # Per open element: ["root"], ["node", subject, line], ["property", subject, predicate,
        # line, text, has an object element, subject's line], ["done"] (a property whose object is
        # known) or ["skip"].
        self.stack: list[list[Any]] = []
        self.bases: list[str | None] = [None]

    @staticmethod
    def _refuse(*_args: Any) -> None:
        raise ValueError("a DOCTYPE is not read here")

    @staticmethod
    def _name(qualified: str) -> str:
        namespace, _, local = qualified.partition(" ")
        return namespace + local

    def _reference(self, value: str) -> Key:
        if _SCHEME.match(value):
            return ("iri", value)
        base = self.bases[-1]
        return ("iri", urljoin(base, value)) if base else ("rel", value)

    def _subject(self, attrs: dict[str, str]) -> Key:
        if _RDF + "about" in attrs:
            return self._reference(attrs[_RDF + "about"])
        if _RDF + "ID" in attrs:
            return self._reference("#" + attrs[_RDF + "ID"])
        return _ANON

    def _start(self, qualified: str, attributes: dict[str, str]) -> None:
        line = self.parser.CurrentLineNumber
        name = self._name(qualified)
        attrs = {self._name(k): v for k, v in attributes.items()}
        base = attrs.get(_XML + "base")
        self.bases.append(urljoin(self.bases[-1] or "", base) if base else self.bases[-1])
        parent = self.stack[-1] if self.stack else None
        if parent is None and name == _RDF + "RDF":
            self.stack.append(["root"])
        elif parent is None or parent[0] == "root" or parent[0] == "property":
            subject = self._subject(attrs)
            if parent is not None and parent[0] == "property":
                self.found.append(_Statement(parent[1], parent[2], subject, parent[3], line, parent[6]))
                parent[5] = True
            if name != _RDF + "Description":
                self.found.append(_Statement(subject, _RDF_TYPE, ("iri", name), line, line, line))
            for attribute, value in attrs.items():  # property attributes
                if not attribute.startswith((_RDF, _XML)) and _SCHEME.match(attribute):
                    self.found.append(_Statement(subject, ("iri", attribute), ("lit", value), line, line, line))
            self.stack.append(["node", subject, line])
        elif parent[0] == "node":
            predicate: Key = ("iri", name)
            parse_type = attrs.get(_RDF + "parseType")
            subject, subject_line = parent[1], parent[2]
            if _RDF + "resource" in attrs:
                target = self._reference(attrs[_RDF + "resource"])
                self.found.append(_Statement(subject, predicate, target, line, line, subject_line))
                self.stack.append(["done"])
            elif parse_type == "Resource":
                self.found.append(_Statement(subject, predicate, _ANON, line, line, subject_line))
                self.stack.append(["node", _ANON, line])
            elif parse_type is not None:  # Literal or Collection: one object, not followed
                self.found.append(_Statement(subject, predicate, _ANON, line, line, subject_line))
                self.stack.append(["skip"])
            else:
                self.stack.append(["property", subject, predicate, line, [], False, subject_line])
        else:
            self.stack.append(["skip"])

    def _text(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "property":
            self.stack[-1][4].append(data)

    def _end(self, _qualified: str) -> None:
        element = self.stack.pop()
        self.bases.pop()
        if element[0] == "property" and not element[5]:  # no object element: a literal
            _, subject, predicate, line, text, _, subject_line = element
            self.found.append(_Statement(subject, predicate, ("lit", "".join(text)), line, line, subject_line))

    def read(self, text: str) -> list[_Statement]:
        try:
            self.parser.Parse(text.encode("utf-8"), True)
        except (expat.ExpatError, ValueError):
            pass  # what was read so far still helps
        return self.found


def _xml_statements(text: str) -> list[_Statement]:
    return _XmlReader().read(text)


_LOCATORS: dict[ox.RdfFormat, Callable[[str], list[_Statement]]] = {
    ox.RdfFormat.TURTLE: _turtle_statements,
    ox.RdfFormat.TRIG: _turtle_statements,
    ox.RdfFormat.N_TRIPLES: _turtle_statements,
    ox.RdfFormat.N_QUADS: _turtle_statements,
    ox.RdfFormat.RDF_XML: _xml_statements,
}
_READ: dict[int, list[_Statement]] = {}  # by id() of an upload still alive
