"""Curation: from a document to reviewed, evidenced statements.

`sources` keeps the documents the service holds (text, digest, length, media type, metadata) in
the store; `quotes` derives the quote selectors of the evidence of data/ (at load) and re-anchors them; `drafting`
proposes candidate statements from a registered text. For review: `source_drafts` drafts a
registered source with stable candidate ids, `draft_view` shows the draft as JSON, `review` turns
a curator's decisions into a batch for the validated ingest, `review_findings` ties the shapes'
findings to the statements they concern, and `curated_statements` reads statements and their spans
back from a graph.
"""
