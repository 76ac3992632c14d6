"""India Digital Diplomacy Knowledge Graph: store, ingest, query catalog, HTTP API and CLI."""

__version__ = "0.1.0"
