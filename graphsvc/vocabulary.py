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
