"""Validation of RDF against the project's SHACL shapes, fast enough to run on every ingest.

`compiler` turns shapes/ into SPARQL queries once; `validator` runs them over a small store that
holds a batch, the ontology and the part of the graph the batch refers to; `report` renders the
results for people (JSON) and for programs (a standard sh:ValidationReport).
"""
