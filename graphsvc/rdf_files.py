"""Reading RDF files of the project: format by suffix, quads out, prefixes kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

SUFFIX_FORMATS = {
    # The file suffixes the project reads, and the RDF format each one means.
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class ParsedFile:
    quads: list[ox.Quad]
    prefixes: dict[str, str]


def parse_file(path: Path) -> ParsedFile:
    """Parse one RDF file; the format follows the file's suffix."""
    fmt = SUFFIX_FORMATS.get(path.suffix)
    if fmt is None:
        raise ValueError(f"{path.name}: unknown RDF file suffix {path.suffix!r}")
    with path.open("rb") as handle:
        parser = ox.parse(handle, format=fmt)
        quads = list(parser)
        prefixes = dict(parser.prefixes) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
    return ParsedFile(quads, prefixes)
