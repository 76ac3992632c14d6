"""What `graphsvc draft` does, apart from argument parsing: draft one file against the graph.

The evidence of a draft points at the source document that holds the same text: the one the
graph has registered with the file's SHA-256 (whose publication date is then known too), or the
IRI the curator gives, or else the IRI the registry will give the text when it is registered
(`kg:source-<first 12 hex digits of its digest>`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphsvc import project
from graphsvc.curation.drafting.candidates import Draft
from graphsvc.curation.drafting.drafter import Drafter
from graphsvc.curation.drafting.knowledge import QUERIES, Knowledge, Queryable, read_knowledge
from graphsvc.curation.drafting.span_rule import problems
from graphsvc.curation.drafting.writer import to_turtle
from graphsvc.curation.sources import SOURCE_PREFIX, digest
from graphsvc.named_params import bind_values

XSD = "http://www.w3.org/2001/XMLSchema#"


class DraftingError(ValueError):
    """A file or option the drafter cannot take; the message says which and why."""


@dataclass(frozen=True)
class DraftResult:
    draft: Draft
    knowledge: Knowledge
    turtle: str
    source_iri: str
    published: dt.date | None
    violations: int


def read_text(path: Path) -> tuple[str, bytes]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DraftingError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError as exc:
        raise DraftingError(f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded)") from None


def parse_published(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DraftingError(f"--published {value!r} is not a date written YYYY-MM-DD") from None


def _registered(store: Queryable, sha256: str) -> tuple[str | None, dt.date | None]:
    text = bind_values((QUERIES / "registered-source.rq").read_text(encoding="utf-8"),
                       {"sha256": ox.Literal(sha256)})
    rows: Any = store.query(text, use_default_graph_as_union=True) if isinstance(store, ox.Store) else store.query(text)
    for row in rows:
        issued = row["issued"]
        published = None
        if issued is not None and issued.datatype is not None and issued.datatype.value == XSD + "date":
            published = dt.date.fromisoformat(issued.value)
        return row["source"].value, published
    return None, None


def draft_file(path: Path, store: Queryable, source_iri: str | None = None,
               published: dt.date | None = None) -> DraftResult:
    """The draft of the text in `path`, against what `store` knows."""
    text, data = read_text(path)
    if not text.strip():
        raise DraftingError(f"{path} holds no text")
    sha256 = digest(data)
    registered, registered_date = _registered(store, sha256)
    source = source_iri or registered or project.THING_NS + SOURCE_PREFIX + sha256[:12]
    when = published or registered_date
    knowledge = read_knowledge(store)
    draft = Drafter(knowledge).draft(text, source, when)
    return DraftResult(draft, knowledge, to_turtle(draft, knowledge), source, when, len(problems(draft, knowledge)))


def store_from_quads(quads: Any) -> ox.Store:
    """An in-memory store of the service's dataset, for drafting beside a running service."""
    store = ox.Store()
    store.extend(list(quads))
    return store
