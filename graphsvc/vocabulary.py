"""What the service knows of the vocabulary without a query: its prefixes."""

from __future__ import annotations

from functools import lru_cache

from graphsvc import project
from graphsvc.rdf_files import parse_file


@lru_cache(maxsize=1)
def prefixes() -> dict[str, str]:
    """The prefixes the ontology's Turtle declares (idd, kg, org, prov, skos, ...), sorted by name."""
    found: dict[str, str] = {}
    for path in project.ontology_files():
        found.update(parse_file(path).prefixes)
    found.pop("", None)
    return dict(sorted(found.items()))


def curie(iri: str) -> str:
    """`iri` shortened with the longest matching prefix of the vocabulary (idd:party), or as it is."""
    best = max(((p, ns) for p, ns in prefixes().items() if iri.startswith(ns) and len(iri) > len(ns)),
               key=lambda found: len(found[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri
