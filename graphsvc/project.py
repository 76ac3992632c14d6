"""Where the project's parts live on disk, and the IRIs under which it names things.

Vocabulary terms live in ontology/; this module only knows the namespaces the graph mints
and the folders the service reads.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"

VOCAB_NS = "https://w3id.org/iddkg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/iddkg/ontology"
THING_NS = "https://w3id.org/iddkg/id/"
GRAPH_NS = "https://w3id.org/iddkg/graph/"
THING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")  # <name> of THING_NS + name, served at /id/<name>
ONTOLOGY_GRAPH = GRAPH_NS + "ontology"

RDF_SUFFIXES = {".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl"}


def sources_dir() -> Path:
    """The folder of source texts that evidence offsets point into (outside the project)."""
    configured = os.environ.get("GRAPHSVC_SOURCES")
    return Path(configured) if configured else ROOT.parent / "shared" / "sources"


def ontology_files() -> list[Path]:
    """The ontology's Turtle files; GRAPHSVC_ONTOLOGY_DIR points elsewhere, e.g. at a re-saved copy."""
    folder = Path(os.environ.get("GRAPHSVC_ONTOLOGY_DIR", ONTOLOGY_DIR))
    return sorted(folder.glob("*.ttl"))


def data_files() -> list[Path]:
    """The graph's content files, in a stable order."""
    return sorted(p for p in DATA_DIR.rglob("*") if p.suffix in RDF_SUFFIXES)


def data_graph_iri(path: Path) -> str:
    """The named graph that holds one file of data/ (its path below data/, without suffix)."""
    relative = path.relative_to(DATA_DIR).with_suffix("")
    return GRAPH_NS + "data/" + relative.as_posix()
