"""Where a vocabulary term is documented on /ontology: the anchor of its section, read from the page.

/ontology is pyLODE's documentation (classes and properties, each in an element whose `id` pyLODE
makes up, with the term's IRI in the first `<code>` inside) plus our section of the concept schemes
(each concept a row whose `id` is its CURIE, its IRI in a `<code title=...>`). Reading the anchors
from the page itself keeps the links right however either of them names its anchors.

The page comes from a provider given to `install` (graphsvc.api.ontology makes it), so this module
knows nothing of how the documentation is made.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from typing import Callable

from fastapi import FastAPI, Request

VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                           "source", "track", "wbr"})
ONTOLOGY_PAGE = "/ontology"


class _AnchorReader(HTMLParser):
    """Collects, for each element with an `id`, the IRI in the first `<code>` inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.claimed: set[int] = set()  # positions in `open` whose element has its IRI already
        self.anchors: dict[str, str] = {}
        self._code: tuple[int, list[str]] | None = None  # the element the open <code> names, its text

    def _target(self) -> int | None:
        for position in range(len(self.open) - 1, -1, -1):
            if self.open[position][1] is not None:
                return None if position in self.claimed else position
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "code":
            target = self._target()
            if target is not None:
                title = values.get("title")
                if title:
                    self._claim(target, title)
                else:
                    self._code = (target, [])
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, values.get("id")))

    def handle_data(self, data: str) -> None:
        if self._code is not None:
            self._code[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._code is not None:
            target, text = self._code
            self._code = None
            self._claim(target, "".join(text).strip())
        for position in range(len(self.open) - 1, -1, -1):
            if self.open[position][0] == tag:
                del self.open[position:]
                self.claimed = {p for p in self.claimed if p < position}
                return

    def _claim(self, position: int, iri: str) -> None:
        self.claimed.add(position)
        anchor = self.open[position][1]
        if anchor and iri.startswith(("http://", "https://")):
            self.anchors.setdefault(iri, anchor)


def read_anchors(page: str) -> dict[str, str]:
    """IRI -> anchor of every term the ontology page documents."""
    reader = _AnchorReader()
    reader.feed(page)
    reader.close()
    return reader.anchors


class OntologyLinks:
    """Links to the documentation of vocabulary terms, the page read once when first needed."""

    def __init__(self, page: Callable[[], str]) -> None:
        self._page = page
        self._anchors: dict[str, str] | None = None
        self._lock = threading.Lock()

    def anchors(self) -> dict[str, str]:
        with self._lock:
            if self._anchors is None:
                self._anchors = read_anchors(self._page())
            return self._anchors

    def href(self, iri: str) -> str | None:
        """`/ontology#anchor` for a documented term, None for anything else."""
        anchor = self.anchors().get(iri)
        return f"{ONTOLOGY_PAGE}#{anchor}" if anchor is not None else None


NO_LINKS = OntologyLinks(lambda: "")


def install(app: FastAPI, page: Callable[[], str]) -> None:
    """Link the pages' vocabulary terms to `page()`, the HTML of /ontology."""
    app.state.ontology_links = OntologyLinks(page)


def ontology_links(request: Request) -> OntologyLinks:
    """The app's links to the ontology's documentation (none when the app did not install them)."""
    return getattr(request.app.state, "ontology_links", NO_LINKS)
