"""The documents the service holds: each registered text with its digest, length, media type and
metadata, kept in the store.

A text is registered once, by the SHA-256 of its UTF-8 bytes. Its description and the text itself
go into a graph of their own, `<GRAPH_NS>sources/<sha256>`, which the service manages (ingest
refuses to write there). A text that data/ already describes (the same digest) keeps the IRI that
data/ gives it, and the registry adds only the text and its media type; any other text gets a new
IRI, `kg:source-<first 12 hex digits of its digest>`, and its full description from what the
curator gives. The folder of GRAPHSVC_SOURCES (graphsvc.project.sources_dir()) is registered the
same way whenever the project is loaded, so the evidence of data/ is read from the store alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import pyoxigraph as ox

from graphsvc import project
from graphsvc.named_params import bind_values
from graphsvc.store import GraphStore

_LOG = logging.getLogger(__name__)
QUERIES = project.QUERIES_DIR / "sources"
REGISTRY_GRAPH_NS = project.GRAPH_NS + "sources/"
SOURCE_PREFIX = "source-"

IDD = project.VOCAB_NS
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DCTERMS = "http://purl.org/dc/terms/"

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_THING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")  # <name> of kg:<name>, as /id/<name> takes it
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_CURIE = re.compile(r"^kg:([A-Za-z0-9][A-Za-z0-9._-]*)$")
MAX_METADATA_CHARS = 1000


class SourceError(ValueError):
    """A document or its metadata the registry cannot take: `status` (4xx) and the field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field

    def as_dict(self) -> dict[str, Any]:
        return {"error": str(self), **({"parameter": self.field} if self.field else {})}


@dataclass(frozen=True)
class SourceMetadata:
    """What a curator says of a document when registering it (all optional)."""

    title: str | None = None
    publisher: str | None = None  # a kg: IRI or CURIE of an agent, an agent's name, or any name
    url: str | None = None
    published: str | None = None  # YYYY-MM-DD or YYYY, as far as the document says
    kind: str | None = None  # a concept of the document kinds scheme: its label or local name
    file_name: str | None = None
    media_type: str | None = None  # default: from the file name's suffix, else text/plain


@dataclass(frozen=True)
class Source:
    """One source document as the registry lists it."""

    iri: str
    label: str | None
    title: str | None
    file_name: str | None
    length: int | None
    sha256: str | None
    media_type: str | None
    kind: str | None
    kind_label: str | None
    publisher: str | None
    publisher_label: str | None
    publisher_name: str | None
    published: str | None
    url: str | None
    held: bool

    @property
    def name(self) -> str:
        """Its local name, the <id> of /sources/<id> and /id/<id>."""
        return self.iri[len(project.THING_NS):] if self.iri.startswith(project.THING_NS) else self.iri

    def as_json(self, root: str = "") -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.name, "iri": self.iri, "label": self.label, "title": self.title,
            "fileName": self.file_name, "length": self.length, "sha256": self.sha256,
            "mediaType": self.media_type, "published": self.published, "url": self.url,
            "kind": {"iri": self.kind, "label": self.kind_label} if self.kind else None,
            "publisher": ({"iri": self.publisher, "label": self.publisher_label} if self.publisher
                          else {"name": self.publisher_name} if self.publisher_name else None),
            "held": self.held,
        }
        if self.held:
            data["text"] = f"{root}/sources/{self.name}"
        return data


@dataclass(frozen=True)
class EvidencedSpan:
    """A span of a source that evidence points at, and the statement it supports."""

    start: int
    end: int
    subject: str
    subject_label: str | None
    predicate: str
    predicate_label: str | None
    objects: tuple[tuple[Any, str | None], ...]


# --- reading the registry --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _rows(store: GraphStore, name: str, terms: Mapping[str, ox.NamedNode | ox.Literal | None]) -> list[dict[str, Any]]:
    solutions: Any = store.query(bind_values(_query_text(name), terms))
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names} for s in solutions]


def _value(term: Any) -> Any:
    return None if term is None else term.value


def _source(row: Mapping[str, Any]) -> Source:
    length = row.get("length")
    held = row.get("held")
    return Source(
        iri=row["source"].value, label=_value(row.get("label")), title=_value(row.get("title")),
        file_name=_value(row.get("fileName")), length=int(length.value) if length is not None else None,
        sha256=_value(row.get("sha256")), media_type=_value(row.get("mediaType")), kind=_value(row.get("kind")),
        kind_label=_value(row.get("kindLabel")), publisher=_value(row.get("publisher")),
        publisher_label=_value(row.get("publisherLabel")), publisher_name=_value(row.get("publisherName")),
        published=_value(row.get("issued")), url=_value(row.get("url")),
        held=held is not None and held.value == "true")


def list_sources(store: GraphStore) -> list[Source]:
    """Every source document the graph knows, each once, in IRI order."""
    found: dict[str, Source] = {}
    for row in _rows(store, "documents", {}):
        found.setdefault(row["source"].value, _source(row))
    return list(found.values())


def source_iri(name: str) -> str | None:
    """The IRI of /sources/<name>, or None when `name` is not a thing's local name."""
    return project.THING_NS + name if _THING_NAME.match(name) else None


def get_source(store: GraphStore, name: str) -> Source | None:
    """The source document /sources/<name> stands for, or None."""
    iri = source_iri(name)
    if iri is None:
        return None
    rows = _rows(store, "documents", {"source": ox.NamedNode(iri)})
    return _source(rows[0]) if rows else None


def source_text(store: GraphStore, source: str) -> str | None:
    """The text the registry holds for the source document `source` (an IRI), or None."""
    try:
        node = ox.NamedNode(source)
    except ValueError:
        return None
    rows = _rows(store, "text", {"source": node})
    return rows[0]["text"].value if rows else None


def evidenced_spans(store: GraphStore, source: str) -> list[EvidencedSpan]:
    """The spans of `source` that evidence points at, one per span and statement, in text order."""
    grouped: dict[tuple[int, int, str, str], dict[str, Any]] = {}
    for row in _rows(store, "spans", {"source": ox.NamedNode(source)}):
        key = (int(row["start"].value), int(row["end"].value), row["subject"].value, row["predicate"].value)
        entry = grouped.setdefault(key, {"row": row, "objects": []})
        if row.get("object") is not None and all(o != row["object"] for o, _ in entry["objects"]):
            entry["objects"].append((row["object"], _value(row.get("objectLabel"))))
    return [EvidencedSpan(start=s, end=e, subject=subject, subject_label=_value(v["row"].get("subjectLabel")),
                          predicate=predicate, predicate_label=_value(v["row"].get("predicateLabel")),
                          objects=tuple(v["objects"]))
            for (s, e, subject, predicate), v in sorted(grouped.items(), key=lambda kv: kv[0])]


# --- registering -----------------------------------------------------------------------------------

def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_type_for(file_name: str | None, given: str | None) -> str:
    """The media type of a text: the one given (without parameters), else from the file name."""
    if given:
        media = given.split(";", 1)[0].strip().lower()
    else:
        guessed = mimetypes.guess_type(file_name or "")[0] if file_name else None
        media = guessed or "text/plain"
    if not re.fullmatch(r"text/[a-z0-9.+-]+", media):
        raise SourceError(415, f"a source must be text (text/plain, text/markdown, ...), not {media}", "media type")
    return media


def decode_text(data: bytes) -> str:
    """The document's text: its bytes read as UTF-8, or a 400 saying where they are not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(400, f"the document is not UTF-8 text: byte {exc.start} ({data[exc.start:exc.start + 1]!r}) "
                               f"cannot be read; save it as UTF-8 and register it again") from None
    if not text.strip():
        raise SourceError(400, "the document is empty")
    return text


def _short(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > MAX_METADATA_CHARS:
        raise SourceError(400, f"the {field} is longer than {MAX_METADATA_CHARS} characters", field)
    return value


def _published(value: str | None) -> ox.Literal | None:
    value = _short(value, "published")
    if value is None:
        return None
    if _DATE.match(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise SourceError(400, f"published {value!r} is not a calendar date", "published") from None
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
    if _YEAR.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
    raise SourceError(400, f"published {value!r} is neither a date (YYYY-MM-DD) nor a year (YYYY); give only "
                           f"as much as the document states", "published")


def _url(value: str | None) -> ox.NamedNode | None:
    value = _short(value, "url")
    if value is None:
        return None
    if not re.match(r"^https?://[^\s/]+", value):
        raise SourceError(400, f"url {value!r} is not an http(s) address", "url")
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise SourceError(400, f"url {value!r} is not a valid address", "url") from None


def document_kinds(store: GraphStore) -> dict[str, tuple[str, str]]:
    """The document kinds by every name a curator may use: label, local name, both without spaces."""
    names: dict[str, tuple[str, str]] = {}
    for row in _rows(store, "document-kinds", {}):
        iri = row["kind"].value
        label = _value(row.get("label")) or iri.rsplit("#", 1)[-1]
        local = iri.rsplit("#", 1)[-1]
        for name in (label, local, re.sub(r"(?<!^)(?=[A-Z])", "-", local)):
            names[re.sub(r"[\s_-]+", "", name).casefold()] = (iri, label)
    return names


def _kind(store: GraphStore, value: str | None) -> ox.NamedNode | None:
    value = _short(value, "kind")
    if value is None:
        return None
    kinds = document_kinds(store)
    found = kinds.get(re.sub(r"[\s_-]+", "", value).casefold())
    if found is None:
        known = ", ".join(sorted({label for _, label in kinds.values()}))
        raise SourceError(400, f"kind {value!r} is not a document kind; choose one of: {known}", "kind")
    return ox.NamedNode(found[0])


def _publisher(store: GraphStore, value: str | None) -> tuple[str, ox.NamedNode | ox.Literal] | None:
    """The publisher as an agent of the graph (dcterms:publisher) or, if none is named so, as a name."""
    value = _short(value, "publisher")
    if value is None:
        return None
    curie = _CURIE.match(value)
    iri = project.THING_NS + curie.group(1) if curie else value if value.startswith(project.THING_NS) else None
    if iri is not None:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            raise SourceError(400, f"publisher {value!r} is not a valid IRI", "publisher") from None
        if not _rows(store, "is-agent", {"agent": node}):
            raise SourceError(400, f"publisher {value} is not an agent of the graph", "publisher")
        return DCTERMS + "publisher", node
    agents = _rows(store, "agents-named", {"name": ox.Literal(value)})
    if len(agents) > 1:
        names = ", ".join(r["agent"].value for r in agents)
        raise SourceError(400, f"publisher {value!r} names several agents ({names}); give the IRI of one", "publisher")
    if agents:
        return DCTERMS + "publisher", agents[0]["agent"]
    return IDD + "publisherName", ox.Literal(value)


def _mint(store: GraphStore, sha256: str) -> ox.NamedNode:
    """A new IRI for a text: kg:source- and the first 12 digits of its digest (more if taken)."""
    taken = {s.iri for s in list_sources(store)}
    for length in range(12, 65, 4):
        iri = f"{project.THING_NS}{SOURCE_PREFIX}{sha256[:length]}"
        if iri not in taken:
            return ox.NamedNode(iri)
    raise SourceError(409, "no free IRI for this text")  # only if every prefix of its digest is taken


def registry_graph(sha256: str) -> ox.NamedNode:
    return ox.NamedNode(REGISTRY_GRAPH_NS + sha256)


def _literal(value: str | int, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(str(value), language=language)
    return ox.Literal(str(value), datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(str(value))


def register(store: GraphStore, data: bytes, metadata: SourceMetadata = SourceMetadata()) -> tuple[Source, bool]:
    """Register the document `data`; returns it and whether it was new to the registry.

    The same text twice is one source (its first registration stands). SourceError (4xx) for a
    text that is not UTF-8, a media type that is not text, or metadata the graph cannot take.
    """
    file_name = _short(metadata.file_name, "file name")
    if file_name is not None:
        file_name = Path(file_name).name
        if not FILE_NAME.match(file_name):
            raise SourceError(400, f"file name {file_name!r} may hold only letters, digits, '.', '_' and '-'",
                              "file name")
    media_type = media_type_for(file_name, metadata.media_type)
    text = decode_text(data)
    sha256 = digest(data)
    known = _rows(store, "by-digest", {"sha256": _literal(sha256)})
    n = ox.NamedNode
    if any(row["held"].value == "true" for row in known):
        held = next(row["source"].value for row in known if row["held"].value == "true")
        return _found(store, held), False
    if known:  # described by data/: the registry adds the text
        node = known[0]["source"]
        triples = [ox.Triple(node, n(IDD + "mediaType"), _literal(media_type)),
                   ox.Triple(node, n(IDD + "text"), _literal(text))]
    else:
        node = _mint(store, sha256)
        title = _short(metadata.title, "title")
        label = title or file_name or node.value[len(project.THING_NS):]
        triples = [
            ox.Triple(node, RDF_TYPE, n(IDD + "SourceDocument")),
            ox.Triple(node, RDFS_LABEL, _literal(label, language="en")),
            ox.Triple(node, n(IDD + "fileName"), _literal(file_name or f"{node.value[len(project.THING_NS):]}.txt")),
            ox.Triple(node, n(IDD + "characterCount"), _literal(len(text), XSD + "integer")),
            ox.Triple(node, n(IDD + "sha256"), _literal(sha256)),
            ox.Triple(node, n(IDD + "mediaType"), _literal(media_type)),
            ox.Triple(node, n(IDD + "text"), _literal(text)),
        ]
        if title:
            triples.append(ox.Triple(node, n(DCTERMS + "title"), _literal(title, language="en")))
        kind = _kind(store, metadata.kind)
        if kind is not None:
            triples.append(ox.Triple(node, n(IDD + "documentKind"), kind))
        publisher = _publisher(store, metadata.publisher)
        if publisher is not None:
            triples.append(ox.Triple(node, n(publisher[0]), publisher[1]))
        published = _published(metadata.published)
        if published is not None:
            triples.append(ox.Triple(node, n(DCTERMS + "issued"), published))
        url = _url(metadata.url)
        if url is not None:
            triples.append(ox.Triple(node, n(DCTERMS + "source"), url))
    store.write_graphs(replace={registry_graph(sha256): triples}, add={})
    return _found(store, node.value), True


def _found(store: GraphStore, iri: str) -> Source:
    rows = _rows(store, "documents", {"source": ox.NamedNode(iri)})
    return _source(rows[0])


def register_folder(store: GraphStore, folder: Path | None = None) -> list[Source]:
    """Register each `*.txt` of the folder (default: GRAPHSVC_SOURCES) that the registry lacks.

    A file whose name data/ gives to a document with another digest is left out, with a warning:
    its offsets would not fit. Returns the sources registered now.
    """
    folder = folder if folder is not None else project.sources_dir()
    if not folder.is_dir():
        return []
    registered = []
    for path in sorted(folder.glob("*.txt")):
        try:
            data = path.read_bytes()
        except OSError as exc:
            _LOG.warning("cannot read source %s: %s", path.name, exc.strerror)
            continue
        sha256 = digest(data)
        if any(row["held"].value == "true" for row in _rows(store, "by-digest", {"sha256": _literal(sha256)})):
            continue
        described = _rows(store, "by-file-name", {"fileName": _literal(path.name)})
        if any(row.get("sha256") is not None and row["sha256"].value != sha256 for row in described):
            _LOG.warning("source %s differs from the text data/ describes under that name (SHA-256 %s); "
                         "not registered", path.name, sha256)
            continue
        try:
            source, created = register(store, data, SourceMetadata(file_name=path.name))
        except SourceError as exc:
            _LOG.warning("source %s not registered: %s", path.name, exc)
            continue
        if created:
            registered.append(source)
    return registered
